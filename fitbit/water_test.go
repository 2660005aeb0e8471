package fitbit

import (
	"errors"
	"fmt"
	"iter"
	"path/filepath"
	"strings"
	"testing"
	"time"

	goldenfile "fitbit2garmin/internal/golden"
)

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load zone %s: %v", name, err)
	}
	return loc
}

func mustOpen(t testing.TB, paths ...string) *Export {
	t.Helper()
	e, err := Open(paths...)
	if err != nil {
		t.Fatalf("Open(%q): %v", paths, err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// yielded is one value a reader yields: a record or a problem.
type yielded[R any] struct {
	w   R
	err error
}

// event is one value yielded by Water.
type event = yielded[Water]

// collectAll reads all records and problems a reader yields; every
// problem must be a *fitbit.Error.
func collectAll[R any](t testing.TB, seq iter.Seq2[R, error]) (recs []R, errs []error, all []yielded[R]) {
	t.Helper()
	for w, err := range seq {
		all = append(all, yielded[R]{w, err})
		if err != nil {
			var fe *Error
			if !errors.As(err, &fe) {
				t.Errorf("problem %v is a %T, want *fitbit.Error", err, err)
			}
			errs = append(errs, err)
			continue
		}
		recs = append(recs, w)
	}
	return recs, errs, all
}

// collect reads all water records and problems of an export.
func collect(t testing.TB, e *Export, loc *time.Location) ([]Water, []error, []event) {
	t.Helper()
	return collectAll(t, e.Water(loc))
}

// renderAll writes records (with line) and problems one per line in the
// order yielded, paths relative to the fixture folder, for golden files.
func renderAll[R any](events []yielded[R], line func(b *strings.Builder, r R, prefix string)) string {
	var b strings.Builder
	prefix := exports + string(filepath.Separator)
	for _, ev := range events {
		if ev.err != nil {
			fmt.Fprintf(&b, "ERROR %s\n", filepath.ToSlash(strings.ReplaceAll(ev.err.Error(), prefix, "")))
			continue
		}
		line(&b, ev.w, prefix)
	}
	return b.String()
}

// clockOrDashes is a record's time of day, dashes when it has none.
func clockOrDashes(tm string) string {
	if tm == "" {
		return "--:--:--"
	}
	return tm
}

// dataSource is a record's data source as golden lines show it.
func dataSource(ds string) string {
	if ds == "" {
		return ""
	}
	return "  [" + ds + "]"
}

// render writes records and problems one per line in the order yielded,
// paths relative to the fixture folder, for golden files.
func render(events []event) string {
	return renderAll(events, func(b *strings.Builder, w Water, prefix string) {
		kind := "drink"
		if w.DayTotal {
			kind = "total"
		}
		fmt.Fprintf(b, "%s %s %10.3f ml %s  %s%s\n", w.Date, clockOrDashes(w.Time), w.ML, kind,
			filepath.ToSlash(strings.TrimPrefix(w.Source.String(), prefix)), dataSource(w.DataSource))
	})
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", "golden", name+".txt"), []byte(got))
}

// TestWaterGolden reads every fixture export and pins its records and
// problems, one line each, in testdata/golden.
func TestWaterGolden(t *testing.T) {
	tests := []struct {
		name  string
		paths []string
		zone  string
	}{
		{"dataexport-floz", []string{fixture("dataexport", "fitbit_export_20181127.csv")}, "UTC"},
		{"dataexport-ml", []string{fixture("dataexport", "fitbit_export_20200131.csv")}, "UTC"},
		{"dataexport-cups", []string{fixture("dataexport", "fitbit_export_20190615.csv")}, "UTC"},
		{"dataexport-folder", []string{fixture("dataexport")}, "UTC"},
		{"takeout-folder", []string{fixture("takeout")}, "Europe/Berlin"},
		{"takeout-zip", []string{fixture("takeout.zip")}, "Europe/Berlin"},
		{"takeout-googlehealth", []string{fixture("takeout-googlehealth")}, "Europe/Paris"},
		{"split-folder", []string{fixture("split")}, "Asia/Tokyo"},
		{"generic", []string{fixture("generic")}, "UTC"},
		{"utc-boundary", []string{fixture("utc-boundary")}, "America/New_York"},
		{"same-path-twice", []string{fixture("generic", "water.csv"), filepath.Join(exports, ".", "generic", "water.csv")}, "UTC"},
		{"several-paths", []string{fixture("generic", "water.csv"), fixture("dataexport", "fitbit_export_20190615.csv")}, "UTC"},
		{"bad-rows", []string{fixture("malformed", "bad-rows.csv")}, "UTC"},
		{"bad-takeout", []string{fixture("malformed", "bad-takeout")}, "UTC"},
		{"bad-dataexport", []string{fixture("malformed", "bad-dataexport")}, "UTC"},
		{"unknown-header", []string{fixture("malformed", "unknown-header.csv")}, "UTC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := mustOpen(t, tt.paths...)
			_, _, all := collect(t, e, mustLoad(t, tt.zone))
			checkGolden(t, tt.name, render(all))
		})
	}
}
