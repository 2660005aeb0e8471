package sandbox

import (
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/muktihari/fit/profile/typedef"
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

func FuzzParseWeightBody(f *testing.F) {
	for _, s := range []string{
		`{"dateTimestamp":"2025-06-14T08:13:00.000","gmtTimestamp":"2025-06-14T06:13:00.000","unitKey":"kg","sourceType":"MANUAL","value":59.5}`,
		`{"dateTimestamp":"2025-06-14T08:13:00.000","gmtTimestamp":"2025-06-14T06:13:00.000","unitKey":"lbs","value":1e400}`,
		`{"dateTimestamp":"2025-06-14T08:13:00.000","gmtTimestamp":"2025-06-13T06:13:00.000","value":60}`,
		`{"value":1} {}`, `[]`, `null`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		w, err := parseWeightBody(body)
		if err != nil {
			return
		}
		if math.IsNaN(w.Kg) || w.Kg <= 0 || w.Kg > MaxWeightKg {
			t.Errorf("accepted %v kg", w.Kg)
		}
		if _, err := parseDate(w.Date); err != nil || w.Date != w.Local.Format(dateLayout) {
			t.Errorf("accepted date %q for local %v", w.Date, w.Local)
		}
		if d := w.Local.Sub(w.GMT); d > maxZoneOffset || d < -maxZoneOffset {
			t.Errorf("accepted local %v and GMT %v", w.Local, w.GMT)
		}
	})
}

// FuzzUploadEndpoint drives the whole upload handler with any file: it
// never panics, stores weigh-ins exactly when it answers 201, stores only
// sane ones, and answers 409 to the same file again.
func FuzzUploadEndpoint(f *testing.F) {
	at := time.Date(2025, 6, 14, 6, 13, 0, 0, time.UTC)
	good := fitFile(f, typedef.FileWeight, at, scale{at: at, kg: 59.5, fat: fptr(21.3)})
	f.Add(good)
	f.Add(fitFile(f, typedef.FileWeight, time.Time{}, scale{at: at, kg: 0.01}, scale{at: at.Add(time.Hour), kg: 650}))
	f.Add(fitFile(f, typedef.FileActivity, at, scale{at: at, kg: 60}))
	f.Add(good[:20])
	f.Add([]byte(".FIT"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, file []byte) {
		s := New(Options{Seed: 1, Now: func() time.Time { return at }})
		if err := s.AddAccount(Account{Email: "a@x"}); err != nil {
			t.Fatal(err)
		}
		tok, _ := s.IssueDI("a@x")
		body, ct := form(t, "file", "f.fit", file)
		post := func() (int, string) {
			req := httptest.NewRequest("POST", uploadPath, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
			req.Header.Set("Content-Type", strings.TrimPrefix(ct, "Content-Type: "))
			w := httptest.NewRecorder()
			s.ServeHTTP(w, req)
			return w.Code, w.Body.String()
		}
		code, answer := post()
		stored := s.WeighIns("a@x")
		refused := !strings.Contains(answer, `"failures":[]`)
		switch {
		case code == http.StatusAccepted && !refused:
			if len(stored) == 0 && len(s.Activities("a@x")) == 0 {
				t.Fatal("202 but nothing stored")
			}
		case code == http.StatusOK || code == http.StatusUnsupportedMediaType:
			// Refused inside the answer: a failure and nothing stored.
			if !refused || len(stored) != 0 || s.Uploads() != 0 {
				t.Fatalf("%d %s but %d stored", code, answer, len(stored))
			}
			return
		default:
			t.Fatalf("status %d: %s", code, answer)
		}
		if len(stored) == 0 {
			return // an activity file
		}
		for _, w := range stored {
			if w.Kg <= 0 || w.Kg > MaxWeightKg || w.SourceType != SourceFITFile || w.SamplePK == 0 {
				t.Errorf("stored %+v", w)
			}
			if w.FatPercent != nil && (*w.FatPercent <= 0 || *w.FatPercent >= 100) {
				t.Errorf("stored body fat %v", *w.FatPercent)
			}
			if _, err := parseDate(w.Date); err != nil {
				t.Errorf("stored date %q", w.Date)
			}
		}
		// The same file again is stored again (the worst case).
		if again, _ := post(); again != http.StatusAccepted {
			t.Errorf("same file again: %d, want 202", again)
		}
		if n := len(s.WeighIns("a@x")); n != 2*len(stored) {
			t.Errorf("%d weigh-ins after the same file twice, want %d", n, 2*len(stored))
		}
	})
}
