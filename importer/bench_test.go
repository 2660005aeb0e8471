package importer

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"fitbit2garmin/fitbit"
	"fitbit2garmin/state"
)

// BenchmarkResume100k measures what a re-run costs before its first
// request when 100,000 ops are done: opening the journal (read, decode,
// lock) and replaying it against the plan. Run with
//
//	go test -run '^$' -bench Resume100k ./importer
func BenchmarkResume100k(b *testing.B) {
	const ops, perDay = 100_000, 4
	var recs []any
	start := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range ops {
		d := start.AddDate(0, 0, i/perDay).Format(time.DateOnly)
		recs = append(recs, fitbit.Water{Date: d, Time: time.Date(2000, 1, 1, 6+i%perDay, 0, 0, 0, time.UTC).Format(time.TimeOnly), ML: 250})
	}
	plan, err := BuildPlan(records(recs...), PlanOptions{Group: GroupEntry})
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "journal.jsonl")
	ctx := context.Background()
	j, err := state.Open(ctx, path, state.Options{Header: &state.Event{Fingerprint: "bench", Account: "1"}})
	if err != nil {
		b.Fatal(err)
	}
	// Write what a finished import writes, in one batch (one fsync).
	var evs []state.Event
	for _, day := range plan.Days {
		begin := state.Event{T: state.TypeBegin, Run: string(RunImport), Kind: string(KindWater), Date: day.Date, Base: f64(0), Mode: string(ExistingAdd)}
		for _, op := range day.Ops {
			begin.Ops = append(begin.Ops, state.Op{ID: op.ID, Amount: op.ML, Time: op.Time})
		}
		evs = append(evs, begin)
		total := 0.0
		for _, op := range day.Ops {
			total += op.ML
			evs = append(evs, state.Event{T: state.TypeSent, Kind: string(KindWater), Date: day.Date, Op: op.ID},
				state.Event{T: state.TypeDone, Kind: string(KindWater), Date: day.Date, Op: op.ID, Total: f64(total)})
		}
	}
	if err := j.Append(evs...); err != nil {
		b.Fatal(err)
	}
	j.Close()
	api := newFakeAPI()
	b.ResetTimer()
	for range b.N {
		j, err := state.Open(ctx, path, state.Options{})
		if err != nil {
			b.Fatal(err)
		}
		res, err := (&Runner{API: api, Journal: j, Limiter: rate.NewLimiter(rate.Inf, 1)}).Import(ctx, plan)
		if err != nil || res.OpsSent != 0 || res.OpsDone != ops {
			b.Fatalf("resume: %v, sent %d, done %d", err, res.OpsSent, res.OpsDone)
		}
		j.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/resume")
}
