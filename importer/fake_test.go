package importer

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"fitbit2garmin/state"
)

// memJournal is an in-memory Journal.
type memJournal struct {
	mu     sync.Mutex
	events []state.Event
	fail   error
}

var _ Journal = (*memJournal)(nil)

func (j *memJournal) Append(evs ...state.Event) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.fail != nil {
		return j.fail
	}
	j.events = append(j.events, evs...)
	return nil
}

func (j *memJournal) Events() []state.Event {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.events)
}

func (j *memJournal) count(t string) int {
	n := 0
	for _, ev := range j.Events() {
		if ev.T == t {
			n++
		}
	}
	return n
}

// fakeAPI is an in-memory Garmin with additive daily totals. Hook, when set,
// runs before each call and may return an error instead of the call
// (apply=false) or after applying a write (apply=true: the write landed but
// the caller gets the error).
type fakeAPI struct {
	hooked // calls: "range s e", "day d", "log d ml"
	totals map[string]float64
}

var _ WaterAPI = (*fakeAPI)(nil)

func newFakeAPI() *fakeAPI { return &fakeAPI{totals: map[string]float64{}} }

// hooked is what every fake shares: a lock, the calls made, and a hook
// that may fail a call (apply=false) or let a write land and still return
// its error (apply=true: an answer lost after commit). n counts calls.
type hooked struct {
	mu    sync.Mutex
	calls []string
	hook  func(call string, n int) (err error, apply bool)
}

func (f *hooked) before(call string) (error, bool) {
	f.mu.Lock()
	f.calls = append(f.calls, call)
	n := len(f.calls)
	hook := f.hook
	f.mu.Unlock()
	if hook == nil {
		return nil, false
	}
	return hook(call, n)
}

// write runs a write call: the hook first; unless it fails the call
// without applying it, change runs under the lock (an answer lost after
// commit applies it too). It returns the hook's error.
func (f *hooked) write(call string, change func()) error {
	err, apply := f.before(call)
	if err != nil && !apply {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	change()
	return err
}

// count is how many calls named call were made.
func (f *hooked) count(call string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c == call {
			n++
		}
	}
	return n
}

func (f *fakeAPI) HydrationRange(ctx context.Context, start, end string) (map[string]float64, error) {
	if err, _ := f.before("range " + start + " " + end); err != nil {
		return nil, err
	}
	s, _ := time.Parse(time.DateOnly, start)
	e, _ := time.Parse(time.DateOnly, end)
	if e.Sub(s) >= RangeDays*24*time.Hour || e.Before(s) {
		return nil, errors.New("fake: bad range " + start + " " + end)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]float64{}
	for d, v := range f.totals {
		if d >= start && d <= end {
			out[d] = v
		}
	}
	return out, nil
}

func (f *fakeAPI) HydrationDay(ctx context.Context, date string) (float64, error) {
	if err, _ := f.before("day " + date); err != nil {
		return 0, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.totals[date], nil
}

func (f *fakeAPI) LogWater(ctx context.Context, date, ts string, ml float64) (float64, error) {
	var t float64
	err := f.write("log "+date, func() {
		f.totals[date] = roundML(f.totals[date] + ml)
		t = f.totals[date]
	})
	if err != nil {
		return 0, err
	}
	return t, nil
}

func (f *fakeAPI) total(date string) float64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.totals[date]
}

func (f *fakeAPI) countPrefix(prefix string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if len(c) >= len(prefix) && c[:len(prefix)] == prefix {
			n++
		}
	}
	return n
}
