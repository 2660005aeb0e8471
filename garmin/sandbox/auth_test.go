package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"
)

const (
	loginPath = "/mobile/api/login?clientId=GCM_IOS_DARK&locale=en-US&service=https%3A%2F%2Fmobile.integration.garmin.com%2Fgcm%2Fios"
	mfaPath   = "/mobile/api/mfa/verifyCode?clientId=GCM_IOS_DARK&locale=en-US&service=https%3A%2F%2Fmobile.integration.garmin.com%2Fgcm%2Fios"
	service   = "https://mobile.integration.garmin.com/gcm/ios"
	tokenPath = "/di-oauth2-service/oauth/token"
)

func loginBody(user, pass string) string {
	b, _ := json.Marshal(map[string]any{"username": user, "password": pass, "rememberMe": true, "captchaToken": ""})
	return string(b)
}

func mfaBody(code string) string {
	b, _ := json.Marshal(map[string]any{"mfaMethod": "email", "mfaVerificationCode": code, "rememberMyBrowser": false, "reconsentList": []string{}, "mfaSetup": false})
	return string(b)
}

func respType(t *testing.T, r resp) string {
	t.Helper()
	rs, _ := r.json(t)["responseStatus"].(map[string]any)
	typ, _ := rs["type"].(string)
	return typ
}

// withJar gives the env a cookie jar, as a login client would have.
func (e *env) withJar() {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	e.hc.Jar = jar
}

func basic(clientID string) string {
	return "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(clientID+":"))
}

const formCT = "Content-Type: application/x-www-form-urlencoded"

func (e *env) exchange(clientID, ticket, svc string) resp {
	e.t.Helper()
	form := url.Values{"client_id": {clientID}, "service_ticket": {ticket}, "grant_type": {DIGrantServiceTicket}, "service_url": {svc}}
	return e.must("POST", tokenPath, form.Encode(), basic(clientID), formCT)
}

func (e *env) refreshDI(clientID, refresh string) resp {
	e.t.Helper()
	form := url.Values{"client_id": {clientID}, "refresh_token": {refresh}, "grant_type": {"refresh_token"}}
	return e.must("POST", tokenPath, form.Encode(), basic(clientID), formCT)
}

func TestLogin(t *testing.T) {
	e := setup(t, Options{})
	for _, a := range []Account{
		{Email: "mfa@example.com", Password: "pw", MFACode: "123456"},
		{Email: "limited@example.com", Password: "pw", LoginRateLimited: true},
		{Email: "robot@example.com", Password: "pw", Captcha: true},
	} {
		if err := e.s.AddAccount(a); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name, user, pass string
		status           int
		typ              string
	}{
		{"success", testEmail, testPassword, 200, "SUCCESSFUL"},
		{"email case", strings.ToUpper(testEmail), testPassword, 200, "SUCCESSFUL"},
		{"wrong password", testEmail, "nope", 200, "INVALID_USERNAME_PASSWORD"},
		{"unknown user", "who@example.com", "pw", 200, "INVALID_USERNAME_PASSWORD"},
		{"mfa", "mfa@example.com", "pw", 200, "MFA_REQUIRED"},
		{"captcha", "robot@example.com", "pw", 200, "CAPTCHA_REQUIRED"},
		{"rate limited", "limited@example.com", "pw", 429, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.must("POST", loginPath, loginBody(tc.user, tc.pass), "Content-Type: application/json")
			if r.status != tc.status {
				t.Fatalf("status %d (%s), want %d", r.status, r.body, tc.status)
			}
			if tc.typ != "" && respType(t, r) != tc.typ {
				t.Errorf("responseStatus.type %q, want %q", respType(t, r), tc.typ)
			}
			ticket, _ := r.json(t)["serviceTicketId"].(string)
			if (tc.typ == "SUCCESSFUL") != strings.HasPrefix(ticket, "ST-") {
				t.Errorf("serviceTicketId %q", ticket)
			}
		})
	}
	if r := e.must("POST", "/mobile/api/login", loginBody(testEmail, testPassword)); r.status != 400 {
		t.Errorf("login without clientId/service: status %d, want 400", r.status)
	}
}

func TestLoginTicketExchange(t *testing.T) {
	e := setup(t, Options{DIClientIDs: DefaultDIClientIDs()[1:]})
	r := e.must("POST", loginPath, loginBody(testEmail, testPassword))
	ticket := r.json(t)["serviceTicketId"].(string)
	ids := DefaultDIClientIDs()

	if r := e.exchange(ids[0], ticket, service); r.status != 401 {
		t.Errorf("rejected client id: status %d, want 401", r.status)
	}
	if r := e.exchange(ids[1], ticket, "https://elsewhere"); r.status != 400 {
		t.Errorf("wrong service_url: status %d, want 400", r.status)
	}
	// No Basic header.
	form := url.Values{"client_id": {ids[1]}, "service_ticket": {ticket}, "grant_type": {DIGrantServiceTicket}, "service_url": {service}}
	if r := e.must("POST", tokenPath, form.Encode(), formCT); r.status != 401 {
		t.Errorf("no Basic auth: status %d, want 401", r.status)
	}
	// JSON instead of a form.
	if r := e.must("POST", tokenPath, `{"grant_type":"refresh_token"}`, basic(ids[1]), "Content-Type: application/json"); r.status != 400 {
		t.Errorf("JSON body: status %d, want 400", r.status)
	}

	r = e.exchange(ids[1], ticket, service)
	if r.status != 200 {
		t.Fatalf("exchange: status %d (%s)", r.status, r.body)
	}
	body := r.json(t)
	for _, k := range []string{"access_token", "expires_in", "refresh_token", "refresh_token_expires_in", "scope", "token_type", "jti"} {
		if _, ok := body[k]; !ok {
			t.Errorf("token answer lacks %s", k)
		}
	}
	access := body["access_token"].(string)
	if r := e.must("GET", "/userprofile-service/socialProfile", "", bearer(access)); r.status != 200 {
		t.Errorf("fresh token: status %d", r.status)
	}
	if r := e.exchange(ids[1], ticket, service); r.status != 400 {
		t.Errorf("ticket reused: status %d, want 400", r.status)
	}
}

func TestTicketExpires(t *testing.T) {
	e := setup(t, Options{})
	ticket := e.must("POST", loginPath, loginBody(testEmail, testPassword)).json(t)["serviceTicketId"].(string)
	e.clock.Advance(ticketTTL)
	if r := e.exchange(DefaultDIClientIDs()[0], ticket, service); r.status != 400 {
		t.Errorf("expired ticket: status %d, want 400", r.status)
	}
}

// setupMFA is a fake with one account that asks for the code 123456, and
// a client that keeps cookies; signedIn: its password already sent, so a
// code is awaited.
func setupMFA(t *testing.T, signedIn bool) *env {
	t.Helper()
	e := setup(t, Options{})
	if err := e.s.AddAccount(Account{Email: "mfa@example.com", Password: "pw", MFACode: "123456"}); err != nil {
		t.Fatal(err)
	}
	e.withJar()
	if signedIn {
		e.must("POST", loginPath, loginBody("mfa@example.com", "pw"))
	}
	return e
}

func TestLoginMFA(t *testing.T) {
	e := setupMFA(t, false)

	// Without the login's session cookie the code is refused.
	if r := e.must("POST", mfaPath, mfaBody("123456")); r.status != 401 || respType(t, r) != "INVALID_SESSION" {
		t.Errorf("verify without session: %d %s", r.status, r.body)
	}
	r := e.must("POST", loginPath, loginBody("mfa@example.com", "pw"))
	if respType(t, r) != "MFA_REQUIRED" {
		t.Fatalf("login: %s", r.body)
	}
	info, _ := r.json(t)["customerMfaInfo"].(map[string]any)
	if info["mfaLastMethodUsed"] != "email" {
		t.Errorf("customerMfaInfo = %v", info)
	}
	if r := e.must("POST", mfaPath, mfaBody("000000")); r.status != 200 || respType(t, r) != "INVALID_MFA_CODE" {
		t.Errorf("wrong code: %d %s", r.status, r.body)
	}
	r = e.must("POST", mfaPath, mfaBody("123456"))
	if respType(t, r) != "SUCCESSFUL" {
		t.Fatalf("right code: %d %s", r.status, r.body)
	}
	ticket := r.json(t)["serviceTicketId"].(string)
	if r := e.exchange(DefaultDIClientIDs()[0], ticket, service); r.status != 200 {
		t.Errorf("exchange after MFA: status %d", r.status)
	}
	// The session is spent.
	if r := e.must("POST", mfaPath, mfaBody("123456")); r.status != 401 {
		t.Errorf("verify twice: status %d, want 401", r.status)
	}
}

func TestLoginMFAGivesUpAfterThreeWrongCodes(t *testing.T) {
	e := setupMFA(t, true)
	for range mfaMaxAttempts {
		if r := e.must("POST", mfaPath, mfaBody("000000")); respType(t, r) != "INVALID_MFA_CODE" {
			t.Fatalf("wrong code: %s", r.body)
		}
	}
	if r := e.must("POST", mfaPath, mfaBody("123456")); r.status != 401 {
		t.Errorf("right code after lockout: status %d, want 401", r.status)
	}
}

func TestLoginMFAExpires(t *testing.T) {
	e := setupMFA(t, true)
	e.clock.Advance(mfaTTL)
	if r := e.must("POST", mfaPath, mfaBody("123456")); r.status != 401 {
		t.Errorf("late code: status %d, want 401", r.status)
	}
}

func TestDIRefreshRotates(t *testing.T) {
	e := setup(t, Options{AccessTTL: 10 * time.Minute})
	tok := e.di()

	if r := e.refreshDI(DefaultDIClientIDs()[2], tok.RefreshToken); r.status != 400 {
		t.Errorf("refresh with another client id: status %d, want 400", r.status)
	}
	e.clock.Advance(10 * time.Minute)
	if r := e.must("GET", "/userprofile-service/socialProfile", "", bearer(tok.AccessToken)); r.status != 401 {
		t.Fatalf("expired access token: status %d, want 401", r.status)
	}
	r := e.refreshDI(tok.ClientID, tok.RefreshToken)
	if r.status != 200 {
		t.Fatalf("refresh: status %d (%s)", r.status, r.body)
	}
	body := r.json(t)
	access, refresh := body["access_token"].(string), body["refresh_token"].(string)
	if refresh == tok.RefreshToken || access == tok.AccessToken {
		t.Error("refresh did not rotate the tokens")
	}
	if r := e.must("GET", "/userprofile-service/socialProfile", "", bearer(access)); r.status != 200 {
		t.Errorf("new access token: status %d", r.status)
	}
	if r := e.refreshDI(tok.ClientID, tok.RefreshToken); r.status != 400 || r.json(t)["error"] != "invalid_grant" {
		t.Errorf("old refresh token reused: %d %s, want 400 invalid_grant", r.status, r.body)
	}
	if r := e.refreshDI(tok.ClientID, refresh); r.status != 200 {
		t.Errorf("new refresh token: status %d", r.status)
	}
	for _, form := range []url.Values{
		{"grant_type": {"password"}},
		{"refresh_token": {refresh}},
	} {
		if r := e.must("POST", tokenPath, form.Encode(), basic(tok.ClientID), formCT); r.status != 400 {
			t.Errorf("form %v: status %d, want 400", form, r.status)
		}
	}
}

func TestRefreshTokenExpires(t *testing.T) {
	e := setup(t, Options{RefreshTTL: time.Hour})
	tok := e.di()
	e.clock.Advance(time.Hour)
	if r := e.refreshDI(tok.ClientID, tok.RefreshToken); r.status != 400 {
		t.Errorf("expired refresh token: status %d, want 400", r.status)
	}
}

func TestWebRefreshRotates(t *testing.T) {
	e := setup(t, Options{})
	web, err := e.s.IssueWeb(testEmail)
	if err != nil {
		t.Fatal(err)
	}
	const path = "/services/auth/token/refresh"
	body := func(rt string) string { return `{"refresh_token":"` + rt + `"}` }
	cookie := func(fgp string) string { return "Cookie: " + FGPCookie + "=" + fgp }

	if r := e.must("POST", path, body(web.RefreshToken), cookie("wrong")); r.status != 401 {
		t.Errorf("wrong fgp: status %d, want 401", r.status)
	}
	if r := e.must("POST", path, body(web.RefreshToken)); r.status != 401 {
		t.Errorf("no fgp: status %d, want 401", r.status)
	}
	// A DI refresh token is not a web one.
	if r := e.must("POST", path, body(e.di().RefreshToken), cookie(web.JWTFGP)); r.status != 401 {
		t.Errorf("DI refresh token on the web endpoint: status %d, want 401", r.status)
	}
	r := e.must("POST", path, body(web.RefreshToken), cookie(web.JWTFGP), "Content-Type: application/json")
	if r.status != 200 {
		t.Fatalf("refresh: status %d (%s)", r.status, r.body)
	}
	var newFGP string
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == FGPCookie {
			newFGP = c.Value
		}
	}
	if newFGP == "" || newFGP == web.JWTFGP {
		t.Fatalf("new JWT_FGP %q", newFGP)
	}
	got := r.json(t)
	access, refresh := got["access_token"].(string), got["refresh_token"].(string)
	if r := e.must("GET", "/userprofile-service/socialProfile", "", bearer(access), cookie(newFGP)); r.status != 200 {
		t.Errorf("new token with new fgp: status %d", r.status)
	}
	if r := e.must("GET", "/userprofile-service/socialProfile", "", bearer(access), cookie(web.JWTFGP)); r.status != 401 {
		t.Errorf("new token with old fgp: status %d, want 401", r.status)
	}
	if r := e.must("POST", path, body(web.RefreshToken), cookie(web.JWTFGP)); r.status != 401 {
		t.Errorf("old refresh token reused: status %d, want 401", r.status)
	}
	// The web refresh token is no DI refresh token either.
	if r := e.refreshDI(DefaultDIClientIDs()[0], refresh); r.status != 400 {
		t.Errorf("web refresh token at the DI endpoint: status %d, want 400", r.status)
	}
	if r := e.must("POST", path, body(refresh), cookie(newFGP)); r.status != 200 {
		t.Errorf("new refresh token: status %d", r.status)
	}
}
