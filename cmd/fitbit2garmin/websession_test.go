package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fitbit2garmin/garmin"
	"fitbit2garmin/garmin/sandbox"
)

// sessionCurl writes a Chrome "Copy as cURL (bash)" of a /gc-api/ request
// carrying the browser session ws, and returns its path and its secrets.
func sessionCurl(t *testing.T, f *fake, ws sandbox.WebSession) (string, []string) {
	t.Helper()
	var cookies []string
	secrets := []string{ws.CSRF}
	for _, name := range []string{"GARMIN-SSO", "GARMIN-SSO-CUST-GUID", sandbox.SessionCookie, "session", sandbox.JWTWebCookie} {
		cookies = append(cookies, name+"="+ws.Cookies[name])
		if len(ws.Cookies[name]) > 8 {
			secrets = append(secrets, ws.Cookies[name])
		}
	}
	curl := fmt.Sprintf("curl '%s/gc-api/usersummary-service/usersummary/daily/x?calendarDate=2026-11-01' \\\n"+
		"  -H 'accept: application/json, text/plain, */*' \\\n"+
		"  -H 'connect-csrf-token: %s' \\\n"+
		"  -b '%s' \\\n"+
		"  -H 'referer: https://connect.garmin.com/app/home' \\\n"+
		"  -H 'user-agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36'\n",
		f.url, ws.CSRF, strings.Join(cookies, "; "))
	path := filepath.Join(t.TempDir(), "request.curl")
	if err := os.WriteFile(path, []byte(curl), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, secrets
}

// TestImportWithBrowserSession: a cURL of today's web app is imported and a
// whole import runs on it while JWT_WEB is renewed every 3 requests; the
// session then ends mid-run (exit 4, "copy a fresh cURL", journal intact),
// and after a fresh cURL the same command finishes with exact totals. No
// cookie, csrf token or JWT shows in any output or in the journal.
func TestImportWithBrowserSession(t *testing.T) {
	f := newFake(t, sandbox.Options{WebRotateEvery: 3})
	_ = garmin.NewFileTokenStore(f.configDir).Delete()
	export, want := genExport(t, 40, 2)
	journal := filepath.Join(t.TempDir(), "journal.jsonl")
	var secrets []string
	check := func(r result) {
		t.Helper()
		tok, err := garmin.NewFileTokenStore(f.configDir).Load()
		if err == nil {
			secrets = append(secrets, tok.AccessToken.Reveal())
		}
		j, _ := os.ReadFile(journal)
		for _, s := range secrets {
			for name, text := range map[string]string{"stdout": r.stdout, "stderr": r.stderr, "journal": string(j)} {
				if strings.Contains(text, s) {
					t.Errorf("%s shows a session secret (%.6s…)", name, s)
				}
			}
		}
	}
	importSession := func() {
		t.Helper()
		ws, err := f.srv.IssueWebSession(f.email)
		if err != nil {
			t.Fatal(err)
		}
		curl, s := sessionCurl(t, f, ws)
		secrets = append(secrets, s...)
		r := runCLI(t, append(f.args(), "-v", "auth", "import", "--curl", curl)...)
		wantCode(t, r, exitOK)
		if !strings.Contains(r.stdout, "browser cookie session") {
			t.Errorf("auth import: %s", r.stdout)
		}
		check(r)
	}
	importSession()
	first, _ := garmin.NewFileTokenStore(f.configDir).Load()
	st := runCLI(t, append(f.args(), "auth", "status", "--json")...)
	wantCode(t, st, exitOK)
	if !strings.Contains(st.stdout, `"websession"`) {
		t.Errorf("auth status --json does not name the family:\n%s", st.stdout)
	}
	check(st)

	// The session ends after 30 requests of the run.
	stop := make(chan struct{})
	go func() {
		for len(f.srv.Requests()) < 30 {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
		f.srv.EndWebSession(f.email)
	}()
	r := runCLI(t, append(f.args(), "-v", "import", export, "--state", journal, "--rate", "200", "--types", "water")...)
	close(stop)
	wantCode(t, r, exitAuth, "copy a fresh cURL", "auth import --curl")
	check(r)
	saved, _ := garmin.NewFileTokenStore(f.configDir).Load()
	if saved.AccessToken == first.AccessToken {
		t.Error("no renewed JWT_WEB was saved during the run")
	}
	// Stopped mid-run: some days written, some not, and the refresh that
	// found the session gone was refused once.
	got := f.srv.Totals(f.email)
	if len(got) == 0 || len(got) >= len(want) {
		t.Errorf("after the session ended Garmin holds %d of %d days, want some", len(got), len(want))
	}
	refused := 0
	for _, req := range f.srv.Requests() {
		if req.Path == "/services/auth/token/di-oauth/refresh" && req.Status == 401 {
			refused++
		}
	}
	if refused == 0 || refused > 2 {
		t.Errorf("%d refused session refreshes, want one per worker that met the end (at most 2)", refused)
	}
	if st := runCLI(t, append(f.args(), "status", "--state", journal)...); !strings.Contains(st.stdout, "2021-01-01") && !strings.Contains(st.stdout, "done") {
		t.Errorf("status after exit 4:\n%s", st.stdout)
	}

	// A fresh cURL, the same command: it resumes and finishes.
	importSession()
	r = runCLI(t, append(f.args(), "-v", "import", export, "--state", journal, "--rate", "200", "--types", "water")...)
	wantCode(t, r, exitOK)
	check(r)
	f.checkTotals(t, want)
	// Run again: nothing is sent.
	f.srv.ResetRequests()
	r = runCLI(t, append(f.args(), "import", export, "--state", journal, "--types", "water", "-q")...)
	wantCode(t, r, exitOK)
	for _, req := range f.srv.Requests() {
		if req.Class == sandbox.ClassWrite {
			t.Errorf("re-run wrote %s %s", req.Method, req.Path)
		}
	}
	f.checkTotals(t, want)
}
