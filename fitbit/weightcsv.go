package fitbit

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"
)

// fatWindow is how far apart a body-fat row and a weight row may be and
// still be one weigh-in: a scale writes both at the same instant, but the
// two files are written separately and may round differently.
const fatWindow = 60 * time.Second

// FromHealthConnect reports whether a Takeout "data source" names Health
// Connect: such rows were synced in from another app, and are likely
// duplicates of what that app sends to Garmin itself.
func FromHealthConnect(dataSource string) bool {
	return strings.HasSuffix(strings.ToLower(strings.TrimSpace(dataSource)), "health connect")
}

// weightCols are the columns of a Takeout weight or body-fat CSV, found by name.
type weightCols struct {
	time, weight, fat, source int // weight, fat and source are -1 when absent
	unit                      string
}

const expectWeightHeader = `a header with a "timestamp" column (UTC ISO-8601 times) and a weight column naming its unit ` +
	`("timestamp,weight grams,data source") or a body-fat column ("timestamp,body fat percentage,data source")`

// weightColumns finds the columns of a Takeout weight*.csv or body_fat*.csv
// header. The weight column must name its unit (grams, kilograms or
// pounds): the Takeout always does, and the unit is not guessed.
func weightColumns(header []string) (weightCols, error) {
	norm, t := takeoutHeader(header)
	c := weightCols{time: t, weight: -1, fat: -1, source: -1}
	for i, n := range norm {
		w := strings.Fields(n)
		switch {
		case i == c.time:
		case c.source < 0 && (n == "data source" || n == "source"):
			c.source = i
		case slices.Contains(w, "unit") || slices.Contains(w, "units"):
		case c.fat < 0 && slices.Contains(w, "fat"):
			c.fat = i
		case c.weight < 0 && slices.Contains(w, "weight"):
			c.weight = i
			c.unit = massUnit(w)
		}
	}
	if c.time < 0 || (c.weight < 0 && c.fat < 0) || (c.weight >= 0 && c.unit == "") {
		return c, ErrFormat
	}
	return c, nil
}

// massUnit finds a mass unit among the words of a column name: "g", "kg"
// or "lb"; "" when none.
func massUnit(words []string) string {
	for _, w := range words {
		switch w {
		case "g", "gram", "grams", "gramme", "grammes":
			return "g"
		case "kg", "kgs", "kilogram", "kilograms", "kilogramme", "kilogrammes":
			return UnitKg
		case "lb", "lbs", "pound", "pounds":
			return UnitLb
		}
	}
	return ""
}

// timedWeight is a record of a Takeout CSV with its instant, before the
// weight and body-fat rows are merged.
type timedWeight struct {
	at        time.Time
	w         Weight
	hasWeight bool
}

// readWeightCSV reads a Takeout weight*.csv or body_fat*.csv: one reading
// per row, UTC times turned into loc's calendar date and time of day.
func readWeightCSV(r io.Reader, loc *time.Location, s *sink[timedWeight]) {
	cr := newCSVReader(r)
	header, ok := readHeader(cr, s, expectWeightHeader, false) // an empty file holds no weigh-ins
	if !ok {
		return
	}
	cols, err := weightColumns(header)
	if err != nil {
		found := "header " + quoteHeader(header)
		if cols.weight >= 0 && cols.unit == "" && cols.time >= 0 {
			found = fmt.Sprintf("weight column %q names no unit", header[cols.weight])
		}
		s.fail(1, found, expectWeightHeader, err)
		return
	}
	need := max(cols.time, cols.weight) + 1
	if cols.weight < 0 {
		need = max(cols.time, cols.fat) + 1
	}
	canon := canonicalHeader(len(header), map[int]string{cols.time: "time", cols.weight: "weight", cols.fat: "fat", cols.source: "source"})
	decodeRows(cr, canon, s, header, need, func(row weightRow, src Source) (timedWeight, *Error) {
		return weighInFromRow(row, cols, header, loc, src)
	})
}

// weightRow is one row of a Takeout weight or body-fat CSV, bound by the
// columns' canonical names (weightColumns finds them by their aliases).
type weightRow struct {
	Time    string `csv:"time"`
	Weight  string `csv:"weight"`
	Fat     string `csv:"fat"`
	Source  string `csv:"source"`
	Line    int    `csv:"__line"`
	Fields  int    `csv:"__fields"`
	Problem string `csv:"__problem"`
}

func (r weightRow) meta() rowMeta { return rowMeta{r.Line, r.Fields, r.Problem} }

// weighInFromRow reads one row; errors name the column as the file spells it.
func weighInFromRow(row weightRow, cols weightCols, header []string, loc *time.Location, src Source) (timedWeight, *Error) {
	bad := func(found, expected string, err error) (timedWeight, *Error) {
		if err != nil {
			err = fmt.Errorf("%w: %w", ErrFormat, err)
		} else {
			err = ErrFormat
		}
		return timedWeight{}, &Error{Source: src, Found: found, Expected: expected, Err: err}
	}
	ts := strings.TrimSpace(row.Time)
	t, ok := parseUTC(ts)
	if !ok || !plausibleYear(t.Year()) {
		return bad(fmt.Sprintf("%s %q", header[cols.time], clip(ts, 60)), "an ISO-8601 time such as 2018-05-28T13:30:12Z, "+plausibleYears, nil)
	}
	lt := t.In(loc)
	tw := timedWeight{at: t, w: Weight{Date: lt.Format(time.DateOnly), Time: lt.Format(time.TimeOnly),
		Format: FormatTakeoutCSV, Source: src, DataSource: strings.TrimSpace(row.Source)}}
	if cols.weight >= 0 {
		raw := strings.TrimSpace(row.Weight)
		if raw != "" || cols.fat < 0 {
			v, err := parseNumber(raw)
			if err != nil {
				return bad(fmt.Sprintf("%s %q", header[cols.weight], clip(raw, 60)), "a number of "+massWord(cols.unit), err)
			}
			tw.hasWeight = true
			tw.w.Value, tw.w.Unit, tw.w.Kg = v, cols.unit, toKg(v, cols.unit)
		}
	}
	if raw := strings.TrimSpace(row.Fat); cols.fat >= 0 && raw != "" {
		v, err := parseNumber(raw)
		if err != nil {
			return bad(fmt.Sprintf("%s %q", header[cols.fat], clip(raw, 60)), "a percentage", err)
		}
		tw.w.FatPercent = &v
	}
	switch {
	case tw.hasWeight:
	case tw.w.FatPercent != nil:
		tw.w.Value, tw.w.Unit = *tw.w.FatPercent, "%"
	default:
		return bad("neither a weight nor a body fat", "a value in "+quoteHeader(header), nil)
	}
	return tw, nil
}

// plausibleYears bounds the years of a weigh-in: outside them a date is a
// typo or garbage, and would not even print as YYYY-MM-DD.
const plausibleYears = "in the years 1900 to 2200"

func plausibleYear(y int) bool { return y >= 1900 && y <= 2200 }

// massWord spells a mass unit for messages.
func massWord(u string) string {
	switch u {
	case "g":
		return "grams"
	case UnitKg:
		return "kilograms"
	case UnitLb:
		return "pounds"
	}
	return u
}

// readWeightCSVs reads every Takeout weight and body-fat CSV of the export
// (problems are yielded as found), merges body-fat rows into the weight rows
// of the same weigh-in and yields the records in time order. It returns
// false when the caller stopped.
func (e *Export) readWeightCSVs(loc *time.Location, yield func(Weight, error) bool) bool {
	var weights, fats []timedWeight
	for _, f := range e.weightCSV {
		s := newSink(f.source(), func(tw timedWeight, err error) bool {
			if err != nil {
				return yield(Weight{}, err)
			}
			if tw.hasWeight {
				weights = append(weights, tw)
			} else {
				fats = append(fats, tw)
			}
			return true
		})
		rc, err := f.open()
		if err != nil {
			s.fail(0, fmt.Sprintf("cannot be opened: %v", err), "", err)
		} else {
			readWeightCSV(rc, loc, s)
			rc.Close()
		}
		if s.aborted {
			return false
		}
	}
	for _, tw := range mergeFat(weights, fats) {
		if !yield(tw.w, nil) {
			return false
		}
	}
	return true
}

// mergeFat folds each body-fat reading into the weight reading of the same
// weigh-in: the nearest one within fatWindow that has no body fat yet and
// the same origin (both or neither from Health Connect). Readings left over
// stay records of their own. The result is in time order, a weight before
// a lone body fat at the same instant, then by source.
func mergeFat(weights, fats []timedWeight) []timedWeight {
	byTime := func(a, b timedWeight) int {
		// At the same instant a weight comes before a lone body fat.
		return cmp.Or(a.at.Compare(b.at), cmp.Compare(fatOnly(a), fatOnly(b)), compareSource(a.w.Source, b.w.Source))
	}
	slices.SortStableFunc(weights, byTime)
	slices.SortStableFunc(fats, byTime)
	out := weights
	var alone []timedWeight
	for _, f := range fats {
		from := f.at.Add(-fatWindow)
		i := sort.Search(len(out), func(i int) bool { return !out[i].at.Before(from) })
		best := -1
		for j := i; j < len(out) && !out[j].at.After(f.at.Add(fatWindow)); j++ {
			if out[j].w.FatPercent != nil || FromHealthConnect(out[j].w.DataSource) != FromHealthConnect(f.w.DataSource) {
				continue
			}
			if best < 0 || absDuration(out[j].at.Sub(f.at)) < absDuration(out[best].at.Sub(f.at)) {
				best = j
			}
		}
		if best < 0 {
			alone = append(alone, f)
			continue
		}
		fat := *f.w.FatPercent
		out[best].w.FatPercent = &fat
	}
	out = append(out, alone...)
	slices.SortStableFunc(out, byTime)
	return out
}

// fatOnly is 1 for a body-fat reading without weight, 0 otherwise.
func fatOnly(tw timedWeight) int {
	if tw.hasWeight {
		return 0
	}
	return 1
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
