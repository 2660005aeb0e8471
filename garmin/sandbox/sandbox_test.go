package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testEmail    = "ann@example.com"
	testPassword = "hunter2"
	testProfile  = int64(4242)
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type env struct {
	t     *testing.T
	s     *Server
	url   string
	clock *clock
	hc    *http.Client
}

// setup starts a sandbox with one account behind a loopback httptest server.
func setup(t *testing.T, opts Options) *env {
	t.Helper()
	clk := &clock{t: time.Date(2024, 5, 15, 8, 0, 0, 0, time.UTC)}
	if opts.Now == nil {
		opts.Now = clk.Now
	}
	s := New(opts)
	if err := s.AddAccount(Account{Email: testEmail, Password: testPassword, ProfileID: testProfile, DisplayName: "ann"}); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	// No keep-alive: a fault that closes the connection then hits exactly
	// the request it was meant for, never a transparent retry.
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	return &env{t: t, s: s, url: ts.URL, clock: clk, hc: hc}
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("decode %q: %v", r.body, err)
	}
	return m
}

// do sends a request; headers are "Key: value" strings.
func (e *env) do(method, path, body string, headers ...string) (resp, error) {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(e.t.Context(), method, e.url+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Add(k, v)
	}
	res, err := e.hc.Do(req)
	if err != nil {
		return resp{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return resp{}, err
	}
	return resp{status: res.StatusCode, header: res.Header, body: b}, nil
}

func (e *env) must(method, path, body string, headers ...string) resp {
	e.t.Helper()
	r, err := e.do(method, path, body, headers...)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

func (e *env) di() DITokens {
	e.t.Helper()
	tok, err := e.s.IssueDI(testEmail)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

func bearer(tok string) string { return "Authorization: Bearer " + tok }

const logPath = "/usersummary-service/usersummary/hydration/log"

func water(date string, ml float64) string {
	b, _ := json.Marshal(map[string]any{
		"calendarDate":   date,
		"timestampLocal": date + "T07:12:51.180",
		"valueInML":      ml,
	})
	return string(b)
}

func TestLogWaterIsAdditive(t *testing.T) {
	e := setup(t, Options{})
	tok := e.di().AccessToken
	if err := e.s.SetTotal(testEmail, "2024-04-13", 500); err != nil {
		t.Fatal(err)
	}
	r := e.must("PUT", logPath, water("2024-04-13", 500), bearer(tok), "Content-Type: application/json")
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	got := r.json(t)
	if got["valueInML"] != 1000.0 || got["calendarDate"] != "2024-04-13" || got["userId"] != float64(testProfile) {
		t.Errorf("reply %v, want valueInML 1000 on 2024-04-13 for user %d", got, testProfile)
	}
	if got["lastEntryTimestampLocal"] != "2024-04-13T07:12:51.180" {
		t.Errorf("lastEntryTimestampLocal %v", got["lastEntryTimestampLocal"])
	}
	for _, k := range []string{"goalInML", "dailyAverageinML", "sweatLossInML", "activityIntakeInML"} {
		if _, ok := got[k]; !ok {
			t.Errorf("reply lacks %s", k)
		}
	}
	e.must("PUT", logPath, water("2024-04-13", -300), bearer(tok))
	if ml, ok := e.s.Total(testEmail, "2024-04-13"); !ok || ml != 700 {
		t.Errorf("Total = %v, %v; want 700, true", ml, ok)
	}
	if ml, ok := e.s.Total("4242", "2024-04-13"); !ok || ml != 700 {
		t.Errorf("Total by profile id = %v, %v; want 700, true", ml, ok)
	}
	reqs := e.s.Requests()
	if len(reqs) != 2 || !reqs[0].Applied || reqs[0].Class != ClassWrite || reqs[0].Account != testEmail {
		t.Errorf("request log %+v", reqs)
	}
}

func TestLogWaterValidates(t *testing.T) {
	e := setup(t, Options{})
	tok := e.di().AccessToken
	cases := []struct {
		name, body string
		want       int
	}{
		{"ok", `{"calendarDate":"2024-05-15","timestampLocal":"2024-05-15T07:12:51.180","valueInML":240.0}`, 200},
		{"no timestamp", `{"calendarDate":"2024-05-15","valueInML":240}`, 200},
		{"limit", `{"calendarDate":"2024-05-15","valueInML":10000}`, 200},
		{"negative limit", `{"calendarDate":"2024-05-15","valueInML":-10000}`, 200},
		{"own profile", `{"calendarDate":"2024-05-15","valueInML":1,"userProfileId":4242}`, 200},
		{"over limit", `{"calendarDate":"2024-05-15","valueInML":10000.5}`, 400},
		{"under limit", `{"calendarDate":"2024-05-15","valueInML":-10001}`, 400},
		{"no value", `{"calendarDate":"2024-05-15"}`, 400},
		{"null value", `{"calendarDate":"2024-05-15","valueInML":null}`, 400},
		{"string value", `{"calendarDate":"2024-05-15","valueInML":"240"}`, 400},
		{"no date", `{"valueInML":240}`, 400},
		{"bad date", `{"calendarDate":"2024-5-15","valueInML":240}`, 400},
		{"impossible date", `{"calendarDate":"2024-02-30","valueInML":240}`, 400},
		{"bad timestamp", `{"calendarDate":"2024-05-15","timestampLocal":"2024-05-15T07:12:51Z","valueInML":240}`, 400},
		{"not json", `calendarDate=2024-05-15`, 400},
		{"other profile", `{"calendarDate":"2024-05-15","valueInML":1,"userProfileId":1}`, 403},
	}
	last := 0.0
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.must("PUT", logPath, tc.body, bearer(tok))
			if r.status != tc.want {
				t.Fatalf("status %d (%s), want %d", r.status, r.body, tc.want)
			}
			if tc.want == 200 {
				last, _ = r.json(t)["valueInML"].(float64)
			}
		})
	}
	if ml, _ := e.s.Total(testEmail, "2024-05-15"); ml != 240+240+10000-10000+1 {
		t.Errorf("total %v after the valid entries, want 481", ml)
	}
	if last != 481 {
		t.Errorf("last reply total %v, want 481", last)
	}
}

func TestDailyWater(t *testing.T) {
	e := setup(t, Options{})
	tok := e.di().AccessToken
	r := e.must("GET", "/usersummary-service/usersummary/hydration/daily/2024-05-15", "", bearer(tok))
	if r.status != 200 {
		t.Fatalf("status %d", r.status)
	}
	got := r.json(t)
	if v, ok := got["valueInML"]; !ok || v != nil {
		t.Errorf("valueInML = %v (present %v), want null", v, ok)
	}
	e.must("PUT", logPath, water("2024-05-15", 250), bearer(tok))
	got = e.must("GET", "/usersummary-service/usersummary/hydration/daily/2024-05-15", "", bearer(tok)).json(t)
	if got["valueInML"] != 250.0 {
		t.Errorf("valueInML = %v, want 250", got["valueInML"])
	}
	if r := e.must("GET", "/usersummary-service/usersummary/hydration/daily/15-05-2024", "", bearer(tok)); r.status != 400 {
		t.Errorf("bad date: status %d, want 400", r.status)
	}
}

func TestRangeWater(t *testing.T) {
	e := setup(t, Options{})
	tok := e.di().AccessToken
	if err := e.s.SetTotal(testEmail, "2024-02-28", 1500); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		start, end string
		want       int
		days       int
	}{
		{"2024-02-01", "2024-02-28", 200, 28},
		{"2024-02-05", "2024-03-03", 200, 28}, // over Feb 29
		{"2024-02-01", "2024-02-29", 400, 0},
		{"2024-02-28", "2024-02-28", 200, 1},
		{"2024-03-01", "2024-02-28", 400, 0},
		{"2024-02-xx", "2024-02-28", 400, 0},
	}
	for _, tc := range cases {
		r := e.must("GET", "/usersummary-service/stats/hydration/daily/"+tc.start+"/"+tc.end, "", bearer(tok))
		if r.status != tc.want {
			t.Errorf("%s..%s: status %d, want %d", tc.start, tc.end, r.status, tc.want)
			continue
		}
		if tc.want != 200 {
			continue
		}
		var days []struct {
			CalendarDate string   `json:"calendarDate"`
			ValueInML    *float64 `json:"valueInML"`
		}
		if err := json.Unmarshal(r.body, &days); err != nil {
			t.Fatal(err)
		}
		if len(days) != tc.days || days[0].CalendarDate != tc.start || days[len(days)-1].CalendarDate != tc.end {
			t.Errorf("%s..%s: %d days from %s, want %d", tc.start, tc.end, len(days), days[0].CalendarDate, tc.days)
		}
		for _, d := range days {
			if d.CalendarDate == "2024-02-28" {
				if d.ValueInML == nil || *d.ValueInML != 1500 {
					t.Errorf("2024-02-28 = %v, want 1500", d.ValueInML)
				}
			} else if d.ValueInML != nil {
				t.Errorf("%s = %v, want null", d.CalendarDate, *d.ValueInML)
			}
		}
	}
}

func TestSocialProfile(t *testing.T) {
	e := setup(t, Options{})
	got := e.must("GET", "/userprofile-service/socialProfile", "", bearer(e.di().AccessToken)).json(t)
	if got["profileId"] != float64(testProfile) || got["displayName"] != "ann" || got["userName"] != testEmail || got["fullName"] != "ann" {
		t.Errorf("socialProfile = %v", got)
	}
}

func TestDataNeedsAValidToken(t *testing.T) {
	e := setup(t, Options{AccessTTL: time.Hour})
	tok := e.di().AccessToken
	other := New(Options{Seed: 99})
	if err := other.AddAccount(Account{Email: testEmail}); err != nil {
		t.Fatal(err)
	}
	forged, _ := other.IssueDI(testEmail)
	parts := strings.Split(tok, ".")
	cases := []struct {
		name   string
		header []string
	}{
		{"none", nil},
		{"not bearer", []string{"Authorization: Basic " + tok}},
		{"garbage", []string{bearer("abc")}},
		{"other server's key", []string{bearer(forged.AccessToken)}},
		{"tampered payload", []string{bearer(parts[0] + "." + parts[1] + "x." + parts[2])}},
		{"alg none", []string{bearer(b64.EncodeToString([]byte(`{"alg":"none"}`)) + "." + parts[1] + ".")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.must("GET", "/userprofile-service/socialProfile", "", tc.header...)
			if r.status != 401 {
				t.Errorf("status %d, want 401", r.status)
			}
		})
	}
	if r := e.must("GET", "/userprofile-service/socialProfile", "", bearer(tok)); r.status != 200 {
		t.Fatalf("valid token: status %d", r.status)
	}
	e.clock.Advance(time.Hour)
	if r := e.must("GET", "/userprofile-service/socialProfile", "", bearer(tok)); r.status != 401 {
		t.Errorf("expired token: status %d, want 401", r.status)
	}
	if n := len(e.s.Totals(testEmail)); n != 0 {
		t.Errorf("%d days stored", n)
	}
}

func TestTokenIsARealJWT(t *testing.T) {
	e := setup(t, Options{AccessTTL: 90 * time.Minute})
	tok := e.di()
	parts := strings.Split(tok.AccessToken, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	payload, err := b64.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now()
	if c["exp"] != float64(now.Add(90*time.Minute).Unix()) || c["iat"] != float64(now.Unix()) {
		t.Errorf("exp/iat = %v/%v, want %d/%d", c["exp"], c["iat"], now.Add(90*time.Minute).Unix(), now.Unix())
	}
	if c["sub"] != testEmail || c["client_id"] != DefaultDIClientIDs()[0] || c["jti"] == "" {
		t.Errorf("claims %v", c)
	}
	if tok.ExpiresIn != 5400 || tok.ClientID != DefaultDIClientIDs()[0] {
		t.Errorf("IssueDI = %+v", tok)
	}
}

func TestAccessMaxRequests(t *testing.T) {
	e := setup(t, Options{AccessMaxRequests: 2})
	tok := e.di().AccessToken
	for i, want := range []int{200, 200, 401, 401} {
		if r := e.must("GET", "/userprofile-service/socialProfile", "", bearer(tok)); r.status != want {
			t.Errorf("request %d: status %d, want %d", i+1, r.status, want)
		}
	}
}

func TestWebTokens(t *testing.T) {
	e := setup(t, Options{})
	web, err := e.s.IssueWeb(testEmail)
	if err != nil {
		t.Fatal(err)
	}
	fgp := "Cookie: " + FGPCookie + "=" + web.JWTFGP
	backend := DIBackendHeader + ": " + DIBackendValue
	cases := []struct {
		name    string
		method  string
		path    string
		body    string
		headers []string
		want    int
	}{
		{"read without cookie", "GET", "/userprofile-service/socialProfile", "", nil, 401},
		{"read wrong cookie", "GET", "/userprofile-service/socialProfile", "", []string{"Cookie: JWT_FGP=nope"}, 401},
		{"read with cookie", "GET", "/userprofile-service/socialProfile", "", []string{fgp}, 200},
		{"write without DI-Backend", "PUT", logPath, water("2024-05-15", 100), []string{fgp}, 404},
		{"write wrong DI-Backend", "PUT", logPath, water("2024-05-15", 100), []string{fgp, DIBackendHeader + ": connect.garmin.com"}, 404},
		{"write without cookie", "PUT", logPath, water("2024-05-15", 100), []string{backend}, 401},
		{"write", "PUT", logPath, water("2024-05-15", 100), []string{fgp, backend}, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := append([]string{bearer(web.AccessToken)}, tc.headers...)
			if r := e.must(tc.method, tc.path, tc.body, h...); r.status != tc.want {
				t.Errorf("status %d (%s), want %d", r.status, r.body, tc.want)
			}
		})
	}
	if ml, _ := e.s.Total(testEmail, "2024-05-15"); ml != 100 {
		t.Errorf("total %v, want only the accepted write's 100", ml)
	}
	// A DI token needs neither cookie nor DI-Backend.
	if r := e.must("PUT", logPath, water("2024-05-15", 1), bearer(e.di().AccessToken)); r.status != 200 {
		t.Errorf("DI write: status %d", r.status)
	}
}

func TestUnknownPath(t *testing.T) {
	e := setup(t, Options{})
	if r := e.must("GET", "/nope", "", bearer(e.di().AccessToken)); r.status != 404 {
		t.Errorf("status %d, want 404", r.status)
	}
	if r := e.must("POST", "/usersummary-service/usersummary/hydration/log", water("2024-05-15", 1), bearer(e.di().AccessToken)); r.status != 404 {
		t.Errorf("POST on the PUT route: status %d, want 404", r.status)
	}
}

func TestAddAccount(t *testing.T) {
	s := New(Options{})
	if err := s.AddAccount(Account{Email: "a@x"}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddAccount(Account{Email: "A@x"}); err == nil {
		t.Error("duplicate email accepted")
	}
	if err := s.AddAccount(Account{}); err == nil {
		t.Error("empty email accepted")
	}
	a, _ := s.Account("a@x")
	if err := s.AddAccount(Account{Email: "b@x", ProfileID: a.ProfileID}); err == nil {
		t.Error("duplicate profile id accepted")
	}
	if a.ProfileID == 0 || a.DisplayName != "a" || a.GoalML != DefaultGoalML {
		t.Errorf("defaults not filled: %+v", a)
	}
	if _, err := s.IssueDI("nobody@x"); err == nil {
		t.Error("IssueDI for an unknown account succeeded")
	}
	if err := s.SetTotal("a@x", "2024-13-01", 1); err == nil {
		t.Error("SetTotal accepted a bad date")
	}
}
