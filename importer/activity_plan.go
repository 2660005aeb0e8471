package importer

import (
	"fmt"
	"iter"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"fitbit2garmin/fitbit"
)

// KindActivity is exercise logs: each becomes one uploaded FIT activity.
const KindActivity Kind = "activities"

// Why exercise logs are left out of a plan (codes, as for water).
const (
	SkipShort        = "short"         // shorter than ActivityFilter.MinDuration
	SkipAutoDetected = "auto-detected" // auto-detected, with ActivityFilter.SkipAutoDetected
	SkipOtherType    = "other-type"    // a type ActivityFilter.Types leaves out
	SkipSameSession  = "same-session"  // a fragment or a copy of a planned session
)

// SameStart is how close two starts must be for two activities to be one
// session: Garmin's own duplicate check keys on the start (garmin-api.md
// "Duplicates"), and a watch and a Fitbit recording the same run start
// within seconds of each other.
const SameStart = 60 * time.Second

// ActivityRecord is one exercise log as the fitbit package reads it, with
// what its track holds: its number of samples (0: no track) and whether
// they carry heart rate. The log's LogID is the key the upload finds the
// log, and its track, by again.
type ActivityRecord struct {
	fitbit.Activity
	Points  int
	TrackHR bool
}

// ActivityFilter narrows which logs move (the --activity-types,
// --min-duration and --skip-auto-detected flags).
type ActivityFilter struct {
	// Types keeps only these sport families or names ("running",
	// "cycling", "walking", "Outdoor Bike"); empty keeps all.
	Types []string
	// MinDuration leaves out shorter logs.
	MinDuration time.Duration
	// SkipAutoDetected leaves out SmartTrack's automatic logs.
	SkipAutoDetected bool
}

// ActivityOp is what an activity op carries beyond Op's common fields.
type ActivityOp struct {
	Key       string        `json:"key"`
	Name      string        `json:"name"`
	Type      string        `json:"fitbit_type"`
	LogType   string        `json:"log_type,omitempty"`
	Sport     Sport         `json:"sport"`
	Start     time.Time     `json:"start"`
	Offset    time.Duration `json:"-"`
	Duration  time.Duration `json:"-"`
	Active    time.Duration `json:"-"`
	Seconds   float64       `json:"seconds"`
	DistanceM float64       `json:"distance_m,omitempty"`
	Calories  int           `json:"calories,omitempty"`
	Steps     int           `json:"steps,omitempty"`
	AvgHR     int           `json:"avg_hr,omitempty"`
	Points    int           `json:"gps_points,omitempty"`
	HR        bool          `json:"hr,omitempty"`
}

// BuildActivityPlan turns exercise logs into a plan, one op per activity
// on its local day (start + the log's offset, fitbit-formats.md §5 "Time").
// The same session logged twice (an auto-detected fragment of a tracked
// run, or the JSON and CSV copies the reader could not join) is planned
// once: the longer log is kept.
func BuildActivityPlan(records iter.Seq2[ActivityRecord, error], opts PlanOptions, f ActivityFilter) (*Plan, error) {
	if err := opts.validRange(); err != nil {
		return nil, err
	}
	p := &Plan{Kind: KindActivity, Group: GroupEntry, Skipped: map[string]int{}}
	byDate, err := gather(p, records, opts, activityWhen, f.check)
	if err != nil {
		return p, err
	}
	for _, date := range slices.Sorted(maps.Keys(byDate)) {
		recs := byDate[date]
		slices.SortStableFunc(recs, func(a, b ActivityRecord) int { return a.Start.Compare(b.Start) })
		day := Day{Date: date}
		for _, r := range keepSessions(recs, p) {
			day.Ops = append(day.Ops, activityOp(r, date, len(day.Ops)))
		}
		day.Entries = len(day.Ops)
		p.Days = append(p.Days, day)
		p.Entries += day.Entries
		p.Requests += len(day.Ops)
	}
	return p, nil
}

func activityWhen(r ActivityRecord) (string, string, fitbit.Source) {
	local := r.Start.UTC().Add(r.Offset)
	return local.Format(time.DateOnly), local.Format(time.TimeOnly), r.Source
}

// check validates a log and applies the filter.
func (f ActivityFilter) check(r ActivityRecord) (string, error) {
	switch {
	case r.Duration <= 0 || r.Duration > 7*24*time.Hour:
		return "", &InvalidRecordError{r.Source, fmt.Sprintf("duration %v: expected more than 0 and at most 7 days", r.Duration)}
	case math.IsNaN(r.DistanceM) || r.DistanceM < 0 || r.DistanceM > 2_000_000:
		return "", &InvalidRecordError{r.Source, fmt.Sprintf("distance %.0f m: expected 0 to 2,000 km", r.DistanceM)}
	case r.Offset < -14*time.Hour || r.Offset > 14*time.Hour:
		return "", &InvalidRecordError{r.Source, fmt.Sprintf("UTC offset %v: expected within ±14 h", r.Offset)}
	case f.SkipAutoDetected && strings.EqualFold(r.LogType, "auto_detected"):
		return SkipAutoDetected, nil
	case r.Duration < f.MinDuration:
		return SkipShort, nil
	case len(f.Types) > 0 && !f.wants(r):
		return SkipOtherType, nil
	}
	return "", nil
}

func (f ActivityFilter) wants(r ActivityRecord) bool {
	sp := SportOf(r.TypeID, r.Name)
	for _, t := range f.Types {
		t = strings.TrimSpace(t)
		if strings.EqualFold(t, sp.Family) || strings.EqualFold(t, sp.Name) || strings.EqualFold(t, r.Name) {
			return true
		}
	}
	return false
}

// keepSessions drops a log whose start is within SameStart of a kept one,
// or that lies inside a kept one (an auto-detected fragment of a tracked
// session), keeping the longer of the two.
func keepSessions(recs []ActivityRecord, p *Plan) []ActivityRecord {
	var kept []ActivityRecord
	for _, r := range recs {
		i := slices.IndexFunc(kept, func(k ActivityRecord) bool { return sameSession(k, r) })
		if i < 0 {
			kept = append(kept, r)
			continue
		}
		if r.Duration > kept[i].Duration || (r.Duration == kept[i].Duration && r.Points > kept[i].Points) {
			kept[i] = r
		}
		p.Skipped[SkipSameSession]++
	}
	return kept
}

func sameSession(a, b ActivityRecord) bool {
	if d := a.Start.Sub(b.Start); d < SameStart && d > -SameStart {
		return true
	}
	inside := func(outer, inner ActivityRecord) bool {
		return !inner.Start.Before(outer.Start) && !inner.Start.Add(inner.Duration).After(outer.Start.Add(outer.Duration)) &&
			(strings.EqualFold(inner.LogType, "auto_detected") || strings.EqualFold(outer.LogType, "auto_detected"))
	}
	return inside(a, b) || inside(b, a)
}

func activityOp(r ActivityRecord, date string, seq int) Op {
	local := r.Start.UTC().Add(r.Offset)
	a := &ActivityOp{
		Key: r.LogID, Name: r.Name, Type: r.Name, LogType: r.LogType, Sport: SportOf(r.TypeID, r.Name),
		Start: r.Start.UTC().Truncate(time.Second), Offset: r.Offset, Duration: r.Duration, Active: r.Active,
		Seconds: math.Round(r.Duration.Seconds()), DistanceM: math.Round(r.DistanceM*10) / 10,
		Calories: r.Calories, Steps: r.Steps, AvgHR: r.AvgHR, Points: r.Points, HR: r.TrackHR || r.AvgHR > 0,
	}
	op := Op{Kind: string(KindActivity), Date: date, Seq: seq, Time: local.Format("2006-01-02T15:04:05.000"),
		Activity: a, Shown: shownActivity(a)}
	op.ID = activityOpID(a)
	return op
}

// activityOpID derives an op's id from the session itself (start instant
// and sport), not from the file it was read from: the same log read from
// the JSON or the CSV gets the same id.
func activityOpID(a *ActivityOp) string {
	return contentID("%s|%d|%d/%d", KindActivity, a.Start.Unix(), a.Sport.FIT, a.Sport.Sub)
}

// shownActivity is the dry-run's line: type → sport, duration, distance,
// track and heart rate.
func shownActivity(a *ActivityOp) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s → %s, %s", a.Type, a.Sport.Name, a.Duration.Round(time.Second))
	if a.DistanceM > 0 {
		fmt.Fprintf(&b, ", %.2f km", a.DistanceM/1000)
	}
	if a.Points > 0 {
		fmt.Fprintf(&b, ", GPS %d points", a.Points)
	}
	if a.HR {
		b.WriteString(", HR")
	}
	if !a.Sport.Known {
		b.WriteString(" (unknown type: generic)")
	}
	return b.String()
}
