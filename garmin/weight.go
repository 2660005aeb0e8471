package garmin

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"time"
)

// Weight paths (garmin-api.md, "Weight"). They sit here rather than in
// endpoints.go only so that this file can land on its own; they follow the
// same rule: every weight host path lives in one place.
const (
	pathUserWeight   = "/weight-service/user-weight"
	pathWeightDay    = "/weight-service/weight/dayview/" // + {date}
	pathWeightRange  = "/weight-service/weight/range/"   // + {start}/{end}
	pathWeightDelete = "/weight-service/weight/"         // + {date}/byversion/{samplePk}
	queryIncludeAll  = "?includeAll=true"
)

// MaxWeightKg is the heaviest weigh-in the client sends. The FIT weight
// field holds at most 655.33 kg; no person weighs more than this.
const MaxWeightKg = 650.0

// weightRangeDays is the most days one range read covers. Garmin documents
// no cap (python-garminconnect and garth ask for any span in one call), so
// this only keeps each answer bounded: a year of several weigh-ins a day is
// well under the client's 8 MB answer limit.
const weightRangeDays = 366

// maxZoneOffset bounds the distance between a local wall clock and UTC
// (real offsets run from -12:00 to +14:00).
const maxZoneOffset = 14 * time.Hour

const localTimestampLayout = "2006-01-02T15:04:05.000"

// WeighInEntry is one weigh-in to add.
type WeighInEntry struct {
	// Local is the local wall-clock time of the weigh-in: its clock fields
	// are read in its own location, so either a time in the user's zone or
	// a wall clock expressed in UTC works.
	Local time.Time
	// GMT is the same instant; only the instant counts (it is sent in UTC).
	GMT time.Time
	// Kg is the weight in kilograms, in (0, MaxWeightKg].
	Kg float64
}

// WeighIn is one weigh-in stored on Garmin.
type WeighIn struct {
	// SamplePK is Garmin's id of the weigh-in (samplePk), used to delete it.
	SamplePK int64
	// Date is the local calendar day, YYYY-MM-DD.
	Date string
	// Local is the local wall-clock time in the clock fields of a UTC time
	// (it is not the instant: GMT is). Zero when Garmin gave none.
	Local time.Time
	// GMT is the instant, in UTC. Zero when Garmin gave none.
	GMT time.Time
	// Kg is the weight in kilograms (Garmin stores grams); 0 when Garmin
	// gave none.
	Kg float64
	// FatPercent is the body fat in percent, nil when not measured.
	FatPercent *float64
	// SourceType says where the weigh-in came from: MANUAL, INDEX_SCALE,
	// FIT_FILE, ...
	SourceType string
}

// weightBody is the JSON of POST /weight-service/user-weight.
type weightBody struct {
	DateTimestamp string  `json:"dateTimestamp"`
	GMTTimestamp  string  `json:"gmtTimestamp"`
	UnitKey       string  `json:"unitKey"`
	SourceType    string  `json:"sourceType"`
	Value         float64 `json:"value"`
}

// AddWeight calls POST /weight-service/user-weight.
//
// It adds a manual weigh-in in kilograms. Garmin keeps every weigh-in as its
// own entry, so a repeated call adds a second one: on an error matching
// ErrOutcomeUnknown, read the day back (WeightDay) before resending.
func (c *Client) AddWeight(ctx context.Context, entry WeighInEntry) error {
	if err := checkWeighInTimes(entry.Local, entry.GMT); err != nil {
		return fmt.Errorf("garmin: add weight: %w", err)
	}
	if err := checkKg(entry.Kg); err != nil {
		return fmt.Errorf("garmin: add weight: %w", err)
	}
	body := weightBody{
		DateTimestamp: entry.Local.Format(localTimestampLayout),
		GMTTimestamp:  entry.GMT.UTC().Format(localTimestampLayout),
		UnitKey:       "kg",
		SourceType:    "MANUAL",
		Value:         entry.Kg,
	}
	return c.do(ctx, call{method: http.MethodPost, path: pathUserWeight, body: body, write: true}, nil)
}

// WeightDay calls GET /weight-service/weight/dayview/{date}?includeAll=true
// and returns the day's weigh-ins (dateWeightList) oldest first.
func (c *Client) WeightDay(ctx context.Context, date string) ([]WeighIn, error) {
	if err := checkDate(date); err != nil {
		return nil, fmt.Errorf("garmin: weight day: %w", err)
	}
	var raw weightDayAnswer
	if err := c.do(ctx, call{method: http.MethodGet, path: pathWeightDay + date + queryIncludeAll}, &raw); err != nil {
		return nil, err
	}
	out, err := raw.weighIns()
	if err != nil {
		return nil, fmt.Errorf("garmin: weight day %s: %w", date, err)
	}
	return out, nil
}

// WeightRange calls GET /weight-service/weight/range/{start}/{end}?includeAll=true,
// once per 366 days (start and end included), and returns every weigh-in
// of dailyWeightSummaries[].allWeightMetrics[] oldest first. Each page waits
// on the limiter.
func (c *Client) WeightRange(ctx context.Context, start, end string) ([]WeighIn, error) {
	all, err := readWindows(ctx, c, "weight range", start, end, weightRangeDays,
		func(from, to string) string { return pathWeightRange + from + "/" + to + queryIncludeAll },
		weightRangeAnswer.weighIns)
	if err != nil {
		return nil, err
	}
	sortWeighIns(all)
	return all, nil
}

// DeleteWeight calls DELETE /weight-service/weight/{date}/byversion/{samplePk}.
//
// date is the weigh-in's local calendar day (WeighIn.Date). Deleting a
// weigh-in that is not there is an *APIError (Garmin answers 404), which
// an undo may treat as done.
func (c *Client) DeleteWeight(ctx context.Context, date string, samplePK int64) error {
	if err := checkDate(date); err != nil {
		return fmt.Errorf("garmin: delete weight: %w", err)
	}
	if samplePK <= 0 {
		return fmt.Errorf("garmin: delete weight: samplePk %d: want a positive id", samplePK)
	}
	path := pathWeightDelete + date + "/byversion/" + strconv.FormatInt(samplePK, 10)
	return c.do(ctx, call{method: http.MethodDelete, path: path, write: true}, nil)
}

// weightMetric is one weigh-in as Garmin sends it.
type weightMetric struct {
	SamplePK     *int64   `json:"samplePk"`
	Date         *int64   `json:"date"` // local wall clock, epoch ms
	CalendarDate *string  `json:"calendarDate"`
	Weight       *float64 `json:"weight"` // grams
	BodyFat      *float64 `json:"bodyFat"`
	SourceType   *string  `json:"sourceType"`
	TimestampGMT *int64   `json:"timestampGMT"` // epoch ms
}

// weightDayAnswer is the answer of the day view.
type weightDayAnswer struct {
	DateWeightList []weightMetric `json:"dateWeightList"`
}

// weightRangeAnswer is the answer of the range read.
type weightRangeAnswer struct {
	DailyWeightSummaries []struct {
		SummaryDate      string         `json:"summaryDate"`
		AllWeightMetrics []weightMetric `json:"allWeightMetrics"`
	} `json:"dailyWeightSummaries"`
}

func (a weightDayAnswer) weighIns() ([]WeighIn, error) {
	out := make([]WeighIn, 0, len(a.DateWeightList))
	for i, m := range a.DateWeightList {
		w, err := m.weighIn("")
		if err != nil {
			return nil, fmt.Errorf("dateWeightList[%d]: %w", i, err)
		}
		out = append(out, w)
	}
	sortWeighIns(out)
	return out, nil
}

func (a weightRangeAnswer) weighIns() ([]WeighIn, error) {
	var out []WeighIn
	for i, d := range a.DailyWeightSummaries {
		for j, m := range d.AllWeightMetrics {
			w, err := m.weighIn(d.SummaryDate)
			if err != nil {
				return nil, fmt.Errorf("dailyWeightSummaries[%d].allWeightMetrics[%d]: %w", i, j, err)
			}
			out = append(out, w)
		}
	}
	sortWeighIns(out)
	return out, nil
}

// weighIn converts Garmin's units; fallbackDate is used when the entry
// names no calendarDate (the range's summaryDate).
func (m weightMetric) weighIn(fallbackDate string) (WeighIn, error) {
	var w WeighIn
	if m.SamplePK != nil {
		w.SamplePK = *m.SamplePK
	}
	if m.Date != nil {
		w.Local = time.UnixMilli(*m.Date).UTC()
	}
	if m.TimestampGMT != nil {
		w.GMT = time.UnixMilli(*m.TimestampGMT).UTC()
	}
	switch {
	case m.CalendarDate != nil && *m.CalendarDate != "":
		w.Date = *m.CalendarDate
	case fallbackDate != "":
		w.Date = fallbackDate
	case m.Date != nil:
		w.Date = w.Local.Format(dateLayout)
	}
	if w.Date == "" {
		return WeighIn{}, fmt.Errorf("samplePk %d: no calendar date", w.SamplePK)
	}
	if err := checkDate(w.Date); err != nil {
		return WeighIn{}, fmt.Errorf("samplePk %d: %w", w.SamplePK, err)
	}
	if m.Weight != nil {
		if g := *m.Weight; g < 0 || math.IsNaN(g) || math.IsInf(g, 0) {
			return WeighIn{}, fmt.Errorf("samplePk %d: weight %v g", w.SamplePK, g)
		}
		w.Kg = *m.Weight / 1000
	}
	if m.BodyFat != nil {
		f := *m.BodyFat
		if f < 0 || f > 100 || math.IsNaN(f) {
			return WeighIn{}, fmt.Errorf("samplePk %d: body fat %v%%", w.SamplePK, f)
		}
		w.FatPercent = &f
	}
	if m.SourceType != nil {
		w.SourceType = *m.SourceType
	}
	return w, nil
}

// sortWeighIns orders weigh-ins by day, then time, then id.
func sortWeighIns(ws []WeighIn) {
	sort.SliceStable(ws, func(i, j int) bool {
		a, b := ws[i], ws[j]
		if a.Date != b.Date {
			return a.Date < b.Date
		}
		if !a.GMT.Equal(b.GMT) {
			return a.GMT.Before(b.GMT)
		}
		return a.SamplePK < b.SamplePK
	})
}

// checkWeighInTimes checks that local and gmt can be the same instant seen
// as a local wall clock and as UTC.
func checkWeighInTimes(local, gmt time.Time) error {
	if local.IsZero() || gmt.IsZero() {
		return fmt.Errorf("local and GMT times are both required")
	}
	off := wallClock(local).Sub(gmt.UTC())
	if off < -maxZoneOffset || off > maxZoneOffset || off%time.Minute != 0 {
		return fmt.Errorf("local time %s and GMT time %s are not one instant (offset %s)",
			local.Format(localTimestampLayout), gmt.UTC().Format(localTimestampLayout), off)
	}
	return nil
}

// wallClock returns t's clock fields as a UTC time.
func wallClock(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

func checkKg(kg float64) error {
	if math.IsNaN(kg) || kg <= 0 || kg > MaxWeightKg {
		return fmt.Errorf("weight %v kg: want more than 0 and at most %v", kg, MaxWeightKg)
	}
	return nil
}
