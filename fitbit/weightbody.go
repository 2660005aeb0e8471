package fitbit

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// bodyCols are the columns of a Data Export Body section, found by name.
type bodyCols struct {
	date, weight, fat int // fat is -1 when absent
	bmi               int // -1 when absent
	n                 int
}

// Column names of the Body section, in English and likely translations
// (none of the translations has been seen in a real export).
var (
	bodyDateNames   = []string{"date", "datum", "fecha", "data", "date de", "päivämäärä", "日付", "日期", "날짜"}
	bodyWeightNames = []string{"weight", "gewicht", "poids", "peso", "vikt", "vægt", "vekt", "waga", "paino", "体重", "무게", "체중"}
	bodyFatNames    = []string{"fat", "fett", "graisse", "grasa", "grasso", "gordura", "vet", "tłuszcz", "rasva", "体脂肪", "体脂肪率", "체지방"}
)

// bodyColumns recognises the header of a Body section: a date column and a
// weight column. ok is false for the header of any other section.
func bodyColumns(header []string) (bodyCols, bool) {
	c := bodyCols{date: -1, weight: -1, fat: -1, bmi: -1, n: len(header)}
	for i, h := range header {
		n := normHeader(h)
		switch {
		case c.date < 0 && containsName(bodyDateNames, n):
			c.date = i
		case c.weight < 0 && containsName(bodyWeightNames, n):
			c.weight = i
		case c.fat < 0 && containsName(bodyFatNames, n):
			c.fat = i
		case c.bmi < 0 && (n == "bmi" || n == "imc"):
			c.bmi = i
		}
	}
	return c, c.date >= 0 && c.weight >= 0
}

func containsName(names []string, n string) bool {
	for _, name := range names {
		if n == name {
			return true
		}
	}
	return false
}

// readDataExportBody reads the Body section (Date,Weight,BMI,Fat) of a
// fitbit.com Data Export CSV, using the same line splitting as the water
// reader, and yields one record per row with no time of day. The weights
// are in the user's unit: unit is asked for at the first row, and when it
// gives an error that error is the file's only problem. A Fat of 0 is no
// reading. Other sections are skipped.
func readDataExportBody(r io.Reader, unit func() (string, *Error), s *sink[Weight]) {
	var (
		sectionStart = true // at the start of the file or after a blank line
		wantHeader   bool   // the previous line was a section title
		inBody       bool   // in the rows of a Body section
		cols         bodyCols
		header       []string
		userUnit     string
	)
	blank := func() { sectionStart, wantHeader, inBody = true, false, false }
	dataExportLines(r, s, blank, func(_ string, fields []string, n int) bool {
		if sectionStart || wantHeader {
			if len(fields) == 1 && sectionStart {
				// The section title ("Body"): the header follows.
				sectionStart, wantHeader = false, true
				return true
			}
			sectionStart, wantHeader = false, false
			cols, inBody = bodyColumns(fields)
			header = fields
			return true
		}
		if !inBody {
			return true
		}
		date, v, fat, prob := bodyRow(fields, cols, header, s.at(n))
		var bmi *float64
		if prob == nil {
			bmi, prob = optionalNumber(fields, cols.bmi, header, s.at(n), "a body mass index")
		}
		if prob != nil {
			return s.problem(prob)
		}
		if userUnit == "" {
			u, uerr := unit()
			if uerr != nil {
				uerr.Source.Line = n
				s.problem(uerr)
				return false
			}
			userUnit = u
		}
		return s.record(Weight{Date: date, Kg: toKg(v, userUnit), FatPercent: fat, BMI: bmi, Value: v, Unit: userUnit,
			Format: FormatDataExport, Source: s.at(n)})
	})
}

// optionalNumber reads the positive number in column i of a row, nil when
// the row has no such column or it is empty or 0.
func optionalNumber(fields []string, i int, header []string, src Source, expected string) (*float64, *Error) {
	if i < 0 || i >= len(fields) {
		return nil, nil
	}
	raw := strings.TrimSpace(fields[i])
	if raw == "" {
		return nil, nil
	}
	v, err := parseNumber(raw)
	if err != nil {
		return nil, &Error{Source: src, Found: fmt.Sprintf("%s %q", header[i], clip(raw, 40)),
			Expected: expected, Err: fmt.Errorf("%w: %w", ErrFormat, err)}
	}
	if v <= 0 {
		return nil, nil
	}
	return &v, nil
}

// bodyRow reads one row of a Body section: its date, its weight in the
// user's unit and its body fat (nil when empty or 0), or the problem with it.
func bodyRow(fields []string, cols bodyCols, header []string, src Source) (date string, v float64, fat *float64, prob *Error) {
	if len(fields) < max(cols.date, cols.weight)+1 {
		return "", 0, nil, &Error{Source: src, Found: fmt.Sprintf("%d fields", len(fields)),
			Expected: fmt.Sprintf("%d fields as in the header %s", cols.n, quoteHeader(header)), Err: ErrFormat}
	}
	ds := strings.TrimSpace(fields[cols.date])
	date, ok := parseBodyDate(ds)
	if !ok {
		return "", 0, nil, &Error{Source: src, Found: fmt.Sprintf("%s %q", header[cols.date], clip(ds, 40)),
			Expected: "a date YYYY-MM-DD", Err: ErrFormat}
	}
	raw := strings.TrimSpace(fields[cols.weight])
	v, err := parseNumber(raw)
	if err != nil {
		return "", 0, nil, &Error{Source: src, Found: fmt.Sprintf("%s %q", header[cols.weight], clip(raw, 40)),
			Expected: "a number", Err: fmt.Errorf("%w: %w", ErrFormat, err)}
	}
	if cols.fat < 0 || cols.fat >= len(fields) {
		return date, v, nil, nil
	}
	fraw := strings.TrimSpace(fields[cols.fat])
	if fraw == "" {
		return date, v, nil, nil
	}
	f, err := parseNumber(fraw)
	if err != nil {
		return "", 0, nil, &Error{Source: src, Found: fmt.Sprintf("%s %q", header[cols.fat], clip(fraw, 40)),
			Expected: "a percentage", Err: fmt.Errorf("%w: %w", ErrFormat, err)}
	}
	if f != 0 {
		fat = &f
	}
	return date, v, fat, nil
}

// parseBodyDate reads the date of a Body row: YYYY-MM-DD, YYYY/MM/DD or
// DD.MM.YYYY (never the ambiguous DD/MM or MM/DD).
func parseBodyDate(s string) (string, bool) {
	if d, ok := parseDate(s); ok {
		t, _ := time.Parse(time.DateOnly, d)
		return d, plausibleYear(t.Year())
	}
	if t, err := time.Parse("2.1.2006", s); err == nil && plausibleYear(t.Year()) {
		return t.Format(time.DateOnly), true
	}
	return "", false
}
