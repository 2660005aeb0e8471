package fitbit

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

const expectUserExercises = "a UserExercises CSV with columns exercise_id, exercise_start, exercise_end, utc_offset, activity_name, log_type"

// exerciseRow is one UserExercises row, its columns bound by name: the
// file has 33 columns in 2025 exports and 45–46 in 2026 ones
// (fitbit-formats.md §5), so positions cannot be trusted.
type exerciseRow struct {
	ID               string `csv:"exercise_id"`
	Start            string `csv:"exercise_start"`
	End              string `csv:"exercise_end"`
	Offset           string `csv:"utc_offset"`
	Name             string `csv:"activity_name"`
	LogType          string `csv:"log_type"`
	Calories         string `csv:"tracker_total_calories"`
	Steps            string `csv:"tracker_total_steps"`
	DistanceMM       string `csv:"tracker_total_distance_mm"`
	AvgHR            string `csv:"tracker_avg_heart_rate"`
	ManualCalories   string `csv:"manually_logged_total_calories"`
	ManualSteps      string `csv:"manually_logged_total_steps"`
	ManualDistanceMM string `csv:"manually_logged_total_distance_mm"`
	Line             int    `csv:"__line"`
	Fields           int    `csv:"__fields"`
	Problem          string `csv:"__problem"`
}

func (r exerciseRow) meta() rowMeta { return rowMeta{r.Line, r.Fields, r.Problem} }

// exerciseHeader is the header with its names trimmed and lower-cased, or
// an error when a column the reader needs is missing.
func exerciseHeader(header []string) ([]string, error) {
	h := make([]string, len(header))
	for name, i := range headerIndex(header) {
		h[i] = name
	}
	for _, need := range []string{"exercise_id", "exercise_start", "exercise_end", "utc_offset", "activity_name"} {
		if !slices.Contains(h, need) {
			return nil, ErrFormat
		}
	}
	return h, nil
}

// readUserExercises reads a UserExercises_*.csv: UTC start and end, the
// utc_offset, and the tracker's (or the hand-logged) totals.
func readUserExercises(r io.Reader, s *sink[Activity]) {
	cr := newCSVReader(r)
	_, canon, ok := readColumns(cr, s, expectUserExercises, false, exerciseHeader)
	if !ok {
		return
	}
	decodeRows(cr, canon, s, nil, 0, exerciseFromCSV)
}

func exerciseFromCSV(row exerciseRow, src Source) (Activity, *Error) {
	bad := func(found, expected string) (Activity, *Error) {
		return Activity{}, &Error{Source: src, Found: found, Expected: expected, Err: ErrFormat}
	}
	const layout = "2006-01-02 15:04:05-0700"
	start, err := time.Parse(layout, strings.TrimSpace(row.Start))
	if err != nil || !plausibleYear(start.Year()) {
		return bad(fmt.Sprintf("exercise_start %q", clip(row.Start, 40)), `a time "2006-01-02 15:04:05+0000"`)
	}
	end, err := time.Parse(layout, strings.TrimSpace(row.End))
	if err != nil || end.Before(start) {
		return bad(fmt.Sprintf("exercise_end %q", clip(row.End, 40)), "a time after exercise_start")
	}
	off, ok := parseOffset(strings.TrimSpace(row.Offset))
	if !ok {
		return bad(fmt.Sprintf("utc_offset %q", clip(row.Offset, 20)), `an offset "-07:00"`)
	}
	a := Activity{
		LogID: csvOnlyID(row.ID), Name: strings.TrimSpace(row.Name), LogType: strings.ToLower(strings.TrimSpace(row.LogType)),
		Start: start.UTC(), Offset: off, Duration: end.Sub(start),
		Calories: first(atoiOr(row.Calories), atoiOr(row.ManualCalories)),
		Steps:    first(atoiOr(row.Steps), atoiOr(row.ManualSteps)),
		AvgHR:    atoiOr(row.AvgHR), Source: src,
	}
	a.DistanceM = float64(first(atoiOr(row.DistanceMM), atoiOr(row.ManualDistanceMM))) / 1000
	return a, nil
}

// first returns the first non-zero value.
func first(v ...int) int {
	for _, x := range v {
		if x != 0 {
			return x
		}
	}
	return 0
}

// parseOffset reads "-07:00" or "+0530".
func parseOffset(s string) (time.Duration, bool) {
	for _, l := range []string{"-07:00", "-0700", "Z07:00"} {
		if t, err := time.Parse(l, s); err == nil {
			_, off := t.Zone()
			if off%60 == 0 && off >= -14*3600 && off <= 14*3600 {
				return time.Duration(off) * time.Second, true
			}
		}
	}
	return 0, false
}
