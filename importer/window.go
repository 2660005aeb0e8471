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
// that holds it (counted from first) once for all its days. A failed read
// is forgotten so the next day asks again.
func (r *Runner) windowTotal(ctx context.Context, date, first, last string) (float64, error) {
	start, end := windowOf(date, first, last)
	r.mu.Lock()
	w := r.windows[start]
	owner := w == nil
	if owner {
		w = &window{ready: make(chan struct{})}
		r.windows[start] = w
	}
	r.mu.Unlock()
	if owner {
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
// learn Garmin's existing totals: one per 28-day window holding a planned day.
func (p *Plan) RangeReads() int {
	seen := map[string]bool{}
	for _, d := range p.Days {
		s, _ := windowOf(d.Date, p.First(), p.Last())
		seen[s] = true
	}
	return len(seen)
}
