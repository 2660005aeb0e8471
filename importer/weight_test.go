package importer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"fitbit2garmin/fitbit"
	"fitbit2garmin/state"
)

// fakeWeight is an in-memory Garmin for weigh-ins. hook may fail a call;
// apply=true makes a failed add land anyway (an answer lost after commit).
type fakeWeight struct {
	hooked
	next   int64
	items  []WeighIn
	adds   int
	delets int
}

var _ WeightAPI = (*fakeWeight)(nil)

func (f *fakeWeight) WeighIns(ctx context.Context, start, end string) ([]WeighIn, error) {
	if err, _ := f.before("range"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []WeighIn
	for _, w := range f.items {
		if w.Date >= start && w.Date <= end {
			out = append(out, w)
		}
	}
	return out, nil
}

func (f *fakeWeight) WeighInsOn(ctx context.Context, date string) ([]WeighIn, error) {
	return f.WeighIns(ctx, date, date)
}

func (f *fakeWeight) AddWeighIn(ctx context.Context, local, gmt time.Time, kg float64, fat, bmi *float64) (bool, error) {
	return false, f.write("add", func() {
		f.next++
		f.items = append(f.items, WeighIn{ID: 1000 + f.next, Date: local.Format(time.DateOnly), Time: local.Format("2006-01-02T15:04:05"), Kg: kg, Fat: fat})
		f.adds++
	})
}

// DeleteWeighIn deletes the weigh-in; one gone already is not an error
// (WeightAPI).
func (f *fakeWeight) DeleteWeighIn(ctx context.Context, date string, id int64) error {
	return f.write("delete", func() {
		n := len(f.items)
		f.items = slices.DeleteFunc(f.items, func(w WeighIn) bool { return w.ID == id })
		if len(f.items) < n {
			f.delets++
		}
	})
}

func (f *fakeWeight) snapshot() []WeighIn {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]WeighIn(nil), f.items...)
}

func fat(v float64) *float64 { return &v }

func weighIn(date, clock string, kg float64, f *float64) fitbit.Weight {
	return fitbit.Weight{Date: date, Time: clock, Kg: kg, FatPercent: f, Value: kg / 0.45359237, Unit: "lb", Source: fitbit.Source{File: "w.json", Line: 1}}
}

func TestBuildWeightPlan(t *testing.T) {
	p, err := BuildWeightPlan(seqOf(
		weighIn("2025-08-09", "19:21:54", 86.59, nil),
		weighIn("2025-08-09", "19:21:10", 86.60, fat(28.7)), // the same weigh-in from another file
		weighIn("2025-08-10", "", 86.2, nil),
		fitbit.Weight{Date: "2025-08-11", Time: "06:00:00", Kg: 80, DataSource: "Withings Health Connect"},
		fitbit.Weight{Date: "2025-08-12", Time: "06:00:00"},
	), PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Days) != 2 || p.Requests != 2 {
		t.Fatalf("plan %+v, want 2 days of one weigh-in", p.Days)
	}
	op := p.Days[0].Ops[0]
	if op.Fat == nil || *op.Fat != 28.7 || math.Abs(op.Kg-86.59) > MatchKg {
		t.Errorf("merged weigh-in %+v, want 86.59 kg with 28.7%% fat", op)
	}
	if !strings.Contains(op.Shown, fmt.Sprintf("lb → %.2f kg", op.Kg)) {
		t.Errorf("shown %q does not show the conversion", op.Shown)
	}
	if p.Days[1].Ops[0].Time != "2025-08-10T12:00:00.000" {
		t.Errorf("weigh-in without time stamped %s, want noon", p.Days[1].Ops[0].Time)
	}
	want := map[string]int{SkipDuplicate: 1, SkipHealthConnect: 1, SkipNoValue: 1}
	if fmt.Sprint(p.Skipped) != fmt.Sprint(want) {
		t.Errorf("skipped %v, want %v", p.Skipped, want)
	}
}

func weightPlan(t *testing.T, days int) *Plan {
	t.Helper()
	var recs []fitbit.Weight
	for d := range days {
		date := time.Date(2025, 1, 1+d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		recs = append(recs, weighIn(date, "07:10:00", 80+float64(d)/10, nil))
		if d%3 == 0 {
			recs = append(recs, weighIn(date, "21:00:00", 81+float64(d)/10, fat(20+float64(d%5))))
		}
	}
	p, err := BuildWeightPlan(seqOf(recs...), PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// assertWeighIns checks Garmin holds each planned weigh-in exactly once, plus extra.
func assertWeighIns(t *testing.T, f *fakeWeight, p *Plan, extra int) {
	t.Helper()
	items := f.snapshot()
	for _, d := range p.Days {
		for _, op := range d.Ops {
			n := 0
			for _, w := range items {
				if w.Time[:16] == op.Time[:16] && math.Abs(w.Kg-op.Kg) < 1e-9 {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%s %.2f kg: on Garmin %d times, want once", op.Time, op.Kg, n)
			}
		}
	}
	if len(items) != p.Requests+extra {
		t.Errorf("Garmin holds %d weigh-ins, want %d", len(items), p.Requests+extra)
	}
}

func TestImportWeightExactlyOnce(t *testing.T) {
	p := weightPlan(t, 40)
	f := &fakeWeight{}
	// A weigh-in already on Garmin (logged on the watch) is not sent again.
	existing := p.Days[5].Ops[0]
	f.items = append(f.items, WeighIn{ID: 1, Date: existing.Date, Time: existing.Time[:19], Kg: existing.Kg + 0.02})
	unknown := fmt.Errorf("POST /w: EOF: %w", ErrOutcomeUnknown)
	var mu sync.Mutex
	adds, lost := 0, 0 // lost: answers lost of writes that did not land
	f.hook = func(call string, _ int) (error, bool) {
		if call != "add" {
			return nil, false
		}
		mu.Lock()
		defer mu.Unlock()
		if adds++; adds%4 == 0 {
			if adds%8 != 0 {
				lost++
			}
			return unknown, adds%8 == 0 // half land, half do not
		}
		return nil, false
	}
	j := &memJournal{}
	now := time.Now()
	clock := func() time.Time { return now }
	r := &Runner{Weight: f, Journal: j, Limiter: rate.NewLimiter(rate.Inf, 1), Workers: 3, MaxFailures: 50, Sleep: (&sleeps{}).sleep, Now: clock}
	res, err := r.Import(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if res.OpsExisting != 1 {
		t.Errorf("existing weigh-ins %d, want 1", res.OpsExisting)
	}
	// A write whose answer was lost and that Garmin does not show may
	// still be processing: it is not sent again within ResendAfter.
	if lost == 0 || res.Processing != lost {
		t.Errorf("processing %d, want the %d lost writes that did not land", res.Processing, lost)
	}
	if items := f.snapshot(); len(items) != p.Requests-lost {
		t.Errorf("Garmin holds %d weigh-ins, want %d (planned, one already there, %d never landed)", len(items), p.Requests-lost, lost)
	}
	// A later run, still within ResendAfter, sends nothing.
	f.hook = nil
	res, err = (&Runner{Weight: f, Journal: j, Limiter: rate.NewLimiter(rate.Inf, 1), Now: clock}).Import(context.Background(), p)
	if err != nil || res.OpsSent != 0 || res.Processing != lost {
		t.Fatalf("run within ResendAfter: %v, sent %d, processing %d", err, res.OpsSent, res.Processing)
	}
	// 16 minutes later they are sent again, once.
	now = now.Add(16 * time.Minute)
	res, err = (&Runner{Weight: f, Journal: j, Limiter: rate.NewLimiter(rate.Inf, 1), Now: clock}).Import(context.Background(), p)
	if err != nil || res.OpsSent != lost || res.Processing != 0 {
		t.Fatalf("run after ResendAfter: %v, sent %d, processing %d; want %d sent", err, res.OpsSent, res.Processing, lost)
	}
	if items := f.snapshot(); len(items) != p.Requests {
		t.Errorf("Garmin holds %d weigh-ins, want %d (planned, one of them already there)", len(items), p.Requests)
	}
	// Resume sends nothing more.
	res, err = (&Runner{Weight: f, Journal: j, Limiter: rate.NewLimiter(rate.Inf, 1), Now: clock}).Import(context.Background(), p)
	if err != nil || res.OpsSent != 0 {
		t.Fatalf("last run: %v, sent %d", err, res.OpsSent)
	}
	// Undo deletes exactly what this tool created: the watch's weigh-in stays.
	res, err = (&Runner{Weight: f, Journal: j, Limiter: rate.NewLimiter(rate.Inf, 1), Workers: 2}).Undo(context.Background(), KindWeight)
	if err != nil {
		t.Fatal(err)
	}
	if res.OpsDone != p.Requests-1 {
		t.Errorf("undo deleted %d weigh-ins, want %d (ours, not the watch's)", res.OpsDone, p.Requests-1)
	}
	left := f.snapshot()
	if len(left) != 1 || left[0].ID != 1 {
		t.Errorf("after undo Garmin holds %+v, want only the watch's weigh-in", left)
	}
}

func TestResumeWeightAfterLostAnswers(t *testing.T) {
	p := weightPlan(t, 12)
	f := &fakeWeight{}
	j := &memJournal{}
	ctx, cancel := context.WithCancel(context.Background())
	adds := 0
	f.hook = func(call string, n int) (error, bool) {
		if call == "add" {
			adds++
		}
		if call == "add" && adds == 5 {
			cancel()
			// The process dies with the answer lost: simulated by an
			// unknown outcome while interrupted.
			return fmt.Errorf("killed: %w", ErrOutcomeUnknown), true
		}
		return nil, false
	}
	r := &Runner{Weight: f, Journal: j, Limiter: rate.NewLimiter(rate.Inf, 1), Sleep: (&sleeps{}).sleep}
	if _, err := r.Import(ctx, p); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("got %v, want ErrInterrupted", err)
	}
	f.hook = nil
	if _, err := (&Runner{Weight: f, Journal: j, Limiter: rate.NewLimiter(rate.Inf, 1)}).Import(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	assertWeighIns(t, f, p, 0)
}

// TestVerifyWeightComparesValues: every planned weigh-in is looked up by
// its minute and compared: missing, different (kg beyond 0.01, body fat
// beyond 0.1 points or on one side only), extra (a second copy, or one the
// journal says this tool created).
func TestVerifyWeightComparesValues(t *testing.T) {
	p := weightPlan(t, 1) // 2025-01-01: 07:10 80.0 kg; 21:00 81.0 kg, body fat 20 %
	exact := func() []WeighIn {
		return []WeighIn{
			{ID: 1, Date: "2025-01-01", Time: "2025-01-01T07:10:00", Kg: 80.0},
			{ID: 2, Date: "2025-01-01", Time: "2025-01-01T21:00:00", Kg: 81.0, Fat: fat(20)},
		}
	}
	done := []state.Event{{T: state.TypeDone, Kind: string(KindWeight), Date: "2025-01-01", Op: "x", Ref: "9"}}
	tests := []struct {
		name   string
		held   func() []WeighIn
		events []state.Event
		want   []string // substrings, one per mismatch
	}{
		{"all held", exact, nil, nil},
		{"within tolerance", func() []WeighIn { l := exact(); l[0].Kg = 80.009; l[1].Fat = fat(20.09); return l }, nil, nil},
		{"missing", func() []WeighIn { return exact()[1:] }, nil, []string{"missing on Garmin: 07:10 176.37 lb → 80.00 kg"}},
		{"weight differs", func() []WeighIn { l := exact(); l[0].Kg = 80.03; return l }, nil,
			[]string{"different at 07:10: Garmin 80.03 kg, no body fat; export 80.00 kg, no body fat"}},
		{"body fat differs", func() []WeighIn { l := exact(); l[1].Fat = fat(20.2); return l }, nil,
			[]string{"different at 21:00: Garmin 81.00 kg, body fat 20.2%; export 81.00 kg, body fat 20.0%"}},
		{"body fat lost", func() []WeighIn { l := exact(); l[1].Fat = nil; return l }, nil, []string{"different at 21:00"}},
		{"second copy", func() []WeighIn {
			return append(exact(), WeighIn{ID: 3, Date: "2025-01-01", Time: "2025-01-01T07:10:00", Kg: 80.0})
		}, nil,
			[]string{"extra on Garmin: 07:10 80.00 kg, no body fat (id 3, a second copy of a planned weigh-in)"}},
		{"ours, unplanned", func() []WeighIn {
			return append(exact(), WeighIn{ID: 9, Date: "2025-01-01", Time: "2025-01-01T12:00:00", Kg: 70})
		}, done,
			[]string{"(id 9, put there by this tool)"}},
		{"someone else's is not extra", func() []WeighIn {
			return append(exact(), WeighIn{ID: 5, Date: "2025-01-01", Time: "2025-01-01T12:00:00", Kg: 70})
		}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeWeight{items: tt.held()}
			rep, err := VerifyWeight(context.Background(), f, p, time.UTC, tt.events)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Mismatches) != len(tt.want) {
				t.Fatalf("mismatches %+v, want %d", rep.Mismatches, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(rep.Mismatches[i].Note, w) {
					t.Errorf("mismatch %d = %q, want it to say %q", i, rep.Mismatches[i].Note, w)
				}
			}
			wantMatch := 1 // the one day
			if len(tt.want) > 0 {
				wantMatch = 0
			}
			if rep.Matching != wantMatch {
				t.Errorf("matching %d, want %d", rep.Matching, wantMatch)
			}
		})
	}
}

// TestRefusedWeighInIsReadBackNextRun: a weigh-in Garmin refused is listed
// as failed and not sent again in that run; the next run reads the day
// before sending it again, so one that landed all the same (garmin-uploader
// issue #39) is recorded, not duplicated, and one that did not is sent once.
func TestRefusedWeighInIsReadBackNextRun(t *testing.T) {
	p := weightPlan(t, 10)
	f := &fakeWeight{}
	adds := 0
	refused := Rejected(errors.New("garmin: upload refused (status 200): code 415: The file is of a type we do not support."))
	f.hook = func(call string, _ int) (error, bool) {
		if call != "add" {
			return nil, false
		}
		switch adds++; adds {
		case 3:
			return refused, true // refused, yet it landed
		case 6:
			return refused, false
		}
		return nil, false
	}
	j := &memJournal{}
	now := time.Now()
	clock := func() time.Time { return now }
	newRunner := func() *Runner {
		return &Runner{Weight: f, Journal: j, Limiter: rate.NewLimiter(rate.Inf, 1), Workers: 1, MaxFailures: 8, Sleep: (&sleeps{}).sleep, Now: clock}
	}
	res, err := newRunner().Import(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Failures) != 2 || f.count("add") != p.Requests {
		t.Fatalf("failures %d, adds %d; want 2 refused and each of %d sent once", len(res.Failures), f.count("add"), p.Requests)
	}
	if n := len(f.snapshot()); n != p.Requests-1 {
		t.Fatalf("Garmin holds %d weigh-ins, want %d", n, p.Requests-1)
	}
	now = now.Add(16 * time.Minute)
	f.hook = nil
	res, err = newRunner().Import(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if res.OpsSent != 2 || res.Reconciled != 1 || len(res.Failures) != 0 {
		t.Errorf("next run: sent %d (reconciled %d), failures %d; want the landed one found and the other sent", res.OpsSent, res.Reconciled, len(res.Failures))
	}
	if n := f.count("add"); n != p.Requests+1 {
		t.Errorf("%d adds in all, want %d: only the refused one that did not land is sent again", n, p.Requests+1)
	}
	if n := len(f.snapshot()); n != p.Requests {
		t.Errorf("Garmin holds %d weigh-ins, want each of the %d once", n, p.Requests)
	}
}
