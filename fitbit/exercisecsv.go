package fitbit

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

const expectUserExercises = "a UserExercises CSV with columns exercise_id, exercise_start, exercise_end, utc_offset, activity_name, log_type"

// exerciseCols are the UserExercises columns read, found by name: the file
// has 33 columns in 2025 exports and 45–46 in 2026 ones (fitbit-formats.md
// §5), so positions cannot be trusted.
type exerciseCols struct {
	id, start, end, offset, name, logType         int
	calories, steps, distanceMM, avgHR            int
	manualCalories, manualSteps, manualDistanceMM int
}

func exerciseColumns(header []string) (exerciseCols, error) {
	idx := headerIndex(header)
	col := func(name string) int {
		if i, ok := idx[name]; ok {
			return i
		}
		return -1
	}
	c := exerciseCols{
		id: col("exercise_id"), start: col("exercise_start"), end: col("exercise_end"), offset: col("utc_offset"),
		name: col("activity_name"), logType: col("log_type"),
		calories: col("tracker_total_calories"), steps: col("tracker_total_steps"),
		distanceMM: col("tracker_total_distance_mm"), avgHR: col("tracker_avg_heart_rate"),
		manualCalories: col("manually_logged_total_calories"), manualSteps: col("manually_logged_total_steps"),
		manualDistanceMM: col("manually_logged_total_distance_mm"),
	}
	if c.id < 0 || c.start < 0 || c.end < 0 || c.offset < 0 || c.name < 0 {
		return c, errors.New("missing columns")
	}
	return c, nil
}

// readUserExercises reads a UserExercises_*.csv: UTC start and end, the
// utc_offset, and the tracker's (or the hand-logged) totals.
func readUserExercises(r io.Reader, s *sink[Activity]) {
	cr := newCSVReader(r)
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return
	}
	if err != nil {
		s.fail(1, fmt.Sprintf("unreadable header: %v", err), expectUserExercises, fmt.Errorf("%w: %w", ErrFormat, err))
		return
	}
	c, err := exerciseColumns(header)
	if err != nil {
		s.fail(1, "header "+quoteHeader(header), expectUserExercises, ErrFormat)
		return
	}
	readRows(cr, s, func(rec []string, line int) bool {
		a, e := exerciseFromCSV(rec, c, s.at(line))
		if e != nil {
			return s.problem(e)
		}
		return s.record(a)
	})
}

func exerciseFromCSV(rec []string, c exerciseCols, src Source) (Activity, *Error) {
	get := func(i int) string {
		if i < 0 || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	bad := func(found, expected string) (Activity, *Error) {
		return Activity{}, &Error{Source: src, Found: found, Expected: expected, Err: ErrFormat}
	}
	const layout = "2006-01-02 15:04:05-0700"
	start, err := time.Parse(layout, get(c.start))
	if err != nil || !plausibleYear(start.Year()) {
		return bad(fmt.Sprintf("exercise_start %q", clip(get(c.start), 40)), `a time "2006-01-02 15:04:05+0000"`)
	}
	end, err := time.Parse(layout, get(c.end))
	if err != nil || end.Before(start) {
		return bad(fmt.Sprintf("exercise_end %q", clip(get(c.end), 40)), "a time after exercise_start")
	}
	off, ok := parseOffset(get(c.offset))
	if !ok {
		return bad(fmt.Sprintf("utc_offset %q", clip(get(c.offset), 20)), `an offset "-07:00"`)
	}
	a := Activity{
		LogID: csvOnlyID(get(c.id)), Name: get(c.name), LogType: strings.ToLower(get(c.logType)),
		Start: start.UTC(), Offset: off, Duration: end.Sub(start),
		Calories: first(atoiOr(get(c.calories)), atoiOr(get(c.manualCalories))),
		Steps:    first(atoiOr(get(c.steps)), atoiOr(get(c.manualSteps))),
		AvgHR:    atoiOr(get(c.avgHR)), Source: src,
	}
	a.DistanceM = float64(first(atoiOr(get(c.distanceMM)), atoiOr(get(c.manualDistanceMM)))) / 1000
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
