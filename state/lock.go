package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// The lock follows restic's design (doc/design.rst): a file next to the
// journal, created with O_EXCL, naming the pid, host and time of its
// holder. A lock whose pid is dead on this host is stale and taken over; a
// live one refuses the second process with a message naming the holder.
//
// On top of that the holder keeps a flock on the file. The kernel drops it
// when the process dies, however it dies, and it is per open file, so a
// second Open in the same process is refused too. When the file system has
// no flock, the pid alone decides.

// lockSuffix is appended to the journal's path to name its lock file.
const lockSuffix = ".lock"

// lockInfo is the content of a lock file.
type lockInfo struct {
	PID  int       `json:"pid"`
	Host string    `json:"host"`
	Time time.Time `json:"time"`
}

// LockedError is returned by Open when another process, or another Journal
// in this process, holds the journal. PID and Host are zero when the lock
// file could not be read (it is being written).
type LockedError struct {
	Path  string    // the journal
	PID   int       // holder's process id
	Host  string    // holder's host name
	Since time.Time // when the holder took the lock
}

func (e *LockedError) Error() string {
	lock := e.Path + lockSuffix
	if e.PID == 0 {
		return fmt.Sprintf("journal %s is in use by another process; if that process is gone, delete %s", e.Path, lock)
	}
	return fmt.Sprintf("journal %s is in use by pid %d on host %s since %s; if that process is gone, delete %s",
		e.Path, e.PID, e.Host, e.Since.Format(time.RFC3339), lock)
}

// fileLock is a held lock.
type fileLock struct {
	path string
	f    *os.File
}

// lockTries bounds the retries when the lock file changes under us (a
// holder releasing it, a stale lock removed by someone else).
const lockTries = 20

// acquireLock takes the lock of the journal at path for the process pid on
// host, stamped with now.
func acquireLock(ctx context.Context, path string, pid int, host string, now time.Time) (*fileLock, error) {
	lp := path + lockSuffix
	me := lockInfo{PID: pid, Host: host, Time: now.UTC()}
	for range lockTries {
		l, exists, err := createLock(lp, me)
		if l != nil || err != nil {
			return l, err
		}
		if !exists {
			continue
		}

		f, err := os.OpenFile(lp, os.O_RDWR, 0)
		if errors.Is(err, os.ErrNotExist) {
			continue // released meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("lock %s: %w", lp, err)
		}
		flocked, held, err := flockFile(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", lp, err)
		}
		if held {
			info, _ := readLockInfoSettled(ctx, f)
			f.Close()
			return nil, &LockedError{Path: path, PID: info.PID, Host: info.Host, Since: info.Time}
		}
		if flocked && !sameFile(f, lp) {
			// The holder removed it between our open and our flock.
			f.Close()
			continue
		}
		info, stale := staleLock(f, flocked, pid, host)
		if !stale {
			f.Close()
			return nil, &LockedError{Path: path, PID: info.PID, Host: info.Host, Since: info.Time}
		}
		if !flocked {
			// Without flock, remove it and race for a new one with O_EXCL.
			f.Close()
			if err := os.Remove(lp); err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("remove stale lock %s: %w", lp, err)
			}
			continue
		}
		// Take it over in place while holding the flock.
		if err := f.Truncate(0); err != nil {
			f.Close()
			return nil, fmt.Errorf("take over stale lock %s: %w", lp, err)
		}
		if err := writeLockInfo(f, me); err != nil {
			f.Close()
			return nil, fmt.Errorf("take over stale lock %s: %w", lp, err)
		}
		return &fileLock{path: lp, f: f}, nil
	}
	return nil, fmt.Errorf("lock %s: it keeps changing, giving up", lp)
}

// createLock makes the lock file with O_EXCL and takes it. exists is true
// when another lock file is there; a nil lock with exists false means try
// again (someone took the new file as stale before we could flock it).
func createLock(lp string, me lockInfo) (l *fileLock, exists bool, err error) {
	f, err := os.OpenFile(lp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("lock %s: %w", lp, err)
	}
	_, held, err := flockFile(f)
	if err != nil {
		f.Close()
		return nil, false, fmt.Errorf("lock %s: %w", lp, err)
	}
	if held {
		// Someone opened the new, still empty file and took it as stale
		// before we could flock it: theirs now.
		f.Close()
		return nil, false, nil
	}
	if err := writeLockInfo(f, me); err != nil {
		f.Close()
		os.Remove(lp)
		return nil, false, fmt.Errorf("lock %s: %w", lp, err)
	}
	return &fileLock{path: lp, f: f}, false, nil
}

// staleLock reads a lock file another process made and says whether its
// holder is gone (flocked: we hold its flock, so nobody is writing it).
func staleLock(f *os.File, flocked bool, pid int, host string) (lockInfo, bool) {
	info, err := readLockInfo(f)
	switch {
	case err != nil:
		// Empty or garbled: its writer died before finishing (or lost the
		// race createLock describes). Only the flock can tell us nobody is
		// writing it right now.
		return info, flocked
	case info.Host != host:
		// Another host: its pid means nothing here.
		return info, false
	case info.PID == pid:
		// Our own pid but not our flock: a previous life of this process
		// (pids repeat in containers, where we are often 1).
		return info, flocked
	}
	return info, !processAlive(info.PID)
}

// release removes the lock file, if it is still ours, and drops the flock.
func (l *fileLock) release() error {
	var err error
	if sameFile(l.f, l.path) {
		if rerr := os.Remove(l.path); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
			err = fmt.Errorf("remove lock: %w", rerr)
		}
	}
	if cerr := l.f.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("close lock: %w", cerr)
	}
	return err
}

// sameFile reports whether path still names the file f has open.
func sameFile(f *os.File, path string) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Stat(path)
	if err != nil {
		return false
	}
	return os.SameFile(a, b)
}

func writeLockInfo(f *os.File, info lockInfo) error {
	b, err := json.Marshal(info)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if _, err := f.WriteAt(b, 0); err != nil {
		return err
	}
	return f.Sync()
}

func readLockInfo(f *os.File) (lockInfo, error) {
	b, err := io.ReadAll(io.NewSectionReader(f, 0, 1<<16))
	if err != nil {
		return lockInfo{}, err
	}
	var info lockInfo
	if err := json.Unmarshal(b, &info); err != nil {
		return lockInfo{}, err
	}
	if info.PID <= 0 {
		return lockInfo{}, errors.New("no pid")
	}
	return info, nil
}

// readLockInfoSettled reads the lock of a live holder, which may be between
// creating the file and writing it: a few short tries.
func readLockInfoSettled(ctx context.Context, f *os.File) (lockInfo, error) {
	var err error
	for i := range 5 {
		var info lockInfo
		if info, err = readLockInfo(f); err == nil {
			return info, nil
		}
		t := time.NewTimer(time.Duration(i+1) * 2 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return lockInfo{}, ctx.Err()
		case <-t.C:
		}
	}
	return lockInfo{}, err
}
