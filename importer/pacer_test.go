package importer

import (
	"context"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// TestPacerHoldsBackLateBunches: sends that bunch up (goroutines woken late
// from the token bucket) are held back so that no second of sends holds
// more than rate + burst.
func TestPacerHoldsBackLateBunches(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := t0
	var slept []time.Duration
	p := &Pacer{
		Limiter: rate.NewLimiter(5, 1),
		now:     func() time.Time { return now },
		sleep: func(ctx context.Context, d time.Duration) error {
			slept = append(slept, d)
			now = now.Add(d)
			return nil
		},
	}
	// Six sends (rate 5 + burst 1) already went out within 100 ms.
	for i := range 6 {
		p.sends = append(p.sends, t0.Add(time.Duration(i)*20*time.Millisecond))
	}
	now = t0.Add(120 * time.Millisecond)
	if err := p.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if want := guardWindow - 120*time.Millisecond; len(slept) != 1 || slept[0] != want {
		t.Fatalf("slept %v, want one wait of %v", slept, want)
	}
	// Every window of one second now holds at most 6 sends.
	for i := range p.sends {
		n := 0
		for _, s := range p.sends[i:] {
			if s.Sub(p.sends[i]) < time.Second {
				n++
			}
		}
		if n > 6 {
			t.Errorf("%d sends within a second from %v", n, p.sends[i].Sub(t0))
		}
	}
}

func TestPacerUnlimitedDoesNotWait(t *testing.T) {
	p := &Pacer{Limiter: rate.NewLimiter(rate.Inf, 1), sleep: func(context.Context, time.Duration) error {
		t.Fatal("slept")
		return nil
	}}
	for range 100 {
		if err := p.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}
