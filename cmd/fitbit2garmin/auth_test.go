package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fitbit2garmin/garmin"
	"fitbit2garmin/garmin/sandbox"
)

const (
	authEmail    = "ann@example.com"
	authPassword = "s3cret-Passw0rd"
)

// authWorld is a fake Garmin with one account and an empty config folder.
type authWorld struct {
	srv       *sandbox.Server
	url       string
	configDir string
	secrets   []string // every secret a run could leak
}

func newAuthWorld(t *testing.T, acct sandbox.Account) *authWorld {
	t.Helper()
	w := &authWorld{srv: sandbox.New(sandbox.Options{}), configDir: filepath.Join(t.TempDir(), "cfg"), secrets: []string{authPassword}}
	if acct.Email == "" {
		acct = sandbox.Account{Email: authEmail, Password: authPassword, DisplayName: "ann", ProfileID: 1337}
	}
	if err := w.srv.AddAccount(acct); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(w.srv)
	t.Cleanup(ts.Close)
	w.url = ts.URL
	return w
}

// run runs `fitbit2garmin --verbose <global flags> args...` with stdin and
// checks that no secret shows in its output.
func (w *authWorld) run(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	all := append([]string{"fitbit2garmin", "--verbose", "--config-dir", w.configDir, "--garmin-url", w.url}, args...)
	code := run(context.Background(), all, strings.NewReader(stdin), &out, &errOut)
	r := result{code, out.String(), errOut.String()}
	// Tokens on file now are secrets too (rotations included).
	if tok, err := garmin.NewFileTokenStore(w.configDir).Load(); err == nil {
		w.secrets = append(w.secrets, tok.AccessToken.Reveal(), tok.RefreshToken.Reveal(), tok.JWTFGP.Reveal())
	}
	for _, s := range w.secrets {
		if s != "" && (strings.Contains(r.stdout, s) || strings.Contains(r.stderr, s)) {
			t.Errorf("%v: output shows a secret (%.6s…)\nstdout:\n%s\nstderr:\n%s", args, s, r.stdout, r.stderr)
		}
	}
	return r
}

func (w *authWorld) saved(t *testing.T) *garmin.Tokens {
	t.Helper()
	tok, err := garmin.NewFileTokenStore(w.configDir).Load()
	if err != nil {
		t.Fatalf("saved tokens: %v", err)
	}
	return tok
}

// newWebWorld is an auth world whose account has web tokens issued.
func newWebWorld(t *testing.T) (*authWorld, sandbox.WebTokens) {
	t.Helper()
	w := newAuthWorld(t, sandbox.Account{})
	return w, w.issueWeb(t)
}

func (w *authWorld) issueWeb(t *testing.T) sandbox.WebTokens {
	t.Helper()
	web, err := w.srv.IssueWeb(authEmail)
	if err != nil {
		t.Fatal(err)
	}
	w.secrets = append(w.secrets, web.AccessToken, web.RefreshToken, web.JWTFGP)
	return web
}

func wantCode(t *testing.T, r result, code int, stderrHas ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
	for _, s := range stderrHas {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
		}
	}
}

func TestAuthLoginStatusLogout(t *testing.T) {
	w := newAuthWorld(t, sandbox.Account{})
	r := w.run(t, authPassword+"\n", "auth", "login", "--email", authEmail, "--password-file", "-")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "Logged in as ann (profile 1337)") {
		t.Errorf("stdout = %q", r.stdout)
	}
	fi, err := os.Stat(filepath.Join(w.configDir, garmin.TokenFileName))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %o, want 600", fi.Mode().Perm())
	}
	if tok := w.saved(t); tok.Family != garmin.FamilyDI || tok.Profile == nil || tok.Profile.ProfileID != 1337 {
		t.Errorf("saved tokens = %v", tok)
	}
	if b, _ := os.ReadFile(filepath.Join(w.configDir, garmin.TokenFileName)); bytes.Contains(b, []byte(authPassword)) {
		t.Error("the password was saved")
	}

	r = w.run(t, "", "auth", "status")
	wantCode(t, r, exitOK)
	for _, s := range []string{"Account:  ann (profile 1337)", "Tokens:   mobile (DI OAuth2), client GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2", "Expires:  ", "(in ", "Refresh:  yes"} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("status lacks %q:\n%s", s, r.stdout)
		}
	}
	r = w.run(t, "", "auth", "status", "--json")
	wantCode(t, r, exitOK)
	var st authStatusOut
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatalf("auth status --json: %v\n%s", err, r.stdout)
	}
	exp, err := time.Parse(time.RFC3339, st.ExpiresAt)
	if st.Family != string(garmin.FamilyDI) || st.ClientID == "" || !st.Refreshable || st.Account != "ann" || st.ProfileID != 1337 ||
		err != nil || !exp.After(time.Now()) || st.File != filepath.Join(w.configDir, garmin.TokenFileName) {
		t.Errorf("auth status --json = %+v", st)
	}

	r = w.run(t, "", "auth", "logout")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "Logged out") {
		t.Errorf("logout said %q", r.stdout)
	}
	wantCode(t, w.run(t, "", "auth", "status"), exitAuth, "not logged in")
	r = w.run(t, "", "auth", "logout")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "nothing to remove") {
		t.Errorf("second logout said %q", r.stdout)
	}
}

func TestAuthLoginSources(t *testing.T) {
	t.Run("env", func(t *testing.T) {
		w := newAuthWorld(t, sandbox.Account{})
		t.Setenv("GARMIN_EMAIL", authEmail)
		t.Setenv("GARMIN_PASSWORD", authPassword)
		wantCode(t, w.run(t, "", "auth", "login"), exitOK)
	})
	t.Run("password file", func(t *testing.T) {
		w := newAuthWorld(t, sandbox.Account{})
		pf := filepath.Join(t.TempDir(), "pw")
		if err := os.WriteFile(pf, []byte(authPassword+"\r\nignored\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		wantCode(t, w.run(t, "", "auth", "login", "--email", authEmail, "--password-file", pf), exitOK)
	})
	t.Run("MFA code flag", func(t *testing.T) {
		w := newAuthWorld(t, sandbox.Account{Email: authEmail, Password: authPassword, MFACode: "424242"})
		wantCode(t, w.run(t, authPassword, "auth", "login", "--email", authEmail, "--password-file", "-", "--mfa-code", "424242"), exitOK)
	})
}

func TestAuthLoginFailures(t *testing.T) {
	tests := []struct {
		name      string
		acct      sandbox.Account
		args      []string
		stdin     string
		code      int
		stderrHas []string
	}{
		{"wrong password", sandbox.Account{}, []string{"--email", authEmail, "--password-file", "-"}, "wrong\n", exitAuth, []string{"wrong email or password"}},
		{"captcha", sandbox.Account{Email: authEmail, Password: authPassword, Captcha: true}, []string{"--email", authEmail, "--password-file", "-"}, authPassword, exitAuth, []string{"CAPTCHA", "auth import --curl"}},
		{"rate limited", sandbox.Account{Email: authEmail, Password: authPassword, LoginRateLimited: true}, []string{"--email", authEmail, "--password-file", "-"}, authPassword, exitRateLimited, []string{"wait an hour or more", "before logging in again", "login rate limited (429)"}},
		{"MFA without a terminal", sandbox.Account{Email: authEmail, Password: authPassword, MFACode: "424242"}, []string{"--email", authEmail, "--password-file", "-"}, authPassword, exitAuth, []string{"--mfa-code"}},
		{"wrong MFA code", sandbox.Account{Email: authEmail, Password: authPassword, MFACode: "424242"}, []string{"--email", authEmail, "--password-file", "-", "--mfa-code", "000000"}, authPassword, exitAuth, []string{"mfa code refused"}},
		{"token not active", sandbox.Account{Email: authEmail, Password: authPassword, TokensInactive: true}, []string{"--email", authEmail, "--password-file", "-", "--strategy", "mobile"}, authPassword, exitAuth, []string{"its API refuses them", "auth import --curl"}},
		{"unknown strategy", sandbox.Account{Email: authEmail, Password: authPassword}, []string{"--email", authEmail, "--password-file", "-", "--strategy", "mobile,carrier-pigeon"}, authPassword, exitUsage, []string{`unknown sign-in strategy "carrier-pigeon"`}},
		{"no password", sandbox.Account{}, []string{"--email", authEmail}, "", exitUsage, []string{"no password"}},
		{"empty password", sandbox.Account{}, []string{"--email", authEmail, "--password-file", "-"}, "\n", exitUsage, []string{"non-empty password"}},
		{"no email", sandbox.Account{}, []string{"--password-file", "-"}, authPassword, exitUsage, []string{"no email"}},
		{"missing password file", sandbox.Account{}, []string{"--email", authEmail, "--password-file", "/nonexistent/pw"}, "", exitUsage, []string{"password file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("GARMIN_EMAIL", "")
			t.Setenv("GARMIN_PASSWORD", "")
			w := newAuthWorld(t, tt.acct)
			r := w.run(t, tt.stdin, append([]string{"auth", "login"}, tt.args...)...)
			wantCode(t, r, tt.code, tt.stderrHas...)
			for _, s := range tt.stderrHas {
				if n := strings.Count(r.stderr, s); n != 1 {
					t.Errorf("%q appears %d times, want once (what to do is said once):\n%s", s, n, r.stderr)
				}
			}
			if _, err := os.Stat(filepath.Join(w.configDir, garmin.TokenFileName)); err == nil {
				t.Error("a failed login left a token file")
			}
		})
	}
}

func TestAuthImport(t *testing.T) {
	t.Run("web tokens from flags", func(t *testing.T) {
		w, web := newWebWorld(t)
		r := w.run(t, "", "auth", "import", "--access-token", web.AccessToken, "--refresh-token", web.RefreshToken, "--jwt-fgp", web.JWTFGP)
		wantCode(t, r, exitOK)
		if !strings.Contains(r.stdout, "Imported web session tokens for ann (profile 1337)") {
			t.Errorf("stdout = %q", r.stdout)
		}
		if tok := w.saved(t); tok.Family != garmin.FamilyWeb || tok.JWTFGP.Reveal() != web.JWTFGP {
			t.Errorf("saved %v", tok)
		}
		r = w.run(t, "", "auth", "status")
		wantCode(t, r, exitOK)
		if !strings.Contains(r.stdout, "Tokens:   web session") {
			t.Errorf("status:\n%s", r.stdout)
		}
	})
	t.Run("curl from stdin", func(t *testing.T) {
		w, web := newWebWorld(t)
		curl := fmt.Sprintf("curl 'https://connect.garmin.com/gc-api/userprofile-service/socialProfile' \\\n  -H 'authorization: Bearer %s' \\\n  -b 'GARMIN-SSO=1; JWT_FGP=%s; JWT_REFRESH=%s'\n", web.AccessToken, web.JWTFGP, web.RefreshToken)
		wantCode(t, w.run(t, curl, "auth", "import", "--curl", "-"), exitOK)
		if tok := w.saved(t); tok.RefreshToken.Reveal() != web.RefreshToken {
			t.Error("refresh token not imported from the curl's JWT_REFRESH cookie")
		}
	})
	t.Run("curl file without JWT_FGP", func(t *testing.T) {
		w, web := newWebWorld(t)
		f := filepath.Join(t.TempDir(), "curl.txt")
		if err := os.WriteFile(f, []byte("curl https://connect.garmin.com/x -H 'Authorization: Bearer "+web.AccessToken+"'"), 0o600); err != nil {
			t.Fatal(err)
		}
		wantCode(t, w.run(t, "", "auth", "import", "--curl", f), exitUsage, "JWT_FGP cookie")
	})
	t.Run("python-garminconnect", func(t *testing.T) {
		w := newAuthWorld(t, sandbox.Account{})
		di, err := w.srv.IssueDI(authEmail)
		if err != nil {
			t.Fatal(err)
		}
		w.secrets = append(w.secrets, di.AccessToken, di.RefreshToken)
		dir := t.TempDir()
		body := fmt.Sprintf(`{"di_token":%q,"di_refresh_token":%q,"di_client_id":%q}`, di.AccessToken, di.RefreshToken, di.ClientID)
		if err := os.WriteFile(filepath.Join(dir, "garmin_tokens.json"), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		r := w.run(t, "", "auth", "import", "--garminconnect", dir)
		wantCode(t, r, exitOK)
		if !strings.Contains(r.stdout, "mobile (DI OAuth2)") {
			t.Errorf("stdout = %q", r.stdout)
		}
	})
	t.Run("rejected tokens leave the saved login alone", func(t *testing.T) {
		w, good := newWebWorld(t)
		wantCode(t, w.run(t, "", "auth", "import", "--access-token", good.AccessToken, "--jwt-fgp", good.JWTFGP), exitOK)
		r := w.run(t, "", "auth", "import", "--access-token", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.Zm9yZ2Vk", "--jwt-fgp", "forged-fgp-value")
		wantCode(t, r, exitAuth, "rejected")
		if tok := w.saved(t); tok.AccessToken.Reveal() != good.AccessToken {
			t.Error("rejected tokens replaced the saved ones")
		}
	})
	t.Run("rejected tokens with nothing saved before", func(t *testing.T) {
		w := newAuthWorld(t, sandbox.Account{})
		wantCode(t, w.run(t, "", "auth", "import", "--access-token", "forged-access-token", "--jwt-fgp", "forged-fgp-value"), exitAuth)
		if _, err := os.Stat(filepath.Join(w.configDir, garmin.TokenFileName)); err == nil {
			t.Error("rejected tokens were left in the token file")
		}
	})
	usageCases := []struct {
		name string
		args []string
		has  string
	}{
		{"no source", nil, "exactly one"},
		{"two sources", []string{"--access-token", "a", "--curl", "-"}, "exactly one"},
		{"web token without fgp", []string{"--access-token", "abc"}, "JWT_FGP"},
		{"fgp with curl", []string{"--curl", "-", "--jwt-fgp", "x"}, "go with --access-token"},
		{"missing dir", []string{"--garminconnect", "/nonexistent/dir"}, "python-garminconnect"},
	}
	for _, tt := range usageCases {
		t.Run(tt.name, func(t *testing.T) {
			w := newAuthWorld(t, sandbox.Account{})
			wantCode(t, w.run(t, "", append([]string{"auth", "import"}, tt.args...)...), exitUsage, tt.has)
		})
	}
}

func TestGarminURLRefused(t *testing.T) {
	w := newAuthWorld(t, sandbox.Account{})
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"fitbit2garmin", "--config-dir", w.configDir, "--garmin-url", "http://garmin.example.com",
		"auth", "import", "--access-token", "abc", "--jwt-fgp", "def"}, strings.NewReader(""), &out, &errOut)
	if code != exitUsage || !strings.Contains(errOut.String(), "plain http") {
		t.Errorf("code %d, stderr %q; want exit 2 refusing plain http", code, errOut.String())
	}
}

func TestExpiryText(t *testing.T) {
	now := mustTime(t, "2024-05-15T12:00:00Z")
	tests := []struct {
		exp  string
		want string
	}{
		{"", "unknown (renewed when Garmin refuses it)"},
		{"2024-05-15T12:42:10Z", "2024-05-15 12:42 UTC (in 42m0s)"},
		{"2024-05-15T09:00:00Z", "2024-05-15 09:00 UTC (expired 3h0m0s ago)"},
	}
	for _, tt := range tests {
		var exp = mustTime(t, tt.exp)
		if got := expiryText(exp, now); got != tt.want {
			t.Errorf("expiryText(%s) = %q, want %q", tt.exp, got, tt.want)
		}
	}
}

func mustTime(t *testing.T, s string) (tm time.Time) {
	t.Helper()
	if s == "" {
		return tm
	}
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

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
