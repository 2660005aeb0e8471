package sandbox

import (
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func FuzzParseWaterEntry(f *testing.F) {
	for _, s := range []string{
		`{"calendarDate":"2024-05-15","timestampLocal":"2024-05-15T07:12:51.180","valueInML":240.0}`,
		`{"calendarDate":"2024-05-15","valueInML":-10000,"userProfileId":1}`,
		`{"calendarDate":"2024-05-15","valueInML":1e400}`,
		`{"calendarDate":"2024-05-15","valueInML":null}`,
		`{"valueInML":1} {}`,
		`[]`, `null`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		e, err := parseWaterEntry(body)
		if err != nil {
			return
		}
		if _, err := parseDate(e.CalendarDate); err != nil {
			t.Errorf("accepted date %q: %v", e.CalendarDate, err)
		}
		if math.IsNaN(e.ValueInML) || math.Abs(e.ValueInML) > MaxEntryML {
			t.Errorf("accepted value %v", e.ValueInML)
		}
		if e.TimestampLocal != "" {
			if _, err := time.Parse(localTSLayout, e.TimestampLocal); err != nil {
				t.Errorf("accepted timestamp %q", e.TimestampLocal)
			}
		}
		if !json.Valid(body) {
			t.Errorf("accepted invalid JSON %q", body)
		}
	})
}

func FuzzParseToken(f *testing.F) {
	s := New(Options{Seed: 1})
	if err := s.AddAccount(Account{Email: "a@x"}); err != nil {
		f.Fatal(err)
	}
	tok, _ := s.IssueDI("a@x")
	f.Add(tok.AccessToken)
	f.Add("a.b.c")
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add("")
	f.Fuzz(func(t *testing.T, in string) {
		c, err := parseToken(s.key, in)
		if err != nil {
			return
		}
		// Only this server's tokens carry a valid signature.
		if c.Sub != "a@x" || in != tok.AccessToken {
			t.Errorf("accepted a forged token %q (claims %+v)", in, c)
		}
	})
}

// FuzzLogWaterEndpoint drives the whole handler: whatever the body, the
// server answers without panicking, and the day's total moves exactly when
// it answered 200.
func FuzzLogWaterEndpoint(f *testing.F) {
	f.Add(`{"calendarDate":"2024-05-15","valueInML":240}`)
	f.Add(`{"calendarDate":"2024-05-15","valueInML":"x"}`)
	f.Add(`{"calendarDate":"2024-05-16","valueInML":-1,"userProfileId":1000001}`)
	f.Fuzz(func(t *testing.T, body string) {
		s := New(Options{Seed: 1})
		if err := s.AddAccount(Account{Email: "a@x"}); err != nil {
			t.Fatal(err)
		}
		tok, _ := s.IssueDI("a@x")
		req := httptest.NewRequest("PUT", "/usersummary-service/usersummary/hydration/log", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		totals := s.Totals("a@x")
		if w.Code != http.StatusOK {
			if len(totals) != 0 {
				t.Errorf("status %d but totals %v", w.Code, totals)
			}
			return
		}
		var got struct {
			CalendarDate string   `json:"calendarDate"`
			ValueInML    *float64 `json:"valueInML"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
			t.Fatalf("200 with body %q: %v", w.Body.Bytes(), err)
		}
		if len(totals) != 1 || got.ValueInML == nil || totals[got.CalendarDate] != *got.ValueInML {
			t.Errorf("reply %+v, totals %v", got, totals)
		}
	})
}
