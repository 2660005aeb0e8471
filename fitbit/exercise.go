package fitbit

import (
	"cmp"
	"fmt"
	"io"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Activity is one exercise log (fitbit-formats.md §5): from a Takeout or
// account archive's Global Export Data/exercise-N.json, joined with the
// Takeout's UserExercises_*.csv row of the same session when there is one
// (its UTC start and utc_offset win), or from such a row alone.
type Activity struct {
	// LogID is the JSON logId (the TCX file's name), or "csv-" and the
	// CSV's exercise_id for a session only the CSV has.
	LogID string
	// Name is the activity name ("Run"; the CSV's "Outdoor Run" when only
	// the CSV has it); TypeID the JSON activityTypeId (0 when unknown).
	Name   string
	TypeID int64
	// LogType is lower case as the JSON spells it: auto_detected, tracker,
	// mobile_run, manual, fitstar.
	LogType string
	// Start is the instant the session began. The JSON's startTime is UTC,
	// except for a manual log, which is the user's wall clock (read in the
	// profile's zone): fitbit-formats.md §5 "Time".
	Start time.Time
	// Offset is local time minus UTC during the session: the CSV's
	// utc_offset, else the profile zone's offset at Start.
	Offset time.Duration
	// Duration is start to end, pauses included; Active the moving time.
	Duration, Active time.Duration
	// DistanceM is in metres (0 when the log has none).
	DistanceM float64
	// Calories (kcal), Steps and AvgHR (bpm); 0 when absent.
	Calories, Steps, AvgHR int
	// HasGPS is the JSON's hasGps: a track may be found for it.
	HasGPS bool
	// Source is where the log was read (the JSON record, else the CSV line).
	Source Source
}

// End is when the session ended.
func (a Activity) End() time.Time { return a.Start.Add(a.Duration) }

// HasActivities reports whether the export holds exercise logs.
func (e *Export) HasActivities() bool { return len(e.exerciseJSON) > 0 || len(e.exerciseCSV) > 0 }

// ActivityFiles lists the files activities are read from, in reading order.
func (e *Export) ActivityFiles() []Source {
	var out []Source
	for _, f := range slices.Concat(e.exerciseJSON, e.exerciseCSV) {
		out = append(out, f.source())
	}
	return out
}

// Activities reads every exercise log once. loc is the profile's zone:
// the wall clock of manual logs, and the offset of logs with no CSV row.
// A log that cannot be read is an *Error naming file, entry and record or
// line; the others still come. Sessions are yielded in start order.
func (e *Export) Activities(loc *time.Location) iter.Seq2[Activity, error] {
	return func(yield func(Activity, error) bool) {
		var all []Activity
		byStart := map[int64]int{} // CSV rows by UTC start second
		for _, f := range e.exerciseCSV {
			if !e.readActivities(f, yield, func(r io.Reader, s *sink[Activity]) { readUserExercises(r, s) }, func(a Activity) {
				byStart[a.Start.Unix()] = len(all)
				all = append(all, a)
			}) {
				return
			}
		}
		csvRows := len(all)
		joined := make([]bool, csvRows)
		for _, f := range e.exerciseJSON {
			if !e.readActivities(f, yield, func(r io.Reader, s *sink[Activity]) { readExerciseJSON(r, loc, s) }, func(a Activity) {
				if i, ok := csvRowAt(byStart, joined, a.Start.Unix()); ok {
					joined[i] = true
					all[i] = joinCSV(a, all[i])
					return
				}
				a.Offset = e.offsetOf(a, loc)
				all = append(all, a)
			}) {
				return
			}
		}
		slices.SortStableFunc(all, func(a, b Activity) int { return cmp.Compare(a.Start.UnixNano(), b.Start.UnixNano()) })
		for _, a := range all {
			if !yield(a, nil) {
				return
			}
		}
	}
}

// readActivities reads one file with read, handing records to keep and
// problems to yield; false when the caller stopped.
func (e *Export) readActivities(f file, yield func(Activity, error) bool, read func(io.Reader, *sink[Activity]), keep func(Activity)) bool {
	s := newSink(f.source(), func(a Activity, err error) bool {
		if err != nil {
			return yield(Activity{}, err)
		}
		keep(a)
		return true
	})
	rc, err := f.open()
	if err != nil {
		s.fail(0, fmt.Sprintf("cannot open: %v", err), "", err)
		return !s.aborted
	}
	defer rc.Close()
	read(rc, s)
	return !s.aborted
}

// joinWithin is how far apart the JSON's and the CSV's starts of one
// session may be: equal to the second in every cross-checked export
// (fitbit-formats.md §5), within ±5 s in eshirvana's 3,808 of 3,916 matches
// (reconcile/activity_matcher.py).
const joinWithin = 5

// csvRowAt finds the CSV row not yet joined that starts nearest sec, within
// joinWithin seconds.
func csvRowAt(byStart map[int64]int, joined []bool, sec int64) (int, bool) {
	for d := int64(0); d <= joinWithin; d++ {
		for _, at := range []int64{sec - d, sec + d} {
			if i, ok := byStart[at]; ok && !joined[i] {
				return i, true
			}
		}
	}
	return 0, false
}

// joinCSV takes the JSON log (its id, name, type, HR, GPS) with the CSV
// row's UTC start, offset and duration.
func joinCSV(j, c Activity) Activity {
	j.Start, j.Offset = c.Start, c.Offset
	if c.Duration > 0 {
		j.Duration = c.Duration
	}
	if j.DistanceM == 0 {
		j.DistanceM = c.DistanceM
	}
	return j
}

// offsetOf is the offset of a log without a CSV row: its TCX's <Id>
// carries the local offset (fitbit-formats.md §5 "Time": "else TCX <Id>"),
// else the profile zone's at its start.
func (e *Export) offsetOf(a Activity, loc *time.Location) time.Duration {
	if f, ok := e.tcx[a.LogID]; ok {
		if off, ok := tcxOffset(f); ok {
			return off
		}
	}
	return offsetIn(a.Start, loc)
}

// offsetIn is loc's offset at t.
func offsetIn(t time.Time, loc *time.Location) time.Duration {
	if loc == nil {
		return 0
	}
	_, off := t.In(loc).Zone()
	return time.Duration(off) * time.Second
}

// csvOnlyID marks a session only the CSV has.
func csvOnlyID(id string) string { return "csv-" + strings.TrimSpace(id) }

// atoiOr parses a whole number, 0 for blank or junk (the CSV leaves
// tracker fields blank on auto-detected rows).
func atoiOr(s string) int {
	s = strings.TrimSpace(s)
	if i, err := strconv.Atoi(s); err == nil {
		return i
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 0 && f < 1e12 {
		return int(f + 0.5)
	}
	return 0
}
