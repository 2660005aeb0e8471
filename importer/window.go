package importer

import (
	"context"
	"sync"
	"time"
)

// RangeDays is the most days Garmin serves in one range read.
const RangeDays = 28

// windows reads what Garmin holds over a plan's span, one 28-day range read
// per window, shared by all the days the window covers, whatever the kind
// (daily water totals, weigh-ins): T is what one read returns. The next
// window that holds days to decide is read ahead in the background, so that
// workers crossing into it do not all wait for its read. A failed read is
// forgotten, so the next day asks again.
type windows[T any] struct {
	r           *Runner
	first, last string // the span the windows are counted from
	readRange   func(ctx context.Context, start, end string) (T, error)

	mu     sync.Mutex
	m      map[string]*window[T] // by start date
	needed map[string]bool       // starts of the windows that hold days to decide
}

// window is one range read.
type window[T any] struct {
	ready chan struct{}
	v     T
	err   error
}

// newWindows returns the window cache of a run over [first, last]; dates
// are the days that will read it (only their windows are read ahead).
func newWindows[T any](r *Runner, first, last string, dates []string, read func(ctx context.Context, start, end string) (T, error)) *windows[T] {
	w := &windows[T]{r: r, first: first, last: last, readRange: read, m: map[string]*window[T]{}, needed: map[string]bool{}}
	for _, d := range dates {
		s, _ := windowOf(d, first, last)
		w.needed[s] = true
	}
	return w
}

// get returns the read of the window holding date.
func (ws *windows[T]) get(ctx context.Context, date string) (T, error) {
	start, end := windowOf(date, ws.first, ws.last)
	w := ws.start(ctx, start, end)
	if end < ws.last {
		next, _ := time.Parse(time.DateOnly, end)
		nextStart := next.AddDate(0, 0, 1).Format(time.DateOnly)
		ws.mu.Lock()
		needed := ws.needed[nextStart]
		ws.mu.Unlock()
		if needed {
			ws.start(ctx, nextStart, min(ws.last, next.AddDate(0, 0, RangeDays).Format(time.DateOnly)))
		}
	}
	select {
	case <-w.ready:
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
	return w.v, w.err
}

// start returns the read of the window [start, end], starting it if
// nobody has.
func (ws *windows[T]) start(ctx context.Context, start, end string) *window[T] {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if w := ws.m[start]; w != nil {
		return w
	}
	w := &window[T]{ready: make(chan struct{})}
	ws.m[start] = w
	ws.r.bg.Add(1)
	go func() {
		defer ws.r.bg.Done()
		_, err := ws.r.read(ctx, func(ctx context.Context) (float64, error) {
			var err error
			w.v, err = ws.readRange(ctx, start, end)
			return 0, err
		})
		w.err = err
		if err != nil {
			ws.mu.Lock()
			delete(ws.m, start)
			ws.mu.Unlock()
		}
		close(w.ready)
	}()
	return w
}

// windowOf returns the bounds of the window holding date: windows are
// RangeDays long, counted from first, and the last one ends at last.
func windowOf(date, first, last string) (string, string) {
	d, _ := time.Parse(time.DateOnly, date)
	f, err := time.Parse(time.DateOnly, first)
	if err != nil || d.Before(f) {
		f = d
	}
	n := int(d.Sub(f).Hours()/24) / RangeDays
	s := f.AddDate(0, 0, n*RangeDays)
	e := s.AddDate(0, 0, RangeDays-1)
	if l, err := time.Parse(time.DateOnly, last); err == nil && e.After(l) && !l.Before(d) {
		e = l
	}
	return s.Format(time.DateOnly), e.Format(time.DateOnly)
}

// RangeReads is how many range reads an import of the plan makes at most to
// learn what Garmin holds: one per 28-day window holding a planned day.
func (p *Plan) RangeReads() int {
	seen := map[string]bool{}
	for _, d := range p.Days {
		s, _ := windowOf(d.Date, p.First(), p.Last())
		seen[s] = true
	}
	return len(seen)
}
