package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"fitbit2garmin/garmin/sandbox"
)

// TestLoginOverTLS runs `auth login` against the fake served over TLS: the
// edge refuses Go's own ClientHello on the sign-in paths, so this passes
// only if the command signs in with a browser fingerprint, trusting the
// test authority through SSL_CERT_FILE.
func TestLoginOverTLS(t *testing.T) {
	w := newAuthWorld(t, sandbox.Account{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	base, err := w.srv.StartTLS(ctx, ca)
	if err != nil {
		t.Fatal(err)
	}
	w.url = base
	login := []string{"auth", "login", "--email", authEmail, "--password-file", "-", "--strategy", "mobile"}

	t.Setenv("SSL_CERT_FILE", filepath.Join(t.TempDir(), "missing.pem"))
	r := w.run(t, authPassword, login...)
	wantCode(t, r, exitUsage, "SSL_CERT_FILE")

	t.Setenv("SSL_CERT_FILE", ca)
	r = w.run(t, authPassword, login...)
	wantCode(t, r, exitOK, "strategy=mobile+safari_ios")
	if !strings.Contains(r.stdout, "Logged in as ann (profile 1337)") {
		t.Errorf("stdout = %q", r.stdout)
	}
	grease := 0
	for _, h := range w.srv.Hellos() {
		if h.GREASE {
			grease++
		}
	}
	if grease == 0 {
		t.Errorf("no browser ClientHello reached the fake: %+v", w.srv.Hellos())
	}
	// Data calls (the profile read) go over the same authority.
	r = w.run(t, "", "auth", "status")
	wantCode(t, r, exitOK, "")
}
