package garmin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestNoSecretInOutput drives the client through refreshes, failures that
// echo secrets back, and logins, with a debug logger, and fails if any
// token, password, MFA code or service ticket shows up in a log line or an
// error string.
func TestNoSecretInOutput(t *testing.T) {
	old := webTokens(t, "leak-old", testNow.Add(time.Hour))
	f := setup(t, old)
	var (
		mu      sync.Mutex
		secrets = []string{old.AccessToken.Reveal(), old.RefreshToken.Reveal(), old.JWTFGP.Reveal(), testPassword, testMFACode, testTicket}
		current = old
		refused bool
	)
	addSecret := func(s ...string) { mu.Lock(); secrets = append(secrets, s...); mu.Unlock() }
	// echo answers with every credential the request carried.
	echo := func(w http.ResponseWriter, r *http.Request, status int) {
		_ = r.ParseForm()
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"message":"rejected","auth":%q,"cookie":%q,"form":%q,"raw":"%s %s"}`,
			r.Header.Get("Authorization"), r.Header.Get("Cookie"), r.PostForm.Encode(),
			strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), r.PostForm.Get("service_ticket"))
	}
	f.mux.HandleFunc("/services/auth/token/refresh", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if refused {
			echo(w, r, http.StatusBadRequest)
			return
		}
		nt := webTokens(t, fmt.Sprintf("leak-%d", len(secrets)), testNow.Add(time.Hour))
		secrets = append(secrets, nt.AccessToken.Reveal(), nt.RefreshToken.Reveal(), nt.JWTFGP.Reveal())
		current = nt
		http.SetCookie(w, &http.Cookie{Name: "JWT_FGP", Value: nt.JWTFGP.Reveal(), Path: "/"})
		fmt.Fprintf(w, `{"access_token":%q,"refresh_token":%q,"expires_in":3600}`, nt.AccessToken.Reveal(), nt.RefreshToken.Reveal())
	})
	data := func(status int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			cur := current
			mu.Unlock()
			if r.Header.Get("Authorization") != "Bearer "+cur.AccessToken.Reveal() {
				echo(w, r, http.StatusUnauthorized)
				return
			}
			echo(w, r, status)
		}
	}
	f.mux.HandleFunc("/usersummary-service/usersummary/hydration/daily/{date}", data(http.StatusBadRequest))
	f.mux.HandleFunc("/usersummary-service/usersummary/hydration/log", data(http.StatusInternalServerError))
	f.mux.HandleFunc("/userprofile-service/socialProfile", data(http.StatusForbidden))
	f.mux.HandleFunc("/usersummary-service/stats/hydration/daily/{a}/{b}", hangUp(t))
	sso := fakeSSO{t: t, acceptID: "none", ownProfile: true, loginBody: `{"responseStatus":{"type":"MFA_REQUIRED"},"customerMfaInfo":{"mfaLastMethodUsed":"sms"}}`}
	sso.register(f.mux)

	ctx := context.Background()
	var errs []error
	collect := func(_ any, err error) { errs = append(errs, err) }

	// Revoke the old token: the first call refreshes, then gets a 400 echo.
	mu.Lock()
	current = &Tokens{Family: FamilyWeb, AccessToken: "revoked-access-xyz"}
	mu.Unlock()
	addSecret("revoked-access-xyz")
	collect(f.client.HydrationDay(ctx, "2024-05-15"))
	collect(f.client.LogWater(ctx, HydrationLog{CalendarDate: "2024-05-15", TimestampLocal: "2024-05-15T07:12:51.180", ValueInML: 250}))
	collect(f.client.SocialProfile(ctx))
	collect(f.client.HydrationRange(ctx, "2024-05-01", "2024-05-15"))
	// Now refresh is refused with an echo of the refresh token.
	mu.Lock()
	refused = true
	current = &Tokens{Family: FamilyWeb, AccessToken: "revoked-again-xyz"}
	mu.Unlock()
	collect(f.client.HydrationDay(ctx, "2024-05-16"))
	// A login whose ticket exchange is refused with the ticket echoed.
	collect(f.client.Login(ctx, LoginRequest{Email: testEmail, Password: testPassword, MFA: func(context.Context) (string, error) { return testMFACode, nil }}))

	if len(errs) != 6 {
		t.Fatalf("collected %d errors", len(errs))
	}
	var outs []string
	for i, err := range errs {
		if err == nil {
			t.Errorf("call %d did not fail", i)
			continue
		}
		outs = append(outs, err.Error(), fmt.Sprintf("%+v %#v", err, err))
		var apiErr *APIError
		if errors.As(err, &apiErr) {
			outs = append(outs, apiErr.Body)
		}
	}
	tok, err := f.client.Tokens()
	if err != nil {
		t.Fatal(err)
	}
	outs = append(outs, fmt.Sprint(tok), f.logs.String())
	if testing.Verbose() {
		for _, o := range outs {
			t.Log(o)
		}
	}
	if !strings.Contains(f.logs.String(), "Authorization=[redacted]") {
		t.Errorf("the debug log has no redacted Authorization header; log:\n%s", f.logs.String())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(secrets) < 9 {
		t.Fatalf("only %d secrets: the refresh did not happen", len(secrets))
	}
	for _, out := range outs {
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("output shows secret %.6s…: %s", s, out)
			}
		}
	}
}
