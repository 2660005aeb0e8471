package importer

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"fitbit2garmin/fitbit"
	"fitbit2garmin/state"
)

// fakeActivities is an in-memory Garmin for activities: an upload shows in
// the search only delay after it was taken (processing), and a file whose
// start Garmin holds already is refused as a duplicate, as Garmin's check on
// the FIT file identity does. hook may fail a call; apply=true makes a
// failed upload land anyway (an answer lost after commit).
type fakeActivities struct {
	hooked
	now     func() time.Time
	delay   time.Duration
	next    int64
	items   []fakeActivity
	uploads int
}

type fakeActivity struct {
	GarminActivity
	shownAt time.Time
}

var _ ActivityAPI = (*fakeActivities)(nil)

func (f *fakeActivities) Activities(_ context.Context, start, end string) ([]GarminActivity, error) {
	if err, _ := f.before("search"); err != nil {
		return nil, err
	}
	from, _ := time.Parse(time.DateOnly, start)
	to, _ := time.Parse(time.DateOnly, end)
	from, to = from.AddDate(0, 0, -1), to.AddDate(0, 0, 2)
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []GarminActivity
	for _, a := range f.items {
		if !a.Start.Before(from) && a.Start.Before(to) && !f.now().Before(a.shownAt) {
			out = append(out, a.GarminActivity)
		}
	}
	return out, nil
}

func (f *fakeActivities) Upload(_ context.Context, a *ActivityOp) (int64, error) {
	err, apply := f.before("upload")
	if err != nil && !apply {
		return 0, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, have := range f.items {
		if have.Start.Equal(a.Start) && have.Manufacturer != "GARMIN" {
			return 0, fmt.Errorf("409: %w", ErrDuplicate)
		}
	}
	f.next++
	f.uploads++
	f.items = append(f.items, fakeActivity{GarminActivity: GarminActivity{
		ID: 5000 + f.next, Start: a.Start, Family: a.Sport.Family, Duration: a.Duration, DistanceM: a.DistanceM, Name: a.Name,
		Manufacturer: "DEVELOPMENT",
	}, shownAt: f.now().Add(f.delay)})
	if err != nil {
		return 0, err
	}
	if f.delay > 0 {
		return 0, nil
	}
	return 5000 + f.next, nil
}

func (f *fakeActivities) DeleteActivity(_ context.Context, id int64) error {
	return f.write("delete", func() {
		f.items = slices.DeleteFunc(f.items, func(a fakeActivity) bool { return a.ID == id })
	})
}

func (f *fakeActivities) RenameActivity(_ context.Context, id int64, name string) error {
	if err, _ := f.before("rename"); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.items {
		if f.items[i].ID == id {
			f.items[i].Name = name
		}
	}
	return nil
}

func (f *fakeActivities) snapshot() []GarminActivity {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []GarminActivity
	for _, a := range f.items {
		out = append(out, a.GarminActivity)
	}
	return out
}

// seqOf yields recs without errors.
func seqOf[T any](recs ...T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for _, r := range recs {
			if !yield(r, nil) {
				return
			}
		}
	}
}

// run is a 30-minute Fitbit run starting at the given UTC time, logged in
// New York (UTC-4 in summer).
func run(utc string, typeID int64, name string) ActivityRecord {
	start, _ := time.Parse(time.RFC3339, utc)
	return ActivityRecord{Activity: fitbit.Activity{
		LogID: fmt.Sprint(start.Unix()), Name: name, TypeID: typeID, LogType: "tracker", Start: start, Offset: -4 * time.Hour,
		Duration: 30 * time.Minute, DistanceM: 5012.3, Calories: 300, Steps: 4800, AvgHR: 150,
		Source: fitbit.Source{File: "exercise-0.json", Line: 1},
	}}
}

func TestBuildActivityPlan(t *testing.T) {
	fragment := run("2024-06-02T10:05:00Z", 90009, "Run")
	fragment.LogType, fragment.Duration, fragment.DistanceM = "auto_detected", 10*time.Minute, 0
	yoga := run("2024-06-04T23:30:00Z", 0, "Evening Yoga")
	odd := run("2024-06-05T12:00:00Z", 424242, "Underwater Hockey")
	short := run("2024-06-06T12:00:00Z", 90013, "Walk")
	short.Duration = 2 * time.Minute
	bad := run("2024-06-07T12:00:00Z", 90013, "Walk")
	bad.Duration = 0
	p, err := BuildActivityPlan(seqOf(
		run("2024-06-02T10:00:00Z", 90009, "Run"),
		fragment, // inside the run: one session
		run("2024-06-02T10:00:20Z", 90009, "Outdoor Run"), // the CSV's copy, 20 s off
		run("2024-06-03T02:30:00Z", 1071, "Outdoor Bike"), // 22:30 on the 2nd in New York
		yoga, odd, short, bad,
	), PlanOptions{SkipInvalid: true}, ActivityFilter{MinDuration: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range p.Days {
		for _, op := range d.Ops {
			got = append(got, d.Date+" "+op.Time[11:16]+" "+op.Shown)
		}
	}
	want := []string{
		"2024-06-02 06:00 Run → running, 30m0s, 5.01 km, HR",
		"2024-06-02 22:30 Outdoor Bike → cycling, 30m0s, 5.01 km, HR",
		"2024-06-04 19:30 Evening Yoga → yoga, 30m0s, 5.01 km, HR",
		"2024-06-05 08:00 Underwater Hockey → generic, 30m0s, 5.01 km, HR (unknown type: generic)",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("plan:\n%q\nwant:\n%q", got, want)
	}
	wantSkipped := map[string]int{SkipSameSession: 2, SkipShort: 1, SkipInvalid: 1}
	if fmt.Sprint(p.Skipped) != fmt.Sprint(wantSkipped) {
		t.Errorf("skipped %v, want %v", p.Skipped, wantSkipped)
	}
	// The id depends on the session, not on the file it was read from.
	again, _ := BuildActivityPlan(seqOf(run("2024-06-02T10:00:00Z", 90009, "Outdoor Run")), PlanOptions{}, ActivityFilter{})
	if again.Days[0].Ops[0].ID != p.Days[0].Ops[0].ID {
		t.Errorf("the CSV copy gets another id")
	}
	only, _ := BuildActivityPlan(seqOf(run("2024-06-02T10:00:00Z", 90009, "Run"), run("2024-06-03T02:30:00Z", 1071, "Outdoor Bike")),
		PlanOptions{}, ActivityFilter{Types: []string{"cycling"}})
	if only.Requests != 1 || only.Skipped[SkipOtherType] != 1 {
		t.Errorf("--activity-types cycling: %d planned, skipped %v", only.Requests, only.Skipped)
	}
}

func activityPlan(t *testing.T, n int) *Plan {
	t.Helper()
	var recs []ActivityRecord
	base := time.Date(2024, 3, 1, 11, 0, 0, 0, time.UTC)
	for i := range n {
		r := run(base.Add(time.Duration(i)*19*time.Hour).Format(time.RFC3339), 90009, "Run")
		recs = append(recs, r)
	}
	p, err := BuildActivityPlan(seqOf(recs...), PlanOptions{}, ActivityFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestImportActivitiesExactlyOnce(t *testing.T) {
	p := activityPlan(t, 30)
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var clockMu sync.Mutex
	clock := func() time.Time { clockMu.Lock(); defer clockMu.Unlock(); return now }
	advance := func(d time.Duration) { clockMu.Lock(); now = now.Add(d); clockMu.Unlock() }
	f := &fakeActivities{now: clock, delay: 3 * time.Second}
	// A watch recorded the 6th run too: it is not uploaded.
	watch := p.Days[5].Ops[0].Activity
	f.items = append(f.items, fakeActivity{GarminActivity: GarminActivity{ID: 1, Start: watch.Start.Add(20 * time.Second), Family: "running", Manufacturer: "GARMIN"}})
	// Every 4th upload's answer is lost; half of those landed.
	var uploads atomic.Int32
	f.hook = func(call string, _ int) (error, bool) {
		if call != "upload" {
			return nil, false
		}
		if n := uploads.Add(1); n%4 == 0 {
			return fmt.Errorf("EOF: %w", ErrOutcomeUnknown), n%8 == 0
		}
		return nil, false
	}
	sleep := func(_ context.Context, d time.Duration) error { advance(d); return nil }
	j := &memJournal{}
	newRunner := func() *Runner {
		return &Runner{Activities: f, Journal: j, Limiter: rate.NewLimiter(rate.Inf, 1), Workers: 2, MaxFailures: 50,
			Sleep: sleep, Now: clock, UploadWait: 10 * time.Second, ResendAfter: 15 * time.Minute}
	}
	res, err := newRunner().Import(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if res.OpsExisting != 1 {
		t.Errorf("existing %d, want the watch's 1", res.OpsExisting)
	}
	if res.Processing == 0 {
		t.Errorf("no upload left processing: the lost answers of uploads that did not land should be")
	}
	advance(16 * time.Minute)
	f.hook = nil
	if _, err := newRunner().Import(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	res, err = newRunner().Import(context.Background(), p)
	if err != nil || res.OpsSent != 0 {
		t.Fatalf("re-run: %v, sent %d, want a no-op", err, res.OpsSent)
	}
	held := map[int64]int{}
	for _, a := range f.snapshot() {
		held[a.Start.Unix()/60]++
	}
	for _, d := range p.Days {
		for _, op := range d.Ops {
			if n := held[op.Activity.Start.Unix()/60]; n != 1 {
				t.Errorf("%s on Garmin %d times, want once", op.Activity.Start, n)
			}
		}
	}
	if got := len(f.snapshot()); got != p.Requests {
		t.Errorf("Garmin holds %d activities, want %d (the planned ones, one of them the watch's)", got, p.Requests)
	}
	// Each was created once; the failed answers did happen.
	if f.uploads != p.Requests-1 || f.count("upload") <= f.uploads {
		t.Errorf("%d uploads created activities in %d calls, want %d created and some calls lost", f.uploads, f.count("upload"), p.Requests-1)
	}
	// Undo deletes exactly the uploaded ones: the watch's stays.
	if _, err := newRunner().Undo(context.Background(), KindActivity); err != nil {
		t.Fatal(err)
	}
	left := f.snapshot()
	if len(left) != 1 || left[0].ID != 1 {
		t.Errorf("after undo Garmin holds %+v, want only the watch's", left)
	}
}

// TestImportRefusedUploadIsNotResent: an upload Garmin refused (a
// *RejectedError, as the adapter makes of a failure inside the answer) is
// journaled failed and listed, and the run goes on without sending it
// again: the same file is refused again, and a refused upload may still
// have landed (garmin-uploader issue #39), so a resend risks a duplicate.
func TestImportRefusedUploadIsNotResent(t *testing.T) {
	p := activityPlan(t, 12)
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	f := &fakeActivities{now: func() time.Time { return now }}
	var uploads atomic.Int32
	refused := errors.New("garmin: upload refused (status 200): code 500: An unexpected error occurred while processing the file.")
	f.hook = func(call string, _ int) (error, bool) {
		if call != "upload" {
			return nil, false
		}
		switch uploads.Add(1) {
		case 3:
			return Rejected(refused), false
		case 5:
			return Rejected(refused), true // refused, yet it landed
		}
		return nil, false
	}
	j := &memJournal{}
	r := &Runner{Activities: f, Journal: j, Limiter: rate.NewLimiter(rate.Inf, 1), Workers: 1, MaxFailures: 8,
		Sleep: func(context.Context, time.Duration) error { return nil }, Now: func() time.Time { return now }}
	res, err := r.Import(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if n := f.count("upload"); n != p.Requests {
		t.Errorf("%d uploads for %d activities, want each sent once", n, p.Requests)
	}
	if len(res.Failures) != 2 || res.OpsDone != p.Requests-2 {
		t.Errorf("failures %+v, done %d; want 2 failed and %d done", res.Failures, res.OpsDone, p.Requests-2)
	}
	var failed []string
	for _, ev := range j.events {
		if ev.T == state.TypeFailed {
			failed = append(failed, ev.Op)
			if !strings.Contains(ev.Err, "code 500") {
				t.Errorf("failed event %+v does not say why", ev)
			}
		}
		if ev.T == state.TypeNotSent {
			t.Errorf("a refused upload journaled as not sent: %+v", ev)
		}
	}
	if len(failed) != 2 {
		t.Errorf("journal has %d failed events, want 2", len(failed))
	}
	if n := len(f.snapshot()); n != p.Requests-1 {
		t.Errorf("Garmin holds %d activities, want %d (the refused one that landed stays once)", n, p.Requests-1)
	}
}
