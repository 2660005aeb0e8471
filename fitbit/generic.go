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
	n                        int
}

const expectGenericHeader = `a header date,time,amount,unit (time optional; ` +
	`or an amount column naming its unit, e.g. "date,time,amount_ml")`

// genericColumns finds the columns of a generic water CSV header.
func genericColumns(header []string) (genCols, error) {
	c := genCols{date: -1, time: -1, amount: -1, unit: -1, n: len(header)}
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
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			s.fail(1, "an empty file", expectGenericHeader, ErrFormat)
			return
		}
		s.fail(1, fmt.Sprintf("unreadable header: %v", err), expectGenericHeader, err)
		return
	}
	header = slices.Clone(header)
	cols, err := genericColumns(header)
	if err != nil {
		s.fail(1, "header "+quoteHeader(header), expectGenericHeader, err)
		return
	}
	need := max(cols.date, cols.time, cols.amount) + 1
	readRows(cr, s, func(rec []string, line int) bool {
		if len(rec) < need {
			return s.problem(&Error{Source: s.at(line), Found: fmt.Sprintf("%d fields", len(rec)),
				Expected: fmt.Sprintf("%d fields as in the header %s", cols.n, quoteHeader(header)), Err: ErrFormat})
		}
		ds := strings.TrimSpace(rec[cols.date])
		date, ok := parseDate(ds)
		if !ok {
			return s.problem(&Error{Source: s.at(line), Found: fmt.Sprintf("%s %q", header[cols.date], ds),
				Expected: "a date YYYY-MM-DD", Err: ErrFormat})
		}
		clock := ""
		if cols.time >= 0 {
			ts := strings.TrimSpace(rec[cols.time])
			if clock, ok = parseClock(ts); !ok {
				return s.problem(&Error{Source: s.at(line), Found: fmt.Sprintf("%s %q", header[cols.time], ts),
					Expected: "a time HH:MM or HH:MM:SS, or nothing", Err: ErrFormat})
			}
		}
		unit, unitFromColumn := cols.headerUnit, false
		if cols.unit >= 0 && cols.unit < len(rec) && strings.TrimSpace(rec[cols.unit]) != "" {
			unit, unitFromColumn = strings.TrimSpace(rec[cols.unit]), true
		}
		raw := rec[cols.amount]
		ml, err := parseVolume(raw, unit)
		if err != nil {
			var uu *unknownUnitError
			if unitFromColumn && errors.As(err, &uu) && uu.unit == unit {
				return s.problem(&Error{Source: s.at(line), Found: fmt.Sprintf("%s %q", header[cols.unit], unit),
					Expected: "a unit: ml, l, fl oz or cup", Err: fmt.Errorf("%w: %w", ErrFormat, err)})
			}
			if cols.unit >= 0 && errors.Is(err, errNoUnit) {
				return s.problem(&Error{Source: s.at(line), Found: fmt.Sprintf("%s %q with an empty %s", header[cols.amount], raw, header[cols.unit]),
					Expected: "a unit: ml, l, fl oz or cup", Err: fmt.Errorf("%w: %w", ErrFormat, err)})
			}
			return s.problem(amountError(s.at(line), header[cols.amount], raw, unit, err))
		}
		return s.record(Water{Date: date, Time: clock, ML: ml, Source: s.at(line)})
	})
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
