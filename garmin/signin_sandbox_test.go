package garmin_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fitbit2garmin/garmin"
	"fitbit2garmin/garmin/sandbox"
)

// signinEnv is a fake Garmin and what a sign-in test observes of a client.
type signinEnv struct {
	fake   *sandbox.Server
	base   string
	logs   *garmin.SyncBuffer
	pauses []time.Duration
	mu     sync.Mutex
}

// client returns a client as the command builds it (no injected HTTP
// client: browser fingerprints for sign-in), with pauses recorded instead
// of slept.
func (e *signinEnv) client(t *testing.T, o garmin.TransportOptions) *garmin.Client {
	t.Helper()
	c, err := garmin.NewClient(garmin.Options{
		BaseURL:   e.base,
		Transport: o,
		Store:     garmin.NewMemoryTokenStore(nil),
		Logger:    slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelInfo})),
		Sleep: func(_ context.Context, d time.Duration) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.pauses = append(e.pauses, d)
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// requests counts the fake's answered requests by path prefix and status.
func (e *signinEnv) requests(prefix string, status int) int {
	n := 0
	for _, r := range e.fake.Requests() {
		if strings.HasPrefix(r.Path, prefix) && (status == 0 || r.Status == status) {
			n++
		}
	}
	return n
}

func newSigninEnv(t *testing.T, opts sandbox.Options, acct sandbox.Account) *signinEnv {
	t.Helper()
	fake := sandbox.New(opts)
	if err := fake.AddAccount(acct); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	base, err := fake.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return &signinEnv{fake: fake, base: base, logs: &garmin.SyncBuffer{}}
}

// startTLS serves the fake over TLS and points SSL_CERT_FILE at its test
// authority.
func startTLS(t *testing.T, e *signinEnv) *garmin.TransportOptions {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ca := filepath.Join(t.TempDir(), "sandbox-ca.pem")
	base, err := e.fake.StartTLS(ctx, ca)
	if err != nil {
		t.Fatal(err)
	}
	e.base = base
	t.Setenv("SSL_CERT_FILE", ca)
	roots, err := garmin.RootCAs(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	return &garmin.TransportOptions{RootCAs: roots}
}

func TestSignInTLSFingerprint(t *testing.T) {
	acct := sandbox.Account{Email: email, Password: password, DisplayName: "ann", ProfileID: 1337}
	e := newSigninEnv(t, sandbox.Options{AccessMaxRequests: 1}, acct)
	o := startTLS(t, e)
	ctx := context.Background()
	lr := garmin.LoginRequest{Email: email, Password: password, Strategies: []string{garmin.StrategyMobile}}

	// Go's own TLS, trusting the test CA, is refused at the edge.
	std, err := garmin.NewClient(garmin.Options{HTTPClient: &http.Client{Transport: garmin.NewStdTransport(*o)}, BaseURL: e.base, Store: garmin.NewMemoryTokenStore(nil)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = std.Login(ctx, lr)
	if !errors.Is(err, garmin.ErrChallenged) {
		t.Fatalf("stdlib TLS login: %v, want ErrChallenged", err)
	}
	if n := e.requests("/mobile/api/login", http.StatusForbidden); n != 1 {
		t.Fatalf("%d login requests refused with 403, want 1", n)
	}
	hellos := e.fake.Hellos()
	if len(hellos) == 0 || hellos[len(hellos)-1].GREASE {
		t.Fatalf("hellos %+v: want Go's without GREASE", hellos)
	}

	// Our login presents Safari iOS and is let in.
	c := e.client(t, *o)
	tok, err := c.Login(ctx, lr)
	if err != nil {
		t.Fatalf("browser TLS login: %v", err)
	}
	if tok.Profile == nil || tok.Profile.ProfileID != 1337 {
		t.Errorf("token not confirmed: profile %+v", tok.Profile)
	}
	if !strings.Contains(e.logs.String(), "strategy=mobile+safari_ios") {
		t.Errorf("log does not name the strategy:\n%s", e.logs.String())
	}
	var safari sandbox.Hello
	for _, h := range e.fake.Hellos()[len(hellos):] {
		if h.GREASE {
			safari = h
			break
		}
	}
	if safari.Key == "" {
		t.Fatalf("no hello with GREASE among %+v", e.fake.Hellos())
	}

	// Data calls stay on Go's TLS; a refresh (every token serves one
	// request) goes through a browser fingerprint, or the edge refuses it.
	for range 3 {
		if _, err := c.SocialProfile(ctx); err != nil {
			t.Fatalf("data call after login: %v", err)
		}
	}
	if n := e.requests("/di-oauth2-service/oauth/token", http.StatusOK); n < 3 {
		t.Errorf("%d successful token calls, want the exchange and 2 refreshes", n)
	}

	// A flagged fingerprint: the next ones are tried. Safari on iOS and on
	// the desktop share Apple's TLS stack (one key), so Chrome gets in.
	e.fake.RefuseFingerprint(safari.Key)
	before := len(e.logs.String())
	if _, err := e.client(t, *o).Login(ctx, lr); err != nil {
		t.Fatalf("login with Safari's fingerprint refused: %v", err)
	}
	log := e.logs.String()[before:]
	for _, want := range []string{
		`"garmin sign-in: strategy failed" strategy=mobile+safari_ios`,
		`"garmin sign-in: strategy failed" strategy=mobile+safari `,
		`"garmin sign-in: signed in" strategy=mobile+chrome120`,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %s:\n%s", want, log)
		}
	}
}

func TestSignInNeedsTheCertificateAuthority(t *testing.T) {
	acct := sandbox.Account{Email: email, Password: password}
	e := newSigninEnv(t, sandbox.Options{}, acct)
	startTLS(t, e)
	// The system roots only: the test CA is unknown.
	_, err := e.client(t, garmin.TransportOptions{}).Login(context.Background(),
		garmin.LoginRequest{Email: email, Password: password, Strategies: []string{garmin.StrategyMobile}})
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("login without the CA: %v, want a certificate error", err)
	}
	t.Setenv("SSL_CERT_FILE", filepath.Join(t.TempDir(), "missing.pem"))
	if _, err := garmin.RootCAs(os.Getenv); err == nil || !strings.Contains(err.Error(), "SSL_CERT_FILE") {
		t.Errorf("RootCAs with a missing file: %v", err)
	}
	empty := filepath.Join(t.TempDir(), "empty.pem")
	if err := os.WriteFile(empty, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SSL_CERT_FILE", empty)
	if _, err := garmin.RootCAs(os.Getenv); err == nil || !strings.Contains(err.Error(), empty) {
		t.Errorf("RootCAs with no certificate: %v", err)
	}
}

func TestSignInChain(t *testing.T) {
	const code = "480213"
	tests := []struct {
		name      string
		challenge []string
		acct      sandbox.Account
		// signedIn is the strategy the log must show; "" when the login fails.
		signedIn string
		wantErr  func(error) bool
		// logins are the login requests each path may see, at most.
		logins map[string]int
		asked  int
		// pauses are the anti-bot pauses' bounds, one pair per pause.
		pauses [][2]time.Duration
	}{
		{
			name:     "mobile",
			signedIn: "mobile+safari_ios",
			logins:   map[string]int{"/mobile/api/login": 1, "/sso/": 0, "/portal/": 0},
		},
		{
			name:      "mobile blocked: the widget form",
			challenge: []string{"/mobile/api/"},
			signedIn:  "widget+chrome",
			logins:    map[string]int{"/mobile/api/login": 4, "/sso/signin": 2, "/portal/": 0},
			pauses:    [][2]time.Duration{{3 * time.Second, 8 * time.Second}},
		},
		{
			name:      "mobile and widget blocked: the portal form",
			challenge: []string{"/mobile/api/", "/sso/"},
			signedIn:  "portal+safari",
			logins:    map[string]int{"/mobile/api/login": 4, "/sso/embed": 2, "/portal/api/login": 1},
			pauses:    [][2]time.Duration{{10 * time.Second, 20 * time.Second}},
		},
		{
			name:      "code asked once, reused by the widget after the mobile code step is blocked",
			challenge: []string{"/mobile/api/mfa/"},
			acct:      sandbox.Account{MFACode: code},
			signedIn:  "widget+chrome",
			logins:    map[string]int{"/mobile/api/login": 4, "/sso/verifyMFA/loginEnterMfaCode": 1},
			asked:     1,
			pauses:    [][2]time.Duration{{3 * time.Second, 8 * time.Second}},
		},
		{
			name:      "code through the portal",
			challenge: []string{"/mobile/api/", "/sso/"},
			acct:      sandbox.Account{MFACode: code},
			signedIn:  "portal+safari",
			logins:    map[string]int{"/portal/api/login": 1, "/portal/api/mfa/verifyCode": 1},
			asked:     1,
			pauses:    [][2]time.Duration{{10 * time.Second, 20 * time.Second}},
		},
		{
			name:    "429 stops the chain with no second login request",
			acct:    sandbox.Account{LoginRateLimited: true},
			wantErr: func(err error) bool { var rl *garmin.RateLimitError; return errors.As(err, &rl) && rl.Login },
			logins:  map[string]int{"/mobile/api/login": 1, "/sso/": 0, "/portal/": 0},
		},
		{
			name:      "429 on the widget stops the chain",
			challenge: []string{"/mobile/api/"},
			acct:      sandbox.Account{LoginRateLimited: true},
			wantErr:   func(err error) bool { var rl *garmin.RateLimitError; return errors.As(err, &rl) && rl.Login },
			logins:    map[string]int{"/sso/signin": 2, "/portal/": 0},
			pauses:    [][2]time.Duration{{3 * time.Second, 8 * time.Second}},
		},
		{
			name:    "wrong password stops the chain",
			acct:    sandbox.Account{Password: "something else"},
			wantErr: func(err error) bool { return errors.Is(err, garmin.ErrBadCredentials) },
			logins:  map[string]int{"/mobile/api/login": 1, "/sso/": 0, "/portal/": 0},
		},
		{
			name:    "CAPTCHA stops the chain",
			acct:    sandbox.Account{Captcha: true},
			wantErr: func(err error) bool { return errors.Is(err, garmin.ErrCaptcha) },
			logins:  map[string]int{"/mobile/api/login": 1, "/sso/": 0, "/portal/": 0},
		},
		{
			name:      "a locked account stops the chain",
			challenge: []string{"/mobile/api/"},
			acct:      sandbox.Account{Locked: true},
			wantErr:   func(err error) bool { return errors.Is(err, garmin.ErrAccountLocked) },
			logins:    map[string]int{"/sso/signin": 2, "/portal/": 0},
			pauses:    [][2]time.Duration{{3 * time.Second, 8 * time.Second}},
		},
		{
			name: "tokens refused by the API: every strategy, then a LoginError",
			acct: sandbox.Account{TokensInactive: true},
			wantErr: func(err error) bool {
				var le *garmin.LoginError
				return errors.As(err, &le) && len(le.Tried) == 3 && errors.Is(err, garmin.ErrTokenRejected)
			},
			logins: map[string]int{"/mobile/api/login": 1, "/sso/signin": 2, "/portal/api/login": 1},
			pauses: [][2]time.Duration{{3 * time.Second, 8 * time.Second}, {10 * time.Second, 20 * time.Second}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			acct := tt.acct
			acct.Email = email
			pw := password
			if acct.Password != "" {
				pw = acct.Password
			}
			acct.Password = password
			e := newSigninEnv(t, sandbox.Options{Challenge: tt.challenge}, acct)
			asked := 0
			_, err := e.client(t, garmin.TransportOptions{}).Login(context.Background(), garmin.LoginRequest{
				Email: email, Password: pw,
				MFA: func(context.Context) (string, error) { asked++; return code, nil },
			})
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("login: %v", err)
			case tt.wantErr != nil && !tt.wantErr(err):
				t.Fatalf("login error = %v", err)
			}
			if tt.signedIn != "" && !strings.Contains(e.logs.String(), `"garmin sign-in: signed in" strategy=`+tt.signedIn+"\n") {
				t.Errorf("log does not show %s signing in:\n%s", tt.signedIn, e.logs.String())
			}
			for path, n := range tt.logins {
				if got := e.requests(path, 0); got != n {
					t.Errorf("%d requests to %s, want %d", got, path, n)
				}
			}
			if asked != tt.asked {
				t.Errorf("code asked %d times, want %d", asked, tt.asked)
			}
			e.mu.Lock()
			defer e.mu.Unlock()
			if len(e.pauses) != len(tt.pauses) {
				t.Fatalf("pauses %v, want %d", e.pauses, len(tt.pauses))
			}
			for i, p := range e.pauses {
				if p < tt.pauses[i][0] || p >= tt.pauses[i][1] {
					t.Errorf("pause %d = %v, want in [%v, %v)", i, p, tt.pauses[i][0], tt.pauses[i][1])
				}
			}
			if err != nil && strings.Contains(err.Error(), pw) {
				t.Errorf("error shows the password: %v", err)
			}
			if strings.Contains(e.logs.String(), pw) || strings.Contains(e.logs.String(), code) {
				t.Errorf("log shows the password or the code:\n%s", e.logs.String())
			}
		})
	}
}

// TestSignInStopsWhenTheCodeCannotBeRead: a prompt that fails ends the
// chain: no later strategy asks again.
func TestSignInStopsWhenTheCodeCannotBeRead(t *testing.T) {
	e := newSigninEnv(t, sandbox.Options{}, sandbox.Account{Email: email, Password: password, MFACode: "480213"})
	closed := errors.New("prompt closed")
	asked := 0
	_, err := e.client(t, garmin.TransportOptions{}).Login(context.Background(), garmin.LoginRequest{
		Email: email, Password: password,
		MFA: func(context.Context) (string, error) { asked++; return "", closed },
	})
	if !errors.Is(err, closed) || asked != 1 {
		t.Fatalf("error %v after %d prompts, want the prompt's error after one", err, asked)
	}
	if n := e.requests("/sso/", 0) + e.requests("/portal/", 0); n != 0 {
		t.Errorf("%d requests to the form flows after the prompt failed", n)
	}
}
