// Command pacing measures the import worker against the in-process fake
// Garmin: the achieved request rate under latency, and the requests sent per
// day of water. It is the benchmark behind the figures in README.md:
//
//	go run ./bench/pacing -latency 250ms -rate 20 -ops 2000 -group entry
//	go run ./bench/pacing -latency 0 -rate 1000 -burst 10 -days 3650 -group day
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
	latency := flag.Duration("latency", 250*time.Millisecond, "latency the fake adds to every request")
	rateFlag := flag.Float64("rate", 20, "requests per second")
	burst := flag.Int("burst", 1, "limiter burst")
	workers := flag.Int("workers", 0, "workers (0: enough to cover latency at the rate)")
	ops := flag.Int("ops", 2000, "drinks to write with -group entry (8 a day)")
	days := flag.Int("days", 0, "days to write with -group day (one drink a day); overrides -ops")
	group := flag.String("group", string(importer.GroupEntry), "day or entry")
	flag.Parse()

	if *workers == 0 {
		*workers = int(1.5*latency.Seconds()**rateFlag) + 2
	}
	plan, err := importer.BuildPlan(synthetic(*ops, *days), importer.PlanOptions{Group: importer.Group(*group)})
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pacer := importer.NewPacer(*rateFlag, *burst)
	limiter := pacer.Limiter
	env, err := benchenv.Start(ctx, sandbox.Options{Seed: 1}, sandbox.Faults{Latency: *latency}, pacer, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer env.Close()
	srv, client, j := env.Server, env.Client, env.Journal

	r := &importer.Runner{API: adapter.GarminWater{Client: client}, Journal: j, Limiter: limiter, Workers: *workers}
	srv.ResetRequests()
	start := time.Now()
	res, err := r.Import(ctx, plan)
	elapsed := time.Since(start)
	if err != nil {
		log.Fatal(err)
	}
	reqs := srv.Requests()
	achieved := float64(len(reqs)) / elapsed.Seconds()
	// The busiest one-second window of the fake's request log.
	busiest, lo := 0, 0
	for hi := range reqs {
		for reqs[hi].Time.Sub(reqs[lo].Time) >= time.Second {
			lo++
		}
		busiest = max(busiest, hi-lo+1)
	}
	fmt.Printf("group=%s days=%d writes=%d latency=%s rate=%g burst=%d workers=%d\n",
		*group, len(plan.Days), plan.Requests, *latency, *rateFlag, *burst, *workers)
	fmt.Printf("requests on the fake: %d (%d writes) in %s\n", len(reqs), res.OpsSent, elapsed.Round(time.Millisecond))
	fmt.Printf("achieved rate: %.2f req/s = %.1f%% of --rate\n", achieved, 100*achieved/(*rateFlag))
	fmt.Printf("busiest 1 s window: %d requests (rate+burst = %g)\n", busiest, *rateFlag+float64(*burst))
	fmt.Printf("requests per day: %.4f\n", float64(len(reqs))/float64(len(plan.Days)))
}

// synthetic yields drinks: with days > 0 one per day for that many days,
// else ops drinks, 8 a day.
func synthetic(ops, days int) iter.Seq2[fitbit.Water, error] {
	return func(yield func(fitbit.Water, error) bool) {
		start := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
		n, perDay := ops, 8
		if days > 0 {
			n, perDay = days, 1
		}
		for i := range n {
			d := start.AddDate(0, 0, i/perDay)
			w := fitbit.Water{Date: d.Format(time.DateOnly), Time: fmt.Sprintf("%02d:%02d:00", 7+i%perDay, i%60), ML: 250}
			if !yield(w, nil) {
				return
			}
		}
	}
}
