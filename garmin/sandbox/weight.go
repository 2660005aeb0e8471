package sandbox

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/muktihari/fit/kit/datetime"
	"github.com/muktihari/fit/profile/basetype"
	"github.com/muktihari/fit/profile/filedef"
	"github.com/muktihari/fit/profile/typedef"
)

// Weight sources the fake records.
const (
	// SourceManual is a weigh-in added through POST /weight-service/user-weight.
	SourceManual = "MANUAL"
	// SourceFITFile is a weigh-in made from an uploaded FIT file.
	SourceFITFile = "FIT_FILE"
)

// Weight limits the fake enforces.
const (
	// MaxWeightKg is the heaviest weigh-in accepted (the FIT weight field
	// holds at most 655.33 kg).
	MaxWeightKg = 650.0
	// maxZoneOffset bounds local minus GMT time of a weigh-in.
	maxZoneOffset = 14 * time.Hour
	lbsToKg       = 0.45359237
)

// WeighIn is one stored weigh-in of an account.
type WeighIn struct {
	// SamplePK is the entry id (samplePk); AddWeighIn assigns one if 0.
	SamplePK int64
	// Date is the local calendar day, YYYY-MM-DD; AddWeighIn derives it
	// from Local if empty.
	Date string
	// Local is the local wall clock, in the clock fields of a UTC time.
	Local time.Time
	// GMT is the instant.
	GMT time.Time
	// Kg is the weight; answers carry it in whole grams.
	Kg float64
	// FatPercent is the body fat in percent, nil if none.
	FatPercent *float64
	// BMI is the body mass index an uploaded file gave, nil for none.
	BMI *float64
	// SourceType is SourceManual, SourceFITFile or whatever a preload says
	// (SourceManual if empty).
	SourceType string

	upload  string    // key of the FIT upload that made it, if any
	visible time.Time // when an upload's processing ends: not listed before
}

// shown returns the weigh-ins Garmin lists at now: an uploaded file's
// weigh-ins only once its processing is over (see Options.UploadDelay).
func (st *weightStore) shown(now time.Time) []*WeighIn {
	var out []*WeighIn
	for _, w := range st.entries {
		if !now.Before(w.visible) {
			out = append(out, w)
		}
	}
	return out
}

// weightStore is an account's weight data. The zero value is empty.
type weightStore struct {
	entries []*WeighIn
	zone    *time.Location // the account's time zone for FIT uploads; UTC if nil
}

// WeighIns returns a copy of an account's weigh-ins (email or profile id),
// by day, then instant, then id.
func (s *Server) WeighIns(who string) []WeighIn {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.lookup(who)
	if a == nil {
		return nil
	}
	shown := a.weight.shown(s.opts.Now())
	out := make([]WeighIn, 0, len(shown))
	for _, w := range sortedWeighIns(shown) {
		c := *w
		if w.FatPercent != nil {
			f := *w.FatPercent
			c.FatPercent = &f
		}
		out = append(out, c)
	}
	return out
}

// AddWeighIn preloads a weigh-in, as if made by a scale or another app,
// and returns it as stored. Local and GMT are required; SamplePK, Date and
// SourceType are filled in when empty.
func (s *Server) AddWeighIn(who string, w WeighIn) (WeighIn, error) {
	if w.Local.IsZero() || w.GMT.IsZero() {
		return WeighIn{}, errors.New("sandbox: add weigh-in: Local and GMT are required")
	}
	if err := checkKg(w.Kg); err != nil {
		return WeighIn{}, fmt.Errorf("sandbox: add weigh-in: %w", err)
	}
	w.Local = wallClock(w.Local)
	w.GMT = w.GMT.UTC()
	if w.Date == "" {
		w.Date = w.Local.Format(dateLayout)
	}
	if _, err := parseDate(w.Date); err != nil {
		return WeighIn{}, fmt.Errorf("sandbox: add weigh-in: %w", err)
	}
	if w.SourceType == "" {
		w.SourceType = SourceManual
	}
	if w.FatPercent != nil {
		f := *w.FatPercent
		w.FatPercent = &f
	}
	w.upload = ""
	a, unlock, err := s.locked(who)
	if err != nil {
		return WeighIn{}, err
	}
	defer unlock()
	if w.SamplePK == 0 {
		w.SamplePK = s.nextSamplePK()
	} else {
		for _, e := range a.weight.entries {
			if e.SamplePK == w.SamplePK {
				return WeighIn{}, fmt.Errorf("sandbox: add weigh-in: samplePk %d exists", w.SamplePK)
			}
		}
		s.lastSamplePK = max(s.lastSamplePK, w.SamplePK)
	}
	stored := w
	a.weight.entries = append(a.weight.entries, &stored)
	return w, nil
}

// SetTimeZone sets an account's time zone as Garmin's settings hold it: a
// FIT upload carries only an instant, and the fake files it under the local
// day of this zone (UTC until set).
func (s *Server) SetTimeZone(who string, loc *time.Location) error {
	if loc == nil {
		return errors.New("sandbox: set time zone: nil location")
	}
	a, unlock, err := s.locked(who)
	if err != nil {
		return err
	}
	defer unlock()
	a.weight.zone = loc
	return nil
}

// nextSamplePK returns a new entry id, increasing across accounts. Callers
// hold s.mu.
func (s *Server) nextSamplePK() int64 {
	if s.lastSamplePK == 0 {
		s.lastSamplePK = 1700000000000
	}
	s.lastSamplePK++
	return s.lastSamplePK
}

// addWeight serves POST /weight-service/user-weight.
func (s *Server) addWeight(c *call) reply {
	w, err := parseWeightBody(c.body)
	if err != nil {
		return jsonError(http.StatusBadRequest, err.Error())
	}
	w.SamplePK = s.nextSamplePK()
	c.acct.weight.entries = append(c.acct.weight.entries, &w)
	return reply{status: http.StatusNoContent, applied: true}
}

// parseWeightBody validates the body of POST /weight-service/user-weight.
func parseWeightBody(body []byte) (WeighIn, error) {
	var in struct {
		DateTimestamp *string          `json:"dateTimestamp"`
		GMTTimestamp  *string          `json:"gmtTimestamp"`
		UnitKey       *string          `json:"unitKey"`
		SourceType    *string          `json:"sourceType"`
		Value         *json.RawMessage `json:"value"`
	}
	if err := decodeBody(body, &in); err != nil {
		return WeighIn{}, err
	}
	var w WeighIn
	if in.DateTimestamp == nil || in.GMTTimestamp == nil {
		return w, errors.New("dateTimestamp and gmtTimestamp are required")
	}
	local, err := parseLocalTS(*in.DateTimestamp)
	if err != nil {
		return w, fmt.Errorf("dateTimestamp: %w", err)
	}
	gmt, err := parseLocalTS(*in.GMTTimestamp)
	if err != nil {
		return w, fmt.Errorf("gmtTimestamp: %w", err)
	}
	if off := local.Sub(gmt); off < -maxZoneOffset || off > maxZoneOffset {
		return w, fmt.Errorf("dateTimestamp and gmtTimestamp are %s apart", off)
	}
	if in.Value == nil || string(*in.Value) == "null" {
		return w, errors.New("value is required")
	}
	v, err := strconv.ParseFloat(string(*in.Value), 64)
	if err != nil {
		return w, errors.New("value must be a number")
	}
	unit := "kg"
	if in.UnitKey != nil {
		unit = *in.UnitKey
	}
	switch unit {
	case "kg":
	case "lbs":
		v *= lbsToKg
	default:
		return w, fmt.Errorf("unitKey %q is not kg or lbs", unit)
	}
	if err := checkKg(v); err != nil {
		return w, err
	}
	w.SourceType = SourceManual
	if in.SourceType != nil && *in.SourceType != "" {
		w.SourceType = *in.SourceType
	}
	w.Local, w.GMT, w.Kg = local, gmt, v
	w.Date = local.Format(dateLayout)
	return w, nil
}

func parseLocalTS(s string) (time.Time, error) {
	return parseStrict(localTSLayout, s, "%q is not YYYY-MM-DDTHH:MM:SS.mmm")
}

func checkKg(kg float64) error {
	if math.IsNaN(kg) || kg <= 0 || kg > MaxWeightKg {
		return fmt.Errorf("weight %v kg is not in (0, %v]", kg, MaxWeightKg)
	}
	return nil
}

// weightDay serves GET /weight-service/weight/dayview/{date}.
func (s *Server) weightDay(c *call) reply {
	date := c.r.PathValue("date")
	day, err := parseDate(date)
	if err != nil {
		return jsonError(http.StatusBadRequest, err.Error())
	}
	var list []*WeighIn
	for _, w := range sortedWeighIns(c.acct.weight.shown(c.now)) {
		if w.Date == date {
			list = append(list, w)
		}
	}
	slices.Reverse(list) // newest first, as Garmin lists them
	metrics := make([]map[string]any, 0, len(list))
	for _, w := range list {
		metrics = append(metrics, weightMetric(w))
	}
	return reply{status: http.StatusOK, body: map[string]any{
		"startDate":      date,
		"endDate":        date,
		"dateWeightList": metrics,
		"totalAverage":   weightAverage(list, day, day),
	}}
}

// weightRange serves GET /weight-service/weight/range/{start}/{end}.
// Garmin documents no cap on the span, and the fake imposes none.
func (s *Server) weightRange(c *call) reply {
	start, end, bad := pathRange(c)
	if bad != nil {
		return *bad
	}
	lo, hi := start.Format(dateLayout), end.Format(dateLayout)
	byDay := map[string][]*WeighIn{}
	var days []string
	var all []*WeighIn
	for _, w := range sortedWeighIns(c.acct.weight.shown(c.now)) {
		if w.Date < lo || w.Date > hi {
			continue
		}
		if _, ok := byDay[w.Date]; !ok {
			days = append(days, w.Date)
		}
		byDay[w.Date] = append(byDay[w.Date], w)
		all = append(all, w)
	}
	summaries := make([]map[string]any, 0, len(days))
	for i := len(days) - 1; i >= 0; i-- { // newest day first
		list := slices.Clone(byDay[days[i]])
		slices.Reverse(list)
		metrics := make([]map[string]any, 0, len(list))
		minG, maxG := math.Inf(1), math.Inf(-1)
		for _, w := range list {
			metrics = append(metrics, weightMetric(w))
			g := grams(w.Kg)
			minG, maxG = min(minG, g), max(maxG, g)
		}
		summaries = append(summaries, map[string]any{
			"summaryDate":        days[i],
			"numOfWeightEntries": len(list),
			"minWeight":          minG,
			"maxWeight":          maxG,
			"latestWeight":       metrics[0],
			"allWeightMetrics":   metrics,
		})
	}
	return reply{status: http.StatusOK, body: map[string]any{
		"dailyWeightSummaries": summaries,
		"totalAverage":         weightAverage(all, start, end),
	}}
}

// deleteWeight serves DELETE /weight-service/weight/{date}/byversion/{samplePk}.
func (s *Server) deleteWeight(c *call) reply {
	date := c.r.PathValue("date")
	if _, err := parseDate(date); err != nil {
		return jsonError(http.StatusBadRequest, err.Error())
	}
	pk, err := strconv.ParseInt(c.r.PathValue("samplePk"), 10, 64)
	if err != nil {
		return jsonError(http.StatusBadRequest, "samplePk is not a number")
	}
	entries := c.acct.weight.entries
	for i, w := range entries {
		if w.SamplePK == pk && w.Date == date && !c.now.Before(w.visible) {
			c.acct.weight.entries = slices.Delete(entries, i, i+1)
			return reply{status: http.StatusNoContent, applied: true}
		}
	}
	return jsonError(http.StatusNotFound, fmt.Sprintf("no weigh-in %d on %s", pk, date))
}

// scale is one weight_scale measurement of an uploaded file.
type scale struct {
	at  time.Time
	kg  float64
	fat *float64
	bmi *float64
}

// parseWeightFIT reads a weight FIT file: its weight_scale messages and
// the key that identifies the file for duplicate detection (its file_id,
// as Garmin dedups uploads; the content's hash, of raw, when the file_id
// has no creation time).
func parseWeightFIT(f *filedef.Weight, raw []byte) ([]scale, string, error) {
	if len(f.WeightScales) == 0 {
		return nil, "", errors.New("FIT file has no weight_scale message")
	}
	var out []scale
	for i, ws := range f.WeightScales {
		if ws.Timestamp.IsZero() {
			return nil, "", fmt.Errorf("weight_scale %d has no timestamp", i)
		}
		if deviceTime(ws.Timestamp) {
			return nil, "", fmt.Errorf("weight_scale %d has a device time, not a date", i)
		}
		if ws.Weight == typedef.WeightInvalid || ws.Weight == typedef.WeightCalculating || ws.Weight == 0 {
			return nil, "", fmt.Errorf("weight_scale %d has no weight", i)
		}
		sc := scale{at: ws.Timestamp.UTC(), kg: float64(ws.Weight) / 100}
		if err := checkKg(sc.kg); err != nil {
			return nil, "", fmt.Errorf("weight_scale %d: %w", i, err)
		}
		if ws.PercentFat != basetype.Uint16Invalid {
			fat := float64(ws.PercentFat) / 100
			if fat <= 0 || fat >= 100 {
				return nil, "", fmt.Errorf("weight_scale %d: body fat %v%%", i, fat)
			}
			sc.fat = &fat
		}
		if ws.Bmi != basetype.Uint16Invalid && ws.Bmi > 0 {
			bmi := float64(ws.Bmi) / 10
			sc.bmi = &bmi
		}
		out = append(out, sc)
	}
	id := f.FileId
	var key string
	if id.TimeCreated.IsZero() || id.TimeCreated.Before(datetime.Epoch()) {
		sum := sha256.Sum256(raw)
		key = "sha256:" + hex.EncodeToString(sum[:])
	} else {
		key = fmt.Sprintf("file_id:%d/%d/%d/%d/%d", id.Type, id.Manufacturer, id.Product, id.SerialNumber, id.TimeCreated.Unix())
	}
	return out, key, nil
}

// weightMetric is a weigh-in as Garmin answers it: grams and epoch ms.
func weightMetric(w *WeighIn) map[string]any {
	var fat, bmi any
	if w.FatPercent != nil {
		fat = *w.FatPercent
	}
	if w.BMI != nil {
		bmi = *w.BMI
	}
	return map[string]any{
		"samplePk":       w.SamplePK,
		"date":           w.Local.UnixMilli(),
		"calendarDate":   w.Date,
		"weight":         grams(w.Kg),
		"bmi":            bmi,
		"bodyFat":        fat,
		"bodyWater":      nil,
		"boneMass":       nil,
		"muscleMass":     nil,
		"physiqueRating": nil,
		"visceralFat":    nil,
		"metabolicAge":   nil,
		"sourceType":     w.SourceType,
		"timestampGMT":   w.GMT.UnixMilli(),
		"weightDelta":    nil,
	}
}

// weightAverage is the totalAverage block of a read.
func weightAverage(list []*WeighIn, start, end time.Time) map[string]any {
	var weight, fat any
	var sumG, sumFat float64
	nFat := 0
	for _, w := range list {
		sumG += grams(w.Kg)
		if w.FatPercent != nil {
			sumFat += *w.FatPercent
			nFat++
		}
	}
	if len(list) > 0 {
		weight = math.Round(sumG / float64(len(list)))
	}
	if nFat > 0 {
		fat = sumFat / float64(nFat)
	}
	return map[string]any{
		"from":      start.UnixMilli(),
		"until":     end.AddDate(0, 0, 1).UnixMilli() - 1,
		"weight":    weight,
		"bmi":       nil,
		"bodyFat":   fat,
		"bodyWater": nil,
	}
}

func grams(kg float64) float64 { return math.Round(kg * 1000) }

// sortedWeighIns returns ws ordered by day, instant and id.
func sortedWeighIns(ws []*WeighIn) []*WeighIn {
	out := slices.Clone(ws)
	slices.SortStableFunc(out, func(a, b *WeighIn) int {
		if c := strings.Compare(a.Date, b.Date); c != 0 {
			return c
		}
		if c := a.GMT.Compare(b.GMT); c != 0 {
			return c
		}
		return cmp.Compare(a.SamplePK, b.SamplePK)
	})
	return out
}

// wallClock returns t's clock fields as a UTC time.
func wallClock(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}
