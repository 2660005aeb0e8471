package importer

import (
	"context"
	"time"
)

// RangeDays is the most days Garmin serves in one range read.
const RangeDays = 28

// window is one range read of existing totals, shared by the days it covers.
type window struct {
	ready  chan struct{}
	totals map[string]float64
	err    error
}

// windowTotal returns Garmin's total for date, reading the 28-day window
// that holds it (counted from first) once for all its days. The next
// window is read ahead in the background, so that workers crossing into it
// do not all wait for its read. A failed read is forgotten so the next day
// asks again.
func (r *Runner) windowTotal(ctx context.Context, date, first, last string) (float64, error) {
	start, end := windowOf(date, first, last)
	w := r.startWindow(ctx, start, end)
	if end < last {
		next, _ := time.Parse(time.DateOnly, end)
		nextStart := next.AddDate(0, 0, 1).Format(time.DateOnly)
		r.mu.Lock()
		needed := r.needed[nextStart]
		r.mu.Unlock()
		if needed {
			r.startWindow(ctx, nextStart, min(last, next.AddDate(0, 0, RangeDays).Format(time.DateOnly)))
		}
	}
	select {
	case <-w.ready:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	if w.err != nil {
		return 0, w.err
	}
	return w.totals[date], nil
}

// startWindow returns the read of the window [start, end], starting it if
// nobody has.
func (r *Runner) startWindow(ctx context.Context, start, end string) *window {
	r.mu.Lock()
	defer r.mu.Unlock()
	if w := r.windows[start]; w != nil {
		return w
	}
	w := &window{ready: make(chan struct{})}
	r.windows[start] = w
	r.bg.Add(1)
	go func() {
		defer r.bg.Done()
		var totals map[string]float64
		_, err := r.read(ctx, func(ctx context.Context) (float64, error) {
			var err error
			totals, err = r.API.HydrationRange(ctx, start, end)
			return 0, err
		})
		w.totals, w.err = totals, err
		if err != nil {
			r.mu.Lock()
			delete(r.windows, start)
			r.mu.Unlock()
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

// need records which windows hold days to be decided, so that only those
// are read ahead.
func (r *Runner) need(dates []string, first, last string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.needed = map[string]bool{}
	for _, d := range dates {
		s, _ := windowOf(d, first, last)
		r.needed[s] = true
	}
}

// RangeReads is how many range reads an import of the plan makes at most to
// learn Garmin's existing totals: one per 28-day window holding a planned day.
func (p *Plan) RangeReads() int {
	seen := map[string]bool{}
	for _, d := range p.Days {
		s, _ := windowOf(d.Date, p.First(), p.Last())
		seen[s] = true
	}
	return len(seen)
}
