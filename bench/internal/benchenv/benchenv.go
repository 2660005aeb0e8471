// Package benchenv starts what every benchmark program needs: a fake
// Garmin (garmin/sandbox) with one account, a client holding fresh DI
// tokens for it, and a journal in a temporary folder.
package benchenv

import (
	"context"
	"os"
	"path/filepath"
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
