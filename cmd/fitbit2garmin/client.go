package main

import (
	"github.com/urfave/cli/v2"

	"fitbit2garmin/garmin"
)

// newGarminClient builds the Garmin client from the global flags
// (--config-dir for the token file, --garmin-url, --verbose) and the token
// store. lim, when non-nil, paces every request the client makes. A bad
// --garmin-url is a usage error (exit 2).
func newGarminClient(c *cli.Context, lim garmin.Limiter) (*garmin.Client, error) {
	cl, err := garmin.NewClient(garmin.Options{
		BaseURL: c.String("garmin-url"),
		Limiter: lim,
		Store:   tokenStore(c),
		Logger:  logger(c),
	})
	if err != nil {
		return nil, cli.Exit(err, exitUsage)
	}
	return cl, nil
}

// tokenStore is the token file in --config-dir.
func tokenStore(c *cli.Context) *garmin.FileTokenStore {
	dir := c.String("config-dir")
	if dir == "" {
		dir = defaultConfigDir()
	}
	return garmin.NewFileTokenStore(dir)
}
