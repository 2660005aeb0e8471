// Command weighins measures how many requests the importer makes per
// weigh-in (writes and reads) on a synthetic multi-year export, against
// the fake Garmin processing uploads after a delay as the real one does.
//
//	go run ./bench/weighins -years 5 -delay 3s
//
// Time is virtual: the fake's clock and the runner's pauses share one
// clock that a pause moves forward, so the figure is exact and the run
// takes seconds whatever the delay.
package main

import (
	"context"
	"flag"
	"fmt"
	"iter"
	"log"
	"time"

	"fitbit2garmin/adapter"
	"fitbit2garmin/bench/internal/benchenv"
	"fitbit2garmin/fitbit"
	"fitbit2garmin/garmin/sandbox"
	"fitbit2garmin/importer"
)

func main() {
	years := flag.Int("years", 5, "years of daily weigh-ins")
	fatEvery := flag.Int("fat-every", 2, "every Nth weigh-in has body fat (sent as a FIT upload)")
	delay := flag.Duration("delay", sandbox.DefaultUploadDelay, "how long the fake takes to process an upload")
	flag.Parse()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clk := benchenv.NewClock(time.Now())
	pacer := importer.NewPacer(10000, 10)
	env, err := benchenv.Start(ctx, sandbox.Options{Seed: 1, Now: clk.Now, UploadDelay: *delay, AccessTTL: 1000 * time.Hour}, sandbox.Faults{}, pacer, clk.Now)
	if err != nil {
		log.Fatal(err)
	}
	defer env.Close()
	srv, client, j := env.Server, env.Client, env.Journal
	plan, err := importer.BuildWeightPlan(synthetic(*years*365, *fatEvery), importer.PlanOptions{})
	if err != nil {
		log.Fatal(err)
	}

	r := &importer.Runner{Weight: adapter.GarminWeight{Client: client}, Journal: j, Pacer: pacer, Workers: 1,
		Now: clk.Now, Sleep: clk.Sleep}
	srv.ResetRequests()
	res, err := r.Import(ctx, plan)
	if err != nil {
		log.Fatal(err)
	}
	writes, reads := env.Count()
	n := plan.Requests
	fmt.Printf("weigh-ins: %d over %d days (%d years), every %d with body fat; upload processing %s\n", n, len(plan.Days), *years, *fatEvery, *delay)
	fmt.Printf("done: %d with their samplePk; processing at the end: %d; on the fake: %d\n", res.OpsDone, res.Processing, len(srv.WeighIns(benchenv.Email)))
	fmt.Printf("requests: %d writes + %d reads = %d\n", writes, reads, writes+reads)
	fmt.Printf("requests per weigh-in: %.3f (writes %.3f, reads %.3f)\n",
		float64(writes+reads)/float64(n), float64(writes)/float64(n), float64(reads)/float64(n))
}

// synthetic yields one weigh-in a day for days days from 2019-01-01, every
// fatEvery-th with body fat.
func synthetic(days, fatEvery int) iter.Seq2[fitbit.Weight, error] {
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
