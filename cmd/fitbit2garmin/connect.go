package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"fitbit2garmin/garmin"
	"fitbit2garmin/garmin/sandbox"
)

// sandboxEmail is the account the --sandbox fake Garmin is started with.
const sandboxEmail = "sandbox@fitbit2garmin.invalid"

// connection is a Garmin client, and the fake behind it in --sandbox mode.
type connection struct {
	client  *garmin.Client
	sandbox *sandbox.Server
	email   string
	tempDir string
	stop    context.CancelFunc
}

// connect builds the Garmin client: against the real API (or --garmin-url)
// with the saved tokens, or, with --sandbox, against a fake Garmin started
// in this process with fresh tokens.
func connect(c *cli.Context, lim garmin.Limiter) (*connection, error) {
	if !c.Bool("sandbox") {
		cl, err := newGarminClient(c, lim)
		if err != nil {
			return nil, err
		}
		return &connection{client: cl}, nil
	}
	ctx, stop := context.WithCancel(context.WithoutCancel(c.Context))
	// Uploads are processed a few seconds after Garmin's answer, as on the
	// real service (sandbox.DefaultUploadDelay).
	conn := &connection{sandbox: sandbox.New(sandbox.Options{Seed: uint64(time.Now().UnixNano()), UploadDelay: sandbox.DefaultUploadDelay}),
		email: sandboxEmail, stop: stop}
	fail := func(err error) (*connection, error) {
		conn.close()
		return nil, fmt.Errorf("start sandbox: %w", err)
	}
	// Uploaded activities take as long as weigh-ins to show (the same
	// recorded 202 and location-in-milliseconds).
	conn.sandbox.SetActivityOptions(sandbox.ActivityOptions{ProcessingDelay: sandbox.DefaultUploadDelay})
	if err := conn.sandbox.AddAccount(sandbox.Account{Email: sandboxEmail, DisplayName: "Sandbox User", ProfileID: 1337}); err != nil {
		return fail(err)
	}
	url, err := conn.sandbox.Start(ctx)
	if err != nil {
		return fail(err)
	}
	dir, err := os.MkdirTemp("", "fitbit2garmin-sandbox-")
	if err != nil {
		return fail(err)
	}
	conn.tempDir = dir
	tok, err := conn.sandbox.IssueDI(sandboxEmail)
	if err != nil {
		return fail(err)
	}
	store := garmin.NewMemoryTokenStore(&garmin.Tokens{
		Family:       garmin.FamilyDI,
		AccessToken:  garmin.Secret(tok.AccessToken),
		RefreshToken: garmin.Secret(tok.RefreshToken),
		ClientID:     tok.ClientID,
		ExpiresAt:    time.Now().Add(time.Duration(tok.ExpiresIn) * time.Second),
	})
	conn.client, err = garmin.NewClient(garmin.Options{BaseURL: url, Limiter: lim, Store: store, Logger: logger(c)})
	if err != nil {
		return fail(err)
	}
	infof(c, "Sandbox: a fake Garmin runs at %s for this run only (nothing reaches Garmin).", url)
	return conn, nil
}

// sandboxTotal is the water the sandbox holds, in ml.
func (conn *connection) sandboxTotal() float64 {
	sum := 0.0
	for _, v := range conn.sandbox.Totals(conn.email) {
		sum += v
	}
	return sum
}

func (conn *connection) close() {
	if conn.stop != nil {
		conn.stop()
	}
	if conn.tempDir != "" {
		os.RemoveAll(conn.tempDir)
	}
}
