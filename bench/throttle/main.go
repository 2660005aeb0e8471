// Command throttle measures how an import keeps its pace when Garmin answers
// some requests with 429: the runner (a 429 pauses every request for its
// Retry-After and lowers the rate once per episode; successes climb back)
// against the ideal and against two reference clients that simply honour
// Retry-After at a fixed rate, never ratcheting it down:
//
//   - "reference": as RFC 6585 (section 4) reads, no new request goes out
//     until Retry-After has passed: a 429 pauses every worker;
//   - "per-caller": only the worker that got the 429 sleeps its Retry-After
//     and sends again, the others go on (what many scripts do).
//
// It is the benchmark behind the figures in README.md:
//
//	go run ./bench/throttle -days 90 -rate 20 -latency 50ms -p429 0.20 -retry-after 1s
//	go run ./bench/throttle -days 90 -rate 20 -latency 50ms -p429 0.02 -retry-after 1s
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"fitbit2garmin/adapter"
	"fitbit2garmin/bench/internal/benchenv"
	"fitbit2garmin/fitbit"
	"fitbit2garmin/garmin"
	"fitbit2garmin/garmin/sandbox"
	"fitbit2garmin/importer"
)

func main() {
	days := flag.Int("days", 90, "days of water, one write each (--group day)")
	rateFlag := flag.Float64("rate", 20, "--rate, requests per second")
	workers := flag.Int("workers", 2, "workers of both clients (the CLI's default is 2)")
	latency := flag.Duration("latency", 50*time.Millisecond, "latency the fake adds to every request")
	p429 := flag.Float64("p429", 0.20, "probability that a data request is answered 429")
	retryAfter := flag.Duration("retry-after", time.Second, "Retry-After of each 429")
	seeds := flag.Int("seeds", 5, "runs with different fault draws; figures are their means")
	flag.Parse()

	plan, err := importer.BuildPlan(synthetic(*days), importer.PlanOptions{Group: importer.GroupDay})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("days=%d writes=%d rate=%g workers=%d latency=%s 429=%.0f%% Retry-After=%s seeds=%d\n",
		*days, plan.Requests, *rateFlag, *workers, *latency, 100**p429, *retryAfter, *seeds)
	var ours, ref, caller outcome
	for seed := 1; seed <= *seeds; seed++ {
		faults := sandbox.Faults{Latency: *latency, RetryAfter: *retryAfter, Rate: map[sandbox.Kind]float64{sandbox.Kind429RetryAfter: *p429}}
		o, err := runOurs(plan, uint64(seed), faults, *rateFlag, *workers)
		if err != nil {
			log.Fatal(err)
		}
		r, err := runReference(plan, uint64(seed), faults, *rateFlag, *workers, true)
		if err != nil {
			log.Fatal(err)
		}
		pc, err := runReference(plan, uint64(seed), faults, *rateFlag, *workers, false)
		if err != nil {
			log.Fatal(err)
		}
		ours.add(o)
		ref.add(r)
		caller.add(pc)
	}
	ours.mean(*seeds)
	ref.mean(*seeds)
	caller.mean(*seeds)
	ideal := time.Duration(float64(ours.ok) / *rateFlag * float64(time.Second))
	fmt.Printf("ideal (no 429, %.0f answered requests at --rate): %s, %.2f req/s\n", ours.ok, ideal.Round(time.Millisecond), *rateFlag)
	for _, x := range []struct {
		name string
		o    outcome
	}{{"fitbit2garmin", ours}, {"reference", ref}, {"per-caller", caller}} {
		o := x.o
		fmt.Printf("%-13s  wall %7s = %4.2f× ideal  requests %5.1f (%4.1f 429s)  achieved %5.2f req/s = %3.0f%% of --rate",
			x.name, o.wall.Round(time.Millisecond), o.wall.Seconds()/ideal.Seconds(), o.reqs, o.limited, o.reqs/o.wall.Seconds(), 100*o.reqs/o.wall.Seconds() / *rateFlag)
		if o.paused > 0 {
			active := o.wall - o.paused
			fmt.Printf("  paused %s, %5.2f req/s = %3.0f%% of --rate outside pauses, rate lowered %.1f times, final rate %.2f",
				o.paused.Round(time.Millisecond), o.reqs/active.Seconds(), 100*o.reqs/active.Seconds() / *rateFlag, o.lowered, o.final)
		}
		fmt.Println()
	}
	bound := ideal + ours.paused
	fmt.Printf("bound when no request leaves during a Retry-After (ideal + fitbit2garmin's pauses): %s = %.0f%% of --rate; fitbit2garmin took %.2f× it\n",
		bound.Round(time.Millisecond), 100*ideal.Seconds()/bound.Seconds(), ours.wall.Seconds()/bound.Seconds())
	fmt.Printf("fitbit2garmin / reference wall time: %.2f× (target: within 2×); / per-caller: %.2f×\n",
		ours.wall.Seconds()/ref.wall.Seconds(), ours.wall.Seconds()/caller.wall.Seconds())
}

// outcome is one run's figures (or the mean of several).
type outcome struct {
	wall, paused      time.Duration
	reqs, ok, limited float64
	lowered, final    float64
}

func (o *outcome) add(p outcome) {
	o.wall += p.wall
	o.paused += p.paused
	o.reqs += p.reqs
	o.ok += p.ok
	o.limited += p.limited
	o.lowered += p.lowered
	o.final += p.final
}

func (o *outcome) mean(n int) {
	f := float64(n)
	o.wall = time.Duration(float64(o.wall) / f)
	o.paused = time.Duration(float64(o.paused) / f)
	o.reqs /= f
	o.ok /= f
	o.limited /= f
	o.lowered /= f
	o.final /= f
}

// tally reads the fake's request log.
func tally(srv *sandbox.Server) (reqs, ok, limited float64) {
	for _, r := range srv.Requests() {
		if r.Class != sandbox.ClassRead && r.Class != sandbox.ClassWrite {
			continue
		}
		reqs++
		if r.Status == 429 {
			limited++
		} else {
			ok++
		}
	}
	return reqs, ok, limited
}

// runOurs imports the plan with the runner, as `import` does.
func runOurs(plan *importer.Plan, seed uint64, faults sandbox.Faults, r float64, workers int) (outcome, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pacer := importer.NewPacer(r, 1)
	env, err := benchenv.Start(ctx, sandbox.Options{Seed: seed}, faults, pacer, nil)
	if err != nil {
		return outcome{}, err
	}
	defer env.Close()
	srv, client, j := env.Server, env.Client, env.Journal
	// A run of 429s long enough to stop a real import would only make
	// the bench fail: allow many in a row.
	run := &importer.Runner{API: adapter.GarminWater{Client: client}, Journal: j, Pacer: pacer, Workers: workers, MaxFailures: 1000}
	start := time.Now()
	res, err := run.Import(ctx, plan)
	wall := time.Since(start)
	if err != nil {
		return outcome{}, err
	}
	if res.OpsSent != plan.Requests {
		return outcome{}, fmt.Errorf("runner sent %d writes, want %d", res.OpsSent, plan.Requests)
	}
	o := outcome{wall: wall, paused: res.Paused, lowered: float64(res.RateLowered), final: res.FinalRate}
	o.reqs, o.ok, o.limited = tally(srv)
	return o, nil
}

// runReference writes the plan's days with a client that simply honours
// Retry-After at a fixed rate: the worker that got a 429 sleeps its
// Retry-After (1 s without one) and sends again; with global, every other
// worker waits for it too (no request leaves before it has passed).
func runReference(plan *importer.Plan, seed uint64, faults sandbox.Faults, r float64, workers int, global bool) (outcome, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	lim := &pausing{Limiter: rate.NewLimiter(rate.Limit(r), 1)}
	env, err := benchenv.Start(ctx, sandbox.Options{Seed: seed}, faults, lim, nil)
	if err != nil {
		return outcome{}, err
	}
	defer env.Close()
	srv, client := env.Server, env.Client
	ops := make(chan importer.Op)
	errc := make(chan error, workers)
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for op := range ops {
				for {
					_, err := client.LogWater(ctx, garmin.HydrationLog{CalendarDate: op.Date, TimestampLocal: op.Time, ValueInML: op.ML})
					var rl *garmin.RateLimitError
					if errors.As(err, &rl) {
						d := rl.RetryAfter
						if d <= 0 {
							d = time.Second
						}
						if global {
							lim.pause(d)
						}
						time.Sleep(d)
						continue
					}
					if err != nil {
						errc <- err
					}
					break
				}
			}
		}()
	}
	for _, day := range plan.Days {
		for _, op := range day.Ops {
			ops <- op
		}
	}
	close(ops)
	wg.Wait()
	wall := time.Since(start)
	select {
	case err := <-errc:
		return outcome{}, err
	default:
	}
	o := outcome{wall: wall}
	o.reqs, o.ok, o.limited = tally(srv)
	return o, nil
}

// pausing is a fixed-rate limiter that holds every request back until a
// pause is over.
type pausing struct {
	*rate.Limiter
	mu    sync.Mutex
	until time.Time
}

func (p *pausing) pause(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if u := time.Now().Add(d); u.After(p.until) {
		p.until = u
	}
}

// Wait waits for the pause to pass, then for a token (and the pause again:
// a 429 may have come in meanwhile).
func (p *pausing) Wait(ctx context.Context) error {
	p.waitPause()
	if err := p.Limiter.Wait(ctx); err != nil {
		return err
	}
	p.waitPause()
	return ctx.Err()
}

func (p *pausing) waitPause() {
	for {
		p.mu.Lock()
		d := time.Until(p.until)
		p.mu.Unlock()
		if d <= 0 {
			return
		}
		time.Sleep(d)
	}
}

// synthetic yields one drink a day from 2016-01-01.
func synthetic(days int) func(yield func(fitbit.Water, error) bool) {
	return func(yield func(fitbit.Water, error) bool) {
		start := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := range days {
			w := fitbit.Water{Date: start.AddDate(0, 0, i).Format(time.DateOnly), Time: "08:00:00", ML: 250}
			if !yield(w, nil) {
				return
			}
		}
	}
}
