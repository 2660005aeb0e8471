package importer

import (
	"context"
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
// It satisfies garmin.Limiter. The zero value is not usable: set Limiter.
type Pacer struct {
	Limiter *rate.Limiter

	mu    sync.Mutex
	sends []time.Time // the latest sends, oldest first
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

// NewPacer returns a pacer for r requests a second with the given burst.
func NewPacer(r float64, burst int) *Pacer {
	return &Pacer{Limiter: rate.NewLimiter(rate.Limit(r), burst)}
}

// window is how long the guard looks back: one second, plus a margin for
// the time a request takes from here to Garmin's clock.
const guardWindow = time.Second + 5*time.Millisecond

// Wait blocks until a request may be sent, or ctx is done.
func (p *Pacer) Wait(ctx context.Context) error {
	if err := p.Limiter.Wait(ctx); err != nil {
		return err
	}
	now, sleep := p.now, p.sleep
	if now == nil {
		now = time.Now
	}
	if sleep == nil {
		sleep = sleepCtx
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
		if d := guardWindow - now().Sub(oldest); d > 0 {
			// Holding the lock while sleeping keeps sends in order.
			if err := sleep(ctx, d); err != nil {
				return err
			}
		}
	}
	p.sends = append(p.sends, now())
	if len(p.sends) > 4*most {
		p.sends = append(p.sends[:0], p.sends[len(p.sends)-most:]...)
	}
	return nil
}
