//go:build unix

package state

import (
	"errors"
	"os"
	"syscall"
)

// flockFile takes an exclusive, non-blocking flock on f. held reports that
// another open file (in this or another process) has it; ok that we have
// it. Both false means the file system does not support flock, and the
// pid in the lock file is all there is to go by.
func flockFile(f *os.File) (ok, held bool, err error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return false, false, err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) {
		for {
			ferr = syscall.Flock(int(fd), syscall.LOCK_EX|syscall.LOCK_NB)
			if ferr != syscall.EINTR {
				return
			}
		}
	}); err != nil {
		return false, false, err
	}
	switch {
	case ferr == nil:
		return true, false, nil
	case errors.Is(ferr, syscall.EWOULDBLOCK):
		return false, true, nil
	case errors.Is(ferr, syscall.ENOLCK), errors.Is(ferr, syscall.EOPNOTSUPP), errors.Is(ferr, syscall.EINVAL):
		return false, false, nil
	}
	return false, false, ferr
}

// processAlive reports whether pid names a running process on this host.
// EPERM means it exists but belongs to someone else: alive.
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return !errors.Is(err, syscall.ESRCH)
}
