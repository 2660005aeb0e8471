package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/muktihari/fit/encoder"
	"github.com/muktihari/fit/profile/filedef"
	"github.com/muktihari/fit/profile/mesgdef"
	"github.com/muktihari/fit/profile/typedef"
)

const (
	weightPath = "/weight-service/user-weight"
	uploadPath = "/upload-service/upload"
)

// fitFile builds a FIT file of type typ with one weight_scale message per
// scale (fat < 0: none), the way a client would with muktihari/fit.
func fitFile(t testing.TB, typ typedef.File, created time.Time, scales ...scale) []byte {
	t.Helper()
	f := filedef.NewWeight()
	f.FileId.Type = typ
	f.FileId.Manufacturer = typedef.ManufacturerDevelopment
	f.FileId.Product = 0
	f.FileId.TimeCreated = created
	for _, s := range scales {
		ws := mesgdef.NewWeightScale(nil).SetTimestamp(s.at).SetWeightScaled(s.kg)
		if s.fat != nil {
			ws.SetPercentFatScaled(*s.fat)
		}
		f.WeightScales = append(f.WeightScales, ws)
	}
	fit := f.ToFIT(nil)
	var buf bytes.Buffer
	if err := encoder.New(&buf).Encode(&fit); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// form wraps file as multipart field name with a file name; it returns the
// body and the Content-Type header line.
func form(t testing.TB, field, filename string, file []byte) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	p, err := w.CreateFormFile(field, filename)
	if err != nil {
		t.Fatal(err)
	}
	p.Write(file)
	w.Close()
	return buf.String(), "Content-Type: " + w.FormDataContentType()
}

func fptr(f float64) *float64 { return &f }

var measured = time.Date(2025, 6, 14, 6, 13, 0, 0, time.UTC)

func weightJSON(local, gmt string, unit string, value any) string {
	b, _ := json.Marshal(map[string]any{"dateTimestamp": local, "gmtTimestamp": gmt, "unitKey": unit, "sourceType": "MANUAL", "value": value})
	return string(b)
}

func TestAddWeightThenRead(t *testing.T) {
	e := setup(t, Options{})
	auth := bearer(e.di().AccessToken)
	if r := e.must("POST", weightPath, weightJSON("2025-06-14T08:13:00.000", "2025-06-14T06:13:00.000", "kg", 59.5), auth); r.status != http.StatusNoContent || len(r.body) != 0 {
		t.Fatalf("POST user-weight = %d %s, want 204 without body", r.status, r.body)
	}
	if r := e.must("POST", weightPath, weightJSON("2025-06-14T21:00:00.000", "2025-06-14T19:00:00.000", "lbs", 132.0), auth); r.status != http.StatusNoContent {
		t.Fatalf("POST user-weight in lbs = %d %s", r.status, r.body)
	}
	got := e.s.WeighIns(testEmail)
	want := []WeighIn{
		{SamplePK: 1700000000001, Date: "2025-06-14", Local: time.Date(2025, 6, 14, 8, 13, 0, 0, time.UTC), GMT: measured, Kg: 59.5, SourceType: "MANUAL"},
		{SamplePK: 1700000000002, Date: "2025-06-14", Local: time.Date(2025, 6, 14, 21, 0, 0, 0, time.UTC), GMT: time.Date(2025, 6, 14, 19, 0, 0, 0, time.UTC), Kg: 132 * lbsToKg, SourceType: "MANUAL"},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(WeighIn{}), cmpopts.EquateApprox(0, 1e-9)); diff != "" {
		t.Fatalf("WeighIns (-want +got):\n%s", diff)
	}

	day := e.must("GET", "/weight-service/weight/dayview/2025-06-14?includeAll=true", "", auth)
	var dv struct {
		DateWeightList []struct {
			SamplePK     int64    `json:"samplePk"`
			Date         int64    `json:"date"`
			CalendarDate string   `json:"calendarDate"`
			Weight       float64  `json:"weight"`
			BodyFat      *float64 `json:"bodyFat"`
			TimestampGMT int64    `json:"timestampGMT"`
		} `json:"dateWeightList"`
	}
	if err := json.Unmarshal(day.body, &dv); err != nil || day.status != 200 {
		t.Fatalf("dayview %d %s: %v", day.status, day.body, err)
	}
	if len(dv.DateWeightList) != 2 {
		t.Fatalf("dayview lists %d entries, want 2: %s", len(dv.DateWeightList), day.body)
	}
	// Newest first; grams; local wall clock as epoch ms.
	first, second := dv.DateWeightList[0], dv.DateWeightList[1]
	if first.SamplePK != 1700000000002 || first.Weight != 59874 {
		t.Errorf("first entry = %+v, want the 132 lbs one in whole grams (59874)", first)
	}
	if second.Weight != 59500 || second.Date != time.Date(2025, 6, 14, 8, 13, 0, 0, time.UTC).UnixMilli() ||
		second.TimestampGMT != measured.UnixMilli() || second.CalendarDate != "2025-06-14" || second.BodyFat != nil {
		t.Errorf("second entry = %+v", second)
	}
	if r := e.must("GET", "/weight-service/weight/dayview/2025-06-15", "", auth); !strings.Contains(string(r.body), `"dateWeightList":[]`) {
		t.Errorf("empty day = %s", r.body)
	}
}

func TestAddWeightRejects(t *testing.T) {
	tests := []struct {
		name, body string
	}{
		{"no GMT", `{"dateTimestamp":"2025-06-14T08:13:00.000","unitKey":"kg","value":59.5}`},
		{"no local", `{"gmtTimestamp":"2025-06-14T08:13:00.000","unitKey":"kg","value":59.5}`},
		{"no millis", weightJSON("2025-06-14T08:13:00", "2025-06-14T06:13:00.000", "kg", 59.5)},
		{"with zone", weightJSON("2025-06-14T08:13:00.000Z", "2025-06-14T06:13:00.000", "kg", 59.5)},
		{"15 hours apart", weightJSON("2025-06-14T21:13:00.000", "2025-06-14T06:13:00.000", "kg", 59.5)},
		{"stone", weightJSON("2025-06-14T08:13:00.000", "2025-06-14T06:13:00.000", "st", 9.4)},
		{"zero", weightJSON("2025-06-14T08:13:00.000", "2025-06-14T06:13:00.000", "kg", 0)},
		{"negative", weightJSON("2025-06-14T08:13:00.000", "2025-06-14T06:13:00.000", "kg", -1)},
		{"too heavy", weightJSON("2025-06-14T08:13:00.000", "2025-06-14T06:13:00.000", "kg", 651)},
		{"string value", weightJSON("2025-06-14T08:13:00.000", "2025-06-14T06:13:00.000", "kg", "59.5")},
		{"null value", weightJSON("2025-06-14T08:13:00.000", "2025-06-14T06:13:00.000", "kg", nil)},
		{"trailing data", weightJSON("2025-06-14T08:13:00.000", "2025-06-14T06:13:00.000", "kg", 59.5) + "{}"},
		{"not JSON", `value=59.5`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, Options{})
			wantNoWeighIn(t, e, e.must("POST", weightPath, tt.body, bearer(e.di().AccessToken)))
		})
	}
}

// wantNoWeighIn checks that a write was answered 400 and stored nothing.
func wantNoWeighIn(t *testing.T, e *env, r resp) {
	t.Helper()
	wantNoWeighInStatus(t, e, r, http.StatusBadRequest)
}

// wantNoWeighInStatus checks that a write was answered status and stored
// nothing.
func wantNoWeighInStatus(t *testing.T, e *env, r resp, status int) {
	t.Helper()
	if r.status != status {
		t.Errorf("status = %d %s, want %d", r.status, r.body, status)
	}
	if n := len(e.s.WeighIns(testEmail)); n != 0 {
		t.Errorf("%d weigh-ins stored after a 400", n)
	}
}

func TestWeightRange(t *testing.T) {
	e := setup(t, Options{})
	auth := bearer(e.di().AccessToken)
	for _, w := range []WeighIn{
		{Local: time.Date(2025, 1, 1, 7, 0, 0, 0, time.UTC), GMT: time.Date(2025, 1, 1, 6, 0, 0, 0, time.UTC), Kg: 60},
		{Local: time.Date(2025, 1, 1, 20, 0, 0, 0, time.UTC), GMT: time.Date(2025, 1, 1, 19, 0, 0, 0, time.UTC), Kg: 61, FatPercent: fptr(20)},
		{Local: time.Date(2025, 1, 3, 7, 0, 0, 0, time.UTC), GMT: time.Date(2025, 1, 3, 6, 0, 0, 0, time.UTC), Kg: 59},
		{Local: time.Date(2026, 1, 3, 7, 0, 0, 0, time.UTC), GMT: time.Date(2026, 1, 3, 6, 0, 0, 0, time.UTC), Kg: 58},
	} {
		if _, err := e.s.AddWeighIn(testEmail, w); err != nil {
			t.Fatal(err)
		}
	}
	r := e.must("GET", "/weight-service/weight/range/2025-01-01/2025-12-31?includeAll=true", "", auth)
	var got struct {
		DailyWeightSummaries []struct {
			SummaryDate      string  `json:"summaryDate"`
			NumOfEntries     int     `json:"numOfWeightEntries"`
			MinWeight        float64 `json:"minWeight"`
			MaxWeight        float64 `json:"maxWeight"`
			AllWeightMetrics []struct {
				Weight  float64  `json:"weight"`
				BodyFat *float64 `json:"bodyFat"`
			} `json:"allWeightMetrics"`
		} `json:"dailyWeightSummaries"`
		TotalAverage struct {
			Weight float64 `json:"weight"`
		} `json:"totalAverage"`
	}
	if err := json.Unmarshal(r.body, &got); err != nil || r.status != 200 {
		t.Fatalf("range %d %s: %v", r.status, r.body, err)
	}
	var days []string
	for _, d := range got.DailyWeightSummaries {
		days = append(days, fmt.Sprintf("%s n=%d min=%v max=%v first=%v", d.SummaryDate, d.NumOfEntries, d.MinWeight, d.MaxWeight, d.AllWeightMetrics[0].Weight))
	}
	want := []string{"2025-01-03 n=1 min=59000 max=59000 first=59000", "2025-01-01 n=2 min=60000 max=61000 first=61000"}
	if diff := cmp.Diff(want, days); diff != "" {
		t.Errorf("summaries (-want +got):\n%s", diff)
	}
	if got.TotalAverage.Weight != 60000 {
		t.Errorf("totalAverage.weight = %v, want 60000", got.TotalAverage.Weight)
	}
	for _, path := range []string{"/weight-service/weight/range/2025-01-02/2025-01-01", "/weight-service/weight/range/2025-01-01/tomorrow"} {
		if r := e.must("GET", path, "", auth); r.status != http.StatusBadRequest {
			t.Errorf("GET %s = %d, want 400", path, r.status)
		}
	}
}

func TestDeleteWeight(t *testing.T) {
	e := setup(t, Options{})
	auth := bearer(e.di().AccessToken)
	keep, err := e.s.AddWeighIn(testEmail, WeighIn{Local: measured.Add(2 * time.Hour), GMT: measured, Kg: 59.5})
	if err != nil {
		t.Fatal(err)
	}
	gone, err := e.s.AddWeighIn(testEmail, WeighIn{Local: measured.Add(3 * time.Hour), GMT: measured.Add(time.Hour), Kg: 59.7})
	if err != nil {
		t.Fatal(err)
	}
	if gone.SamplePK <= keep.SamplePK {
		t.Fatalf("samplePk %d after %d: want increasing", gone.SamplePK, keep.SamplePK)
	}
	del := func(date string, pk any) int {
		return e.must("DELETE", fmt.Sprintf("/weight-service/weight/%s/byversion/%v", date, pk), "", auth).status
	}
	if st := del("2025-06-13", gone.SamplePK); st != http.StatusNotFound {
		t.Errorf("delete on the wrong date = %d, want 404", st)
	}
	if st := del("2025-06-14", "x"); st != http.StatusBadRequest {
		t.Errorf("delete with a bad id = %d, want 400", st)
	}
	if st := del("2025-06-14", gone.SamplePK); st != http.StatusNoContent {
		t.Errorf("delete = %d, want 204", st)
	}
	if st := del("2025-06-14", gone.SamplePK); st != http.StatusNotFound {
		t.Errorf("second delete = %d, want 404", st)
	}
	got := e.s.WeighIns(testEmail)
	if len(got) != 1 || got[0].SamplePK != keep.SamplePK {
		t.Errorf("left %+v, want only %d", got, keep.SamplePK)
	}
}

func TestUploadBodyComposition(t *testing.T) {
	e := setup(t, Options{})
	auth := bearer(e.di().AccessToken)
	if err := e.s.SetTimeZone(testEmail, time.FixedZone("UTC-7", -7*3600)); err != nil {
		t.Fatal(err)
	}
	// 02:30 UTC is still the day before in UTC-7.
	at := time.Date(2025, 6, 14, 2, 30, 0, 0, time.UTC)
	file := fitFile(t, typedef.FileWeight, at, scale{at: at, kg: 59.5, fat: fptr(21.3)})
	body, ct := form(t, "file", "body_composition.fit", file)

	r := e.must("POST", uploadPath, body, auth, ct)
	if r.status != http.StatusAccepted || !strings.Contains(string(r.body), `"successes":[]`) {
		t.Fatalf("upload = %d %s, want 202 with no successes yet (processed later)", r.status, r.body)
	}
	want := []WeighIn{{SamplePK: 1700000000001, Date: "2025-06-13", Local: time.Date(2025, 6, 13, 19, 30, 0, 0, time.UTC), GMT: at, Kg: 59.5, FatPercent: fptr(21.3), SourceType: SourceFITFile}}
	if diff := cmp.Diff(want, e.s.WeighIns(testEmail), cmp.Comparer(func(a, b WeighIn) bool {
		return a.SamplePK == b.SamplePK && a.Date == b.Date && a.Local.Equal(b.Local) && a.GMT.Equal(b.GMT) &&
			a.Kg == b.Kg && cmp.Equal(a.FatPercent, b.FatPercent) && a.SourceType == b.SourceType
	})); diff != "" {
		t.Fatalf("WeighIns (-want +got):\n%s", diff)
	}

	// The same file again is not refused: the worst case, a duplicate.
	r = e.must("POST", uploadPath, body, auth, ct)
	if r.status != http.StatusAccepted {
		t.Fatalf("second upload = %d %s, want 202", r.status, r.body)
	}
	if n := len(e.s.WeighIns(testEmail)); n != 2 {
		t.Fatalf("%d weigh-ins after the same file twice, want 2 (a duplicate)", n)
	}
	if n := e.s.Uploads(); n != 2 {
		t.Errorf("Uploads() = %d, want 2", n)
	}
	for _, rq := range e.s.Requests() {
		if rq.Path == uploadPath && rq.Class != ClassWrite {
			t.Errorf("upload logged as %v, want write", rq.Class)
		}
	}
}

func TestUploadRejects(t *testing.T) {
	at := measured
	good := fitFile(t, typedef.FileWeight, at, scale{at: at, kg: 59.5})
	noScale := fitFile(t, typedef.FileWeight, at)
	activity := fitFile(t, typedef.FileActivity, at, scale{at: at, kg: 59.5})
	truncated := good[:len(good)-5]
	corrupt := bytes.Clone(good)
	corrupt[len(corrupt)-1] ^= 0xff // CRC
	// Not a form: 400. A form whose file Garmin cannot use: a failure
	// inside the answer, code 415 for what is not FIT (withings-sync issue
	// #152), code 500 inside a 200 for a FIT it cannot make anything of
	// (running_page issue #553).
	tests := []struct {
		name   string
		build  func(t *testing.T) (body, ct string)
		status int
		code   int
	}{
		{"not multipart", func(t *testing.T) (string, string) { return string(good), "Content-Type: application/octet-stream" }, 400, 0},
		{"no file field", func(t *testing.T) (string, string) { return form(t, "upload", "a.fit", good) }, 400, 0},
		{"no file name", func(t *testing.T) (string, string) {
			var buf bytes.Buffer
			w := multipart.NewWriter(&buf)
			fw, _ := w.CreateFormField("file")
			fw.Write(good)
			w.Close()
			return buf.String(), "Content-Type: " + w.FormDataContentType()
		}, 400, 0},
		{"not FIT", func(t *testing.T) (string, string) { return form(t, "file", "a.fit", []byte("<gpx></gpx>")) }, 415, 415},
		{"empty", func(t *testing.T) (string, string) { return form(t, "file", "a.fit", nil) }, 415, 415},
		{"truncated", func(t *testing.T) (string, string) { return form(t, "file", "a.fit", truncated) }, 415, 415},
		{"bad CRC", func(t *testing.T) (string, string) { return form(t, "file", "a.fit", corrupt) }, 415, 415},
		{"no weight_scale", func(t *testing.T) (string, string) { return form(t, "file", "a.fit", noScale) }, 200, 500},
		{"activity file without a session", func(t *testing.T) (string, string) { return form(t, "file", "a.fit", activity) }, 200, 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, Options{})
			body, ct := tt.build(t)
			r := e.must("POST", uploadPath, body, bearer(e.di().AccessToken), ct)
			wantNoWeighInStatus(t, e, r, tt.status)
			if tt.code == 0 {
				return
			}
			var res struct {
				DetailedImportResult struct {
					Failures []struct {
						Messages []struct{ Code int }
					}
				}
			}
			if err := json.Unmarshal(r.body, &res); err != nil {
				t.Fatal(err)
			}
			if f := res.DetailedImportResult.Failures; len(f) != 1 || len(f[0].Messages) != 1 || f[0].Messages[0].Code != tt.code {
				t.Errorf("failures = %+v, want one with code %d", f, tt.code)
			}
			if n := e.s.Uploads(); n != 0 {
				t.Errorf("Uploads() = %d after a refused file", n)
			}
		})
	}
}

// TestWeightWritesNeedDIBackendWithWebTokens: as for the hydration log, a
// web-token write without DI-Backend answers 404; reads do not need it.
func TestWeightWritesNeedDIBackendWithWebTokens(t *testing.T) {
	e := setup(t, Options{})
	web, err := e.s.IssueWeb(testEmail)
	if err != nil {
		t.Fatal(err)
	}
	pre, err := e.s.AddWeighIn(testEmail, WeighIn{Local: measured, GMT: measured, Kg: 70})
	if err != nil {
		t.Fatal(err)
	}
	upload, ct := form(t, "file", "a.fit", fitFile(t, typedef.FileWeight, measured, scale{at: measured, kg: 59.5}))
	reqs := []struct {
		method, path, body string
		extra              []string
		okStatus           int
	}{
		{"POST", weightPath, weightJSON("2025-06-14T08:13:00.000", "2025-06-14T06:13:00.000", "kg", 59.5), nil, 204},
		{"POST", uploadPath, upload, []string{ct}, 202},
		{"GET", "/weight-service/weight/dayview/2025-06-14", "", nil, 200},
		{"DELETE", fmt.Sprintf("/weight-service/weight/2025-06-14/byversion/%d", pre.SamplePK), "", nil, 204},
	}
	for _, rq := range reqs {
		base := append([]string{bearer(web.AccessToken), "Cookie: " + FGPCookie + "=" + web.JWTFGP}, rq.extra...)
		if rq.method != "GET" {
			if r := e.must(rq.method, rq.path, rq.body, base...); r.status != http.StatusNotFound {
				t.Errorf("%s %s without DI-Backend = %d, want 404", rq.method, rq.path, r.status)
			}
		}
		if r := e.must(rq.method, rq.path, rq.body, append(base, DIBackendHeader+": "+DIBackendValue)...); r.status != rq.okStatus {
			t.Errorf("%s %s with DI-Backend = %d %s, want %d", rq.method, rq.path, r.status, r.body, rq.okStatus)
		}
	}
	if n := len(e.s.WeighIns(testEmail)); n != 2 {
		t.Errorf("%d weigh-ins, want 2 (added, uploaded; preload deleted)", n)
	}
}

func TestUploadFaults(t *testing.T) {
	tests := []struct {
		kind   Kind
		status int
		stored int
	}{
		{Kind500, 500, 0},
		{Kind429RetryAfter, 429, 0},
		{KindReset, 0, 0},
		{KindDropAfterCommit, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.kind.String(), func(t *testing.T) {
			e := setup(t, Options{})
			body, ct := form(t, "file", "a.fit", fitFile(t, typedef.FileWeight, measured, scale{at: measured, kg: 59.5}))
			e.s.FailNext(1, tt.kind, ScopeWrites)
			r, err := e.do("POST", uploadPath, body, bearer(e.di().AccessToken), ct)
			if tt.status == 0 {
				if err == nil {
					t.Fatalf("got an answer %d, want the connection closed", r.status)
				}
			} else if err != nil || r.status != tt.status {
				t.Fatalf("answer %d, %v; want %d", r.status, err, tt.status)
			}
			if n := len(e.s.WeighIns(testEmail)); n != tt.stored {
				t.Errorf("%d weigh-ins stored, want %d", n, tt.stored)
			}
		})
	}
}

func TestAddWeighInHelper(t *testing.T) {
	e := setup(t, Options{})
	if _, err := e.s.AddWeighIn("nobody@example.com", WeighIn{Local: measured, GMT: measured, Kg: 60}); err == nil {
		t.Error("AddWeighIn for an unknown account succeeded")
	}
	if _, err := e.s.AddWeighIn(testEmail, WeighIn{GMT: measured, Kg: 60}); err == nil {
		t.Error("AddWeighIn without Local succeeded")
	}
	if _, err := e.s.AddWeighIn(testEmail, WeighIn{Local: measured, GMT: measured, Kg: 0}); err == nil {
		t.Error("AddWeighIn of 0 kg succeeded")
	}
	w, err := e.s.AddWeighIn(testEmail, WeighIn{SamplePK: 1800000000000, Local: measured, GMT: measured, Kg: 60, SourceType: "INDEX_SCALE", FatPercent: fptr(19)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.AddWeighIn(testEmail, WeighIn{SamplePK: w.SamplePK, Local: measured, GMT: measured, Kg: 60}); err == nil {
		t.Error("AddWeighIn with a taken samplePk succeeded")
	}
	next, err := e.s.AddWeighIn(strconvProfile(), WeighIn{Local: measured, GMT: measured, Kg: 61})
	if err != nil {
		t.Fatal(err)
	}
	if next.SamplePK != w.SamplePK+1 || next.SourceType != SourceManual || next.Date != "2025-06-14" {
		t.Errorf("next = %+v, want samplePk %d, MANUAL, 2025-06-14", next, w.SamplePK+1)
	}
	// WeighIns hands out copies.
	got := e.s.WeighIns(testEmail)
	*got[0].FatPercent = 99
	if again := e.s.WeighIns(testEmail); *again[0].FatPercent != 19 {
		t.Error("changing a returned weigh-in changed the server's")
	}
}

func strconvProfile() string { return fmt.Sprint(testProfile) }

// TestUploadIsProcessedLater: with UploadDelay, an accepted file's weigh-in
// is in no read (day view, range, WeighIns) until the delay has passed.
func TestUploadIsProcessedLater(t *testing.T) {
	clock := time.Date(2025, 6, 14, 8, 0, 0, 0, time.UTC)
	e := setup(t, Options{Now: func() time.Time { return clock }, UploadDelay: 5 * time.Second})
	auth := bearer(e.di().AccessToken)
	at := time.Date(2025, 6, 14, 6, 0, 0, 0, time.UTC)
	body, ct := form(t, "file", "w.fit", fitFile(t, typedef.FileWeight, at, scale{at: at, kg: 70.2, fat: fptr(20.5)}))
	if r := e.must("POST", uploadPath, body, auth, ct); r.status != http.StatusAccepted {
		t.Fatalf("upload = %d %s", r.status, r.body)
	}
	day := func() string {
		return string(e.must("GET", "/weight-service/weight/dayview/2025-06-14?includeAll=true", "", auth).body)
	}
	if n := len(e.s.WeighIns(testEmail)); n != 0 || strings.Contains(day(), "70200") {
		t.Fatalf("weigh-in visible before processing: %d listed, day %s", n, day())
	}
	clock = clock.Add(5 * time.Second)
	if n := len(e.s.WeighIns(testEmail)); n != 1 || !strings.Contains(day(), "70200") {
		t.Fatalf("weigh-in not visible after processing: %d listed, day %s", n, day())
	}
}
