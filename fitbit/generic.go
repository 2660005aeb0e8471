package fitbit

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// genCols are the columns of a generic water CSV, found by name.
type genCols struct {
	date, time, amount, unit int // time and unit are -1 when absent
	headerUnit               string
}

const expectGenericHeader = `a header date,time,amount,unit (time optional; ` +
	`or an amount column naming its unit, e.g. "date,time,amount_ml")`

// genericColumns finds the columns of a generic water CSV header.
func genericColumns(header []string) (genCols, error) {
	c := genCols{date: -1, time: -1, amount: -1, unit: -1}
	for i, h := range header {
		n := normHeader(h)
		switch {
		case c.date < 0 && slices.Contains([]string{"date", "day", "calendar date", "log date", "local date"}, n):
			c.date = i
		case c.time < 0 && slices.Contains([]string{"time", "time of day", "local time", "log time"}, n):
			c.time = i
		case c.unit < 0 && isUnitName(n):
			c.unit = i
		case c.amount < 0 && isAmountName(n):
			c.amount = i
			c.headerUnit = headerUnit(n)
		}
	}
	if c.date < 0 || c.amount < 0 {
		return c, ErrFormat
	}
	return c, nil
}

// readGeneric reads a CSV with a date, an optional local time, an amount and
// its unit per row. Dates and times are already local: loc is not applied.
func readGeneric(r io.Reader, s *sink[Water]) {
	cr := newCSVReader(r)
	header, cols, ok := readColumns(cr, s, expectGenericHeader, true, genericColumns)
	if !ok {
		return
	}
	need := max(cols.date, cols.time, cols.amount) + 1
	canon := canonicalHeader(len(header), map[int]string{cols.date: "date", cols.time: "time", cols.amount: "amount", cols.unit: "unit"})
	decodeRows(cr, canon, s, header, need, func(row genericRow, src Source) (Water, *Error) {
		return genericWater(row, cols, header, src)
	})
}

// genericRow is one row of a generic water CSV, bound by the columns'
// canonical names (genericColumns finds them by their aliases).
type genericRow struct {
	Date    string `csv:"date"`
	Time    string `csv:"time"`
	Amount  string `csv:"amount"`
	Unit    string `csv:"unit"`
	Line    int    `csv:"__line"`
	Fields  int    `csv:"__fields"`
	Problem string `csv:"__problem"`
}

func (r genericRow) meta() rowMeta { return rowMeta{r.Line, r.Fields, r.Problem} }

// genericWater reads one row; errors name the column as the file spells it.
func genericWater(row genericRow, cols genCols, header []string, src Source) (Water, *Error) {
	ds := strings.TrimSpace(row.Date)
	date, ok := parseDate(ds)
	if !ok {
		return Water{}, &Error{Source: src, Found: fmt.Sprintf("%s %q", header[cols.date], ds), Expected: "a date YYYY-MM-DD", Err: ErrFormat}
	}
	clock := ""
	if cols.time >= 0 {
		ts := strings.TrimSpace(row.Time)
		if clock, ok = parseClock(ts); !ok {
			return Water{}, &Error{Source: src, Found: fmt.Sprintf("%s %q", header[cols.time], ts),
				Expected: "a time HH:MM or HH:MM:SS, or nothing", Err: ErrFormat}
		}
	}
	unit, unitFromColumn := cols.headerUnit, false
	if cols.unit >= 0 && strings.TrimSpace(row.Unit) != "" {
		unit, unitFromColumn = strings.TrimSpace(row.Unit), true
	}
	raw := row.Amount
	ml, err := parseVolume(raw, unit)
	if err != nil {
		var uu *unknownUnitError
		if unitFromColumn && errors.As(err, &uu) && uu.unit == unit {
			return Water{}, &Error{Source: src, Found: fmt.Sprintf("%s %q", header[cols.unit], unit),
				Expected: "a unit: ml, l, fl oz or cup", Err: fmt.Errorf("%w: %w", ErrFormat, err)}
		}
		if cols.unit >= 0 && errors.Is(err, errNoUnit) {
			return Water{}, &Error{Source: src, Found: fmt.Sprintf("%s %q with an empty %s", header[cols.amount], raw, header[cols.unit]),
				Expected: "a unit: ml, l, fl oz or cup", Err: fmt.Errorf("%w: %w", ErrFormat, err)}
		}
		return Water{}, amountError(src, header[cols.amount], raw, unit, err)
	}
	return Water{Date: date, Time: clock, ML: ml, Source: src}, nil
}

// parseDate reads YYYY-MM-DD (or YYYY/MM/DD) and returns it as YYYY-MM-DD.
func parseDate(s string) (string, bool) {
	for _, l := range []string{time.DateOnly, "2006/01/02"} {
		if t, err := time.Parse(l, s); err == nil {
			return t.Format(time.DateOnly), true
		}
	}
	return "", false
}

// parseClock reads a wall-clock time and returns it as HH:MM:SS; "" is
// accepted as no time of day.
func parseClock(s string) (string, bool) {
	if s == "" {
		return "", true
	}
	for _, l := range []string{"15:04", "15:04:05", "3:04 PM", "3:04:05 PM", "3:04PM", "3:04 pm", "3:04pm"} {
		if t, err := time.Parse(l, s); err == nil {
			return t.Format(time.TimeOnly), true
		}
	}
	return "", false
}
