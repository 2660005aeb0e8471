package main

import (
	"fmt"
	"net/http"
	"os"

	"github.com/urfave/cli/v2"

	"fitbit2garmin/garmin"
)

// newGarminClient builds the Garmin client from the global flags
// (--config-dir for the token file, --garmin-url, --verbose) and the token
// store. lim, when non-nil, paces every request the client makes. A bad
// --garmin-url is a usage error (exit 2).
//
// Every connection trusts the system's authorities plus those of
// $SSL_CERT_FILE, and goes through $HTTPS_PROXY when set: what a user
// behind a corporate TLS proxy needs. A bad SSL_CERT_FILE is exit 2.
func newGarminClient(c *cli.Context, lim garmin.Limiter) (*garmin.Client, error) {
	roots, err := garmin.RootCAs(os.Getenv)
	if err != nil {
		return nil, cli.Exit(fmt.Errorf("%w (unset it to use the system's certificate authorities)", err), exitUsage)
	}
	cl, err := garmin.NewClient(garmin.Options{
		BaseURL:   c.String("garmin-url"),
		Limiter:   lim,
		Store:     tokenStore(c),
		Logger:    logger(c),
		Transport: garmin.TransportOptions{RootCAs: roots, Proxy: http.ProxyFromEnvironment},
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
