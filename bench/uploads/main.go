// Command uploads measures how many requests the importer makes per
// activity (uploads and searches) on a synthetic exercise history, against
// the fake Garmin processing uploads after a delay as the real one does
// (a 202, then the activity shows).
//
//	go run ./bench/uploads -years 10 -activities 4000 -delay 3s
//
// Time is virtual (benchenv.Clock): the figure is exact and the run takes
// seconds whatever the delay.
package main

import (
	"context"
	"flag"
	"fmt"
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
	years := flag.Int("years", 10, "years of history")
	n := flag.Int("activities", 4000, "exercise logs")
	delay := flag.Duration("delay", sandbox.DefaultUploadDelay, "how long the fake takes to process an upload")
	flag.Parse()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clk := benchenv.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	pacer := importer.NewPacer(10000, 10)
	env, err := benchenv.Start(ctx, sandbox.Options{Seed: 1, Now: clk.Now, AccessTTL: 1000 * time.Hour}, sandbox.Faults{}, pacer, clk.Now)
	if err != nil {
		log.Fatal(err)
	}
	defer env.Close()
	srv, client, j := env.Server, env.Client, env.Journal
	srv.SetActivityOptions(sandbox.ActivityOptions{ProcessingDelay: *delay})
	plan, err := importer.BuildActivityPlan(synthetic(*years, *n), importer.PlanOptions{}, importer.ActivityFilter{})
	if err != nil {
		log.Fatal(err)
	}
	r := &importer.Runner{Activities: adapter.GarminActivities{Client: client, Serial: 12345}, Journal: j, Pacer: pacer,
		Workers: 1, Now: clk.Now, Sleep: clk.Sleep, UploadWait: 2 * time.Minute}
	srv.ResetRequests()
	res, err := r.Import(ctx, plan)
	if err != nil {
		log.Fatal(err)
	}
	writes, reads := env.Count()
	acts := plan.Requests
	windows := plan.RangeReads()
	fmt.Printf("activities: %d over %d days (%d years); upload processing %s\n", acts, len(plan.Days), *years, *delay)
	fmt.Printf("done: %d; processing at the end: %d; on the fake: %d\n", res.OpsDone, res.Processing, len(srv.Activities(benchenv.Email)))
	fmt.Printf("requests: %d uploads + %d searches = %d (28-day windows: %d)\n", writes, reads, writes+reads, windows)
	fmt.Printf("requests per activity: %.3f; beyond one upload each and one search per window: %.3f per activity\n",
		float64(writes+reads)/float64(acts), float64(writes+reads-acts-windows)/float64(acts))
}

// synthetic yields n logs spread over years before 2026, 30–90 minutes each.
func synthetic(years, n int) func(func(importer.ActivityRecord, error) bool) {
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
