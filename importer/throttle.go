package importer

import (
	"time"

	"golang.org/x/time/rate"
)

// How the pacer throttles after 429s, like TCP's congestion control (AIMD):
// a multiplicative decrease once per episode, an additive climb back after
// runs of successes. Garmin publishes no limit for data calls and no client
// on record adapts its rate (garmin-api.md, "Errors and limits"), so the
// numbers are ours, tuned with bench/throttle: with 429s at random (not
// caused by our pace), a climb after every 4 successes let 20 % of 429s
// drag --rate 20 down to about 3 req/s, and a run took 2.4× as long as a
// client whose refused call alone waits; after every 2 the rate stays
// around 10–20 req/s and the run within 1.9× of it (1.2× of a client that
// pauses every request on Retry-After, as this one does). The pause (every request waits out Retry-After) is what protects
// Garmin; the lower rate only spaces the requests after it. From the floor,
// ten steps of two successes bring the rate back to --rate.
const (
	// throttleDecrease multiplies the rate at the first 429 of an episode.
	throttleDecrease = 0.75
	// throttleClimbAfter is how many successes in a row raise the rate one step.
	throttleClimbAfter = 2
	// throttleSteps is how many steps climb from zero to --rate: one step is
	// --rate / throttleSteps.
	throttleSteps = 10
)

// throttle is the pacer's state after 429s. Guarded by Pacer.tmu.
type throttle struct {
	ceiling rate.Limit // --rate: climbing stops there
	until   time.Time  // every request waits until then
	streak  int        // successes since the last 429 or climb
	lowered int        // episodes that lowered the rate
	raised  int        // climbs
	paused  time.Duration
}

// ThrottleStats is what the throttle did over a run.
type ThrottleStats struct {
	Lowered int           // times a 429 episode lowered the rate
	Raised  int           // times a run of successes raised it
	Paused  time.Duration // time every request was held back by 429s
	Rate    rate.Limit    // the rate now
	Ceiling rate.Limit    // the configured rate
}

// init fixes the ceiling at the limiter's first rate. Callers hold tmu.
func (p *Pacer) initThrottle() {
	if p.th.ceiling == 0 {
		p.th.ceiling = p.Limiter.Limit()
	}
}

// RateLimited records a 429 on a call started at sent (before it waited on
// the pacer) that asks for wait (Retry-After, or the caller's backoff).
// Every request then waits until wait has passed. The first 429 of an
// episode lowers the rate; 429s that arrive while paused, or answer calls
// started before the pause ended (in flight or queued then), belong to the
// same episode and do not lower it again. It reports whether the rate was
// lowered.
func (p *Pacer) RateLimited(sent time.Time, wait time.Duration) bool {
	now := p.clock()
	p.tmu.Lock()
	defer p.tmu.Unlock()
	p.initThrottle()
	newEpisode := !now.Before(p.th.until) && !sent.Before(p.th.until)
	if until := now.Add(wait); until.After(p.th.until) {
		if now.After(p.th.until) {
			p.th.paused += wait
		} else {
			p.th.paused += until.Sub(p.th.until)
		}
		p.th.until = until
	}
	p.th.streak = 0
	old := p.Limiter.Limit()
	if !newEpisode || old == rate.Inf {
		return false
	}
	floor := p.MinRate
	if floor <= 0 {
		floor = 0.05
	}
	l := max(old*throttleDecrease, floor)
	if l == old {
		return false
	}
	p.Limiter.SetLimitAt(now, l)
	p.th.lowered++
	if p.Log != nil {
		p.Log.Info("rate lowered after 429", "from", float64(old), "to", float64(l), "pause", wait.String())
	}
	return true
}

// Succeeded records a call that got an answer: after throttleClimbAfter in
// a row the rate climbs one step, never above the configured rate.
func (p *Pacer) Succeeded() {
	p.tmu.Lock()
	defer p.tmu.Unlock()
	p.initThrottle()
	p.th.streak++
	if p.th.streak < throttleClimbAfter {
		return
	}
	p.th.streak = 0
	old := p.Limiter.Limit()
	if old >= p.th.ceiling {
		return
	}
	l := min(old+p.th.ceiling/throttleSteps, p.th.ceiling)
	p.Limiter.SetLimitAt(p.clock(), l)
	p.th.raised++
	if p.Log != nil {
		p.Log.Info("rate raised after successes", "from", float64(old), "to", float64(l))
	}
}

// Stats returns what the throttle did so far.
func (p *Pacer) Stats() ThrottleStats {
	p.tmu.Lock()
	defer p.tmu.Unlock()
	p.initThrottle()
	return ThrottleStats{Lowered: p.th.lowered, Raised: p.th.raised, Paused: p.th.paused, Rate: p.Limiter.Limit(), Ceiling: p.th.ceiling}
}
