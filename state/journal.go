package state

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fitbit2garmin/internal/fsync"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"
)

// Version is the journal format this package writes and the newest it reads.
const Version = 1

var (
	// ErrClosed is returned by calls on a closed Journal.
	ErrClosed = errors.New("journal is closed")
	// ErrNewerVersion is returned by Open for a journal written by a newer
	// fitbit2garmin.
	ErrNewerVersion = errors.New("journal was written by a newer version of fitbit2garmin")
)

// Options tunes Open. The zero value is ready to use.
type Options struct {
	// Header, if set, is written as the first event when the journal holds
	// no header yet (a new or empty file). T, Version and Created are filled
	// in when zero.
	Header *Event

	// Now is the clock, for the lock's time and the header's Created.
	// Default time.Now.
	Now func() time.Time

	// Host names this machine in the lock file. Default os.Hostname.
	Host string
}

// Journal is an open, locked journal file. Append may be called from many
// goroutines; the other methods are safe to call concurrently with it.
type Journal struct {
	path   string
	now    func() time.Time
	lock   *fileLock
	events []Event
	torn   int64

	mu      sync.Mutex // guards the fields below and writes to f
	f       *os.File
	size    int64 // bytes of whole lines in the file
	written uint64
	header  Event
	hasHdr  bool
	broken  error // sticky: a failed write or fsync leaves the file in doubt
	buf     bytes.Buffer
	enc     *json.Encoder

	flush  func(*os.File) error // datasync; tests count calls
	syncMu sync.Mutex           // serialises fsyncs; held while one runs
	synced uint64               // appends known on disk; guarded by syncMu
}

// Open opens the journal at path, creating it (and its folder, mode 0700)
// if absent, takes its lock (see LockedError) and reads its events.
//
// A last line without its newline is what a crash in the middle of Append
// leaves behind; that Append never returned, so nothing was done on its
// strength: the line is dropped and cut off the file (TornBytes says how
// much). Any other line that does not decode is an error naming the file
// and line, and the journal is left untouched.
func Open(ctx context.Context, path string, opts Options) (*Journal, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	host := opts.Host
	if host == "" {
		h, err := os.Hostname()
		if err != nil {
			return nil, fmt.Errorf("open journal: host name: %w", err)
		}
		host = h
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	lock, err := acquireLock(ctx, path, os.Getpid(), host, now())
	if err != nil {
		return nil, err
	}
	j, err := open(ctx, path, lock, now)
	if err != nil {
		lock.release()
		return nil, err
	}
	if opts.Header != nil && !j.hasHdr {
		if err := j.SetHeader(*opts.Header); err != nil {
			j.Close()
			return nil, err
		}
	}
	return j, nil
}

func open(ctx context.Context, path string, lock *fileLock, now func() time.Time) (*Journal, error) {
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	if errors.Is(statErr, os.ErrNotExist) {
		// Make the new file's name durable too.
		if err := fsync.Dir(filepath.Dir(path)); err != nil {
			f.Close()
			return nil, fmt.Errorf("open journal: %w", err)
		}
	}
	data, err := readAll(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read journal %s: %w", path, err)
	}
	events, keep, err := parse(ctx, data)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read journal %s: %w", path, err)
	}
	j := &Journal{
		path:   path,
		now:    now,
		lock:   lock,
		events: events,
		torn:   int64(len(data) - keep),
		f:      f,
		size:   int64(keep),
		flush:  datasync,
	}
	j.enc = json.NewEncoder(&j.buf)
	j.enc.SetEscapeHTML(false)
	if j.torn > 0 {
		if err := f.Truncate(int64(keep)); err != nil {
			f.Close()
			return nil, fmt.Errorf("cut torn last line of journal %s: %w", path, err)
		}
		if err := datasync(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("cut torn last line of journal %s: %w", path, err)
		}
	}
	for _, ev := range events {
		if ev.T != TypeHeader {
			continue
		}
		if ev.Version > Version {
			f.Close()
			return nil, fmt.Errorf("read journal %s: format %d: %w", path, ev.Version, ErrNewerVersion)
		}
		j.header, j.hasHdr = ev, true
	}
	return j, nil
}

// Read returns the events of the journal at path without taking its lock or
// changing it, for a look at a journal another process may be writing
// (status, verify). A torn last line is ignored, as Open does.
func Read(ctx context.Context, path string) ([]Event, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	defer f.Close()
	data, err := readAll(f)
	if err != nil {
		return nil, fmt.Errorf("read journal %s: %w", path, err)
	}
	events, _, err := parse(ctx, data)
	if err != nil {
		return nil, fmt.Errorf("read journal %s: %w", path, err)
	}
	return events, nil
}

// LineError is a line of the journal that does not decode.
type LineError struct {
	Line int // 1-based
	Err  error
}

func (e *LineError) Error() string {
	return fmt.Sprintf("line %d: %v", e.Line, e.Err)
}

func (e *LineError) Unwrap() error { return e.Err }

// parse decodes the whole lines of data and returns them with the length of
// the prefix they span; what follows the last newline is a torn write.
// Blank lines are skipped. A large journal is cut into pieces at line ends
// and the pieces decoded in parallel.
func parse(ctx context.Context, data []byte) ([]Event, int, error) {
	parts := 1
	if len(data) >= parallelParseMin {
		parts = min(runtime.GOMAXPROCS(0), maxParseParts)
	}
	return parseIn(ctx, data, parts)
}

// parseIn is parse with data cut into at most parts pieces.
func parseIn(ctx context.Context, data []byte, parts int) ([]Event, int, error) {
	keep := bytes.LastIndexByte(data, '\n') + 1
	whole := data[:keep]
	type piece struct {
		data      []byte
		firstLine int // of the piece in the file, 1-based
		events    []Event
		n         int // events decoded into events
		err       error
	}
	pieces := make([]piece, 0, parts)
	lines := 0
	for rest := whole; len(rest) > 0; {
		cut := len(rest)
		if left := parts - len(pieces); left > 1 {
			cut = len(rest) / left
			cut += bytes.IndexByte(rest[cut:], '\n') + 1 // rest ends in a newline
		}
		p := piece{data: rest[:cut], firstLine: lines + 1}
		lines += bytes.Count(p.data, []byte{'\n'})
		pieces = append(pieces, p)
		rest = rest[cut:]
	}
	events := make([]Event, lines)
	var wg sync.WaitGroup
	for i := range pieces {
		p := &pieces[i]
		next := lines
		if i+1 < len(pieces) {
			next = pieces[i+1].firstLine - 1
		}
		p.events = events[p.firstLine-1 : next]
		wg.Go(func() { p.n, p.err = parsePiece(ctx, p.data, p.firstLine, p.events) })
	}
	wg.Wait()
	n := 0
	for i := range pieces {
		p := &pieces[i]
		if p.err != nil {
			return nil, 0, p.err
		}
		n += copy(events[n:], p.events[:p.n])
	}
	clear(events[n:])
	return events[:n:n], keep, nil
}

const (
	// parallelParseMin is the journal size from which parse uses all cores.
	parallelParseMin = 1 << 20
	maxParseParts    = 8
)

// parsePiece decodes the lines of data into events and returns how many it
// decoded (blank lines are skipped).
func parsePiece(ctx context.Context, data []byte, firstLine int, events []Event) (int, error) {
	dc := newDecoder()
	n := 0
	for line := firstLine; len(data) > 0; line++ {
		if line%8192 == 0 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
		}
		i := bytes.IndexByte(data, '\n')
		l := data[:i]
		data = data[i+1:]
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		ev, err := dc.decode(l)
		if err == nil && ev.T == "" {
			err = errors.New(`no event type ("t")`)
		}
		if err != nil {
			return 0, &LineError{Line: line, Err: err}
		}
		events[n] = ev
		n++
	}
	return n, nil
}

// Path returns the journal's file name.
func (j *Journal) Path() string { return j.path }

// TornBytes returns how many bytes of a torn last line Open cut off (0 when
// the journal was whole).
func (j *Journal) TornBytes() int64 { return j.torn }

// Events returns the events read by Open, in file order. Events appended
// since (including a header Open wrote from Options.Header) are not
// included. The slice is shared: do not modify it.
func (j *Journal) Events() []Event { return j.events }

// Header returns the journal's latest header event, if it has one.
func (j *Journal) Header() (Event, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.header, j.hasHdr
}

// SetHeader appends h as the journal's header: its T is set to TypeHeader
// and Version and Created are filled in when zero. A journal may hold
// several headers (e.g. after a forced resume under another account); the
// latest counts.
func (j *Journal) SetHeader(h Event) error {
	h.T = TypeHeader
	if h.Version == 0 {
		h.Version = Version
	}
	if h.Created == "" {
		h.Created = j.now().UTC().Format(time.RFC3339)
	}
	return j.Append(h)
}

// Append writes evs to the journal and flushes them to disk (fdatasync)
// before it returns: one flush for all of them, and one for the appends of
// other goroutines that arrive while a flush runs. Each event needs a type
// (T). After a failed write or flush every call fails: the journal is in
// doubt and must be opened again.
func (j *Journal) Append(evs ...Event) error {
	if len(evs) == 0 {
		return nil
	}
	seq, err := j.write(evs)
	if err != nil {
		return err
	}
	return j.sync(seq)
}

// write appends the encoded events to the file and returns the append's
// sequence number.
func (j *Journal) write(evs []Event) (uint64, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return 0, ErrClosed
	}
	if j.broken != nil {
		return 0, j.broken
	}
	j.buf.Reset()
	for i := range evs {
		if evs[i].T == "" {
			return 0, fmt.Errorf("append to journal: event %d has no type", i)
		}
		if err := j.enc.Encode(&evs[i]); err != nil {
			return 0, fmt.Errorf("append to journal: encode %s event: %w", evs[i].T, err)
		}
	}
	n, err := j.f.Write(j.buf.Bytes())
	if err != nil {
		// A short write leaves a partial line that would corrupt the next
		// one: cut it off, or refuse all further appends.
		if n > 0 {
			if terr := j.f.Truncate(j.size); terr != nil {
				j.broken = fmt.Errorf("journal %s is in doubt after a failed write: %w", j.path, err)
			}
		}
		return 0, fmt.Errorf("append to journal %s: %w", j.path, err)
	}
	j.size += int64(n)
	j.written++
	for _, ev := range evs {
		if ev.T == TypeHeader {
			j.header, j.hasHdr = ev, true
		}
	}
	return j.written, nil
}

// sync makes sure append seq is on disk. Callers that queue behind a running
// flush are usually covered by the next one, so concurrent appends share
// flushes (group commit).
func (j *Journal) sync(seq uint64) error {
	j.syncMu.Lock()
	defer j.syncMu.Unlock()
	if j.synced >= seq {
		return nil
	}
	j.mu.Lock()
	f, upTo, broken := j.f, j.written, j.broken
	j.mu.Unlock()
	if broken != nil {
		return broken
	}
	if f == nil {
		// Close flushed and closed the file after our write.
		return nil
	}
	if err := j.flush(f); err != nil {
		// After a failed fsync the kernel may have dropped the dirty pages:
		// nothing written since the last good flush can be trusted.
		err = fmt.Errorf("flush journal %s: %w", j.path, err)
		j.mu.Lock()
		if j.broken == nil {
			j.broken = err
		}
		j.mu.Unlock()
		return err
	}
	j.synced = upTo
	return nil
}

// Close flushes the journal, closes it and releases its lock. Calling it
// again returns ErrClosed.
func (j *Journal) Close() error {
	j.syncMu.Lock()
	defer j.syncMu.Unlock()
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return ErrClosed
	}
	var errs []error
	if j.broken == nil && j.synced < j.written {
		if err := j.flush(j.f); err != nil {
			errs = append(errs, fmt.Errorf("flush journal %s: %w", j.path, err))
		}
		j.synced = j.written
	}
	if err := j.f.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close journal %s: %w", j.path, err))
	}
	j.f = nil
	if err := j.lock.release(); err != nil {
		errs = append(errs, fmt.Errorf("journal %s: %w", j.path, err))
	}
	return errors.Join(errs...)
}

// readAll reads f from the start in one go when its size is known.
func readAll(f *os.File) ([]byte, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	// One allocation for a journal of any size; the byte more than the size
	// lets the loop see EOF without growing the buffer.
	buf := make([]byte, 0, fi.Size()+1)
	for {
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
		if len(buf) == cap(buf) {
			rest, err := io.ReadAll(f)
			return append(buf, rest...), err
		}
	}
}
