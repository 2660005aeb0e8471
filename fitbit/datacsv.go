package fitbit

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
)

const expectDataExport = `the fitbit.com Data Export format: sections separated by blank lines, ` +
	`each a title line ("Foods", "Food Log 20180426", ...), a header and rows`

// readDataExport reads a fitbit.com Data Export CSV and yields, for each
// "Food Log YYYYMMDD" section, the water row of its daily totals
// (`"","Water","64 fl oz"`) as a day total. Section titles and the water
// label may be translated: a totals row whose value carries a volume unit is
// taken as water whatever its label.
//
// This reader does not use gocsv (decodeRows), unlike the row-per-record
// CSVs: the file is several tables one after another, each with its own
// title line and header ("Foods", "Activities", one "Food Log" per day),
// and a CSV decoder that binds one header to every row cannot read it.
func readDataExport(r io.Reader, s *sink[Water]) {
	var (
		day        string // YYYY-MM-DD of the current Food Log section
		afterTitle bool   // the previous line was the section title
		inTotals   bool   // past the "Daily Totals" line of the section
		started    bool
	)
	blank := func() { day, afterTitle, inTotals = "", false, false }
	dataExportLines(r, s, blank, func(line string, fields []string, n int) bool {
		if !started {
			started = true
			if len(fields) > 1 {
				s.fail(n, fmt.Sprintf("first line %q", clip(line, 80)), expectDataExport, ErrFormat)
				return false
			}
		}
		if len(fields) == 1 {
			title := strings.TrimSpace(fields[0])
			if d, ok := foodLogDate(title); ok {
				day, afterTitle, inTotals = d, true, false
				return true
			}
			// A section without meals has its totals title right after
			// the section title; otherwise it is named "Daily Totals".
			if day != "" && (afterTitle || isTotalsTitle(title)) {
				inTotals = true
			}
			afterTitle = false
			return true
		}
		afterTitle = false
		if day == "" || len(fields) < 3 || strings.TrimSpace(fields[0]) != "" {
			return true
		}
		label, value := strings.TrimSpace(fields[1]), strings.TrimSpace(fields[2])
		water := isWaterLabel(label)
		_, unit := splitAmount(value)
		_, volume := volumeFactor(unit)
		if !volume && !(water && inTotals) {
			return true // a food, or another total (calories, grams)
		}
		ml, err := parseVolume(value, "")
		if err != nil {
			return s.problem(&Error{Source: s.at(n), Found: fmt.Sprintf("%s %q", label, value),
				Expected: `an amount with a unit, like "64 fl oz", "1,893 ml" or "8 cups"`, Err: fmt.Errorf("%w: %w", ErrFormat, err)})
		}
		return s.record(Water{Date: day, ML: ml, DayTotal: true, Source: s.at(n)})
	})
}

// foodLogDate recognises a "Food Log 20180426" title (in any language:
// some words, then the date) and returns the date as YYYY-MM-DD.
func foodLogDate(title string) (string, bool) {
	i := strings.LastIndexByte(title, ' ')
	if i <= 0 || !strings.ContainsFunc(title[:i], unicode.IsLetter) {
		return "", false
	}
	for _, layout := range []string{"20060102", time.DateOnly} {
		if t, err := time.Parse(layout, title[i+1:]); err == nil {
			return t.Format(time.DateOnly), true
		}
	}
	return "", false
}

// isTotalsTitle recognises "Daily Totals" and likely translations.
func isTotalsTitle(s string) bool {
	s = strings.ToLower(s)
	for _, w := range []string{"total", "summe", "gesamt", "totaux", "totales", "totali", "totais", "totaal", "合計", "合计"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// isWaterLabel recognises the label of the water total, in English and
// likely translations.
func isWaterLabel(s string) bool {
	switch strings.ToLower(s) {
	case "water", "wasser", "eau", "agua", "acqua", "água", "agua total", "vatten", "vand", "vann", "woda", "вода", "水", "물":
		return true
	}
	return false
}

// clip shortens s for a message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
