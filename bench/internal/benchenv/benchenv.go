// Package benchenv starts what every benchmark program needs: a fake
// Garmin (garmin/sandbox) with one account, a client holding fresh DI
// tokens for it, and a journal in a temporary folder.
package benchenv

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"time"

	"fitbit2garmin/garmin"
	"fitbit2garmin/garmin/sandbox"
	"fitbit2garmin/state"
)

// Email is the fake account's.
const Email = "bench@fitbit2garmin.invalid"

// Env is a fake Garmin, a client for it, and a journal.
type Env struct {
	Server  *sandbox.Server
	Client  *garmin.Client
	Journal *state.Journal
	dir     string
}

// Start starts the fake with opts and faults until ctx ends, and a client
// that waits on lim and reads the time from now (time.Now if nil).
func Start(ctx context.Context, opts sandbox.Options, faults sandbox.Faults, lim garmin.Limiter, now func() time.Time) (*Env, error) {
	if now == nil {
		now = time.Now
	}
	srv := sandbox.New(opts)
	if err := srv.AddAccount(sandbox.Account{Email: Email}); err != nil {
		return nil, err
	}
	srv.SetFaults(faults)
	url, err := srv.Start(ctx)
	if err != nil {
		return nil, err
	}
	tok, err := srv.IssueDI(Email)
	if err != nil {
		return nil, err
	}
	client, err := garmin.NewClient(garmin.Options{BaseURL: url, Limiter: lim, Now: now, Store: garmin.NewMemoryTokenStore(&garmin.Tokens{
		Family: garmin.FamilyDI, AccessToken: garmin.Secret(tok.AccessToken), RefreshToken: garmin.Secret(tok.RefreshToken), ClientID: tok.ClientID,
		ExpiresAt: now().Add(time.Duration(tok.ExpiresIn) * time.Second),
	})})
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "f2g-bench-")
	if err != nil {
		return nil, err
	}
	j, err := state.Open(ctx, filepath.Join(dir, "journal.jsonl"), state.Options{Header: &state.Event{Fingerprint: "bench", Account: "1"}})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &Env{Server: srv, Client: client, Journal: j, dir: dir}, nil
}

// Close closes the journal and removes its folder.
func (e *Env) Close() {
	e.Journal.Close()
	os.RemoveAll(e.dir)
}

// Clock is virtual time for a benchmark: Sleep moves it forward at once,
// so waits cost nothing and figures are exact. The fake and the runner
// share it.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock starts a virtual clock at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now reads the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep moves the clock forward by d.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

// Count is how many write and read requests the fake has answered since
// its log was last reset.
func (e *Env) Count() (writes, reads int) {
	for _, q := range e.Server.Requests() {
		switch q.Class {
		case sandbox.ClassWrite:
			writes++
		case sandbox.ClassRead:
			reads++
		}
	}
	return writes, reads
}
