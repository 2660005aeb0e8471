// Command requests measures how many requests the importer makes per record
// of one kind (writes and reads) on a synthetic history, against the fake
// Garmin processing uploads after a delay as the real one does (a 202, then
// the upload shows). It is the benchmark behind these README figures:
//
//	go run ./bench/requests -kind weight -years 5 -delay 3s
//	go run ./bench/requests -kind activities -years 10 -activities 4000 -delay 3s
//
// Time is virtual (benchenv.Clock): the fake's clock and the runner's pauses
// share one clock that a pause moves forward, so the figure is exact and the
// run takes seconds whatever the delay.
package main

import (
	"context"
	"flag"
	"fmt"
	"iter"
	"log"
	"math/rand/v2"
	"time"

	"fitbit2garmin/adapter"
	"fitbit2garmin/bench/internal/benchenv"
	"fitbit2garmin/fitbit"
	"fitbit2garmin/garmin/sandbox"
	"fitbit2garmin/importer"
)

func main() {
	kind := flag.String("kind", "weight", "weight (weigh-ins, some with body fat) or activities")
	years := flag.Int("years", 5, "years of history")
	fatEvery := flag.Int("fat-every", 2, "weight: every Nth weigh-in has body fat (sent as a FIT upload)")
	n := flag.Int("activities", 4000, "activities: exercise logs")
	delay := flag.Duration("delay", sandbox.DefaultUploadDelay, "how long the fake takes to process an upload")
	flag.Parse()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clk := benchenv.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	pacer := importer.NewPacer(10000, 10)
	env, err := benchenv.Start(ctx, sandbox.Options{Seed: 1, Now: clk.Now, UploadDelay: *delay, AccessTTL: 1000 * time.Hour}, sandbox.Faults{}, pacer, clk.Now)
	if err != nil {
		log.Fatal(err)
	}
	defer env.Close()
	srv := env.Server
	srv.SetActivityOptions(sandbox.ActivityOptions{ProcessingDelay: *delay})
	r := &importer.Runner{Journal: env.Journal, Pacer: pacer, Workers: 1, Now: clk.Now, Sleep: clk.Sleep, UploadWait: 2 * time.Minute}

	var plan *importer.Plan
	var what string
	var stored func() int
	switch *kind {
	case "weight":
		plan, err = importer.BuildWeightPlan(weighIns(*years*365, *fatEvery), importer.PlanOptions{})
		r.Weight = adapter.GarminWeight{Client: env.Client}
		what = fmt.Sprintf("weigh-ins, every %d with body fat", *fatEvery)
		stored = func() int { return len(srv.WeighIns(benchenv.Email)) }
	case "activities":
		plan, err = importer.BuildActivityPlan(activities(*years, *n), importer.PlanOptions{}, importer.ActivityFilter{})
		r.Activities = adapter.GarminActivities{Client: env.Client, Serial: 12345}
		what = "activities"
		stored = func() int { return len(srv.Activities(benchenv.Email)) }
	default:
		log.Fatalf("-kind %q: want weight or activities", *kind)
	}
	if err != nil {
		log.Fatal(err)
	}
	srv.ResetRequests()
	res, err := r.Import(ctx, plan)
	if err != nil {
		log.Fatal(err)
	}
	writes, reads := env.Count()
	ops := float64(plan.Requests)
	fmt.Printf("%s: %d over %d days (%d years); upload processing %s\n", what, plan.Requests, len(plan.Days), *years, *delay)
	fmt.Printf("done: %d; processing at the end: %d; on the fake: %d\n", res.OpsDone, res.Processing, stored())
	fmt.Printf("requests: %d writes + %d reads = %d (28-day windows: %d)\n", writes, reads, writes+reads, plan.RangeReads())
	fmt.Printf("requests per record: %.3f (writes %.3f, reads %.3f); beyond one write each and one read per window: %.3f\n",
		float64(writes+reads)/ops, float64(writes)/ops, float64(reads)/ops, float64(writes+reads-plan.Requests-plan.RangeReads())/ops)
}

// weighIns yields one weigh-in a day for days days from 2019-01-01, every
// fatEvery-th with body fat.
func weighIns(days, fatEvery int) iter.Seq2[fitbit.Weight, error] {
	return func(yield func(fitbit.Weight, error) bool) {
		start := time.Date(2019, 1, 1, 7, 0, 0, 0, time.UTC)
		for i := range days {
			at := start.AddDate(0, 0, i).Add(time.Duration(i%45) * time.Minute)
			w := fitbit.Weight{Date: at.Format(time.DateOnly), Time: at.Format("15:04:05"), Kg: 70 + float64(i%100)/20}
			if fatEvery > 0 && i%fatEvery == 0 {
				f := 18 + float64(i%60)/10
				w.FatPercent = &f
			}
			if !yield(w, nil) {
				return
			}
		}
	}
}

// activities yields n logs spread over years before 2026, 30–90 minutes each.
func activities(years, n int) iter.Seq2[importer.ActivityRecord, error] {
	rng := rand.New(rand.NewPCG(1, 2026))
	end := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	span := end.Sub(end.AddDate(-years, 0, 0))
	return func(yield func(importer.ActivityRecord, error) bool) {
		for i := range n {
			start := end.Add(-time.Duration(rng.Int64N(int64(span)))).Truncate(time.Second)
			r := importer.ActivityRecord{Activity: fitbit.Activity{LogID: fmt.Sprint(i), Name: "Run", TypeID: 90009, LogType: "tracker", Start: start,
				Duration: time.Duration(30+rng.IntN(60)) * time.Minute, DistanceM: 5000, Calories: 300,
				Source: fitbit.Source{File: "exercise-0.json", Line: i + 1}}}
			if !yield(r, nil) {
				return
			}
		}
	}
}
