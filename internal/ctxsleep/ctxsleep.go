// Package ctxsleep holds the one sleep every package injects as its
// default clock wait.
package ctxsleep

import (
	"context"
	"time"
)

// Sleep waits d, or returns early with ctx's error.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
