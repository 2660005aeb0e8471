package fitbit

import (
	"errors"
	"fmt"
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

// event is one value yielded by Water: a record or a problem.
type event struct {
	w   Water
	err error
}

// collect reads all water records and problems of an export.
func collect(t testing.TB, e *Export, loc *time.Location) (recs []Water, errs []error, all []event) {
	t.Helper()
	for w, err := range e.Water(loc) {
		all = append(all, event{w, err})
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

// render writes records and problems one per line in the order yielded,
// paths relative to the fixture folder, for golden files.
func render(events []event) string {
	var b strings.Builder
	prefix := exports + string(filepath.Separator)
	for _, ev := range events {
		if ev.err != nil {
			fmt.Fprintf(&b, "ERROR %s\n", filepath.ToSlash(strings.ReplaceAll(ev.err.Error(), prefix, "")))
			continue
		}
		w := ev.w
		tm := w.Time
		if tm == "" {
			tm = "--:--:--"
		}
		kind := "drink"
		if w.DayTotal {
			kind = "total"
		}
		ds := ""
		if w.DataSource != "" {
			ds = "  [" + w.DataSource + "]"
		}
		fmt.Fprintf(&b, "%s %s %10.3f ml %s  %s%s\n", w.Date, tm, w.ML, kind, filepath.ToSlash(strings.TrimPrefix(w.Source.String(), prefix)), ds)
	}
	return b.String()
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
