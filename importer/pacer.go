package importer

import (
	"context"
	"fitbit2garmin/internal/ctxsleep"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Pacer paces every request to Garmin. A token bucket (Limiter) sets the
// average rate and the burst; on top of it, a window guard holds a request
// back until no second of sends would hold more than rate + burst requests.
// The guard matters when goroutines wake late from the bucket's wait (a
// loaded machine, a GC pause) and would otherwise go out together: the
// promise "no second holds more than rate + burst requests" is kept as the
// requests leave, not only as tokens are handed out.
//
// It also throttles like TCP (throttle.go): a 429 pauses every request until
// its Retry-After has passed and lowers the rate once per episode; runs of
// successes climb back additively to the configured rate.
//
// It satisfies garmin.Limiter. The zero value is not usable: set Limiter.
type Pacer struct {
	Limiter *rate.Limiter
	// MinRate is the floor a 429 never lowers the rate under (default 0.05/s).
	MinRate rate.Limit
	// Log, when set, is told each change of rate (-v).
	Log *slog.Logger

	mu    sync.Mutex
	sends []time.Time // the latest sends, oldest first
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error

	tmu sync.Mutex // guards the throttle; never held while sleeping
	th  throttle
}

// NewPacer returns a pacer for r requests a second with the given burst;
// r is also the ceiling the rate climbs back to after 429s.
func NewPacer(r float64, burst int) *Pacer {
	return &Pacer{Limiter: rate.NewLimiter(rate.Limit(r), burst)}
}

// window is how long the guard looks back: one second, plus a margin for
// the time a request takes from here to Garmin's clock.
const guardWindow = time.Second + 5*time.Millisecond

func (p *Pacer) clock() time.Time {
	if p.now != nil {
		return p.now()
	}
	return time.Now()
}

func (p *Pacer) wait(ctx context.Context, d time.Duration) error {
	if p.sleep != nil {
		return p.sleep(ctx, d)
	}
	return ctxsleep.Sleep(ctx, d)
}

// Wait blocks until a request may be sent, or ctx is done: until any pause
// after a 429 has passed, a token is free, and the window guard allows it.
func (p *Pacer) Wait(ctx context.Context) error {
	if err := p.waitPause(ctx); err != nil {
		return err
	}
	if err := p.Limiter.Wait(ctx); err != nil {
		return err
	}
	// A 429 may have come in while this request waited for its token.
	if err := p.waitPause(ctx); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.Limiter.Limit() == rate.Inf {
		return nil
	}
	most := int(float64(p.Limiter.Limit())) + p.Limiter.Burst()
	if most < 1 {
		most = 1
	}
	if len(p.sends) >= most {
		oldest := p.sends[len(p.sends)-most]
		if d := guardWindow - p.clock().Sub(oldest); d > 0 {
			// Holding the lock while sleeping keeps sends in order.
			if err := p.wait(ctx, d); err != nil {
				return err
			}
		}
	}
	p.sends = append(p.sends, p.clock())
	if len(p.sends) > 4*most {
		p.sends = append(p.sends[:0], p.sends[len(p.sends)-most:]...)
	}
	return nil
}

// waitPause sleeps until the throttle's pause (which may grow meanwhile) is over.
func (p *Pacer) waitPause(ctx context.Context) error {
	for {
		p.tmu.Lock()
		d := p.th.until.Sub(p.clock())
		p.tmu.Unlock()
		if d <= 0 {
			return ctx.Err()
		}
		if err := p.wait(ctx, d); err != nil {
			return err
		}
	}
}
