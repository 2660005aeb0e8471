package garmin

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"testing"
	"time"
)

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
