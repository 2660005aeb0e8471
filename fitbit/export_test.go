package fitbit

import (
	"archive/zip"
	"errors"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestOpenErrors(t *testing.T) {
	empty := t.TempDir()
	tests := []struct {
		name  string
		paths []string
		is    error
		want  []string // substrings of the message
	}{
		{"missing path", []string{fixture("nope.zip")}, fs.ErrNotExist,
			[]string{"nope.zip: no such file or folder", "expected a Fitbit export"}},
		{"truncated zip", []string{fixture("malformed", "truncated.zip")}, ErrNotZip,
			[]string{"truncated.zip: not a readable .zip", "truncated download?", "download it again"}},
		{"html saved as zip", []string{fixture("malformed", "not-a-zip.zip")}, ErrNotZip,
			[]string{"not-a-zip.zip: not a .zip but a web page", "expected a .zip as downloaded"}},
		{"empty folder", []string{empty}, ErrEmpty,
			[]string{empty + ": the folder is empty"}},
		{"no water", []string{fixture("malformed", "no-water")}, ErrNoWater,
			[]string{"found 3 files (2 .json, 1 .csv), none of them water or weight logs", "expected hydration_log*.csv in a Takeout, fitbit_export_*.csv, or a CSV with header date,time,amount,unit; or weight logs"}},
		{"not a csv", []string{fixture("README.md")}, ErrUnsupported,
			[]string{"README.md: not a folder, .zip, .csv or weight-*.json"}},
		{"one bad path among good ones", []string{fixture("takeout"), fixture("malformed", "truncated.zip")}, ErrNotZip,
			[]string{"truncated.zip"}},
		{"no paths", nil, ErrUnsupported, []string{"no export given"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Open(tt.paths...)
			if err == nil {
				e.Close()
				t.Fatal("Open succeeded, want an error")
			}
			if !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
			var fe *Error
			if !errors.As(err, &fe) {
				t.Errorf("error is a %T, want *fitbit.Error", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestWaterFilesSortedAndOnlyWater(t *testing.T) {
	e := mustOpen(t, fixture("split"), fixture("generic", "water.csv"))
	got := e.WaterFiles()
	want := []Source{
		{File: fixture("generic", "water.csv")},
		{File: fixture("split", "takeout-20200301T000000Z-001.zip"), Entry: "Takeout/Fitbit/Physical Activity_GoogleData/hydration_log_2019-12-01.csv"},
		{File: fixture("split", "takeout-20200301T000000Z-002.zip"), Entry: "Takeout/Fitbit/Physical Activity_GoogleData/hydration_log_2020-01-01.csv"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("WaterFiles (-want +got):\n%s", diff)
	}
}

// A drink logged at 02:30 UTC on 1 March is an evening drink of 29 February
// in New York: the date must come from the user's zone, not from UTC.
func TestTakeoutTimesBecomeLocalCalendarDates(t *testing.T) {
	e := mustOpen(t, fixture("utc-boundary"))
	recs, errs, _ := collect(t, e, mustLoad(t, "America/New_York"))
	if len(errs) > 0 {
		t.Fatalf("unexpected problems: %v", errs)
	}
	var found bool
	for _, w := range recs {
		if w.ML == 250 {
			found = true
			if w.Date != "2020-02-29" || w.Time != "21:30:00" {
				t.Errorf("drink at 2020-03-01T02:30Z read as %s %s, want 2020-02-29 21:30:00", w.Date, w.Time)
			}
		}
	}
	if !found {
		t.Fatal("the 250 ml drink is missing")
	}
	// The same file read in UTC keeps the UTC date.
	recs, _, _ = collect(t, e, nil)
	if recs[1].Date != "2020-03-01" || recs[1].Time != "02:30:00" {
		t.Errorf("in UTC got %s %s, want 2020-03-01 02:30:00", recs[1].Date, recs[1].Time)
	}
}

func TestZipAndFolderGiveTheSameRecords(t *testing.T) {
	loc := mustLoad(t, "Europe/Berlin")
	strip := func(ws []Water) []Water {
		for i := range ws {
			ws[i].Source = Source{Line: ws[i].Source.Line}
		}
		return ws
	}
	dir, _, _ := collect(t, mustOpen(t, fixture("takeout")), loc)
	zipped, _, _ := collect(t, mustOpen(t, fixture("takeout.zip")), loc)
	if len(dir) == 0 {
		t.Fatal("no records")
	}
	if diff := cmp.Diff(strip(dir), strip(zipped)); diff != "" {
		t.Errorf("folder and zip differ (-folder +zip):\n%s", diff)
	}
}

func TestDataExportAmounts(t *testing.T) {
	tests := []struct {
		file string
		want []Water
	}{
		{"fitbit_export_20181127.csv", []Water{
			{Date: "2018-11-25", ML: 0, DayTotal: true},
			{Date: "2018-11-26", ML: 64 * MLPerFlOz, DayTotal: true},
			{Date: "2018-11-27", ML: 101.5 * MLPerFlOz, DayTotal: true},
		}},
		{"fitbit_export_20200131.csv", []Water{
			{Date: "2020-01-29", ML: 1893, DayTotal: true},
			{Date: "2020-01-30", ML: 2250, DayTotal: true},
			{Date: "2020-01-31", ML: 750, DayTotal: true},
		}},
		{"fitbit_export_20190615.csv", []Water{
			{Date: "2019-06-14", ML: 8 * MLPerCup, DayTotal: true},
			{Date: "2019-06-15", ML: MLPerCup, DayTotal: true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			recs, errs, _ := collect(t, mustOpen(t, fixture("dataexport", tt.file)), time.UTC)
			if len(errs) > 0 {
				t.Fatalf("unexpected problems: %v", errs)
			}
			for i := range recs {
				if recs[i].Source.Line == 0 || recs[i].Source.File != fixture("dataexport", tt.file) {
					t.Errorf("record %d has source %v", i, recs[i].Source)
				}
				recs[i].Source = Source{}
			}
			if diff := cmp.Diff(tt.want, recs, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWaterReportsEveryProblemAndGoesOn(t *testing.T) {
	e := mustOpen(t, fixture("malformed", "bad-takeout"), fixture("malformed", "bad-rows.csv"))
	recs, errs, _ := collect(t, e, time.UTC)
	if len(recs) != 4 {
		t.Errorf("got %d good records, want 4 (2 per file with good rows)", len(recs))
	}
	lines := problemLines(t, errs)
	want := map[string][]int{
		"bad-rows.csv":                 {3, 4, 5, 6, 7, 8},
		"hydration_log_2020-01-01.csv": {3, 4, 5, 6, 7},
		"hydration_log_2020-02-01.csv": {1},
		"hydration_log_2020-03-01.csv": {1},
	}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("problem lines (-want +got):\n%s", diff)
	}
}

func TestWaterStopsWhenTheCallerStops(t *testing.T) {
	e := mustOpen(t, fixture("takeout"), fixture("malformed", "bad-rows.csv"))
	checkStops(t, func() iter.Seq2[Water, error] { return e.Water(time.UTC) })
}

// checkStops ranges over seq() again and again, breaking after 1, 2, ...
// records up to all of them, and checks that no record comes after the
// break (a reader that ignores yield's false panics or counts on).
func checkStops[T any](t *testing.T, seq func() iter.Seq2[T, error]) {
	t.Helper()
	total := 0
	for range seq() {
		total++
	}
	if total < 2 {
		t.Fatalf("%d records: too few to stop early", total)
	}
	for stopAt := 1; stopAt <= total; stopAt++ {
		n := 0
		for range seq() {
			n++
			if n == stopAt {
				break
			}
		}
		if n != stopAt {
			t.Errorf("stopped at %d, want %d", n, stopAt)
		}
	}
}

// problemLines checks that every problem is an ErrFormat *Error saying what
// it found and expected, and returns their lines by file (or zip entry).
func problemLines(t *testing.T, errs []error) map[string][]int {
	t.Helper()
	lines := map[string][]int{}
	for _, err := range errs {
		var fe *Error
		if !errors.As(err, &fe) || !errors.Is(err, ErrFormat) || fe.Found == "" || fe.Expected == "" {
			t.Errorf("%v: not an ErrFormat *Error, or lacks Found or Expected", err)
			continue
		}
		name := filepath.Base(fe.Source.Entry + fe.Source.File)
		lines[name] = append(lines[name], fe.Source.Line)
	}
	return lines
}

func TestTooManyProblemsStopTheFile(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("date,time,amount,unit\n")
	for range maxProblems + 20 {
		b.WriteString("bad,bad,bad,bad\n")
	}
	if err := os.WriteFile(filepath.Join(dir, "junk.csv"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "water.csv"), []byte("date,amount,unit\n2020-01-01,1,l\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	recs, errs, _ := collect(t, mustOpen(t, dir), time.UTC)
	if len(errs) != maxProblems+1 {
		t.Errorf("got %d problems, want %d and a closing one", len(errs), maxProblems+1)
	}
	if last := errs[len(errs)-1].Error(); !strings.Contains(last, "stopped reading this file") {
		t.Errorf("last problem %q does not say the file was given up", last)
	}
	if len(recs) != 1 || recs[0].ML != 1000 {
		t.Errorf("the next file was not read: %v", recs)
	}
}

func TestProfileTimeZone(t *testing.T) {
	tests := []struct {
		paths []string
		name  string
		entry string
		ok    bool
	}{
		{[]string{fixture("takeout")}, "Europe/Berlin", "", true},
		{[]string{fixture("takeout.zip")}, "Europe/Berlin", "Takeout/Fitbit/Your Profile/Profile.csv", true},
		{[]string{fixture("split")}, "Asia/Tokyo", "Takeout/Fitbit/Your Profile/Profile.csv", true},
		{[]string{fixture("utc-boundary")}, "America/New_York", "", true},
		{[]string{fixture("generic")}, "", "", false},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.paths[0]), func(t *testing.T) {
			name, src, ok := mustOpen(t, tt.paths...).ProfileTimeZone()
			if name != tt.name || ok != tt.ok || src.Entry != tt.entry {
				t.Errorf("got (%q, %v, %v), want (%q, entry %q, %v)", name, src, ok, tt.name, tt.entry, tt.ok)
			}
			if ok && src.Line != 2 {
				t.Errorf("source line %d, want 2", src.Line)
			}
		})
	}
}

// copyTree copies a fixture folder to a temporary one the test may change.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	for name, content := range readTree(t, src) {
		p := filepath.Join(dst, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func fingerprint(t *testing.T, paths ...string) string {
	t.Helper()
	fp, err := mustOpen(t, paths...).Fingerprint()
	if err != nil {
		t.Fatal(err)
	}
	return fp
}

func TestFingerprint(t *testing.T) {
	base := fingerprint(t, fixture("takeout"))
	if len(base) != 64 {
		t.Fatalf("fingerprint %q is not a hex sha256", base)
	}
	if again := fingerprint(t, fixture("takeout")); again != base {
		t.Error("fingerprint differs between two opens of the same folder")
	}
	if zipped := fingerprint(t, fixture("takeout.zip")); zipped != base {
		t.Error("the zip and the folder it was made from have different fingerprints")
	}
	moved := copyTree(t, fixture("takeout"))
	if fp := fingerprint(t, moved); fp != base {
		t.Error("fingerprint depends on where the folder lies")
	}

	pa := filepath.Join(moved, "Takeout", "Fitbit", "Physical Activity_GoogleData")
	if err := os.WriteFile(filepath.Join(pa, "heart_rate_2020-01-01.csv"), []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	if fp := fingerprint(t, moved); fp != base {
		t.Error("changing an irrelevant file changed the fingerprint")
	}
	if err := os.WriteFile(filepath.Join(pa, "hydration_log_2020-02-01.csv"), []byte("timestamp,amount,data source\n2020-02-01T06:45:00Z,301,Fitbit App\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if fp := fingerprint(t, moved); fp == base {
		t.Error("changing a water log did not change the fingerprint")
	}
	if fp := fingerprint(t, fixture("split")); fp == base {
		t.Error("two different exports share a fingerprint")
	}
}

// TestIrrelevantMembersNeverRead damages the data of every member that is
// not a water log, profile or readme: reading the export must not notice.
func TestIrrelevantMembersNeverRead(t *testing.T) {
	p := filepath.Join(t.TempDir(), "takeout.zip")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	members := map[string]string{
		"Takeout/Fitbit/Physical Activity_GoogleData/hydration_log_2020-01-01.csv":    "timestamp,amount milliliters,data source\n2020-01-01T07:15:00Z,250,Fitbit App\n",
		"Takeout/Fitbit/Physical Activity_GoogleData/heart_rate_2020-01-01.csv":       strings.Repeat("2020-01-01T00:00:05Z,61,Fitbit Charge 4\n", 100),
		"Takeout/Fitbit/Physical Activity_GoogleData/steps_2020-01-01.csv":            strings.Repeat("2020-01-01T00:00:05Z,61,Fitbit Charge 4\n", 100),
		"Takeout/Fitbit/Global Export Data/sleep-2020-01-01.json":                     strings.Repeat("[{}]", 200),
		"Takeout/Fitbit/Physical Activity_GoogleData/calories_in_heart_rate_zone.csv": strings.Repeat("x,y\n", 200),
	}
	for name, body := range members {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()

	zr, err := zip.OpenReader(p)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, zf := range zr.File {
		if strings.Contains(zf.Name, "hydration") {
			continue
		}
		off, err := zf.DataOffset()
		if err != nil {
			t.Fatal(err)
		}
		// Overwrite the local header and the data: opening the member now
		// fails, reading it fails its checksum.
		hdr := off - 30 - int64(len(zf.Name))
		for i := hdr; i < off+int64(zf.CompressedSize64); i++ {
			raw[i] = 0xFF
		}
	}
	zr.Close()
	if err := os.WriteFile(p, raw, 0o644); err != nil {
		t.Fatal(err)
	}

	e := mustOpen(t, p)
	recs, errs, _ := collect(t, e, time.UTC)
	if len(errs) > 0 || len(recs) != 1 {
		t.Fatalf("got %d records and problems %v, want 1 record and none", len(recs), errs)
	}
	if _, err := e.Fingerprint(); err != nil {
		t.Fatalf("Fingerprint read an irrelevant member: %v", err)
	}
}

func TestSingleCSVDetectedByContent(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(fixture("dataexport", "fitbit_export_20181127.csv"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, content string
		want          int
	}{
		{"november.csv", string(data), 3},
		{"hydration.csv", "timestamp,amount milliliters,data source\n2020-01-01T07:15:00Z,250,Fitbit App\n", 1},
		{"mine.csv", "Date,Amount,Unit\n2020-01-01,250,ml\n2020-01-02,1,l\n", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, tt.name)
			if err := os.WriteFile(p, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			recs, errs, _ := collect(t, mustOpen(t, p), time.UTC)
			if len(recs) != tt.want || len(errs) > 0 {
				t.Errorf("got %d records and %v, want %d records", len(recs), errs, tt.want)
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	err := &Error{
		Source:   Source{File: "export.zip", Entry: "Takeout/Fitbit/Physical Activity_GoogleData/hydration_log_2020-01-01.csv", Line: 7},
		Found:    `amount "abc"`,
		Expected: "a number of milliliters",
		Err:      ErrFormat,
	}
	want := `export.zip:Takeout/Fitbit/Physical Activity_GoogleData/hydration_log_2020-01-01.csv:7: amount "abc": expected a number of milliliters`
	if err.Error() != want {
		t.Errorf("got  %s\nwant %s", err, want)
	}
	if !errors.Is(err, ErrFormat) {
		t.Error("Unwrap does not reach ErrFormat")
	}
}

// openCounting opens an export whose files are opened through countingFS,
// and returns the names it opens as reading goes on. The export is closed
// when the test ends.
func openCounting(t *testing.T, paths ...string) (*Export, *[]string) {
	t.Helper()
	var opened []string
	e, err := openWith(func(f fs.FS) fs.FS { return countingFS{f, &opened} }, paths...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e, &opened
}

// countingFS records the names opened through it.
type countingFS struct {
	fs.FS
	opened *[]string
}

func (c countingFS) Open(name string) (fs.File, error) {
	*c.opened = append(*c.opened, name)
	return c.FS.Open(name)
}

// TestOnlyRelevantFilesOpened watches every open while finding files,
// reading water, the profile and the fingerprint: only water logs, their
// readme and the profile may be opened, in a folder, a zip and split zips.
func TestOnlyRelevantFilesOpened(t *testing.T) {
	for _, p := range []string{fixture("takeout"), fixture("takeout.zip"), fixture("split"), fixture("utc-boundary")} {
		t.Run(filepath.Base(p), func(t *testing.T) {
			e, opened := openCounting(t, p)
			collect(t, e, time.UTC)
			e.ProfileTimeZone()
			if _, err := e.Fingerprint(); err != nil {
				t.Fatal(err)
			}
			var files int
			for _, name := range *opened {
				base := filepath.Base(name)
				if name == "." || filepath.Ext(base) == "" {
					continue // a folder being listed
				}
				files++
				if !strings.HasPrefix(base, "hydration_log") && base != "Profile.csv" {
					t.Errorf("opened irrelevant file %s", name)
				}
			}
			if files == 0 {
				t.Error("no file opened at all: the wrapper is not in the path")
			}
		})
	}
}
