package garmin_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"fitbit2garmin/garmin"
	"fitbit2garmin/garmin/sandbox"
)

// sessionTokens are the tokens `auth import --curl` makes of a browser's
// cookie session.
func sessionTokens(ws sandbox.WebSession) *garmin.Tokens {
	t := &garmin.Tokens{Family: garmin.FamilyWebSession, AccessToken: garmin.Secret(ws.Cookies[sandbox.JWTWebCookie]), CSRF: garmin.Secret(ws.CSRF)}
	for _, name := range []string{"GARMIN-SSO", "GARMIN-SSO-CUST-GUID", sandbox.SessionCookie, "session"} {
		t.Cookies = append(t.Cookies, garmin.Cookie{Name: name, Value: garmin.Secret(ws.Cookies[name])})
	}
	return t
}

func TestSandboxWebSession(t *testing.T) {
	ctx := context.Background()
	for _, forbidden := range []bool{false, true} {
		t.Run(fmt.Sprintf("expiry answered %d", map[bool]int{false: 401, true: 403}[forbidden]), func(t *testing.T) {
			e := sandboxEnv(t, sandbox.Options{WebRotateEvery: 3, ExpiredForbidden: forbidden}, sandbox.Account{}, nil)
			ws, err := e.fake.IssueWebSession(email)
			if err != nil {
				t.Fatal(err)
			}
			first := sessionTokens(ws)
			store := garmin.NewMemoryTokenStore(first)
			c, err := garmin.NewClient(garmin.Options{HTTPClient: e.srv.Client(), Now: e.clk.Now, BaseURL: e.srv.URL, Store: store})
			if err != nil {
				t.Fatal(err)
			}
			// JWT_WEB is renewed every 3 calls and the old one dies 3
			// calls later: 12 reads pass only if every renewal is kept.
			for i := range 12 {
				if _, err := c.HydrationDay(ctx, "2024-05-15"); err != nil {
					t.Fatalf("read %d: %v", i, err)
				}
			}
			saved, _ := store.Load()
			if store.Saves() < 3 || saved.AccessToken == first.AccessToken {
				t.Fatalf("%d saves, JWT_WEB renewed: %v; want every renewal saved", store.Saves(), saved.AccessToken != first.AccessToken)
			}
			// A client that kept the first JWT_WEB is refused by now: it
			// refreshes with the cookies once and resends.
			want := map[bool]int{false: 401, true: 403}[forbidden]
			stale, _ := garmin.NewClient(garmin.Options{HTTPClient: e.srv.Client(), Now: e.clk.Now, BaseURL: e.srv.URL,
				Store: garmin.NewMemoryTokenStore(first)})
			e.fake.ResetRequests()
			if _, err := stale.HydrationDay(ctx, "2024-05-15"); err != nil {
				t.Fatalf("stale client (refreshes): %v", err)
			}
			if countPath(e.fake, "/gc-api/usersummary-service/usersummary/hydration/daily/2024-05-15", want) != 1 ||
				countPath(e.fake, "/services/auth/token/di-oauth/refresh", http.StatusOK) != 1 ||
				countPath(e.fake, "/gc-api/usersummary-service/usersummary/hydration/daily/2024-05-15", http.StatusOK) != 1 {
				t.Errorf("stale JWT_WEB: requests %+v, want one %d, one refresh, one resend", e.fake.Requests(), want)
			}
			// Expired by the clock: refreshed before use.
			e.clk.Add(2 * time.Hour)
			e.fake.ResetRequests()
			if _, err := c.HydrationDay(ctx, "2024-05-15"); err != nil {
				t.Fatalf("after expiry: %v", err)
			}
			if countPath(e.fake, "/services/auth/token/di-oauth/refresh", http.StatusOK) != 1 {
				t.Errorf("expiry: requests %+v, want one refresh", e.fake.Requests())
			}
			// The session ends: exit 4's error.
			e.fake.EndWebSession(email)
			_, err = c.HydrationDay(ctx, "2024-05-15")
			if !errors.Is(err, garmin.ErrUnauthorized) || !errors.Is(err, garmin.ErrSessionEnded) {
				t.Fatalf("ended session: %v, want ErrSessionEnded", err)
			}
			for _, secret := range append([]string{ws.CSRF}, cookieValues(saved)...) {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error shows a session secret: %v", err)
				}
			}
		})
	}
}

func cookieValues(t *garmin.Tokens) []string {
	out := []string{t.AccessToken.Reveal()}
	for _, c := range t.Cookies {
		if len(c.Value) > 4 {
			out = append(out, c.Value.Reveal())
		}
	}
	return out
}

func countPath(fake *sandbox.Server, path string, status int) int {
	n := 0
	for _, r := range fake.Requests() {
		if r.Path == path && r.Status == status {
			n++
		}
	}
	return n
}

func TestSandboxWebSessionChecksCSRF(t *testing.T) {
	e := sandboxEnv(t, sandbox.Options{}, sandbox.Account{}, nil)
	ws, err := e.fake.IssueWebSession(email)
	if err != nil {
		t.Fatal(err)
	}
	tok := sessionTokens(ws)
	tok.CSRF = "not-the-token"
	c, _ := garmin.NewClient(garmin.Options{HTTPClient: e.srv.Client(), Now: e.clk.Now, BaseURL: e.srv.URL, Store: garmin.NewMemoryTokenStore(tok)})
	_, err = c.HydrationDay(context.Background(), "2024-05-15")
	var apiErr *garmin.APIError
	if !errors.Is(err, garmin.ErrUnauthorized) || !errors.As(err, &apiErr) || apiErr.Status != http.StatusForbidden {
		t.Fatalf("wrong csrf token: %v, want a 403 after one refresh", err)
	}
}
