package fitbit

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// hydCols are the columns of a Takeout hydration log, found by name.
type hydCols struct {
	time, amount, unit int // unit is -1 when there is no unit column
	source             int // the "data source" column, -1 when absent
	// headerUnit is a unit named in the amount column's header, or "".
	headerUnit string
}

// Preferred names of the time column, in order; other columns whose name
// holds "time" are taken after these (but not end times or time zones).
var hydTimeNames = []string{"timestamp", "start time", "start timestamp", "date time", "datetime",
	"time", "start", "logged at", "log time", "timestamp utc", "time utc", "start time utc", "utc time"}

// isAmountName reports whether a normalised column name names an amount of water.
func isAmountName(n string) bool {
	if n == "data source" || n == "unit" || n == "units" {
		return false
	}
	for _, w := range strings.Fields(n) {
		switch w {
		case "amount", "volume", "water", "hydration", "liquid", "intake", "quantity", "value", "drink":
			return true
		}
	}
	// A column named only by its unit: "milliliters", "ml", "fl oz".
	return headerUnit(n) != "" && len(strings.Fields(n)) <= 2
}

func isUnitName(n string) bool {
	return n == "unit" || n == "units" || n == "amount unit" || n == "volume unit" || n == "unit of measure"
}

const expectHydHeader = `a header with a time column ("timestamp", "start time", ...) holding ` +
	`UTC ISO-8601 times and an amount column naming its unit ("amount milliliters", "volume ml", ...), e.g. ` +
	`"timestamp,amount milliliters,data source"`

// hydrationColumns finds the time and amount columns of a Takeout-style
// header. The unit may still be unknown (headerUnit "" and unit -1): the
// reader then looks in the readme.
func hydrationColumns(header []string) (hydCols, error) {
	norm, t := takeoutHeader(header)
	c := hydCols{time: t, amount: -1, unit: -1, source: -1}
	if c.time < 0 {
		for i, n := range norm {
			w := strings.Fields(n)
			if (slices.Contains(w, "time") || slices.Contains(w, "timestamp")) &&
				!slices.Contains(w, "end") && !slices.Contains(w, "zone") {
				c.time = i
				break
			}
		}
	}
	for i, n := range norm {
		if i != c.time && c.amount < 0 && isAmountName(n) {
			c.amount = i
			c.headerUnit = headerUnit(n)
		}
		if c.unit < 0 && isUnitName(n) {
			c.unit = i
		}
		if c.source < 0 && (n == "data source" || n == "source") {
			c.source = i
		}
	}
	if c.time < 0 || c.amount < 0 {
		return c, ErrFormat
	}
	return c, nil
}

// takeoutHeader normalises a Takeout header's names (normHeader) and finds
// its time column by the names the Takeout uses (-1 when none).
func takeoutHeader(header []string) (norm []string, time int) {
	norm = make([]string, len(header))
	for i, h := range header {
		norm[i] = normHeader(h)
	}
	for _, want := range hydTimeNames {
		if i := slices.Index(norm, want); i >= 0 {
			return norm, i
		}
	}
	return norm, -1
}

// readmeUnit finds the unit of the amount column in the text of a Takeout
// readme: on a line that names the column, else the only volume unit the
// text mentions. "" when it cannot tell.
func readmeUnit(text, column string) string {
	col := normHeader(column)
	found := map[float64]string{}
	for _, line := range strings.Split(text, "\n") {
		n := normHeader(line)
		if col != "" && (n == col || strings.HasPrefix(n, col+" ") || strings.Contains(n, " "+col+" ")) {
			if u := headerUnit(strings.TrimPrefix(n, col)); u != "" {
				return u
			}
		}
		for _, w := range strings.Fields(n) {
			if w == "l" || w == "oz" {
				continue // too short to trust in prose
			}
			if f, ok := volumeFactor(w); ok {
				found[f] = w
			}
		}
		if strings.Contains(n, "fl oz") || strings.Contains(n, "fluid ounce") {
			found[MLPerFlOz] = "fl oz"
		}
	}
	if len(found) == 1 {
		for _, u := range found {
			return u
		}
	}
	return ""
}

// readHydrationLog reads a Takeout hydration_log*.csv: one drink per row,
// times in UTC turned into loc's calendar date and wall-clock time.
// readme returns the text of the folder's readme, or "" without one.
func readHydrationLog(r io.Reader, loc *time.Location, readme func() string, s *sink[Water]) {
	cr := newCSVReader(r)
	header, cols, ok := readColumns(cr, s, expectHydHeader, false, hydrationColumns) // an empty file holds no drinks
	if !ok {
		return
	}
	unit := cols.headerUnit
	if unit == "" && cols.unit < 0 && readme != nil {
		unit = readmeUnit(readme(), header[cols.amount])
	}
	if unit == "" && cols.unit < 0 {
		s.fail(1, fmt.Sprintf("amount column %q names no unit, and no hydration_log_readme.txt beside it says it", header[cols.amount]),
			`a unit in the header (e.g. "amount milliliters") or in the readme`, ErrFormat)
		return
	}
	unitName := unit
	if unitName == "" {
		unitName = "the row's unit"
	}
	need := max(cols.time, cols.amount) + 1
	canon := canonicalHeader(len(header), map[int]string{cols.time: "time", cols.amount: "amount", cols.unit: "unit", cols.source: "source"})
	decodeRows(cr, canon, s, header, need, func(row hydrationRow, src Source) (Water, *Error) {
		ts := strings.TrimSpace(row.Time)
		t, ok := parseUTC(ts)
		if !ok {
			return Water{}, &Error{Source: src, Found: fmt.Sprintf("%s %q", header[cols.time], ts),
				Expected: "an ISO-8601 time such as 2018-05-28T13:30:12Z", Err: ErrFormat}
		}
		rowUnit := unit
		if cols.unit >= 0 && strings.TrimSpace(row.Unit) != "" {
			rowUnit = strings.TrimSpace(row.Unit)
		}
		ml, err := parseVolume(row.Amount, rowUnit)
		if err != nil {
			return Water{}, amountError(src, header[cols.amount], row.Amount, unitName, err)
		}
		lt := t.In(loc)
		return Water{Date: lt.Format(time.DateOnly), Time: lt.Format(time.TimeOnly), ML: ml, Source: src,
			DataSource: strings.TrimSpace(row.Source)}, nil
	})
}

// hydrationRow is one row of a Takeout hydration log, bound by the
// columns' canonical names (hydrationColumns finds them by their aliases).
type hydrationRow struct {
	Time    string `csv:"time"`
	Amount  string `csv:"amount"`
	Unit    string `csv:"unit"`
	Source  string `csv:"source"`
	Line    int    `csv:"__line"`
	Fields  int    `csv:"__fields"`
	Problem string `csv:"__problem"`
}

func (r hydrationRow) meta() rowMeta { return rowMeta{r.Line, r.Fields, r.Problem} }

// amountError describes an amount that could not be read.
func amountError(src Source, column, raw, unit string, err error) *Error {
	expected := "a number of " + unitWord(unit)
	if errors.Is(err, errNoUnit) {
		expected = "an amount with a unit"
	}
	var uu *unknownUnitError
	if errors.As(err, &uu) {
		expected = "a unit: ml, l, fl oz or cup"
	}
	return &Error{Source: src, Found: fmt.Sprintf("%s %q", column, raw), Expected: expected, Err: fmt.Errorf("%w: %w", ErrFormat, err)}
}

// unitWord spells a unit for messages.
func unitWord(u string) string {
	switch f, _ := volumeFactor(u); f {
	case 1:
		return "milliliters"
	case MLPerLitre:
		return "liters"
	case MLPerFlOz:
		return "fluid ounces"
	case MLPerCup:
		return "cups"
	}
	return u
}

// timeLayouts are the ISO-8601 forms accepted; those without a zone are UTC,
// as every Takeout time is.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
}

// parseUTC reads an ISO-8601 time; one without a zone is taken as UTC.
func parseUTC(s string) (time.Time, bool) {
	s = strings.TrimSuffix(strings.TrimSuffix(s, " UTC"), " GMT")
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// newCSVReader returns a lenient reader: rows may have any number of fields.
func newCSVReader(r io.Reader) *csv.Reader {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	return cr
}

// readRows calls row for each record after the header with its 1-based
// line, reporting unreadable records and going on while the reader makes
// progress. It stops when row returns false.
func readRows[T any](cr *csv.Reader, s *sink[T], row func(rec []string, line int) bool) {
	for {
		before := cr.InputOffset()
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				s.fail(0, fmt.Sprintf("read failed: %v", err), "", err)
				return
			}
			if !s.problem(&Error{Source: s.at(pe.StartLine), Found: pe.Err.Error(), Expected: "a CSV row", Err: fmt.Errorf("%w: %w", ErrFormat, err)}) {
				return
			}
			if cr.InputOffset() == before {
				return
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if !row(rec, line) {
			return
		}
	}
}
