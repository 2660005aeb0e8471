package sandbox

import (
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/muktihari/fit/profile/typedef"
)

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
		post := func() int {
			req := httptest.NewRequest("POST", uploadPath, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
			req.Header.Set("Content-Type", strings.TrimPrefix(ct, "Content-Type: "))
			w := httptest.NewRecorder()
			s.ServeHTTP(w, req)
			return w.Code
		}
		code := post()
		stored := s.WeighIns("a@x")
		switch code {
		case http.StatusAccepted:
			if len(stored) == 0 {
				t.Fatal("202 but nothing stored")
			}
		case http.StatusBadRequest:
			if len(stored) != 0 {
				t.Fatalf("400 but %d stored", len(stored))
			}
			return
		default:
			t.Fatalf("status %d", code)
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
		if again := post(); again != http.StatusAccepted {
			t.Errorf("same file again: %d, want 202", again)
		}
		if n := len(s.WeighIns("a@x")); n != 2*len(stored) {
			t.Errorf("%d weigh-ins after the same file twice, want %d", n, 2*len(stored))
		}
	})
}
