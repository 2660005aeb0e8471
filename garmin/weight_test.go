package garmin

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/muktihari/fit/decoder"
	"github.com/muktihari/fit/profile/filedef"
	"github.com/muktihari/fit/profile/typedef"
)

// weighInGMT is the instant of the example in garmin-api.md: 08:13 in
// UTC+2 is 06:13 UTC.
var weighInGMT = time.Date(2025, 6, 14, 6, 13, 0, 0, time.UTC)

var utcPlus2 = time.FixedZone("UTC+2", 2*3600)

func tokensOf(t *testing.T, fam Family, name string) *Tokens {
	if fam == FamilyWeb {
		return webTokens(t, name, testNow.Add(time.Hour))
	}
	return diTokens(t, name, testNow.Add(time.Hour))
}

// testFamilyHeaders checks the headers of tok's family on a data call.
func testFamilyHeaders(t *testing.T, r *http.Request, tok *Tokens) {
	t.Helper()
	testHeader(t, r, "Authorization", "Bearer "+tok.AccessToken.Reveal())
	if tok.Family == FamilyWeb {
		testHeader(t, r, "Cookie", "JWT_FGP="+tok.JWTFGP.Reveal())
		testHeader(t, r, "DI-Backend", "connectapi.garmin.com")
		testHeader(t, r, "NK", "NT")
		return
	}
	for k, v := range diHeaders {
		testHeader(t, r, k, v)
	}
	testHeader(t, r, "Cookie", "")
	testHeader(t, r, "DI-Backend", "")
}

func TestAddWeight(t *testing.T) {
	const want = `{"dateTimestamp":"2025-06-14T08:13:00.000","gmtTimestamp":"2025-06-14T06:13:00.000","unitKey":"kg","sourceType":"MANUAL","value":59.5}`
	tests := []struct {
		name  string
		fam   Family
		entry WeighInEntry
	}{
		{"DI, local in its zone", FamilyDI, WeighInEntry{Local: weighInGMT.In(utcPlus2), GMT: weighInGMT, Kg: 59.5}},
		{"web, local as a UTC wall clock", FamilyWeb, WeighInEntry{Local: time.Date(2025, 6, 14, 8, 13, 0, 0, time.UTC), GMT: weighInGMT.In(utcPlus2), Kg: 59.5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := tokensOf(t, tt.fam, "aw")
			f := setup(t, tok)
			calls := f.handleAPI(t, "/weight-service/user-weight", http.MethodPost, tok, func(w http.ResponseWriter, r *http.Request) {
				testHeader(t, r, "Content-Type", "application/json")
				if r.URL.RawQuery != "" {
					t.Errorf("query %q, want none", r.URL.RawQuery)
				}
				testJSONBody(t, r, want)
				w.WriteHeader(http.StatusNoContent)
			})
			if err := f.client.AddWeight(context.Background(), tt.entry); err != nil {
				t.Fatal(err)
			}
			if calls.Load() != 1 || f.limiter.n.Load() != 1 {
				t.Errorf("%d calls, %d limiter waits; want 1 and 1", calls.Load(), f.limiter.n.Load())
			}
		})
	}
}

func TestAddWeightRefusesBadInput(t *testing.T) {
	f := setup(t, diTokens(t, "v", testNow.Add(time.Hour)))
	f.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { t.Errorf("request sent: %s", r.URL.Path) })
	ok := WeighInEntry{Local: weighInGMT.In(utcPlus2), GMT: weighInGMT, Kg: 59.5}
	tests := []struct {
		name   string
		modify func(*WeighInEntry)
	}{
		{"no local", func(e *WeighInEntry) { e.Local = time.Time{} }},
		{"no GMT", func(e *WeighInEntry) { e.GMT = time.Time{} }},
		{"15 hours apart", func(e *WeighInEntry) { e.Local = wallClock(e.GMT).Add(15 * time.Hour) }},
		{"not whole minutes apart", func(e *WeighInEntry) { e.Local = wallClock(e.GMT).Add(90 * time.Second) }},
		{"zero kg", func(e *WeighInEntry) { e.Kg = 0 }},
		{"negative", func(e *WeighInEntry) { e.Kg = -60 }},
		{"too heavy", func(e *WeighInEntry) { e.Kg = 651 }},
		{"NaN", func(e *WeighInEntry) { e.Kg = math.NaN() }},
		{"infinite", func(e *WeighInEntry) { e.Kg = math.Inf(1) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ok
			tt.modify(&e)
			if err := f.client.AddWeight(context.Background(), e); err == nil {
				t.Errorf("AddWeight(%+v) = nil error", e)
			}
		})
	}
}

// TestWeightWriteErrors maps answers of the weight writes to typed errors.
func TestWeightWriteErrors(t *testing.T) {
	entry := WeighInEntry{Local: weighInGMT.In(utcPlus2), GMT: weighInGMT, Kg: 59.5}
	bc := BodyComposition{Local: weighInGMT.In(utcPlus2), GMT: weighInGMT, Kg: 59.5, FatPercent: ptr(21.3)}
	writes := []struct {
		name    string
		pattern string
		run     func(*Client) error
	}{
		{"add", "/weight-service/user-weight", func(c *Client) error { return c.AddWeight(context.Background(), entry) }},
		{"delete", "/weight-service/weight/{date}/byversion/{pk}", func(c *Client) error {
			return c.DeleteWeight(context.Background(), "2025-06-14", 1750000000000)
		}},
		{"upload", "/upload-service/upload", func(c *Client) error { return c.UploadBodyComposition(context.Background(), bc) }},
	}
	answers := []struct {
		name    string
		handler func(t *testing.T) http.HandlerFunc
		check   func(t *testing.T, err error)
	}{
		{"500", func(*testing.T) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) { http.Error(w, `{"message":"boom"}`, 500) }
		}, func(t *testing.T, err error) {
			var apiErr *APIError
			if !errors.Is(err, ErrOutcomeUnknown) || !errors.As(err, &apiErr) || apiErr.Status != 500 {
				t.Errorf("error = %v, want outcome unknown holding APIError 500", err)
			}
		}},
		{"cut off", hangUp, func(t *testing.T, err error) {
			var ou *OutcomeUnknownError
			if !errors.As(err, &ou) {
				t.Errorf("error = %v, want *OutcomeUnknownError", err)
			}
		}},
		{"429", func(*testing.T) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "30")
				w.WriteHeader(429)
			}
		}, func(t *testing.T, err error) {
			var rl *RateLimitError
			if !errors.As(err, &rl) || rl.RetryAfter != 30*time.Second || errors.Is(err, ErrOutcomeUnknown) {
				t.Errorf("error = %v, want *RateLimitError of 30s", err)
			}
		}},
		{"400", func(*testing.T) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) { http.Error(w, `{"message":"bad"}`, 400) }
		}, func(t *testing.T, err error) {
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.Status != 400 || errors.Is(err, ErrOutcomeUnknown) || errors.Is(err, ErrDuplicateUpload) {
				t.Errorf("error = %v, want a plain APIError 400", err)
			}
		}},
	}
	for _, wr := range writes {
		for _, an := range answers {
			t.Run(wr.name+"/"+an.name, func(t *testing.T) {
				f := setup(t, diTokens(t, "we", testNow.Add(time.Hour)))
				f.mux.HandleFunc(wr.pattern, an.handler(t))
				an.check(t, wr.run(f.client))
			})
		}
	}
}

func TestWeightDay(t *testing.T) {
	tok := diTokens(t, "wd", testNow.Add(time.Hour))
	f := setup(t, tok)
	f.mux.HandleFunc("/weight-service/weight/dayview/2023-08-31", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testFamilyHeaders(t, r, tok)
		if got := r.URL.Query().Get("includeAll"); got != "true" {
			t.Errorf("includeAll = %q, want true", got)
		}
		// Garmin's shape (python-garminconnect fixtures): newest first.
		fmt.Fprint(w, `{"startDate":"2023-08-31","endDate":"2023-08-31","dateWeightList":[
			{"samplePk":1693470000000,"date":1693473600000,"calendarDate":"2023-08-31","weight":77050.0,"bmi":null,"bodyFat":18.4,"bodyWater":null,"boneMass":null,"muscleMass":null,"physiqueRating":null,"visceralFat":null,"metabolicAge":null,"sourceType":"INDEX_SCALE","timestampGMT":1693470000000,"weightDelta":null},
			{"samplePk":1693438985313,"date":1693442578001,"calendarDate":"2023-08-31","weight":77199.0,"bmi":null,"bodyFat":null,"sourceType":"MANUAL","timestampGMT":1693438978001,"weightDelta":null}],
			"totalAverage":{"from":1693440000000,"until":1693526399999,"weight":77124.5}}`)
	})
	got, err := f.client.WeightDay(context.Background(), "2023-08-31")
	if err != nil {
		t.Fatal(err)
	}
	want := []WeighIn{
		{SamplePK: 1693438985313, Date: "2023-08-31", Local: time.Date(2023, 8, 31, 0, 42, 58, 1e6, time.UTC), GMT: time.Date(2023, 8, 30, 23, 42, 58, 1e6, time.UTC), Kg: 77.199, SourceType: "MANUAL"},
		{SamplePK: 1693470000000, Date: "2023-08-31", Local: time.Date(2023, 8, 31, 9, 20, 0, 0, time.UTC), GMT: time.Date(2023, 8, 31, 8, 20, 0, 0, time.UTC), Kg: 77.05, FatPercent: ptr(18.4), SourceType: "INDEX_SCALE"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("WeightDay (-want +got):\n%s", diff)
	}
	if _, err := f.client.WeightDay(context.Background(), "2023-8-31"); err == nil {
		t.Error("WeightDay accepted a bad date")
	}
}

func TestWeightDayEmpty(t *testing.T) {
	f := setup(t, diTokens(t, "wd", testNow.Add(time.Hour)))
	f.mux.HandleFunc("/weight-service/weight/dayview/{date}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"startDate":"2023-08-31","endDate":"2023-08-31","dateWeightList":[],"totalAverage":{"weight":null}}`)
	})
	got, err := f.client.WeightDay(context.Background(), "2023-08-31")
	if err != nil || len(got) != 0 {
		t.Fatalf("WeightDay = %v, %v; want nothing", got, err)
	}
}

func TestWeightDayBadAnswers(t *testing.T) {
	tests := []struct{ name, body string }{
		{"bad calendar date", `{"dateWeightList":[{"samplePk":1,"calendarDate":"31/08/2023","weight":1000}]}`},
		{"negative weight", `{"dateWeightList":[{"samplePk":1,"calendarDate":"2023-08-31","weight":-5}]}`},
		{"body fat over 100", `{"dateWeightList":[{"samplePk":1,"calendarDate":"2023-08-31","weight":1000,"bodyFat":120}]}`},
		{"no date at all", `{"dateWeightList":[{"samplePk":1,"weight":1000}]}`},
		{"weight as a string", `{"dateWeightList":[{"samplePk":1,"calendarDate":"2023-08-31","weight":"77"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t, diTokens(t, "wb", testNow.Add(time.Hour)))
			f.mux.HandleFunc("/weight-service/weight/dayview/{date}", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, tt.body) })
			if got, err := f.client.WeightDay(context.Background(), "2023-08-31"); err == nil {
				t.Errorf("WeightDay = %+v, want an error", got)
			}
		})
	}
}

func TestWeightRangePages(t *testing.T) {
	tok := webTokens(t, "wr", testNow.Add(time.Hour))
	f := setup(t, tok)
	var pages []string
	f.mux.HandleFunc("/weight-service/weight/range/{start}/{end}", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testFamilyHeaders(t, r, tok)
		if got := r.URL.Query().Get("includeAll"); got != "true" {
			t.Errorf("includeAll = %q, want true", got)
		}
		start, end := r.PathValue("start"), r.PathValue("end")
		pages = append(pages, start+"/"+end)
		// Newest day first, one weigh-in at each end of the page; the
		// first has no calendarDate, so the summary's date is used.
		fmt.Fprintf(w, `{"dailyWeightSummaries":[
			{"summaryDate":%q,"allWeightMetrics":[{"samplePk":2,"date":0,"calendarDate":%q,"weight":60100.0,"sourceType":"MANUAL","timestampGMT":0}]},
			{"summaryDate":%q,"allWeightMetrics":[{"samplePk":1,"weight":60000.0,"bodyFat":20.5,"sourceType":"FIT_FILE"}]}],
			"totalAverage":{}}`, end, end, start)
	})
	got, err := f.client.WeightRange(context.Background(), "2023-01-01", "2025-03-10")
	if err != nil {
		t.Fatal(err)
	}
	var dates []string
	for _, w := range got {
		dates = append(dates, fmt.Sprintf("%s %d %v", w.Date, w.SamplePK, w.Kg))
	}
	f.wantPaged(t, pages, []string{"2023-01-01/2024-01-01", "2024-01-02/2025-01-01", "2025-01-02/2025-03-10"},
		dates, []string{"2023-01-01 1 60", "2024-01-01 2 60.1", "2024-01-02 1 60", "2025-01-01 2 60.1", "2025-01-02 1 60", "2025-03-10 2 60.1"})
	if got[0].FatPercent == nil || *got[0].FatPercent != 20.5 || got[0].SourceType != "FIT_FILE" || !got[0].GMT.IsZero() {
		t.Errorf("first weigh-in = %+v", got[0])
	}
}

func TestDeleteWeight(t *testing.T) {
	tok := diTokens(t, "dw", testNow.Add(time.Hour))
	f := setup(t, tok)
	calls := f.handleAPI(t, "/weight-service/weight/2023-08-31/byversion/1693438985313", http.MethodDelete, tok, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	f.mux.HandleFunc("/weight-service/weight/2023-08-31/byversion/7", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"message":"not found"}`, http.StatusNotFound)
	})
	if err := f.client.DeleteWeight(context.Background(), "2023-08-31", 1693438985313); err != nil || calls.Load() != 1 {
		t.Fatalf("DeleteWeight = %v after %d calls", err, calls.Load())
	}
	err := f.client.DeleteWeight(context.Background(), "2023-08-31", 7)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 404 || errors.Is(err, ErrOutcomeUnknown) {
		t.Errorf("DeleteWeight of a missing weigh-in = %v, want APIError 404", err)
	}
	for _, bad := range []struct {
		date string
		pk   int64
	}{{"2023-08-31/../x", 1}, {"2023-08-31", 0}, {"2023-08-31", -3}} {
		if err := f.client.DeleteWeight(context.Background(), bad.date, bad.pk); err == nil {
			t.Errorf("DeleteWeight(%q, %d) = nil error", bad.date, bad.pk)
		}
	}
}

// uploadedFile reads the multipart upload of r and returns the file.
func uploadedFile(t *testing.T, r *http.Request) []byte {
	t.Helper()
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		t.Fatalf("Content-Type %q: %v", r.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	p, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	if p.FormName() != "file" || p.FileName() != "body_composition.fit" {
		t.Errorf("part %q file %q, want file body_composition.fit", p.FormName(), p.FileName())
	}
	b, err := io.ReadAll(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mr.NextPart(); err != io.EOF {
		t.Errorf("more than one part: %v", err)
	}
	return b
}

// decodeWeightFIT decodes a weight FIT file with muktihari/fit.
func decodeWeightFIT(t testing.TB, b []byte) *filedef.Weight {
	t.Helper()
	fit, err := decoder.New(bytes.NewReader(b)).Decode()
	if err != nil {
		t.Fatalf("decode FIT: %v", err)
	}
	return filedef.NewWeight(fit.Messages...)
}

func TestUploadBodyComposition(t *testing.T) {
	for _, fam := range []Family{FamilyDI, FamilyWeb} {
		t.Run(string(fam), func(t *testing.T) {
			tok := tokensOf(t, fam, "up")
			f := setup(t, tok)
			var files [][]byte
			var bodies []string
			f.mux.HandleFunc("/upload-service/upload", func(w http.ResponseWriter, r *http.Request) {
				testMethod(t, r, http.MethodPost)
				testFamilyHeaders(t, r, tok)
				raw, _ := io.ReadAll(r.Body)
				bodies = append(bodies, string(raw))
				r.Body = io.NopCloser(bytes.NewReader(raw))
				files = append(files, uploadedFile(t, r))
				w.WriteHeader(http.StatusCreated)
				fmt.Fprint(w, `{"detailedImportResult":{"uploadId":null,"successes":[{"internalId":1}],"failures":[]}}`)
			})
			bc := BodyComposition{Local: weighInGMT.In(utcPlus2), GMT: weighInGMT, Kg: 59.5, FatPercent: ptr(21.3), BMI: ptr(22.4)}
			for range 2 {
				if err := f.client.UploadBodyComposition(context.Background(), bc); err != nil {
					t.Fatal(err)
				}
			}
			if len(files) != 2 || bodies[0] != bodies[1] {
				t.Fatal("the same measurement gave two different requests (Garmin's duplicate check needs identical files)")
			}
			// Every field, decoded back with muktihari/fit: the shape of
			// python-garminconnect's accepted file (garminconnect/fit.py).
			w := decodeWeightFIT(t, files[0])
			id := w.FileId
			if id.Type != typedef.FileWeight || id.Manufacturer != typedef.ManufacturerGarmin || id.Product != 0 ||
				id.SerialNumber == 0 || id.SerialNumber == math.MaxUint32 || !id.TimeCreated.Equal(testNow) {
				t.Errorf("file_id = %+v, want a Garmin (1) product 0 weight file with a serial, created at the upload time %v", id, testNow)
			}
			if len(w.DeviceInfos) != 1 {
				t.Fatalf("%d device_info messages, want 1", len(w.DeviceInfos))
			}
			di := w.DeviceInfos[0]
			if !di.Timestamp.Equal(weighInGMT) || di.DeviceIndex != typedef.DeviceIndexCreator || di.DeviceType != 119 ||
				di.Manufacturer != typedef.ManufacturerGarmin || di.Product != 0 || di.SerialNumber != id.SerialNumber || di.SoftwareVersion != 100 {
				t.Errorf("device_info = %+v, want the weight scale (type 119) that made the file", di)
			}
			if len(w.WeightScales) != 1 {
				t.Fatalf("%d weight_scale messages, want 1", len(w.WeightScales))
			}
			ws := w.WeightScales[0]
			if !ws.Timestamp.Equal(weighInGMT) || ws.Weight != 5950 || ws.PercentFat != 2130 || ws.Bmi != 224 {
				t.Errorf("weight_scale = timestamp %v weight %d percent_fat %d bmi %d; want %v 5950 2130 224", ws.Timestamp, ws.Weight, ws.PercentFat, ws.Bmi, weighInGMT)
			}
			golden(t, "fit/body_composition.hex", []byte(hex.Dump(files[0])))
		})
	}
}

func TestUploadBodyCompositionWithoutFat(t *testing.T) {
	f := setup(t, diTokens(t, "nf", testNow.Add(time.Hour)))
	var file []byte
	f.mux.HandleFunc("/upload-service/upload", func(w http.ResponseWriter, r *http.Request) {
		file = uploadedFile(t, r)
		w.WriteHeader(http.StatusCreated)
	})
	if err := f.client.UploadBodyComposition(context.Background(), BodyComposition{Local: weighInGMT, GMT: weighInGMT, Kg: 61.234}); err != nil {
		t.Fatal(err)
	}
	ws := decodeWeightFIT(t, file).WeightScales[0]
	if ws.Weight != 6123 || ws.PercentFat != math.MaxUint16 {
		t.Errorf("weight %d, percent_fat %d; want 6123 and none (0xFFFF)", ws.Weight, ws.PercentFat)
	}
}

// TestUploadBodyCompositionAnswers: what each answer of the upload
// service means for a weight file.
func TestUploadBodyCompositionAnswers(t *testing.T) {
	const (
		dupBody = `{"detailedImportResult":{"failures":[{"internalId":1,"messages":[{"code":202,"content":"Duplicate Activity."}]}]}}`
		// withings-sync issue #152: a weight file with a bad CRC.
		unsupported = `{"detailedImportResult":{"uploadId":"","uploadUuid":null,"successes":[],"failures":[{"internalId":null,"externalId":null,"messages":[{"code":415,"content":"The file is of a type we do not support."}]}]}}`
	)
	isDup := func(err error) bool { return errors.Is(err, ErrDuplicateUpload) }
	refused := func(status, code int) func(error) bool {
		return func(err error) bool {
			var rej *UploadRejectedError
			return errors.As(err, &rej) && rej.Status == status && rej.Code == code
		}
	}
	tests := []struct {
		name   string
		status int
		body   string
		want   func(error) bool
	}{
		{"202 with nothing yet", 202, `{"detailedImportResult":{"uploadId":null,"successes":[],"failures":[]}}`, func(err error) bool { return err == nil }},
		{"202 without a body", 202, "", func(err error) bool { return err == nil }},
		{"409 duplicate", 409, dupBody, func(err error) bool {
			var apiErr *APIError
			return isDup(err) && errors.As(err, &apiErr) && apiErr.Status == 409
		}},
		{"duplicate inside a 200", 200, dupBody, isDup},
		{"415 inside a 200", 200, unsupported, refused(200, 415)},
		{"415 with its failure", 415, unsupported, refused(415, 415)},
		{"500 inside a 202", 202, strings.Replace(unsupported, `"code":415`, `"code":500`, 1), refused(202, 500)},
		{"415 without a body", 415, "", func(err error) bool {
			var apiErr *APIError
			return errors.As(err, &apiErr) && apiErr.Status == 415
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t, diTokens(t, "dup", testNow.Add(time.Hour)))
			f.mux.HandleFunc("/upload-service/upload", func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				fmt.Fprint(w, tt.body)
			})
			err := f.client.UploadBodyComposition(context.Background(), BodyComposition{Local: weighInGMT, GMT: weighInGMT, Kg: 59.5})
			if !tt.want(err) {
				t.Fatalf("error = %v (%T)", err, err)
			}
			if errors.Is(err, ErrOutcomeUnknown) {
				t.Error("an answer that says what happened is not an unknown outcome")
			}
		})
	}
}

// TestUploadBodyCompositionRefreshResends: on a 401 the tokens are
// refreshed and the whole file is sent again.
func TestUploadBodyCompositionRefreshResends(t *testing.T) {
	for _, fam := range []Family{FamilyDI, FamilyWeb} {
		t.Run(string(fam), func(t *testing.T) {
			rs := newRefreshServer(t, tokensOf(t, fam, "r0"))
			var sizes []int
			rs.f.mux.HandleFunc("/upload-service/upload", func(w http.ResponseWriter, r *http.Request) {
				raw, _ := io.ReadAll(r.Body)
				sizes = append(sizes, len(raw))
				rs.mu.Lock()
				cur := rs.current
				rs.mu.Unlock()
				if r.Header.Get("Authorization") != "Bearer "+cur.AccessToken.Reveal() || rs.refresh.Load() == 0 {
					w.WriteHeader(http.StatusUnauthorized)
					return
				}
				r.Body = io.NopCloser(bytes.NewReader(raw))
				if ws := decodeWeightFIT(t, uploadedFile(t, r)).WeightScales; len(ws) != 1 || ws[0].Weight != 5950 {
					t.Errorf("resent file holds %+v", ws)
				}
				w.WriteHeader(http.StatusCreated)
			})
			err := rs.f.client.UploadBodyComposition(context.Background(), BodyComposition{Local: weighInGMT, GMT: weighInGMT, Kg: 59.5})
			if err != nil {
				t.Fatal(err)
			}
			if rs.refresh.Load() != 1 || len(sizes) != 2 || sizes[0] != sizes[1] || sizes[0] == 0 {
				t.Errorf("refreshes %d, request sizes %v; want 1 refresh and two full bodies", rs.refresh.Load(), sizes)
			}
		})
	}
}

func TestUploadBodyCompositionRefusesBadInput(t *testing.T) {
	f := setup(t, diTokens(t, "bad", testNow.Add(time.Hour)))
	f.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { t.Errorf("request sent: %s", r.URL.Path) })
	ok := BodyComposition{Local: weighInGMT, GMT: weighInGMT, Kg: 59.5, FatPercent: ptr(20.0)}
	old := time.Date(1989, 12, 1, 0, 0, 0, 0, time.UTC)
	system := time.Date(1997, 1, 1, 0, 0, 0, 0, time.UTC)
	late := time.Date(2127, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		modify func(*BodyComposition)
	}{
		{"zero kg", func(b *BodyComposition) { b.Kg = 0 }},
		{"too heavy", func(b *BodyComposition) { b.Kg = 700 }},
		{"zero fat", func(b *BodyComposition) { b.FatPercent = ptr(0.0) }},
		{"100% fat", func(b *BodyComposition) { b.FatPercent = ptr(100.0) }},
		{"NaN fat", func(b *BodyComposition) { b.FatPercent = ptr(math.NaN()) }},
		{"no GMT", func(b *BodyComposition) { b.GMT = time.Time{} }},
		{"local a day off", func(b *BodyComposition) { b.Local = b.GMT.AddDate(0, 0, 1) }},
		{"before FIT time", func(b *BodyComposition) { b.Local, b.GMT = old, old }},
		{"FIT system time (before mid-1998)", func(b *BodyComposition) { b.Local, b.GMT = system, system }},
		{"after FIT time", func(b *BodyComposition) { b.Local, b.GMT = late, late }},
		{"under 0.01 kg", func(b *BodyComposition) { b.Kg = 0.004 }},
		{"fat under 0.01%", func(b *BodyComposition) { b.FatPercent = ptr(0.004) }},
		{"fat rounding to 100%", func(b *BodyComposition) { b.FatPercent = ptr(99.996) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := ok
			tt.modify(&b)
			if err := f.client.UploadBodyComposition(context.Background(), b); err == nil || !strings.Contains(err.Error(), "upload body composition") {
				t.Errorf("UploadBodyComposition(%+v) = %v, want a refusal", b, err)
			}
		})
	}
}
