package importer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"fitbit2garmin/state"
)

// read runs a read with retries: 429 and transient errors back off and try
// again; auth errors stop the run.
func (r *Runner) read(ctx context.Context, call func(context.Context) (float64, error)) (float64, error) {
	for {
		r.requests.Add(1)
		sent := r.Now()
		v, err := call(ctx)
		if err == nil {
			r.succeeded()
			return v, nil
		}
		if !r.retryAfter(ctx, err, sent) {
			return 0, err
		}
	}
}

// retryAfter decides whether a failed call, started at sent, may be tried
// again and waits before it: it returns false (having stopped the run where
// needed) when it may not. A 429 pauses every request through the pacer
// for its Retry-After (or a jittered backoff) and lowers the rate once per
// episode (throttle.go).
func (r *Runner) retryAfter(ctx context.Context, err error, sent time.Time) bool {
	if ctx.Err() != nil {
		return false
	}
	if errors.Is(err, ErrUnauthorized) {
		r.fail(&StopError{Reason: StopUnauthorized, Err: err})
		return false
	}
	if errors.Is(err, ErrAccountRefuses) {
		r.fail(&StopError{Reason: StopAccount, Err: err})
		return false
	}
	if rejected(err) {
		r.fail(&StopError{Reason: StopRejected, Err: err})
		return false
	}
	n := r.failed(err)
	wait, limited := retryAfterOf(err)
	if r.tooMany() {
		reason := StopTooMany
		if limited {
			reason = StopRateLimited
		}
		r.fail(&StopError{Reason: reason, Err: err})
		return false
	}
	if wait <= 0 {
		wait = r.backoff(n)
	}
	if limited {
		r.Pacer.RateLimited(sent, wait)
	}
	return r.Sleep(ctx, wait) == nil
}

// backoff is exponential with full jitter: 1 s, 2 s, 4 s ... capped at 2 minutes.
func (r *Runner) backoff(n int) time.Duration {
	max := time.Second << min(n-1, 7)
	if max > 2*time.Minute {
		max = 2 * time.Minute
	}
	r.mu.Lock()
	d := max/2 + time.Duration(r.Rand.Int64N(int64(max/2)+1))
	r.mu.Unlock()
	return d
}

func (r *Runner) failed(err error) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failures++
	r.lastFailure = err
	return r.failures
}

func (r *Runner) succeeded() {
	r.mu.Lock()
	r.failures = 0
	r.mu.Unlock()
	r.Pacer.Succeeded()
}

func (r *Runner) tooMany() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failures >= r.MaxFailures
}

// stopOn stops the run for an error that retryAfter has not already handled.
func (r *Runner) stopOn(ctx context.Context, err error) {
	if ctx.Err() != nil {
		return
	}
	r.mu.Lock()
	already := r.stopErr != nil
	r.mu.Unlock()
	if already {
		return
	}
	var se *StopError
	if !errors.As(err, &se) {
		err = &StopError{Reason: StopFailed, Err: err}
	}
	r.fail(err)
}

func (r *Runner) record(ev state.Event) {
	if err := r.Journal.Append(ev); err != nil {
		r.fail(fmt.Errorf("write journal: %w", err))
	}
}
