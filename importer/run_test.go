package importer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"fitbit2garmin/state"
)

// testPlan makes a plan of n days from 2024-01-01, day i holding (i+1)*100 ml
// in two drinks.
func testPlan(t *testing.T, n int, group Group) *Plan {
	t.Helper()
	var in []any
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		d := start.AddDate(0, 0, i).Format(time.DateOnly)
		in = append(in, drink(d, "08:00:00", float64(i+1)*40), drink(d, "20:00:00", float64(i+1)*60))
	}
	p, err := BuildPlan(records(in...), PlanOptions{Group: group})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func newRunner(api *fakeAPI, j *memJournal) (*Runner, *sleeps) {
	s := &sleeps{}
	return &Runner{API: api, Journal: j, Limiter: rate.NewLimiter(rate.Inf, 1), Workers: 3, Sleep: s.sleep}, s
}

// assertTotals checks that every planned day holds base + its planned ml.
// resumeAndCheck lifts the fault hook and resumes the import from the
// journal: every day must then hold its planned total.
func resumeAndCheck(t *testing.T, api *fakeAPI, j Journal, p *Plan) {
	t.Helper()
	api.hook = nil
	if _, err := (&Runner{API: api, Journal: j, Limiter: rate.NewLimiter(rate.Inf, 1)}).Import(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	assertTotals(t, api, p, nil)
}

func assertTotals(t *testing.T, api *fakeAPI, p *Plan, base map[string]float64) {
	t.Helper()
	for _, d := range p.Days {
		want := roundML(base[d.Date] + d.ML)
		if got := api.total(d.Date); got != want {
			t.Errorf("%s: garmin holds %v ml, want %v", d.Date, got, want)
		}
	}
}

func TestImportWritesEveryDayOnce(t *testing.T) {
	for _, group := range []Group{GroupDay, GroupEntry} {
		t.Run(string(group), func(t *testing.T) {
			p := testPlan(t, 60, group)
			api, j := newFakeAPI(), &memJournal{}
			r, _ := newRunner(api, j)
			res, err := r.Import(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			assertTotals(t, api, p, nil)
			if res.OpsDone != p.Requests || res.OpsSent != p.Requests || res.DaysDone != 60 {
				t.Errorf("result %+v, want %d ops and 60 days", res, p.Requests)
			}
			if got := j.count(state.TypeDone); got != p.Requests {
				t.Errorf("journal has %d done, want %d", got, p.Requests)
			}
			// Range reads: one per 28 days, never one per day.
			if got := api.countPrefix("range"); got != 3 {
				t.Errorf("%d range reads, want 3", got)
			}
			// A second run sends nothing.
			res, err = (&Runner{API: api, Journal: j, Limiter: rate.NewLimiter(rate.Inf, 1)}).Import(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			if res.OpsSent != 0 || res.DaysEarlier != 60 || res.Requests != 0 {
				t.Errorf("second run sent %d ops, %d requests; earlier days %d", res.OpsSent, res.Requests, res.DaysEarlier)
			}
			assertTotals(t, api, p, nil)
		})
	}
}

func TestImportReconcilesUncertainWrites(t *testing.T) {
	unknown := fmt.Errorf("PUT /x: connection reset: %w", ErrOutcomeUnknown)
	tests := []struct {
		name  string
		apply bool // the dropped write landed
	}{
		{"dropped after commit", true},
		{"dropped before commit", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testPlan(t, 10, GroupDay)
			api, j := newFakeAPI(), &memJournal{}
			api.hook = func(call string, n int) (error, bool) {
				if strings.HasPrefix(call, "log") && n%3 == 0 {
					return unknown, tt.apply
				}
				return nil, false
			}
			r, _ := newRunner(api, j)
			r.MaxFailures = 100
			res, err := r.Import(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			assertTotals(t, api, p, nil)
			if res.Reconciled == 0 && tt.apply {
				t.Error("no write was reconciled")
			}
			if got := api.countPrefix("day"); got == 0 {
				t.Error("uncertain writes were not read back")
			}
		})
	}
}

func TestResumeReconcilesSentOp(t *testing.T) {
	// A crash between sent and done: the journal says sent, Garmin may or
	// may not hold the water. Resume must read the day and decide.
	tests := []struct {
		name      string
		garmin    float64 // what Garmin holds when resuming
		wantTotal float64
		conflict  bool
	}{
		{"landed", 500, 500, false},
		{"not landed", 0, 500, false},
		{"someone else wrote", 123, 123, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := BuildPlan(records(drink("2024-02-01", "10:00:00", 500)), PlanOptions{})
			if err != nil {
				t.Fatal(err)
			}
			op := p.Days[0].Ops[0]
			j := &memJournal{events: []state.Event{
				{T: state.TypeBegin, Run: string(RunImport), Kind: string(KindWater), Date: "2024-02-01", Base: f64(0), Mode: string(ExistingAdd),
					Ops: []state.Op{{ID: op.ID, Amount: op.ML, Time: op.Time}}},
				{T: state.TypeSent, Kind: string(KindWater), Date: "2024-02-01", Op: op.ID},
			}}
			api := newFakeAPI()
			api.totals["2024-02-01"] = tt.garmin
			r, _ := newRunner(api, j)
			res, err := r.Import(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			if got := api.total("2024-02-01"); got != tt.wantTotal {
				t.Errorf("garmin holds %v, want %v", got, tt.wantTotal)
			}
			if got := len(res.Conflicts) > 0; got != tt.conflict {
				t.Errorf("conflicts %+v, want conflict=%v", res.Conflicts, tt.conflict)
			}
			if tt.conflict {
				if j.count(state.TypeConflict) != 1 {
					t.Error("conflict not journaled")
				}
				// A conflicted day stays alone on the next run.
				res, _ = (&Runner{API: api, Journal: j, Limiter: rate.NewLimiter(rate.Inf, 1)}).Import(context.Background(), p)
				if api.countPrefix("log") != 0 || len(res.Conflicts) != 1 {
					t.Errorf("conflicted day was written, or not reported again: %+v", res)
				}
			}
		})
	}
}

func TestImportRateLimited(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter time.Duration
	}{
		{"with Retry-After", 7 * time.Second},
		{"without Retry-After", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testPlan(t, 5, GroupDay)
			api, j := newFakeAPI(), &memJournal{}
			api.hook = func(call string, n int) (error, bool) {
				if strings.HasPrefix(call, "log") && (n == 3 || n == 4) {
					return &RetryAfterError{After: tt.retryAfter, Err: errors.New("429")}, false
				}
				return nil, false
			}
			r, sl := newRunner(api, j)
			r.Workers = 1
			r.Limiter = rate.NewLimiter(4, 1)
			res, err := r.Import(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			assertTotals(t, api, p, nil)
			if len(sl.d) != 2 {
				t.Fatalf("slept %v, want 2 waits", sl.d)
			}
			for i, d := range sl.d {
				if tt.retryAfter > 0 && d != tt.retryAfter {
					t.Errorf("wait %d: %v, want Retry-After %v", i, d, tt.retryAfter)
				}
				if tt.retryAfter == 0 && (d < 500*time.Millisecond<<i || d > time.Second<<i) {
					t.Errorf("wait %d: %v, want exponential backoff around %v", i, d, time.Second<<i)
				}
			}
			// The second 429 answers a call started during the first's
			// pause: one episode, one decrease.
			if res.RateLowered != 1 || res.FinalRate < 3 || res.FinalRate > 4 {
				t.Errorf("rate lowered %d times, final %v; want once, from 4 to 3, then climbing back to at most 4", res.RateLowered, res.FinalRate)
			}
		})
	}
}

func TestImportStopsAfterTooManyFailures(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		reason StopReason
	}{
		{"rate limited", &RetryAfterError{Err: errors.New("429")}, StopRateLimited},
		{"unauthorized", fmt.Errorf("refresh: %w", ErrUnauthorized), StopUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testPlan(t, 5, GroupDay)
			api, j := newFakeAPI(), &memJournal{}
			api.hook = func(call string, n int) (error, bool) {
				if strings.HasPrefix(call, "log") {
					return tt.err, false
				}
				return nil, false
			}
			r, _ := newRunner(api, j)
			res, err := r.Import(context.Background(), p)
			var se *StopError
			if !errors.As(err, &se) || se.Reason != tt.reason {
				t.Fatalf("got %v, want StopError %q", err, tt.reason)
			}
			if !errors.Is(err, tt.err) && !errors.Is(err, ErrUnauthorized) {
				t.Errorf("cause lost: %v", err)
			}
			if res.StopReason != string(tt.reason) {
				t.Errorf("stop reason %q", res.StopReason)
			}
			// Every sent op was answered by a notsent: nothing is uncertain.
			h := replay(j.Events())
			for k, dh := range h.days {
				for id, st := range dh.current.Status {
					if st == opSent {
						t.Errorf("%v op %s left uncertain", k, id)
					}
				}
			}
			// Once Garmin answers again, a resume completes.
			resumeAndCheck(t, api, j, p)
		})
	}
}

func TestImportExistingPolicies(t *testing.T) {
	existing := map[string]float64{"2024-01-02": 100, "2024-01-03": 1000}
	// Day i holds (i+1)*100 ml: 100, 200, 300.
	tests := []struct {
		policy  Policy
		want    map[string]float64
		skipped map[string]int
	}{
		{ExistingSkip, map[string]float64{"2024-01-01": 100, "2024-01-02": 100, "2024-01-03": 1000}, map[string]int{DaySkipExisting: 2}},
		{ExistingAdd, map[string]float64{"2024-01-01": 100, "2024-01-02": 300, "2024-01-03": 1300}, map[string]int{}},
		{ExistingTopUp, map[string]float64{"2024-01-01": 100, "2024-01-02": 200, "2024-01-03": 1000}, map[string]int{DaySkipComplete: 1}},
	}
	for _, tt := range tests {
		t.Run(string(tt.policy), func(t *testing.T) {
			p := testPlan(t, 3, GroupEntry)
			api, j := newFakeAPI(), &memJournal{}
			for d, v := range existing {
				api.totals[d] = v
			}
			r, _ := newRunner(api, j)
			r.Existing = tt.policy
			res, err := r.Import(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			for d, want := range tt.want {
				if got := api.total(d); got != want {
					t.Errorf("%s: %v ml, want %v", d, got, want)
				}
			}
			if fmt.Sprint(res.DaysSkipped) != fmt.Sprint(tt.skipped) {
				t.Errorf("skipped %v, want %v", res.DaysSkipped, tt.skipped)
			}
		})
	}
}

func TestUndoRestoresPriorTotals(t *testing.T) {
	p := testPlan(t, 40, GroupEntry)
	api, j := newFakeAPI(), &memJournal{}
	prior := map[string]float64{"2024-01-05": 250, "2024-02-01": 75.5}
	for d, v := range prior {
		api.totals[d] = v
	}
	r, _ := newRunner(api, j)
	r.Existing = ExistingAdd
	if _, err := r.Import(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	assertTotals(t, api, p, prior)
	res, err := (&Runner{API: api, Journal: j, Limiter: rate.NewLimiter(rate.Inf, 1), Workers: 2}).Undo(context.Background(), KindWater)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range p.Days {
		if got := api.total(d.Date); got != prior[d.Date] {
			t.Errorf("%s: %v ml after undo, want %v", d.Date, got, prior[d.Date])
		}
	}
	if res.DaysDone != 40 || res.ML != -p.ML {
		t.Errorf("undo result: days %d ml %v, want 40 and %v", res.DaysDone, res.ML, -p.ML)
	}
	// Undo again does nothing; import again puts the water back.
	res, err = (&Runner{API: api, Journal: j, Limiter: rate.NewLimiter(rate.Inf, 1)}).Undo(context.Background(), KindWater)
	if err != nil || res.OpsSent != 0 {
		t.Fatalf("second undo: %v, sent %d", err, res.OpsSent)
	}
	r2 := &Runner{API: api, Journal: j, Limiter: rate.NewLimiter(rate.Inf, 1), Existing: ExistingAdd}
	if _, err := r2.Import(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	assertTotals(t, api, p, prior)
}

func TestImportInterruptedResumes(t *testing.T) {
	p := testPlan(t, 30, GroupEntry)
	api, j := newFakeAPI(), &memJournal{}
	ctx, cancel := context.WithCancel(context.Background())
	api.hook = func(call string, n int) (error, bool) {
		if n == 20 {
			cancel() // Ctrl-C while a write is in flight
		}
		return nil, false
	}
	r, _ := newRunner(api, j)
	_, err := r.Import(ctx, p)
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("got %v, want ErrInterrupted", err)
	}
	// The write in flight settled: nothing is left uncertain.
	if sent, done := j.count(state.TypeSent), j.count(state.TypeDone); sent != done {
		t.Errorf("journal: %d sent, %d done; in-flight writes must settle", sent, done)
	}
	resumeAndCheck(t, api, j, p)
}

func TestImportJournalFailureStops(t *testing.T) {
	p := testPlan(t, 3, GroupDay)
	api := newFakeAPI()
	j := &memJournal{fail: errors.New("disk full")}
	r, _ := newRunner(api, j)
	_, err := r.Import(context.Background(), p)
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("got %v, want the journal error", err)
	}
	if n := api.countPrefix("log"); n != 0 {
		t.Errorf("%d writes sent without a journal", n)
	}
}

// TestImportReadsOnlyWindowsWithDays: a sparse history is read one 28-day
// window per day that needs it, and never the empty windows between.
func TestImportReadsOnlyWindowsWithDays(t *testing.T) {
	p, err := BuildPlan(records(
		drink("2024-01-01", "08:00:00", 100), drink("2024-01-20", "08:00:00", 100),
		drink("2024-06-01", "08:00:00", 100), drink("2025-01-01", "08:00:00", 100),
	), PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	api, j := newFakeAPI(), &memJournal{}
	r, _ := newRunner(api, j)
	if _, err := r.Import(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	if got, want := api.countPrefix("range"), p.RangeReads(); got != want || want != 3 {
		t.Errorf("%d range reads, want %d (= 3 windows with days)", got, want)
	}
}
