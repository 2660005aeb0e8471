package garmin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestNewClientBaseURL(t *testing.T) {
	tests := []struct {
		in      string
		want    string // "" when refused
		wantErr string
	}{
		{in: "https://garmin.example.com", want: "https://garmin.example.com"},
		{in: "https://garmin.example.com/prefix/", want: "https://garmin.example.com/prefix"},
		{in: "http://127.0.0.1:8080", want: "http://127.0.0.1:8080"},
		{in: "http://127.3.4.5:1/x", want: "http://127.3.4.5:1/x"},
		{in: "http://[::1]:9000/", want: "http://[::1]:9000"},
		{in: "http://localhost:1234", want: "http://localhost:1234"},
		{in: "http://garmin.example.com", wantErr: "plain http"},
		{in: "http://10.0.0.1", wantErr: "plain http"},
		{in: "http://127.0.0.1.example.com", wantErr: "plain http"},
		{in: "ftp://127.0.0.1", wantErr: "scheme"},
		{in: "https://u:p@garmin.example.com", wantErr: "no user"},
		{in: "https://garmin.example.com/?a=b", wantErr: "no user, query"},
		{in: "garmin.example.com", wantErr: "want scheme"},
		{in: "://", wantErr: "base url"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := NewClient(Options{BaseURL: tt.in})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("NewClient(%q) error = %v, want one containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := hosts{sso: tt.want, diauth: tt.want, connectAPI: tt.want, connect: tt.want}
			if c.hosts != want {
				t.Errorf("hosts = %+v, want %+v", c.hosts, want)
			}
		})
	}
}

// recordingTransport answers every request with answer and records its URL.
type recordingTransport struct {
	urls   []string
	answer func(*http.Request) *http.Response
}

func (rt *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.urls = append(rt.urls, r.Method+" "+r.URL.String())
	return rt.answer(r), nil
}

func jsonResponse(r *http.Request, status int, body string) *http.Response {
	return &http.Response{
		StatusCode: status, Request: r, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)),
	}
}

// TestRealHosts pins which real host each call goes to, per token family.
func TestRealHosts(t *testing.T) {
	exp := testNow.Add(time.Hour)
	tests := []struct {
		name string
		tok  *Tokens
		run  func(*Client) error
		want []string
	}{
		{
			name: "DI data call",
			tok:  diTokens(t, "a", exp),
			run:  func(c *Client) error { _, err := c.SocialProfile(context.Background()); return err },
			want: []string{"GET https://connectapi.garmin.com/userprofile-service/socialProfile"},
		},
		{
			name: "web data call",
			tok:  webTokens(t, "a", exp),
			run:  func(c *Client) error { _, err := c.HydrationDay(context.Background(), "2024-05-01"); return err },
			want: []string{"GET https://connect.garmin.com/usersummary-service/usersummary/hydration/daily/2024-05-01"},
		},
		{
			name: "DI refresh",
			tok:  diTokens(t, "a", testNow.Add(time.Minute)),
			run:  func(c *Client) error { _, err := c.SocialProfile(context.Background()); return err },
			want: []string{
				"POST https://diauth.garmin.com/di-oauth2-service/oauth/token",
				"GET https://connectapi.garmin.com/userprofile-service/socialProfile",
			},
		},
		{
			name: "web refresh",
			tok:  webTokens(t, "a", testNow.Add(time.Minute)),
			run:  func(c *Client) error { _, err := c.SocialProfile(context.Background()); return err },
			want: []string{
				"POST https://connect.garmin.com/services/auth/token/refresh",
				"GET https://connect.garmin.com/userprofile-service/socialProfile",
			},
		},
		{
			name: "login",
			run: func(c *Client) error {
				_, err := c.Login(context.Background(), LoginRequest{Email: "a@b.c", Password: "pw"})
				return err
			},
			want: []string{
				"POST https://sso.garmin.com/mobile/api/login?clientId=GCM_IOS_DARK&locale=en-US&service=https%3A%2F%2Fmobile.integration.garmin.com%2Fgcm%2Fios",
				"POST https://diauth.garmin.com/di-oauth2-service/oauth/token",
				"GET https://connectapi.garmin.com/userprofile-service/socialProfile",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := &recordingTransport{answer: func(r *http.Request) *http.Response {
				switch r.URL.Path {
				case pathDIToken, pathWebRefresh:
					return jsonResponse(r, 200, `{"access_token":"new-access","refresh_token":"new-refresh","expires_in":3600}`)
				case pathLogin:
					return jsonResponse(r, 200, `{"responseStatus":{"type":"SUCCESSFUL"},"serviceTicketId":"ST-0001-abcdef"}`)
				}
				return jsonResponse(r, 200, `{}`)
			}}
			c, err := NewClient(Options{
				HTTPClient: &http.Client{Transport: rt},
				Now:        func() time.Time { return testNow },
				Store:      NewMemoryTokenStore(tt.tok),
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.run(c); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, rt.urls); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
		})
	}
}

// diHeaders are the mobile headers every DI data call carries.
var diHeaders = map[string]string{
	"User-Agent":                  "GCM-Android-5.23",
	"X-Garmin-User-Agent":         "com.garmin.android.apps.connectmobile/5.23; ; Google/sdk_gphone64_arm64/google; Android/33; Dalvik/2.1.0",
	"X-Garmin-Paired-App-Version": "10861",
	"X-App-Ver":                   "10861",
	"X-Garmin-Client-Platform":    "Android",
	"X-Lang":                      "en",
	"X-GCExperience":              "GC5",
}

func TestLogWater(t *testing.T) {
	for _, fam := range []Family{FamilyDI, FamilyWeb} {
		t.Run(string(fam), func(t *testing.T) {
			tok := diTokens(t, "lw", testNow.Add(time.Hour))
			if fam == FamilyWeb {
				tok = webTokens(t, "lw", testNow.Add(time.Hour))
			}
			f := setup(t, tok)
			f.mux.HandleFunc("/usersummary-service/usersummary/hydration/log", func(w http.ResponseWriter, r *http.Request) {
				testMethod(t, r, http.MethodPut)
				testHeader(t, r, "Authorization", "Bearer "+tok.AccessToken.Reveal())
				testHeader(t, r, "Content-Type", "application/json")
				testHeader(t, r, "Accept", "application/json")
				if fam == FamilyDI {
					for k, v := range diHeaders {
						testHeader(t, r, k, v)
					}
					testHeader(t, r, "Cookie", "")
					testHeader(t, r, "DI-Backend", "")
				} else {
					testHeader(t, r, "Cookie", "JWT_FGP="+tok.JWTFGP.Reveal())
					testHeader(t, r, "DI-Backend", "connectapi.garmin.com")
					testHeader(t, r, "NK", "NT")
					testHeader(t, r, "Origin", "https://connect.garmin.com")
					testHeader(t, r, "Referer", "https://connect.garmin.com/modern/")
					testHeader(t, r, "X-Garmin-User-Agent", "")
				}
				testJSONBody(t, r, `{"calendarDate":"2024-05-15","timestampLocal":"2024-05-15T07:12:51.180","valueInML":240}`)
				fmt.Fprint(w, `{"userId":1337,"calendarDate":"2024-05-15","valueInML":740.0,"goalInML":2988.0,"dailyAverageinML":null,"lastEntryTimestampLocal":"2024-05-15T07:12:51.180","sweatLossInML":188.0,"activityIntakeInML":0.0}`)
			})
			got, err := f.client.LogWater(context.Background(), HydrationLog{CalendarDate: "2024-05-15", TimestampLocal: "2024-05-15T07:12:51.180", ValueInML: 240})
			if err != nil {
				t.Fatal(err)
			}
			want := &HydrationDay{
				UserID: 1337, CalendarDate: "2024-05-15", ValueInML: ptr(740.0), GoalInML: ptr(2988.0),
				LastEntryTimestampLocal: "2024-05-15T07:12:51.180", SweatLossInML: ptr(188.0), ActivityIntakeInML: ptr(0.0),
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("LogWater (-want +got):\n%s", diff)
			}
			if n := f.limiter.n.Load(); n != 1 {
				t.Errorf("limiter waited %d times, want 1", n)
			}
		})
	}
}

func TestLogWaterEmptyAnswer(t *testing.T) {
	f := setup(t, diTokens(t, "e", testNow.Add(time.Hour)))
	f.mux.HandleFunc("/usersummary-service/usersummary/hydration/log", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	got, err := f.client.LogWater(context.Background(), HydrationLog{CalendarDate: "2024-05-15", TimestampLocal: "2024-05-15T07:12:51.180", ValueInML: -100})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&HydrationDay{CalendarDate: "2024-05-15"}, got); diff != "" {
		t.Errorf("LogWater (-want +got):\n%s", diff)
	}
}

func TestLogWaterRefusesBadInput(t *testing.T) {
	f := setup(t, diTokens(t, "v", testNow.Add(time.Hour)))
	f.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { t.Errorf("request sent: %s", r.URL.Path) })
	ok := HydrationLog{CalendarDate: "2024-05-15", TimestampLocal: "2024-05-15T07:12:51.180", ValueInML: 100}
	tests := []struct {
		name   string
		modify func(*HydrationLog)
	}{
		{"bad date", func(h *HydrationLog) { h.CalendarDate = "2024-5-15" }},
		{"impossible date", func(h *HydrationLog) { h.CalendarDate = "2024-02-30" }},
		{"timestamp with zone", func(h *HydrationLog) { h.TimestampLocal = "2024-05-15T07:12:51Z" }},
		{"timestamp without millis", func(h *HydrationLog) { h.TimestampLocal = "2024-05-15T07:12:51" }},
		{"zero", func(h *HydrationLog) { h.ValueInML = 0 }},
		{"over 10 litres", func(h *HydrationLog) { h.ValueInML = 10000.5 }},
		{"under -10 litres", func(h *HydrationLog) { h.ValueInML = -10001 }},
		{"NaN", func(h *HydrationLog) { h.ValueInML = nan() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := ok
			tt.modify(&h)
			if _, err := f.client.LogWater(context.Background(), h); err == nil {
				t.Errorf("LogWater(%+v) = nil error", h)
			}
		})
	}
}

func nan() float64 { var z float64; return z / z }

func TestHydrationDay(t *testing.T) {
	tests := []struct {
		name string
		body string
		want *HydrationDay
	}{
		{"logged", `{"userId":7,"calendarDate":"2024-04-13","valueInML":1700.0,"goalInML":2988.0}`,
			&HydrationDay{UserID: 7, CalendarDate: "2024-04-13", ValueInML: ptr(1700.0), GoalInML: ptr(2988.0)}},
		{"nothing logged", `{"userId":7,"calendarDate":"2024-04-13","valueInML":null,"goalInML":2988.0}`,
			&HydrationDay{UserID: 7, CalendarDate: "2024-04-13", GoalInML: ptr(2988.0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t, diTokens(t, "d", testNow.Add(time.Hour)))
			f.mux.HandleFunc("/usersummary-service/usersummary/hydration/daily/2024-04-13", func(w http.ResponseWriter, r *http.Request) {
				testMethod(t, r, http.MethodGet)
				fmt.Fprint(w, tt.body)
			})
			got, err := f.client.HydrationDay(context.Background(), "2024-04-13")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("HydrationDay (-want +got):\n%s", diff)
			}
		})
	}
	f := setup(t, diTokens(t, "d", testNow.Add(time.Hour)))
	if _, err := f.client.HydrationDay(context.Background(), "../../x"); err == nil {
		t.Error("HydrationDay accepted a bad date")
	}
}

func TestHydrationRangePages(t *testing.T) {
	f := setup(t, diTokens(t, "r", testNow.Add(time.Hour)))
	var pages []string
	f.mux.HandleFunc("/usersummary-service/stats/hydration/daily/{start}/{end}", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		start, end := r.PathValue("start"), r.PathValue("end")
		pages = append(pages, start+"/"+end)
		// Answer newest first, to prove the client sorts.
		fmt.Fprintf(w, `[{"calendarDate":%q,"valueInML":2.0,"goalInML":2000.0},{"calendarDate":%q,"valueInML":1.0,"goalInML":2000.0}]`, end, start)
	})
	got, err := f.client.HydrationRange(context.Background(), "2024-01-01", "2024-03-01")
	if err != nil {
		t.Fatal(err)
	}
	var dates []string
	for _, d := range got {
		dates = append(dates, d.CalendarDate)
	}
	f.wantPaged(t, pages, []string{"2024-01-01/2024-01-28", "2024-01-29/2024-02-25", "2024-02-26/2024-03-01"},
		dates, []string{"2024-01-01", "2024-01-28", "2024-01-29", "2024-02-25", "2024-02-26", "2024-03-01"})
}

// TestRangeArgs checks how the range reads split a range into pages (28
// days for hydration, a year for weight) and refuse bad dates, sending
// nothing.
func TestRangeArgs(t *testing.T) {
	type rangeCase struct {
		start, end string
		pages      int32
		wantErr    bool
	}
	tests := []struct {
		name    string
		pattern string
		answer  string
		read    func(c *Client, start, end string) error
		cases   []rangeCase
	}{
		{
			name:    "hydration",
			pattern: "/usersummary-service/stats/hydration/daily/{start}/{end}",
			answer:  `[]`,
			read: func(c *Client, start, end string) error {
				_, err := c.HydrationRange(context.Background(), start, end)
				return err
			},
			cases: []rangeCase{
				{"2024-01-01", "2024-01-01", 1, false},
				{"2024-01-01", "2024-01-28", 1, false},
				{"2024-01-01", "2024-01-29", 2, false},
				{"2024-01-02", "2024-01-01", 0, true},
				{"2024-01-01", "tomorrow", 0, true},
			},
		},
		{
			name:    "weight",
			pattern: "/weight-service/weight/range/{start}/{end}",
			answer:  `{"dailyWeightSummaries":[]}`,
			read: func(c *Client, start, end string) error {
				_, err := c.WeightRange(context.Background(), start, end)
				return err
			},
			cases: []rangeCase{
				{"2024-01-01", "2024-01-01", 1, false},
				{"2024-01-01", "2024-12-31", 1, false}, // 366 days (leap year)
				{"2024-01-01", "2025-01-01", 2, false},
				{"2024-01-02", "2024-01-01", 0, true},
				{"2024-01-01", "soon", 0, true},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t, diTokens(t, "r", testNow.Add(time.Hour)))
			var calls atomic.Int32
			f.mux.HandleFunc(tt.pattern, func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				fmt.Fprint(w, tt.answer)
			})
			for _, rc := range tt.cases {
				calls.Store(0)
				err := tt.read(f.client, rc.start, rc.end)
				if (err != nil) != rc.wantErr {
					t.Errorf("(%s, %s) error = %v, want error %v", rc.start, rc.end, err, rc.wantErr)
				}
				if got := calls.Load(); got != rc.pages {
					t.Errorf("(%s, %s) made %d calls, want %d", rc.start, rc.end, got, rc.pages)
				}
			}
		})
	}
}

func TestSocialProfileCachesProfile(t *testing.T) {
	tok := diTokens(t, "p", testNow.Add(time.Hour))
	f := setup(t, tok)
	f.mux.HandleFunc("/userprofile-service/socialProfile", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		fmt.Fprint(w, `{"id":1,"profileId":1337,"displayName":"runner42","userName":"runner@example.com","fullName":"Ann Runner","garminGUID":"x"}`)
	})
	got, err := f.client.SocialProfile(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := &Profile{ProfileID: 1337, DisplayName: "runner42", UserName: "runner@example.com", FullName: "Ann Runner"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SocialProfile (-want +got):\n%s", diff)
	}
	saved, err := f.store.Load()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, saved.Profile); diff != "" {
		t.Errorf("cached profile (-want +got):\n%s", diff)
	}
	if saved.AccessToken != tok.AccessToken || saved.RefreshToken != tok.RefreshToken {
		t.Error("caching the profile changed the tokens")
	}
}

func TestNoTokens(t *testing.T) {
	f := setup(t, nil)
	_, err := f.client.SocialProfile(context.Background())
	if !errors.Is(err, ErrNoTokens) || !errors.Is(err, ErrUnauthorized) {
		t.Errorf("error = %v, want ErrNoTokens and ErrUnauthorized", err)
	}
}

// TestErrorAnswers maps answers to typed errors, for a read and a write.
func TestErrorAnswers(t *testing.T) {
	tests := []struct {
		name   string
		status int
		header map[string]string
		body   string
		check  func(t *testing.T, write bool, err error)
	}{
		{
			name: "429 with Retry-After seconds", status: 429, header: map[string]string{"Retry-After": "120"},
			check: wantRateLimit(120 * time.Second),
		},
		{
			name: "429 with Retry-After date", status: 429,
			header: map[string]string{"Retry-After": testNow.Add(90 * time.Second).Format(http.TimeFormat)},
			check:  wantRateLimit(90 * time.Second),
		},
		{name: "429 without Retry-After", status: 429, check: wantRateLimit(0)},
		{name: "429 in a JSON body", status: 200, body: `{"error":{"status-code":"429","message":"slow down"}}`, check: wantRateLimit(0)},
		{
			name: "404", status: 404, body: `{"message":"not found"}`,
			check: func(t *testing.T, _ bool, err error) {
				var apiErr *APIError
				if !errors.As(err, &apiErr) || apiErr.Status != 404 || apiErr.Body != `{"message":"not found"}` {
					t.Errorf("error = %#v, want APIError 404 with the body", err)
				}
				if errors.Is(err, ErrOutcomeUnknown) {
					t.Error("a 404 is not an unknown outcome")
				}
			},
		},
		{
			name: "403 Cloudflare", status: 403, body: "<html><title>Just a moment...</title></html>",
			check: func(t *testing.T, _ bool, err error) {
				var apiErr *APIError
				if !errors.As(err, &apiErr) || apiErr.Status != 403 {
					t.Errorf("error = %v, want APIError 403", err)
				}
			},
		},
		{
			name: "500", status: 500, body: `{"message":"boom"}`,
			check: func(t *testing.T, write bool, err error) {
				var apiErr *APIError
				if !errors.As(err, &apiErr) || apiErr.Status != 500 {
					t.Errorf("error = %v, want it to hold APIError 500", err)
				}
				if got := errors.Is(err, ErrOutcomeUnknown); got != write {
					t.Errorf("errors.Is(err, ErrOutcomeUnknown) = %v, want %v (write=%v)", got, write, write)
				}
			},
		},
		{
			name: "garbled 200", status: 200, body: `{"calendarDate":`,
			check: func(t *testing.T, write bool, err error) {
				if err == nil {
					t.Fatal("no error")
				}
				if got := errors.Is(err, ErrOutcomeUnknown); got != write {
					t.Errorf("errors.Is(err, ErrOutcomeUnknown) = %v, want %v", got, write)
				}
			},
		},
	}
	for _, tt := range tests {
		for _, write := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/write=%v", tt.name, write), func(t *testing.T) {
				f := setup(t, diTokens(t, "e", testNow.Add(time.Hour)))
				h := func(w http.ResponseWriter, r *http.Request) {
					for k, v := range tt.header {
						w.Header().Set(k, v)
					}
					w.WriteHeader(tt.status)
					fmt.Fprint(w, tt.body)
				}
				f.mux.HandleFunc("/usersummary-service/usersummary/hydration/log", h)
				f.mux.HandleFunc("/usersummary-service/usersummary/hydration/daily/{date}", h)
				var err error
				if write {
					_, err = f.client.LogWater(context.Background(), HydrationLog{CalendarDate: "2024-05-15", TimestampLocal: "2024-05-15T07:12:51.180", ValueInML: 100})
				} else {
					_, err = f.client.HydrationDay(context.Background(), "2024-05-15")
				}
				tt.check(t, write, err)
			})
		}
	}
}

func wantRateLimit(after time.Duration) func(*testing.T, bool, error) {
	return func(t *testing.T, _ bool, err error) {
		t.Helper()
		var rl *RateLimitError
		if !errors.As(err, &rl) {
			t.Fatalf("error = %v, want *RateLimitError", err)
		}
		if rl.RetryAfter != after || rl.Login {
			t.Errorf("RateLimitError = %+v, want RetryAfter %v, Login false", *rl, after)
		}
		if errors.Is(err, ErrOutcomeUnknown) {
			t.Error("a 429 is not an unknown outcome")
		}
	}
}

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"-5", 0},
		{"30", 30 * time.Second},
		{" 7 ", 7 * time.Second},
		{"soon", 0},
		{"99999999999999", 365 * 24 * time.Hour},
		{testNow.Add(time.Hour).Format(http.TimeFormat), time.Hour},
		{testNow.Add(-time.Hour).Format(http.TimeFormat), 0},
	}
	for _, tt := range tests {
		if got := retryAfter(tt.in, testNow); got != tt.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// hangUp is a handler that reads the request and closes the connection
// without answering: the request arrived, its outcome is unknown.
func hangUp(t *testing.T) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		conn.Close()
	}
}

func TestTransportErrors(t *testing.T) {
	entry := HydrationLog{CalendarDate: "2024-05-15", TimestampLocal: "2024-05-15T07:12:51.180", ValueInML: 100}

	t.Run("write cut off after sending", func(t *testing.T) {
		f := setup(t, diTokens(t, "t", testNow.Add(time.Hour)))
		f.mux.HandleFunc("/usersummary-service/usersummary/hydration/log", hangUp(t))
		_, err := f.client.LogWater(context.Background(), entry)
		var ou *OutcomeUnknownError
		if !errors.As(err, &ou) || !errors.Is(err, ErrOutcomeUnknown) {
			t.Fatalf("error = %v, want *OutcomeUnknownError", err)
		}
		if ou.Method != http.MethodPut || ou.Path != pathHydrationLog {
			t.Errorf("OutcomeUnknownError = %+v", ou)
		}
	})
	t.Run("read cut off", func(t *testing.T) {
		f := setup(t, diTokens(t, "t", testNow.Add(time.Hour)))
		f.mux.HandleFunc("/usersummary-service/usersummary/hydration/daily/{date}", hangUp(t))
		_, err := f.client.HydrationDay(context.Background(), "2024-05-15")
		if err == nil || errors.Is(err, ErrOutcomeUnknown) {
			t.Fatalf("error = %v, want a plain transport error", err)
		}
	})
	t.Run("write never connected", func(t *testing.T) {
		// A listener closed at once: the dial fails, nothing was sent.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		c, err := NewClient(Options{BaseURL: "http://" + addr, Store: NewMemoryTokenStore(diTokens(t, "t", testNow.Add(time.Hour))), Now: func() time.Time { return testNow }})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.LogWater(context.Background(), entry)
		if err == nil || errors.Is(err, ErrOutcomeUnknown) {
			t.Fatalf("error = %v, want a plain error (connection refused means not sent)", err)
		}
	})
	t.Run("write with 502", func(t *testing.T) {
		f := setup(t, diTokens(t, "t", testNow.Add(time.Hour)))
		f.mux.HandleFunc("/usersummary-service/usersummary/hydration/log", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "bad gateway", http.StatusBadGateway)
		})
		_, err := f.client.LogWater(context.Background(), entry)
		var apiErr *APIError
		if !errors.Is(err, ErrOutcomeUnknown) || !errors.As(err, &apiErr) || apiErr.Status != 502 {
			t.Fatalf("error = %v, want outcome unknown holding APIError 502", err)
		}
	})
}

func TestContextCancelled(t *testing.T) {
	entry := HydrationLog{CalendarDate: "2024-05-15", TimestampLocal: "2024-05-15T07:12:51.180", ValueInML: 100}
	// blockUntilCancelled answers only once the client has given up.
	block := func(arrived chan<- struct{}) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.ReadAll(r.Body)
			arrived <- struct{}{}
			<-r.Context().Done()
		}
	}
	t.Run("read: ctx.Err() is returned as is", func(t *testing.T) {
		f := setup(t, diTokens(t, "c", testNow.Add(time.Hour)))
		arrived := make(chan struct{}, 1)
		f.mux.HandleFunc("/usersummary-service/usersummary/hydration/daily/{date}", block(arrived))
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-arrived; cancel() }()
		_, err := f.client.HydrationDay(ctx, "2024-05-15")
		if err != context.Canceled {
			t.Fatalf("error = %#v, want context.Canceled itself", err)
		}
	})
	t.Run("write in flight: outcome unknown caused by cancellation", func(t *testing.T) {
		f := setup(t, diTokens(t, "c", testNow.Add(time.Hour)))
		arrived := make(chan struct{}, 1)
		f.mux.HandleFunc("/usersummary-service/usersummary/hydration/log", block(arrived))
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-arrived; cancel() }()
		_, err := f.client.LogWater(ctx, entry)
		if !errors.Is(err, ErrOutcomeUnknown) || !errors.Is(err, context.Canceled) {
			t.Fatalf("error = %v, want outcome unknown and context.Canceled", err)
		}
	})
	t.Run("write not yet sent: plain ctx.Err()", func(t *testing.T) {
		f := setup(t, diTokens(t, "c", testNow.Add(time.Hour)))
		f.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { t.Errorf("request sent: %s", r.URL.Path) })
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := f.client.LogWater(ctx, entry)
		if err != context.Canceled {
			t.Fatalf("error = %v, want context.Canceled itself", err)
		}
	})
}
