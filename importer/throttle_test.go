package importer

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// fakeClock is a clock tests move by hand; sleeping moves it.
type fakeClock struct {
	now   time.Time
	slept []time.Duration
}

func (c *fakeClock) Now() time.Time { return c.now }

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.slept = append(c.slept, d)
	c.now = c.now.Add(d)
	return ctx.Err()
}

func newTestPacer(r float64) (*Pacer, *fakeClock, *bytes.Buffer) {
	c := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	var log bytes.Buffer
	p := NewPacer(r, 1)
	p.now, p.sleep = c.Now, c.Sleep
	p.Log = slog.New(slog.NewTextHandler(&log, nil))
	return p, c, &log
}

// TestThrottleLowersOncePerEpisode: the first 429 of an episode lowers the
// rate; 429s that arrive during the pause, or answer calls started before
// it ended, do not; a 429 on a call started after the pause is a new episode.
func TestThrottleLowersOncePerEpisode(t *testing.T) {
	p, c, log := newTestPacer(20)
	t0 := c.now
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	steps := []struct {
		name     string
		now      time.Duration // when the 429 arrives
		sent     time.Duration // when its call started
		wait     time.Duration
		lowered  bool
		rate     rate.Limit
		until    time.Duration // the pause after it
		lowCount int
	}{
		{"first 429 opens an episode", 0, -50 * time.Millisecond, time.Second, true, 15, time.Second, 1},
		{"in flight when the pause began", 30 * time.Millisecond, -20 * time.Millisecond, time.Second, false, 15, 1030 * time.Millisecond, 1},
		{"arrives while paused", 500 * time.Millisecond, 400 * time.Millisecond, time.Second, false, 15, 1500 * time.Millisecond, 1},
		{"queued during the pause, answered after it", 1600 * time.Millisecond, 1200 * time.Millisecond, time.Second, false, 15, 2600 * time.Millisecond, 1},
		{"started after the pause: a new episode", 3 * time.Second, 2700 * time.Millisecond, 2 * time.Second, true, 11.25, 5 * time.Second, 2},
	}
	for _, s := range steps {
		c.now = at(s.now)
		if got := p.RateLimited(at(s.sent), s.wait); got != s.lowered {
			t.Errorf("%s: lowered %v, want %v", s.name, got, s.lowered)
		}
		st := p.Stats()
		if st.Rate != s.rate || st.Lowered != s.lowCount {
			t.Errorf("%s: rate %v after %d decreases, want %v after %d", s.name, st.Rate, st.Lowered, s.rate, s.lowCount)
		}
		if got := p.th.until.Sub(t0); got != s.until {
			t.Errorf("%s: paused until +%v, want +%v", s.name, got, s.until)
		}
	}
	// The pauses were 0–1.5 s, 1.6–2.6 s and 3–5 s: 4.5 s in all, overlaps counted once.
	if got := p.Stats().Paused; got != 4500*time.Millisecond {
		t.Errorf("paused %v, want 4.5s", got)
	}
	if n := strings.Count(log.String(), "rate lowered"); n != 2 {
		t.Errorf("%d rate changes logged, want 2:\n%s", n, log)
	}
}

// TestThrottleClimbsBackNeverAbove: runs of successes raise the rate one
// step at a time back to --rate, and never above it; a 429 breaks the run.
func TestThrottleClimbsBackNeverAbove(t *testing.T) {
	p, c, log := newTestPacer(20)
	p.RateLimited(c.now, time.Second)
	c.now = c.now.Add(10 * time.Second)
	p.RateLimited(c.now, time.Second) // a second episode: 20 → 15 → 11.25
	c.now = c.now.Add(10 * time.Second)
	if r := p.Limiter.Limit(); r != 11.25 {
		t.Fatalf("rate %v after two episodes, want 11.25", r)
	}
	for range throttleClimbAfter - 1 {
		p.Succeeded()
	}
	p.RateLimited(c.now.Add(-time.Minute), time.Second) // in the old episode: no decrease, but the run is broken
	for range throttleClimbAfter - 1 {
		p.Succeeded()
	}
	if r := p.Limiter.Limit(); r != 11.25 {
		t.Fatalf("rate %v: a run broken by a 429 raised it", r)
	}
	p.Succeeded()
	if r := p.Limiter.Limit(); r != 13.25 {
		t.Fatalf("rate %v after a run of %d successes, want 11.25 + 20/%d = 13.25", r, throttleClimbAfter, throttleSteps)
	}
	var seen []rate.Limit
	for range 100 {
		p.Succeeded()
		if r := p.Limiter.Limit(); len(seen) == 0 || seen[len(seen)-1] != r {
			seen = append(seen, r)
		}
		if r := p.Limiter.Limit(); r > 20 {
			t.Fatalf("rate %v above --rate 20", r)
		}
	}
	want := []rate.Limit{13.25, 15.25, 17.25, 19.25, 20}
	if len(seen) != len(want) {
		t.Fatalf("rate went %v, want %v", seen, want)
	}
	for i := range want {
		if seen[i] != want[i] {
			t.Fatalf("rate went %v, want %v", seen, want)
		}
	}
	if st := p.Stats(); st.Raised != 5 || st.Lowered != 2 {
		t.Errorf("stats %+v, want 2 decreases and 5 climbs", st)
	}
	if n := strings.Count(log.String(), "rate raised"); n != 5 {
		t.Errorf("%d climbs logged, want 5:\n%s", n, log)
	}
}

// TestThrottlePausesEveryRequest: after a 429 every Wait sleeps until its
// Retry-After has passed, and a later 429 extends the pause.
func TestThrottlePausesEveryRequest(t *testing.T) {
	p, c, _ := newTestPacer(float64(rate.Inf))
	t0 := c.now
	p.RateLimited(t0, 2*time.Second)
	c.now = t0.Add(500 * time.Millisecond)
	if err := p.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c.now != t0.Add(2*time.Second) || len(c.slept) != 1 || c.slept[0] != 1500*time.Millisecond {
		t.Errorf("slept %v, now +%v; want one sleep of 1.5s to the pause's end", c.slept, c.now.Sub(t0))
	}
	c.slept = nil
	if err := p.Wait(context.Background()); err != nil || len(c.slept) != 0 {
		t.Errorf("slept %v after the pause (err %v)", c.slept, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p.RateLimited(c.now, time.Hour)
	if err := p.Wait(ctx); err == nil {
		t.Error("Wait during a pause ignored a cancelled context")
	}
	if r := p.Limiter.Limit(); r != rate.Inf {
		t.Errorf("an unlimited rate became %v", r)
	}
}

// TestThrottleFloor: repeated episodes never lower the rate under MinRate.
func TestThrottleFloor(t *testing.T) {
	p, c, _ := newTestPacer(1)
	p.MinRate = 0.2
	for i := range 20 {
		c.now = c.now.Add(time.Minute)
		p.RateLimited(c.now, time.Second)
		if r := p.Limiter.Limit(); r < 0.2 {
			t.Fatalf("episode %d: rate %v under the floor", i, r)
		}
	}
	if r := p.Limiter.Limit(); r != 0.2 {
		t.Errorf("rate %v after 20 episodes, want the floor 0.2", r)
	}
}
