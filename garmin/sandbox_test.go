package garmin_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"fitbit2garmin/garmin"
	"fitbit2garmin/garmin/sandbox"
)

// clock is a settable clock shared by the fake and the client.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

const (
	email    = "ann@example.com"
	password = "correct horse battery"
)

// env is a fake Garmin with a client pointed at it.
type env struct {
	fake   *sandbox.Server
	client *garmin.Client
	store  *garmin.FileTokenStore
	clk    *clock
	srv    *httptest.Server
}

// newClient returns another client (another run) on the same token file.
func (e *env) newClient(t *testing.T) *garmin.Client {
	c, err := garmin.NewClient(garmin.Options{HTTPClient: e.srv.Client(), Now: e.clk.Now, BaseURL: e.srv.URL, Store: e.store})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sandboxClient starts a fake Garmin and a client against it holding tok
// (nil: none). The client's base URL has no path: the fake serves every
// host's paths at its root.
func sandboxClient(t *testing.T, opts sandbox.Options, acct sandbox.Account, tok *garmin.Tokens) (*sandbox.Server, *garmin.Client, *garmin.FileTokenStore, *clock) {
	e := sandboxEnv(t, opts, acct, tok)
	return e.fake, e.client, e.store, e.clk
}

func sandboxEnv(t *testing.T, opts sandbox.Options, acct sandbox.Account, tok *garmin.Tokens) *env {
	t.Helper()
	clk := &clock{now: time.Date(2024, 5, 15, 8, 0, 0, 0, time.UTC)}
	opts.Now = clk.Now
	fake := sandbox.New(opts)
	if acct.Email == "" {
		acct = sandbox.Account{Email: email, Password: password, DisplayName: "ann", ProfileID: 1337}
	}
	if err := fake.AddAccount(acct); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	store := garmin.NewFileTokenStore(t.TempDir())
	if tok != nil {
		if err := store.Save(tok); err != nil {
			t.Fatal(err)
		}
	}
	e := &env{fake: fake, store: store, clk: clk, srv: srv}
	e.client = e.newClient(t)
	return e
}

func water(date string, ml float64) garmin.HydrationLog {
	return garmin.HydrationLog{CalendarDate: date, TimestampLocal: date + "T07:12:51.180", ValueInML: ml}
}

func TestSandboxLoginThenWater(t *testing.T) {
	acct := sandbox.Account{Email: email, Password: password, DisplayName: "ann", ProfileID: 1337, MFACode: "123456"}
	fake, c, store, _ := sandboxClient(t, sandbox.Options{}, acct, nil)
	ctx := context.Background()
	asked := 0
	tok, err := c.Login(ctx, garmin.LoginRequest{Email: email, Password: password, MFA: func(context.Context) (string, error) {
		asked++
		return "123456", nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if asked != 1 || tok.Family != garmin.FamilyDI || tok.RefreshToken == "" {
		t.Fatalf("asked %d times, tokens %v", asked, tok)
	}
	if saved, err := store.Load(); err != nil || saved.AccessToken != tok.AccessToken {
		t.Fatalf("tokens not saved: %v", err)
	}
	p, err := c.SocialProfile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p.ProfileID != 1337 || p.DisplayName != "ann" {
		t.Errorf("profile = %+v", p)
	}
	for _, ml := range []float64{500, 250} {
		if _, err := c.LogWater(ctx, water("2024-05-14", ml)); err != nil {
			t.Fatal(err)
		}
	}
	day, err := c.LogWater(ctx, water("2024-05-14", -50))
	if err != nil {
		t.Fatal(err)
	}
	if day.ValueInML == nil || *day.ValueInML != 700 {
		t.Errorf("LogWater answer = %+v, want 700 ml", day)
	}
	if got, _ := fake.Total(email, "2024-05-14"); got != 700 {
		t.Errorf("fake total = %v, want 700", got)
	}
	empty, err := c.HydrationDay(ctx, "2024-05-13")
	if err != nil {
		t.Fatal(err)
	}
	if empty.ValueInML != nil {
		t.Errorf("empty day = %v, want nil", *empty.ValueInML)
	}
	// 70 days: three pages, each within the fake's 28-day limit.
	days, err := c.HydrationRange(ctx, "2024-03-06", "2024-05-14")
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 70 || days[0].CalendarDate != "2024-03-06" || days[69].CalendarDate != "2024-05-14" {
		t.Fatalf("range gave %d days", len(days))
	}
	if v := days[69].ValueInML; v == nil || *v != 700 {
		t.Errorf("last day of range = %v", days[69])
	}
}

func TestSandboxLoginFailures(t *testing.T) {
	tests := []struct {
		name  string
		acct  sandbox.Account
		lr    garmin.LoginRequest
		check func(error) bool
	}{
		{"wrong password", sandbox.Account{Email: email, Password: password},
			garmin.LoginRequest{Email: email, Password: "nope"}, func(err error) bool { return errors.Is(err, garmin.ErrBadCredentials) }},
		{"captcha", sandbox.Account{Email: email, Password: password, Captcha: true},
			garmin.LoginRequest{Email: email, Password: password}, func(err error) bool { return errors.Is(err, garmin.ErrCaptcha) }},
		{"rate limited", sandbox.Account{Email: email, Password: password, LoginRateLimited: true},
			garmin.LoginRequest{Email: email, Password: password}, func(err error) bool {
				var rl *garmin.RateLimitError
				return errors.As(err, &rl) && rl.Login
			}},
		{"MFA without a prompt", sandbox.Account{Email: email, Password: password, MFACode: "111111"},
			garmin.LoginRequest{Email: email, Password: password}, func(err error) bool { return errors.Is(err, garmin.ErrMFARequired) }},
		{"wrong MFA code", sandbox.Account{Email: email, Password: password, MFACode: "111111"},
			garmin.LoginRequest{Email: email, Password: password, MFA: func(context.Context) (string, error) { return "222222", nil }},
			func(err error) bool { return errors.Is(err, garmin.ErrBadCredentials) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, c, _, _ := sandboxClient(t, sandbox.Options{}, tt.acct, nil)
			_, err := c.Login(context.Background(), tt.lr)
			if !tt.check(err) {
				t.Fatalf("error = %v", err)
			}
			logins := 0
			for _, r := range fake.Requests() {
				if r.Path == "/mobile/api/login" {
					logins++
				}
			}
			if logins != 1 {
				t.Errorf("%d login requests, want 1 (never retried)", logins)
			}
		})
	}
}

func TestSandboxRefresh(t *testing.T) {
	for _, tc := range []struct {
		fam    garmin.Family
		status int // what an expired access token gets
	}{{garmin.FamilyDI, 401}, {garmin.FamilyWeb, 401}, {garmin.FamilyDI, 403}, {garmin.FamilyWeb, 403}} {
		fam := tc.fam
		t.Run(fmt.Sprintf("%s/%d", fam, tc.status), func(t *testing.T) {
			// Every access token dies after 3 uses: refreshes happen on
			// its 401, or its 403 (an expired browser token's answer).
			e := sandboxEnv(t, sandbox.Options{AccessMaxRequests: 3, ExpiredForbidden: tc.status == 403}, sandbox.Account{}, nil)
			fake, c, store, clk := e.fake, e.client, e.store, e.clk
			var tok *garmin.Tokens
			if fam == garmin.FamilyDI {
				di, err := fake.IssueDI(email)
				if err != nil {
					t.Fatal(err)
				}
				tok = &garmin.Tokens{Family: garmin.FamilyDI, AccessToken: garmin.Secret(di.AccessToken), RefreshToken: garmin.Secret(di.RefreshToken), ClientID: di.ClientID}
			} else {
				web, err := fake.IssueWeb(email)
				if err != nil {
					t.Fatal(err)
				}
				tok = &garmin.Tokens{Family: garmin.FamilyWeb, AccessToken: garmin.Secret(web.AccessToken), RefreshToken: garmin.Secret(web.RefreshToken), JWTFGP: garmin.Secret(web.JWTFGP)}
			}
			if err := store.Save(tok); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			for i := range 10 {
				if _, err := c.LogWater(ctx, water("2024-05-14", 100)); err != nil {
					t.Fatalf("write %d: %v", i, err)
				}
			}
			// And past the access token's lifetime: refreshed before use.
			clk.Add(50 * time.Minute)
			if _, err := c.HydrationDay(ctx, "2024-05-14"); err != nil {
				t.Fatal(err)
			}
			if got, _ := fake.Total(email, "2024-05-14"); got != 1000 {
				t.Errorf("total = %v, want 1000 (no write lost or doubled)", got)
			}
			refused := 0
			for _, rq := range fake.Requests() {
				if rq.Status == tc.status {
					refused++
				}
			}
			if refused == 0 {
				t.Errorf("no request was refused with %d: the test proved no refresh on it", tc.status)
			}
			saved, err := store.Load()
			if err != nil {
				t.Fatal(err)
			}
			if saved.RefreshToken == tok.RefreshToken {
				t.Error("the rotated refresh token was not saved")
			}
			// The saved tokens work in a new run, and the old refresh token
			// is spent: the file is the only copy that counts.
			if _, err := e.newClient(t).LogWater(ctx, water("2024-05-14", 100)); err != nil {
				t.Fatalf("new run with the saved tokens: %v", err)
			}
			old, err := garmin.NewClient(garmin.Options{HTTPClient: e.srv.Client(), Now: clk.Now, BaseURL: e.srv.URL, Store: garmin.NewMemoryTokenStore(tok)})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := old.HydrationDay(ctx, "2024-05-14"); !errors.Is(err, garmin.ErrUnauthorized) {
				t.Errorf("client with the original tokens: %v, want ErrUnauthorized (spent refresh token)", err)
			}
		})
	}
}

func TestSandboxFaults(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name        string
		kind        sandbox.Kind
		write       bool
		wantApplied bool
		check       func(error) bool
	}{
		{"write dropped after commit", sandbox.KindDropAfterCommit, true, true, func(err error) bool { return errors.Is(err, garmin.ErrOutcomeUnknown) }},
		{"write reset before commit", sandbox.KindReset, true, false, func(err error) bool { return errors.Is(err, garmin.ErrOutcomeUnknown) }},
		{"write 503", sandbox.Kind503, true, false, func(err error) bool { return errors.Is(err, garmin.ErrOutcomeUnknown) }},
		{"write 429", sandbox.Kind429RetryAfter, true, false, func(err error) bool {
			var rl *garmin.RateLimitError
			return errors.As(err, &rl) && rl.RetryAfter > 0 && !errors.Is(err, garmin.ErrOutcomeUnknown)
		}},
		{"write 429 in body", sandbox.Kind429Body, true, false, func(err error) bool {
			var rl *garmin.RateLimitError
			return errors.As(err, &rl)
		}},
		{"read reset", sandbox.KindReset, false, false, func(err error) bool { return err != nil && !errors.Is(err, garmin.ErrOutcomeUnknown) }},
		{"read 500", sandbox.Kind500, false, false, func(err error) bool {
			var apiErr *garmin.APIError
			return errors.As(err, &apiErr) && apiErr.Status == 500 && !errors.Is(err, garmin.ErrOutcomeUnknown)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, c, store, _ := sandboxClient(t, sandbox.Options{}, sandbox.Account{}, nil)
			di, err := fake.IssueDI(email)
			if err != nil {
				t.Fatal(err)
			}
			if err := store.Save(&garmin.Tokens{Family: garmin.FamilyDI, AccessToken: garmin.Secret(di.AccessToken), RefreshToken: garmin.Secret(di.RefreshToken), ClientID: di.ClientID}); err != nil {
				t.Fatal(err)
			}
			scope := sandbox.ScopeReads
			if tt.write {
				scope = sandbox.ScopeWrites
			}
			fake.FailNext(1, tt.kind, scope)
			if tt.write {
				_, err = c.LogWater(ctx, water("2024-05-14", 300))
			} else {
				_, err = c.HydrationDay(ctx, "2024-05-14")
			}
			if !tt.check(err) {
				t.Fatalf("error = %v", err)
			}
			total, _ := fake.Total(email, "2024-05-14")
			if applied := total == 300; applied != tt.wantApplied {
				t.Errorf("applied = %v (total %v), want %v", applied, total, tt.wantApplied)
			}
		})
	}
}
