package garmin

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const (
	testEmail    = "ann@example.com"
	testPassword = "Pa55word-Sekr1t"
	testMFACode  = "482913"
	testTicket   = "ST-0123456-abcdefXYZ-cas"
)

// fakeSSO scripts the login endpoints.
type fakeSSO struct {
	t *testing.T

	loginStatus int    // HTTP status of the login answer (200 if 0)
	loginBody   string // login answer; default SUCCESSFUL with the ticket
	mfaBody     string // verifyCode answer; default SUCCESSFUL with the ticket
	mfaStatus   int
	// acceptID is the client id the token endpoint accepts ("" none).
	acceptID    string
	tokenStatus int // forces the token endpoint's status when non-zero
	// profileStatus, when non-zero, refuses the new token at socialProfile.
	profileStatus int
	// ownProfile leaves socialProfile to the test.
	ownProfile bool
	retryAfter string

	mu    *sync.Mutex // set by register
	calls []string
	ids   []string
}

func (f *fakeSSO) record(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, s)
}

func (f *fakeSSO) register(mux *http.ServeMux) {
	t := f.t
	f.mu = &sync.Mutex{}
	checkQuery := func(r *http.Request) {
		q := r.URL.Query()
		for k, v := range map[string]string{"clientId": "GCM_IOS_DARK", "locale": "en-US", "service": "https://mobile.integration.garmin.com/gcm/ios"} {
			if q.Get(k) != v {
				t.Errorf("%s query %s = %q, want %q", r.URL.Path, k, q.Get(k), v)
			}
		}
		testMethod(t, r, http.MethodPost)
		testHeader(t, r, "Content-Type", "application/json")
		testHeader(t, r, "User-Agent", loginUserAgent)
	}
	mux.HandleFunc("/mobile/api/login", func(w http.ResponseWriter, r *http.Request) {
		f.record("login")
		checkQuery(r)
		testJSONBody(t, r, fmt.Sprintf(`{"username":%q,"password":%q,"rememberMe":true,"captchaToken":""}`, testEmail, testPassword))
		body := f.loginBody
		if body == "" {
			body = fmt.Sprintf(`{"responseStatus":{"type":"SUCCESSFUL"},"serviceTicketId":%q}`, testTicket)
		}
		if strings.Contains(body, "MFA_REQUIRED") {
			http.SetCookie(w, &http.Cookie{Name: "SESSIONID", Value: "sess-1", Path: "/"})
		}
		if f.retryAfter != "" {
			w.Header().Set("Retry-After", f.retryAfter)
		}
		if f.loginStatus != 0 {
			w.WriteHeader(f.loginStatus)
		}
		fmt.Fprint(w, body)
	})
	mux.HandleFunc("/mobile/api/mfa/verifyCode", func(w http.ResponseWriter, r *http.Request) {
		f.record("mfa")
		checkQuery(r)
		if c, err := r.Cookie("SESSIONID"); err != nil || c.Value != "sess-1" {
			t.Errorf("verifyCode without the login's session cookie")
		}
		testJSONBody(t, r, fmt.Sprintf(`{"mfaMethod":"sms","mfaVerificationCode":%q,"rememberMyBrowser":true,"reconsentList":[],"mfaSetup":false}`, testMFACode))
		if f.mfaStatus != 0 {
			w.WriteHeader(f.mfaStatus)
		}
		body := f.mfaBody
		if body == "" {
			body = fmt.Sprintf(`{"responseStatus":{"type":"SUCCESSFUL"},"serviceTicketId":%q}`, testTicket)
		}
		fmt.Fprint(w, body)
	})
	if f.ownProfile {
		return
	}
	mux.HandleFunc("/userprofile-service/socialProfile", func(w http.ResponseWriter, r *http.Request) {
		f.record("profile")
		if f.profileStatus != 0 {
			w.WriteHeader(f.profileStatus)
			fmt.Fprint(w, `{"message":"token is not active"}`)
			return
		}
		fmt.Fprint(w, `{"profileId":42,"displayName":"ann","userName":"ann@example.com"}`)
	})
	mux.HandleFunc("/di-oauth2-service/oauth/token", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		if err := r.ParseForm(); err != nil {
			t.Fatal(err)
		}
		id := r.PostForm.Get("client_id")
		f.record("token " + id)
		f.mu.Lock()
		f.ids = append(f.ids, id)
		f.mu.Unlock()
		testHeader(t, r, "Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(id+":")))
		testHeader(t, r, "Content-Type", "application/x-www-form-urlencoded")
		for k, v := range map[string]string{
			"service_ticket": testTicket,
			"grant_type":     "https://connectapi.garmin.com/di-oauth2-service/oauth/grant/service_ticket",
			"service_url":    "https://mobile.integration.garmin.com/gcm/ios",
		} {
			if got := r.PostForm.Get(k); got != v {
				t.Errorf("form %s = %q, want %q", k, got, v)
			}
		}
		if f.tokenStatus != 0 {
			w.WriteHeader(f.tokenStatus)
			fmt.Fprint(w, `{"error":"slow_down"}`)
			return
		}
		if id != f.acceptID {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"invalid_client"}`)
			return
		}
		fmt.Fprintf(w, `{"access_token":%q,"refresh_token":"di-refresh-1","expires_in":3600,"token_type":"Bearer"}`,
			makeJWT(t, map[string]any{"client_id": id, "exp": testNow.Add(time.Hour).Unix()}))
	})
}

func TestLogin(t *testing.T) {
	secondID := diClientIDs[1]
	mfaRequired := `{"responseStatus":{"type":"MFA_REQUIRED"},"customerMfaInfo":{"mfaLastMethodUsed":"sms"}}`
	mfaFunc := func(context.Context) (string, error) { return " " + testMFACode + "\n", nil }
	tests := []struct {
		name      string
		sso       fakeSSO
		mfa       func(context.Context) (string, error)
		wantCalls []string
		check     func(t *testing.T, tok *Tokens, err error)
	}{
		{
			name:      "success, second client id accepted",
			sso:       fakeSSO{acceptID: secondID},
			wantCalls: []string{"login", "token " + diClientIDs[0], "token " + secondID, "profile"},
			check: func(t *testing.T, tok *Tokens, err error) {
				if err != nil {
					t.Fatal(err)
				}
				if tok.Family != FamilyDI || tok.ClientID != secondID || tok.RefreshToken != "di-refresh-1" || !tok.ExpiresAt.Equal(testNow.Add(time.Hour)) {
					t.Errorf("tokens = %v", tok)
				}
				if tok.Profile == nil || tok.Profile.ProfileID != 42 {
					t.Errorf("profile = %+v, want the confirming read's", tok.Profile)
				}
			},
		},
		{
			name:      "token issued, then refused by the API",
			sso:       fakeSSO{acceptID: diClientIDs[0], profileStatus: 401},
			wantCalls: []string{"login", "token " + diClientIDs[0], "profile"},
			check: func(t *testing.T, _ *Tokens, err error) {
				var le *LoginError
				if !errors.As(err, &le) || !errors.Is(err, ErrTokenRejected) {
					t.Errorf("error = %v, want a LoginError with ErrTokenRejected", err)
				}
			},
		},
		{
			name:      "MFA",
			sso:       fakeSSO{acceptID: diClientIDs[0], loginBody: mfaRequired},
			mfa:       mfaFunc,
			wantCalls: []string{"login", "mfa", "token " + diClientIDs[0], "profile"},
			check:     wantNoErr,
		},
		{
			name:      "MFA needed, no way to ask",
			sso:       fakeSSO{acceptID: diClientIDs[0], loginBody: mfaRequired},
			wantCalls: []string{"login"},
			check:     wantErrIs(ErrMFARequired),
		},
		{
			name:      "MFA code refused",
			sso:       fakeSSO{acceptID: diClientIDs[0], loginBody: mfaRequired, mfaBody: `{"responseStatus":{"type":"INVALID_MFA_CODE"}}`},
			mfa:       mfaFunc,
			wantCalls: []string{"login", "mfa"},
			check:     wantErrIs(ErrBadCredentials),
		},
		{
			name:      "MFA prompt fails",
			sso:       fakeSSO{acceptID: diClientIDs[0], loginBody: mfaRequired},
			mfa:       func(context.Context) (string, error) { return "", errPromptClosed },
			wantCalls: []string{"login"},
			check:     wantErrIs(errPromptClosed),
		},
		{
			name:      "MFA rate limited",
			sso:       fakeSSO{acceptID: diClientIDs[0], loginBody: mfaRequired, mfaStatus: 429},
			mfa:       mfaFunc,
			wantCalls: []string{"login", "mfa"},
			check:     wantLoginRateLimit(0),
		},
		{
			name:      "wrong password",
			sso:       fakeSSO{loginStatus: 401, loginBody: `{"responseStatus":{"type":"INVALID_USERNAME_PASSWORD"}}`},
			wantCalls: []string{"login"},
			check:     wantErrIs(ErrBadCredentials),
		},
		{
			name:      "captcha",
			sso:       fakeSSO{loginBody: `{"responseStatus":{"type":"CAPTCHA_REQUIRED"}}`},
			wantCalls: []string{"login"},
			check:     wantErrIs(ErrCaptcha),
		},
		{
			name:      "429 status",
			sso:       fakeSSO{loginStatus: 429, loginBody: `<html>Too Many Requests</html>`, retryAfter: "3600"},
			wantCalls: []string{"login"},
			check:     wantLoginRateLimit(time.Hour),
		},
		{
			name:      "429 in the body",
			sso:       fakeSSO{loginBody: `{"error":{"status-code":"429"}}`},
			wantCalls: []string{"login"},
			check:     wantLoginRateLimit(0),
		},
		{
			name:      "429 at the ticket exchange",
			sso:       fakeSSO{tokenStatus: 429},
			wantCalls: []string{"login", "token " + diClientIDs[0]},
			check:     wantLoginRateLimit(0),
		},
		{
			name: "every client id refused",
			sso:  fakeSSO{acceptID: "none"},
			wantCalls: []string{"login", "token " + diClientIDs[0], "token " + diClientIDs[1],
				"token " + diClientIDs[2], "token " + diClientIDs[3]},
			check: func(t *testing.T, _ *Tokens, err error) {
				var apiErr *APIError
				if !errors.As(err, &apiErr) || apiErr.Status != 401 {
					t.Errorf("error = %v, want the last APIError 401", err)
				}
			},
		},
		{
			name:      "Cloudflare challenge",
			sso:       fakeSSO{loginStatus: 403, loginBody: `<html><title>Just a moment...</title></html>`},
			wantCalls: []string{"login"},
			check: func(t *testing.T, _ *Tokens, err error) {
				var le *LoginError
				if !errors.As(err, &le) || !errors.Is(err, ErrChallenged) {
					t.Errorf("error = %v, want a LoginError with ErrChallenged", err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t, nil)
			sso := tt.sso
			sso.t = t
			sso.register(f.mux)
			// This table is about the mobile flow; the chain is tested
			// against the sandbox (signin_sandbox_test.go).
			tok, err := f.client.Login(context.Background(), LoginRequest{Email: testEmail, Password: testPassword, MFA: tt.mfa, Strategies: []string{StrategyMobile}})
			tt.check(t, tok, err)
			if diff := cmp.Diff(tt.wantCalls, sso.calls); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			if n := f.limiter.n.Load(); n != int64(len(sso.calls)) {
				t.Errorf("limiter waits = %d, want one per request (%d)", n, len(sso.calls))
			}
			saved, serr := f.store.Load()
			if err == nil {
				if serr != nil || saved.AccessToken != tok.AccessToken {
					t.Errorf("tokens not saved after login: %v", serr)
				}
			} else if !errors.Is(serr, ErrNoTokens) {
				t.Errorf("store after a failed login: %v, %v", saved, serr)
			}
			if err != nil && strings.Contains(err.Error(), testPassword) {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
}

var errPromptClosed = errors.New("prompt closed")

func wantNoErr(t *testing.T, _ *Tokens, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErrIs(target error) func(*testing.T, *Tokens, error) {
	return func(t *testing.T, _ *Tokens, err error) {
		t.Helper()
		if !errors.Is(err, target) {
			t.Errorf("error = %v, want %v", err, target)
		}
	}
}

func wantLoginRateLimit(after time.Duration) func(*testing.T, *Tokens, error) {
	return func(t *testing.T, _ *Tokens, err error) {
		t.Helper()
		var rl *RateLimitError
		if !errors.As(err, &rl) || !rl.Login || rl.RetryAfter != after {
			t.Errorf("error = %v, want RateLimitError{Login: true, RetryAfter: %v}", err, after)
		}
	}
}

func TestLoginNeedsCredentials(t *testing.T) {
	f := setup(t, nil)
	f.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { t.Errorf("request sent: %s", r.URL.Path) })
	for _, lr := range []LoginRequest{{Email: testEmail}, {Password: testPassword}} {
		if _, err := f.client.Login(context.Background(), lr); err == nil {
			t.Errorf("Login(%v) = nil error", lr)
		}
	}
	if s := fmt.Sprintf("%v %+v %#v %s", LoginRequest{Email: "e", Password: testPassword}, LoginRequest{Password: testPassword},
		LoginRequest{Password: testPassword}, LoginRequest{Password: testPassword}); strings.Contains(s, testPassword) {
		t.Errorf("LoginRequest prints the password: %s", s)
	}
}
