// Package importer turns Fitbit records into a plan of writes, one calendar
// day at a time, and replays a plan against Garmin exactly once: with a
// shared rate limit, retries, and reconciliation of writes whose outcome is
// unknown, all recorded in the state journal.
//
// It knows nothing of HTTP or of file formats.
package importer

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"iter"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"fitbit2garmin/fitbit"
)

// Kind names a kind of data the importer moves; the journal stores it as
// it is ("water", "weight").
type Kind string

// Kinds of data the importer knows (KindWeight is in weight.go).
const (
	KindWater Kind = "water"
)

// Group is how a day's drinks become requests.
type Group string

// Grouping modes.
const (
	// GroupDay sends one request carrying a day's total: Garmin keeps daily
	// totals only, so this is the polite default.
	GroupDay Group = "day"
	// GroupEntry replays each logged drink as its own request.
	GroupEntry Group = "entry"
)

// MaxRequestML is the largest amount one hydration request may carry
// (python-garminconnect refuses more; so does the fake). Larger day totals
// are split into several requests.
const MaxRequestML = 10000.0

// MaxEntryML is the largest single drink accepted: above it an entry is
// treated as invalid input (10 litres in one go is a typo, not a drink).
const MaxEntryML = 10000.0

// DefaultTime is the local time of day used for entries that have none
// (fitbit.com Data Export day totals, Web API dumps): noon keeps the entry
// well inside its calendar day, away from midnight and from the hours at
// which daylight-saving time changes.
const DefaultTime = "12:00:00"

// Why records are left out of a plan (Plan.Skipped). Like the day-skip
// codes, these are short codes; cmd says them in words.
const (
	SkipZero     = "zero"         // a zero amount
	SkipNegative = "negative"     // a negative amount
	SkipSince    = "before-since" // before PlanOptions.Since
	SkipUntil    = "after-until"  // after PlanOptions.Until
	SkipInvalid  = "invalid"      // invalid, left out with PlanOptions.SkipInvalid
)

// PlanOptions shape a plan.
type PlanOptions struct {
	Group Group  // GroupDay (default) or GroupEntry
	Since string // YYYY-MM-DD, inclusive; "" for no bound
	Until string // YYYY-MM-DD, inclusive; "" for no bound
	// SkipInvalid reports invalid records and plans the rest instead of
	// failing the whole plan.
	SkipInvalid bool
}

// Op is one planned write to Garmin.
type Op struct {
	// ID is stable: derived from the op's content (kind, date, position in
	// the day, amount, timestamp), so the same export always yields the same ids.
	ID   string  `json:"id"`
	Kind string  `json:"kind"`
	Date string  `json:"date"`
	Seq  int     `json:"seq"`
	Time string  `json:"timestampLocal"` // 2006-01-02T15:04:05.000
	ML   float64 `json:"ml,omitempty"`
	// Weight ops only.
	Kg    float64  `json:"kg,omitempty"`
	Fat   *float64 `json:"fat_percent,omitempty"`
	BMI   *float64 `json:"bmi,omitempty"`   // weigh-ins: body mass index, when the export has it
	Shown string   `json:"shown,omitempty"` // the value as read: "190.9 lb → 86.59 kg"
	// Activity ops only.
	Activity *ActivityOp `json:"activity,omitempty"`
}

// Day is the plan for one calendar day.
type Day struct {
	Date    string  `json:"date"`
	Entries int     `json:"entries"`
	ML      float64 `json:"ml"`
	Ops     []Op    `json:"ops"`
}

// Plan is what an import would send, day by day, and what it left out.
type Plan struct {
	Kind     Kind           `json:"kind"`
	Group    Group          `json:"group"`
	Days     []Day          `json:"days"`
	Skipped  map[string]int `json:"skipped"`  // entries left out, by reason
	Problems []error        `json:"-"`        // invalid records (fatal unless SkipInvalid)
	Entries  int            `json:"entries"`  // entries planned
	ML       float64        `json:"ml"`       // millilitres planned
	Requests int            `json:"requests"` // write requests planned
}

// ProblemError is returned by BuildPlan when records were invalid and
// SkipInvalid was not set: every problem found, not only the first.
type ProblemError struct {
	Problems []error
}

func (e *ProblemError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d invalid record(s) in the export; nothing was sent:", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.Error())
	}
	return b.String()
}

// Unwrap returns the problems, so that errors.Is and errors.As see each.
func (e *ProblemError) Unwrap() []error { return e.Problems }

// InvalidRecordError says why a well-formed record cannot be imported.
type InvalidRecordError struct {
	Source fitbit.Source
	Reason string
}

func (e *InvalidRecordError) Error() string { return e.Source.String() + ": " + e.Reason }

// BuildPlan reads water records and groups them into a plan. Records come
// with their problems (errors) from the fitbit reader; problems and records
// that cannot be imported stop the plan with a *ProblemError unless
// opts.SkipInvalid is set, in which case they are counted and left out.
func BuildPlan(records iter.Seq2[fitbit.Water, error], opts PlanOptions) (*Plan, error) {
	if opts.Group == "" {
		opts.Group = GroupDay
	}
	if opts.Group != GroupDay && opts.Group != GroupEntry {
		return nil, fmt.Errorf("group %q: expected day or entry", opts.Group)
	}
	if err := opts.validRange(); err != nil {
		return nil, err
	}
	p := &Plan{Kind: KindWater, Group: opts.Group, Skipped: map[string]int{}}
	byDate, err := gather(p, records, opts, func(r fitbit.Water) (string, string, fitbit.Source) { return r.Date, r.Time, r.Source },
		func(rec fitbit.Water) (string, error) {
			switch {
			case math.IsNaN(rec.ML) || math.IsInf(rec.ML, 0):
				return "", &InvalidRecordError{rec.Source, "amount is not a number"}
			case rec.ML == 0:
				return SkipZero, nil
			case rec.ML < 0:
				return SkipNegative, nil
			case !rec.DayTotal && rec.ML > MaxEntryML:
				return "", &InvalidRecordError{rec.Source,
					fmt.Sprintf("%.0f ml in one entry: expected at most %.0f ml (10 litres)", rec.ML, MaxEntryML)}
			}
			return "", nil
		})
	if err != nil {
		return p, err
	}
	for _, date := range slices.Sorted(maps.Keys(byDate)) {
		day := waterDay(date, byDate[date], opts.Group)
		p.Days = append(p.Days, day)
		p.Entries += day.Entries
		p.ML += day.ML
		p.Requests += len(day.Ops)
	}
	p.ML = roundML(p.ML)
	return p, nil
}

// waterDay plans one day's drinks: one request carrying the day's total
// stamped with its last drink's time (GroupDay), or one per drink; each
// split at MaxRequestML.
func waterDay(date string, recs []fitbit.Water, group Group) Day {
	// Sort drinks by time so the plan does not depend on file order;
	// ties keep reading order, which is deterministic.
	sort.SliceStable(recs, func(i, j int) bool { return clockOf(recs[i]) < clockOf(recs[j]) })
	day := Day{Date: date, Entries: len(recs)}
	var amounts []float64
	var times []string
	if group == GroupEntry {
		for _, r := range recs {
			amounts = append(amounts, r.ML)
			times = append(times, clockOf(r))
		}
	} else {
		total := 0.0
		for _, r := range recs {
			total += r.ML
		}
		amounts = append(amounts, total)
		times = append(times, clockOf(recs[len(recs)-1]))
	}
	for i, amt := range amounts {
		for _, part := range splitML(amt) {
			op := Op{Kind: string(KindWater), Date: date, Seq: len(day.Ops), Time: date + "T" + times[i] + ".000", ML: part}
			op.ID = opID(op)
			day.Ops = append(day.Ops, op)
			day.ML += part
		}
	}
	day.ML = roundML(day.ML)
	return day
}

// gather sorts a kind's records into local days, the part of planning
// every kind shares: a record that comes with an error, whose date or time
// is invalid, or that check finds a problem in, is a problem; one check
// gives a skip reason for, or outside --since/--until, is counted as
// skipped; the rest are grouped by date. Problems then stop the plan
// (settleProblems) unless --skip-invalid.
func gather[R any](p *Plan, records iter.Seq2[R, error], opts PlanOptions,
	when func(R) (date, clock string, src fitbit.Source), check func(R) (skip string, problem error)) (map[string][]R, error) {
	byDate := map[string][]R{}
	for rec, err := range records {
		if err != nil {
			p.Problems = append(p.Problems, err)
			continue
		}
		date, clock, src := when(rec)
		if err := whenProblem(date, clock, src); err != nil {
			p.Problems = append(p.Problems, err)
			continue
		}
		skip, problem := check(rec)
		if skip == "" {
			skip = opts.outside(date)
		}
		switch {
		case problem != nil:
			p.Problems = append(p.Problems, problem)
		case skip != "":
			p.Skipped[skip]++
		default:
			byDate[date] = append(byDate[date], rec)
		}
	}
	return byDate, p.settleProblems(opts)
}

// clockOf is the local time of day a record is stamped with.
func clockOf(r fitbit.Water) string {
	if r.Time == "" {
		return DefaultTime
	}
	return r.Time
}

// splitML cuts an amount into requests of at most MaxRequestML, the
// remainder last, so each part is accepted by Garmin.
func splitML(ml float64) []float64 {
	ml = roundML(ml)
	var parts []float64
	for ml > MaxRequestML {
		parts = append(parts, MaxRequestML)
		ml = roundML(ml - MaxRequestML)
	}
	return append(parts, ml)
}

// roundML rounds to a thousandth of a millilitre, below anything Garmin
// shows, so sums of converted fl oz compare equal on every run.
func roundML(ml float64) float64 { return math.Round(ml*1000) / 1000 }

// opID derives an op's id from its content.
func opID(op Op) string {
	return contentID("%s|%s|%d|%.3f|%s", op.Kind, op.Date, op.Seq, op.ML, op.Time)
}

// contentID is the op id of every kind: the first 8 bytes of the SHA-256
// of the op's content, formatted, in hex. The same export always yields
// the same ids.
func contentID(format string, args ...any) string {
	h := sha256.New()
	fmt.Fprintf(h, format, args...)
	return hex.EncodeToString(h.Sum(nil)[:8])
}

func validDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

func validClock(s string) bool {
	_, err := time.Parse(time.TimeOnly, s)
	return err == nil
}

// First and Last return the plan's first and last dates ("" when empty).
func (p *Plan) First() string {
	if len(p.Days) == 0 {
		return ""
	}
	return p.Days[0].Date
}

// Last returns the plan's last date ("" when empty).
func (p *Plan) Last() string {
	if len(p.Days) == 0 {
		return ""
	}
	return p.Days[len(p.Days)-1].Date
}

// validRange checks --since and --until.
func (o PlanOptions) validRange() error {
	for _, d := range []string{o.Since, o.Until} {
		if d != "" && !validDate(d) {
			return fmt.Errorf("date %q: expected YYYY-MM-DD", d)
		}
	}
	return nil
}

// outside returns the skip reason for a date outside --since/--until, or "".
func (o PlanOptions) outside(date string) string {
	switch {
	case o.Since != "" && date < o.Since:
		return SkipSince
	case o.Until != "" && date > o.Until:
		return SkipUntil
	}
	return ""
}

// whenProblem checks a record's local date and time of day.
func whenProblem(date, clock string, src fitbit.Source) error {
	switch {
	case !validDate(date):
		return &InvalidRecordError{src, fmt.Sprintf("date %q: expected YYYY-MM-DD", date)}
	case clock != "" && !validClock(clock):
		return &InvalidRecordError{src, fmt.Sprintf("time %q: expected HH:MM:SS", clock)}
	}
	return nil
}

// settleProblems fails the plan on invalid records, or with SkipInvalid
// counts them as skipped.
func (p *Plan) settleProblems(opts PlanOptions) error {
	if len(p.Problems) == 0 {
		return nil
	}
	if !opts.SkipInvalid {
		return &ProblemError{Problems: p.Problems}
	}
	p.Skipped[SkipInvalid] += len(p.Problems)
	return nil
}
