package garmin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func FuzzParseCurl(f *testing.F) {
	for _, in := range curlInputs(f) {
		f.Add(in)
	}
	f.Add(`curl -H`)
	f.Add(`curl -b 'JWT_FGP=' -H 'Authorization: Bearer '`)
	f.Add("$'\\x")
	f.Add("^")
	f.Fuzz(func(t *testing.T, in string) {
		tok, err := ParseCurl(strings.NewReader(in))
		if err != nil {
			return
		}
		if verr := tok.Validate(); verr != nil {
			t.Fatalf("ParseCurl returned invalid tokens: %v", verr)
		}
		switch {
		case tok.AccessToken == "":
			t.Fatal("ParseCurl returned no access token without error")
		case tok.Family == FamilyWeb && tok.JWTFGP == "":
			t.Fatal("ParseCurl returned web tokens without JWT_FGP")
		case tok.Family == FamilyWebSession && tok.CSRF == "":
			t.Fatal("ParseCurl returned a web session without its csrf token")
		}
	})
}

func FuzzSplitCommandLine(f *testing.F) {
	for _, s := range []string{`a 'b' "c" $'d\x41' e\ f`, "^\"x^\" ^\n y", "a `\n b", `"\`, `$'\u12`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		args, err := splitCommandLine(in)
		if err != nil {
			return
		}
		// Re-quoting every argument in single quotes must give them back
		// (carets and carriage returns switch on the cmd and CRLF rules).
		for _, a := range args {
			if strings.ContainsAny(a, "^\r") {
				return
			}
		}
		var b strings.Builder
		for _, a := range args {
			b.WriteString(" '" + strings.ReplaceAll(a, "'", `'\''`) + "'")
		}
		again, err := splitCommandLine(b.String())
		if err != nil {
			t.Fatalf("re-split of %q: %v", b.String(), err)
		}
		if len(again) != len(args) {
			t.Fatalf("re-split gave %q, want %q", again, args)
		}
		for i := range args {
			if again[i] != args[i] {
				t.Fatalf("re-split gave %q, want %q", again, args)
			}
		}
	})
}

func FuzzDecodeJWT(f *testing.F) {
	f.Add(makeJWT(f, map[string]any{"exp": 1715776000, "client_id": "x"}))
	f.Add("e30.eyJleHAiOjEwfQ==.sig")
	f.Add("a.eyJleHAiOjFlMzAwfQ.c")
	f.Add("a..c")
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := decodeJWT(tok)
		if err != nil {
			return
		}
		if !c.Exp.IsZero() && (c.Exp.Year() < 1970 || c.Exp.Year() > 9999) {
			t.Fatalf("exp %v out of range", c.Exp)
		}
		// Expiry never panics on anything decodeJWT accepts.
		_ = Tokens{AccessToken: Secret(tok)}.Expiry()
	})
}

func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"", "0", "120", "-1", "99999999999999999999", "Wed, 21 Oct 2015 07:28:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		d := retryAfter(v, testNow)
		if d < 0 || d > maxRetryAfter {
			t.Fatalf("retryAfter(%q) = %v", v, d)
		}
	})
}

func FuzzBodySays429(f *testing.F) {
	for _, s := range []string{`{"error":{"status-code":"429"}}`, `{"error":{"status-code":429}}`, `{"error":null}`, `[429]`, `{`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if bodySays429(b) && !bytes.Contains(b, []byte("429")) {
			t.Fatalf("bodySays429(%q) without 429 in it", b)
		}
	})
}

// FuzzScrubBody checks that a token-shaped secret never survives scrubbing,
// wherever it sits in a body.
func FuzzScrubBody(f *testing.F) {
	f.Add([]byte(`{"message":"bad token `), "abcdefgh12345678", []byte(`"}`))
	f.Add([]byte("\xff\xfe"), "Zm9vYmFyYmF6cXV4", []byte(strings.Repeat("x", 400)))
	f.Add([]byte(strings.Repeat("é", 200)), "tok_tok_tok_tok", []byte(nil))
	f.Fuzz(func(t *testing.T, pre []byte, secret string, post []byte) {
		if len(secret) < 8 || strings.Contains(secret, "redacted") {
			return
		}
		for _, r := range secret {
			if !(r == '-' || r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')) {
				return
			}
		}
		body := append(append(append([]byte{}, pre...), secret...), post...)
		tok := &Tokens{AccessToken: Secret(secret)}
		out := scrubBody(body, tok)
		if strings.Contains(out, secret) {
			t.Fatalf("scrubBody kept the secret: %q", out)
		}
		if len(out) > maxExcerpt+len("…") {
			t.Fatalf("excerpt of %d bytes", len(out))
		}
	})
}

// FuzzDecodeWeighIns feeds any body to the day-view and range decoders:
// they never panic, and what they accept is sane.
func FuzzDecodeWeighIns(f *testing.F) {
	for _, s := range []string{
		`{"startDate":"2023-08-31","endDate":"2023-08-31","dateWeightList":[{"samplePk":1693438985313,"date":1693442578001,"calendarDate":"2023-08-31","weight":77199.0,"bmi":null,"bodyFat":null,"sourceType":"MANUAL","timestampGMT":1693438978001}]}`,
		`{"dailyWeightSummaries":[{"summaryDate":"2024-01-01","allWeightMetrics":[{"samplePk":2,"weight":60100.0,"bodyFat":20.5}]}]}`,
		`{"dateWeightList":[{"date":-62135596800001,"weight":1e308}]}`,
		`{"dailyWeightSummaries":[{"allWeightMetrics":[{}]}]}`,
		`{"dateWeightList":null}`, `[]`, `null`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var day weightDayAnswer
		var rng weightRangeAnswer
		var got []WeighIn
		if json.Unmarshal(body, &day) == nil {
			if ws, err := day.weighIns(); err == nil {
				got = append(got, ws...)
			}
		}
		if json.Unmarshal(body, &rng) == nil {
			if ws, err := rng.weighIns(); err == nil {
				got = append(got, ws...)
			}
		}
		for _, w := range got {
			if err := checkDate(w.Date); err != nil {
				t.Errorf("accepted %+v: %v", w, err)
			}
			if math.IsNaN(w.Kg) || math.IsInf(w.Kg, 0) || w.Kg < 0 {
				t.Errorf("accepted weight %v kg", w.Kg)
			}
			if w.FatPercent != nil && (*w.FatPercent < 0 || *w.FatPercent > 100 || math.IsNaN(*w.FatPercent)) {
				t.Errorf("accepted body fat %v", *w.FatPercent)
			}
			if w.Local.Location() != time.UTC || w.GMT.Location() != time.UTC {
				t.Errorf("times not in UTC: %v %v", w.Local, w.GMT)
			}
		}
	})
}

// FuzzEncodeBodyComposition: whatever the measurement, the encoder either
// refuses it or writes a FIT file and an upload form that decode back to
// it.
func FuzzEncodeBodyComposition(f *testing.F) {
	f.Add(int64(1749881580), 59.5, 21.3, true, int16(120))
	f.Add(int64(1749881580), 61.234, 0.0, false, int16(0))
	f.Add(int64(0), 650.0, 99.99, true, int16(-720))
	f.Add(int64(631065600), 0.004, 0.001, true, int16(840))
	f.Fuzz(func(t *testing.T, secs int64, kg, fat float64, hasFat bool, offsetMin int16) {
		gmt := time.Unix(secs, 0).UTC()
		bc := BodyComposition{Local: gmt.In(time.FixedZone("", int(offsetMin)*60)), GMT: gmt, Kg: kg}
		if hasFat {
			bc.FatPercent = &fat
		}
		file, err := encodeBodyComposition(bc, testNow)
		if err != nil {
			return
		}
		first, end := fitTimes()
		if kg <= 0 || kg > MaxWeightKg || math.Abs(float64(offsetMin)) > 14*60 || gmt.Before(first) || !gmt.Before(end) {
			t.Fatalf("accepted %+v", bc)
		}
		w := decodeWeightFIT(t, file)
		if len(w.WeightScales) != 1 {
			t.Fatalf("%d weight_scale messages", len(w.WeightScales))
		}
		ws := w.WeightScales[0]
		if !ws.Timestamp.Equal(gmt) || !w.FileId.TimeCreated.Equal(testNow) {
			t.Errorf("timestamp %v, time_created %v, want %v and the upload time %v", ws.Timestamp, w.FileId.TimeCreated, gmt, testNow)
		}
		if want := math.Round(kg * 100); float64(ws.Weight) != want || ws.Weight == 0 {
			t.Errorf("weight %d, want %v (never 0)", ws.Weight, want)
		}
		wantFat := uint16(math.MaxUint16)
		if hasFat {
			wantFat = uint16(math.Round(fat * 100))
		}
		if ws.PercentFat != wantFat || ws.PercentFat == 0 || (hasFat && ws.PercentFat >= 10000) {
			t.Errorf("percent_fat %d, want %d", ws.PercentFat, wantFat)
		}
		body, ct, err := multipartFile(file)
		if err != nil {
			t.Fatal(err)
		}
		_, params, err := mime.ParseMediaType(ct)
		if err != nil {
			t.Fatal(err)
		}
		p, err := multipart.NewReader(bytes.NewReader(body), params["boundary"]).NextPart()
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(p)
		if p.FormName() != "file" || !bytes.Equal(got, file) {
			t.Error("the form does not carry the file")
		}
	})
}

// FuzzDecodeUploadAnswer feeds the upload-answer decoder any status,
// location and body: it must not panic, a success must name either the
// activity or a location to poll, and a refusal it finds (a duplicate or a
// failure) is the one refusalIn, which reads a weigh-in upload's answer,
// finds too.
func FuzzDecodeUploadAnswer(f *testing.F) {
	for _, name := range []string{"upload_202.json", "upload_409.json", "upload_415.json", "upload_500.json", "upload_201.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", "activity", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(202, recordedLocation, "1000", b)
		f.Add(200, "", "", b)
	}
	f.Add(201, "https://connectapi.garmin.com/activity-service/activity/21522899847", "", []byte(nil))
	f.Add(202, "", "", []byte(`{"detailedImportResult":{"uploadId":1e400}}`))
	f.Add(200, "", "", []byte(`{"detailedImportResult":{"successes":[{"internalId":"12"}]}}`))
	f.Fuzz(func(t *testing.T, status int, location, ms string, body []byte) {
		h := http.Header{}
		h.Set("Location", location)
		h.Set("location-in-milliseconds", ms)
		up, err := decodeUploadAnswer(status, h, body)
		var rej *UploadRejectedError
		var dup *DuplicateActivityError
		if errors.As(err, &rej) || errors.As(err, &dup) {
			if got := refusalIn(status, body); fmt.Sprint(got) != fmt.Sprint(err) {
				t.Fatalf("decodeUploadAnswer refuses with %v, refusalIn with %v", err, got)
			}
		}
		if err != nil {
			return
		}
		if up.ActivityID < 0 || (up.ActivityID == 0 && up.Location == "") {
			t.Fatalf("success without activity or location: %+v", up)
		}
		if up.PollAfter < 0 {
			t.Fatalf("negative PollAfter %v", up.PollAfter)
		}
		if dup := duplicateFrom(body); dup == nil {
			t.Fatal("duplicateFrom returned nil")
		}
		_, _ = decodeActivityList(body)
	})
}
