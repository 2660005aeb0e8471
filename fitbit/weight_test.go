package fitbit

import (
	"errors"
	"fmt"
	"iter"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// weightEvent is one value yielded by Weight.
type weightEvent = yielded[Weight]

// collectWeight reads all weight records and problems of an export.
func collectWeight(t testing.TB, e *Export, loc *time.Location, unit string) ([]Weight, []error, []weightEvent) {
	t.Helper()
	return collectAll(t, e.Weight(loc, unit))
}

// renderWeight writes records and problems one per line in the order
// yielded, paths relative to the fixture folder, for golden files.
func renderWeight(events []weightEvent) string {
	return renderAll(events, func(b *strings.Builder, w Weight, prefix string) {
		fat := "    -   "
		if w.FatPercent != nil {
			fat = fmt.Sprintf("%6.2f %%", *w.FatPercent)
		}
		fmt.Fprintf(b, "%s %s %8.3f kg fat %s (%g %s) %s %s%s\n", w.Date, clockOrDashes(w.Time), w.Kg, fat, w.Value, w.Unit, w.Format,
			filepath.ToSlash(strings.TrimPrefix(w.Source.String(), prefix)), dataSource(w.DataSource))
	})
}

// TestWeightGolden reads every weight fixture and pins its records and
// problems, one line each, in testdata/golden.
func TestWeightGolden(t *testing.T) {
	tests := []struct {
		name  string
		paths []string
		zone  string
		unit  string
	}{
		{"weight-json-lb", []string{fixture("weight-json-lb")}, "America/Chicago", ""},
		{"weight-json-lb-override-kg", []string{fixture("weight-json-lb")}, "America/Chicago", "kg"},
		{"weight-json-kg", []string{fixture("weight-json-kg")}, "Europe/Berlin", ""},
		{"weight-csv", []string{fixture("weight-csv")}, "America/New_York", ""},
		{"weight-csv-utc", []string{fixture("weight-csv")}, "UTC", ""},
		{"weight-both", []string{fixture("weight-both")}, "America/New_York", ""},
		{"weight-archive-no-unit", []string{fixture("weight-archive")}, "UTC", ""},
		{"weight-archive-lb", []string{fixture("weight-archive")}, "UTC", "lbs"},
		{"weight-dataexport-no-unit", []string{fixture("weight-dataexport")}, "UTC", ""},
		{"weight-dataexport-kg", []string{fixture("weight-dataexport")}, "UTC", "kg"},
		{"weight-dataexport-us-lb", []string{fixture("dataexport", "fitbit_export_20181127.csv")}, "UTC", "lb"},
		{"weight-malformed", []string{fixture("weight-malformed")}, "UTC", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := mustOpen(t, tt.paths...)
			_, _, all := collectWeight(t, e, mustLoad(t, tt.zone), tt.unit)
			checkGolden(t, tt.name, renderWeight(all))
		})
	}
}

func TestOpenWeightWithoutWater(t *testing.T) {
	e := mustOpen(t, fixture("weight-json-kg"))
	if e.HasWater() || !e.HasWeight() {
		t.Errorf("HasWater %v HasWeight %v, want false and true", e.HasWater(), e.HasWeight())
	}
	if e.NoWeightError() != nil {
		t.Errorf("NoWeightError = %v, want nil", e.NoWeightError())
	}
	err := e.NoWaterError()
	if !errors.Is(err, ErrNoWater) {
		t.Fatalf("NoWaterError = %v, want ErrNoWater", err)
	}
	for _, want := range []string{"weight-json-kg: found 4 files (2 .csv, 2 .json), none of them water logs", "expected hydration_log*.csv"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("NoWaterError %q lacks %q", err, want)
		}
	}
	recs, errs, _ := collect(t, e, time.UTC)
	if len(recs) != 0 || len(errs) != 0 {
		t.Errorf("Water of a weight-only export gave %v %v", recs, errs)
	}
}

func TestHasWaterHasWeight(t *testing.T) {
	tests := []struct {
		path              string
		water, weight     bool
		waterErr, weigErr bool
	}{
		{fixture("takeout"), true, false, false, true},
		{fixture("generic"), true, false, false, true},
		{fixture("dataexport"), true, true, false, false}, // a Data Export may hold a Body section
		{fixture("weight-both"), true, true, false, false},
		{fixture("weight-csv"), false, true, true, false},
		{fixture("weight-archive"), false, true, true, false},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			e := mustOpen(t, tt.path)
			if e.HasWater() != tt.water || e.HasWeight() != tt.weight {
				t.Errorf("HasWater %v HasWeight %v, want %v %v", e.HasWater(), e.HasWeight(), tt.water, tt.weight)
			}
			if got := e.NoWaterError() != nil; got != tt.waterErr {
				t.Errorf("NoWaterError %v", e.NoWaterError())
			}
			err := e.NoWeightError()
			if got := err != nil; got != tt.weigErr {
				t.Errorf("NoWeightError %v", err)
			}
			if err != nil && (!errors.Is(err, ErrNoWeight) || !strings.Contains(err.Error(), "none of them weight logs")) {
				t.Errorf("NoWeightError %q: not ErrNoWeight or no count of files", err)
			}
		})
	}
}

func TestOpenNeitherWaterNorWeight(t *testing.T) {
	_, err := Open(fixture("malformed", "no-water"))
	if !errors.Is(err, ErrNoWater) || !errors.Is(err, ErrNoWeight) {
		t.Fatalf("Open error %v, want ErrNoWater and ErrNoWeight", err)
	}
	for _, want := range []string{"none of them water or weight logs", "weight-*.json, weight*.csv or body_fat*.csv", "Body"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestWeightUnit(t *testing.T) {
	profile := func(p string) string {
		return filepath.Join(p, "Takeout", "Fitbit", "Your Profile", "Profile.csv")
	}
	tests := []struct {
		name string
		path string
		unit string
		file string
		line int
	}{
		{"profile en_US", fixture("weight-json-lb"), UnitLb, profile(fixture("weight-json-lb")), 2},
		{"profile POUND", fixture("weight-both"), UnitLb, profile(fixture("weight-both")), 2},
		{"profile METRIC", fixture("takeout"), UnitKg, profile(fixture("takeout")), 2},
		{"latest app setting, not last row", fixture("weight-json-kg"), UnitKg,
			filepath.Join(fixture("weight-json-kg"), "Takeout", "Fitbit", "Health Fitness Data_GoogleData", "UserAppSettingData.csv"), 4},
		{"none", fixture("weight-archive"), "", "", 0},
		{"profile without unit", fixture("utc-boundary"), "", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			unit, src, ok := mustOpen(t, tt.path).WeightUnit()
			if unit != tt.unit || ok != (tt.unit != "") || src.File != tt.file || src.Line != tt.line {
				t.Errorf("got (%q, %v, %v), want (%q, %s:%d)", unit, src, ok, tt.unit, tt.file, tt.line)
			}
		})
	}
}

func TestSettingUnitValues(t *testing.T) {
	tests := map[string]string{
		"POUND": UnitLb, "pounds": UnitLb, "LBS": UnitLb, "en_US": UnitLb, "en-US": UnitLb, "US": UnitLb,
		"KILOGRAM": UnitKg, "kg": UnitKg, "METRIC": UnitKg, " Kilograms ": UnitKg,
		"STONE": "", "en_GB": "", "UK": "", "": "", "de_DE": "", "grams": "",
	}
	for in, want := range tests {
		if got := settingUnit(in); got != want {
			t.Errorf("settingUnit(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseWeightUnit(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"", "", true}, {"kg", UnitKg, true}, {"KG", UnitKg, true}, {"kilograms", UnitKg, true},
		{"lb", UnitLb, true}, {"Lbs", UnitLb, true}, {"pound", UnitLb, true},
		{"st", "", false}, {"stone", "", false}, {"g", "", false}, {"metric", "", false},
	}
	for _, tt := range tests {
		got, err := ParseWeightUnit(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseWeightUnit(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrWeightUnit) {
			t.Errorf("ParseWeightUnit(%q) error %v is not ErrWeightUnit", tt.in, err)
		}
	}
}

func TestWeightBadOverride(t *testing.T) {
	recs, errs, _ := collectWeight(t, mustOpen(t, fixture("weight-json-lb")), time.UTC, "stone")
	if len(recs) != 0 || len(errs) != 1 {
		t.Fatalf("got %d records and %v, want one error", len(recs), errs)
	}
	if !errors.Is(errs[0], ErrWeightUnit) || !strings.Contains(errs[0].Error(), `"stone"`) {
		t.Errorf("error %v", errs[0])
	}
}

// Weights in the user's unit are never guessed: each file gives one error
// that says how to pass the unit, and no record.
func TestWeightUnitUnknownOneErrorPerFile(t *testing.T) {
	for _, p := range []string{fixture("weight-archive"), fixture("weight-dataexport"), fixture("dataexport")} {
		t.Run(filepath.Base(p), func(t *testing.T) {
			e := mustOpen(t, p)
			recs, errs, _ := collectWeight(t, e, time.UTC, "")
			perFile := map[string]int{}
			for _, err := range errs {
				var fe *Error
				errors.As(err, &fe)
				if !errors.Is(err, ErrWeightUnit) || !strings.Contains(err.Error(), "user's unit") || strings.Contains(err.Error(), "--") {
					t.Errorf("error %v", err)
				}
				perFile[fe.Source.File+":"+fe.Source.Entry]++
			}
			if len(recs) != 0 || len(perFile) == 0 {
				t.Errorf("got %d records and %d errors", len(recs), len(errs))
			}
			for f, n := range perFile {
				if n != 1 {
					t.Errorf("%s: %d errors, want 1", f, n)
				}
			}
		})
	}
}

func TestWeightUnitNotUnderstoodIsNamed(t *testing.T) {
	dir := copyTree(t, fixture("weight-json-lb"))
	p := filepath.Join(dir, "Takeout", "Fitbit", "Your Profile", "Profile.csv")
	if err := os.WriteFile(p, []byte("id,timezone,weight_unit\nX,Europe/London,en_GB\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e := mustOpen(t, dir)
	if _, _, ok := e.WeightUnit(); ok {
		t.Error("WeightUnit understood en_GB")
	}
	_, errs, _ := collectWeight(t, e, time.UTC, "")
	if len(errs) != 2 {
		t.Fatalf("got %v, want one error per JSON file", errs)
	}
	if !strings.Contains(errs[0].Error(), `"en_GB"`) || !strings.Contains(errs[0].Error(), "Profile.csv:2") {
		t.Errorf("error %q does not name the setting and where it is", errs[0])
	}
	recs, errs, _ := collectWeight(t, e, time.UTC, "lb")
	if len(recs) != 5 || len(errs) != 0 {
		t.Errorf("with --weight-unit lb: %d records, %v", len(recs), errs)
	}
}

func TestWeightFilesOrder(t *testing.T) {
	root := fixture("weight-malformed")
	ged := filepath.Join(root, "Takeout", "Fitbit", "Global Export Data")
	pa := filepath.Join(root, "Takeout", "Fitbit", "Physical Activity_GoogleData")
	want := []Source{
		{File: filepath.Join(ged, "weight-2020-01-01.json")},
		{File: filepath.Join(ged, "weight-2020-02-01.json")},
		{File: filepath.Join(ged, "weight-2020-03-01.json")},
		{File: filepath.Join(pa, "body_fat_2020-01-01.csv")},
		{File: filepath.Join(pa, "weight_2020-01-01.csv")},
		{File: filepath.Join(pa, "weight_2020-02-01.csv")},
		{File: filepath.Join(root, "fitbit_export_20200131.csv")},
	}
	if diff := cmp.Diff(want, mustOpen(t, root).WeightFiles()); diff != "" {
		t.Errorf("WeightFiles (-want +got):\n%s", diff)
	}
}

func fat(v float64) *float64 { return &v }

// The Takeout CSVs: body fat folded into the weigh-in it belongs to, a
// reading of another origin or more than 60 s away left alone, UTC times
// turned into New York dates, everything in time order across files.
func TestWeightCSVMergedInTimeOrder(t *testing.T) {
	recs, errs, _ := collectWeight(t, mustOpen(t, fixture("weight-csv")), mustLoad(t, "America/New_York"), "")
	if len(errs) > 0 {
		t.Fatalf("unexpected problems: %v", errs)
	}
	type rec struct {
		Date, Time string
		Kg         float64
		Fat        *float64
		DataSource string
	}
	var got []rec
	for _, w := range recs {
		if w.Format != FormatTakeoutCSV {
			t.Errorf("format %q", w.Format)
		}
		got = append(got, rec{w.Date, w.Time, w.Kg, w.FatPercent, w.DataSource})
	}
	want := []rec{
		{"2020-02-29", "09:00:00", 62.5, fat(24.8), "Aria Air"},                 // fat 59 s later
		{"2020-02-29", "21:30:00", 62.4, fat(24.5), "Renpho Fitbit 3P Web API"}, // 02:30Z on 03-01
		{"2020-03-02", "07:00:00", 62.3, nil, "Aria Air"},
		{"2020-03-03", "02:00:00", 0, fat(24.1), "Aria Air"},     // no weight
		{"2020-03-04", "03:00:00", 62.35, nil, "Health Connect"}, // not merged with Aria's fat
		{"2020-03-04", "03:00:00", 0, fat(23.9), "Aria Air"},     // same instant, other origin
		{"2020-03-08", "03:30:00", 62.0, nil, "Aria Air"},        // EDT starts at 07:00Z
		{"2020-03-08", "03:31:30", 0, fat(23.5), "Aria Air"},     // 90 s away
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

// The same weigh-in in the old JSON (local time, pounds) and the new CSV
// (UTC, grams) reads as the same local minute and the same weight to the
// gram, so that the importer can send it once.
func TestWeightSameWeighInInJSONAndCSV(t *testing.T) {
	recs, errs, _ := collectWeight(t, mustOpen(t, fixture("weight-both")), mustLoad(t, "America/New_York"), "")
	if len(errs) > 0 {
		t.Fatalf("unexpected problems: %v", errs)
	}
	var fromJSON, fromCSV *Weight
	for i, w := range recs {
		if w.Date == "2025-08-09" {
			switch w.Format {
			case FormatTakeoutJSON:
				fromJSON = &recs[i]
			case FormatTakeoutCSV:
				fromCSV = &recs[i]
			}
		}
	}
	if fromJSON == nil || fromCSV == nil {
		t.Fatalf("the weigh-in of 2025-08-09 is missing from one format: %+v", recs)
	}
	if fromJSON.Time[:5] != fromCSV.Time[:5] || math.Abs(fromJSON.Kg-fromCSV.Kg) > 0.001 {
		t.Errorf("JSON %s %.4f kg and CSV %s %.4f kg differ", fromJSON.Time, fromJSON.Kg, fromCSV.Time, fromCSV.Kg)
	}
	if fromJSON.Value != 190.9 || fromJSON.Unit != UnitLb || fromCSV.Value != 86591 || fromCSV.Unit != "g" {
		t.Errorf("values as read: %v %s and %v %s", fromJSON.Value, fromJSON.Unit, fromCSV.Value, fromCSV.Unit)
	}
	water, _, _ := collect(t, mustOpen(t, fixture("weight-both")), time.UTC)
	if len(water) != 1 || water[0].ML != 500 {
		t.Errorf("water beside weight: %+v", water)
	}
}

func TestWeightJSONUnits(t *testing.T) {
	tests := []struct {
		path, unit string
		wantKg     float64
		wantValue  float64
		wantUnit   string
	}{
		{fixture("weight-json-lb"), "", 190.9 * KgPerLb, 190.9, UnitLb},
		{fixture("weight-json-lb"), "kg", 190.9, 190.9, UnitKg},
		{fixture("weight-json-kg"), "", 86.5, 86.5, UnitKg},
		{fixture("weight-json-kg"), "lb", 86.5 * KgPerLb, 86.5, UnitLb},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path)+"/"+tt.unit, func(t *testing.T) {
			recs, errs, _ := collectWeight(t, mustOpen(t, tt.path), time.UTC, tt.unit)
			if len(errs) > 0 || len(recs) == 0 {
				t.Fatalf("%d records, problems %v", len(recs), errs)
			}
			w := recs[0]
			if math.Abs(w.Kg-tt.wantKg) > 1e-9 || w.Value != tt.wantValue || w.Unit != tt.wantUnit || w.Source.Line != 1 {
				t.Errorf("first record %+v, want %v kg from %v %s at record 1", w, tt.wantKg, tt.wantValue, tt.wantUnit)
			}
		})
	}
}

func TestWeightReportsEveryProblemAndGoesOn(t *testing.T) {
	recs, errs, _ := collectWeight(t, mustOpen(t, fixture("weight-malformed")), time.UTC, "")
	if len(recs) != 6 {
		t.Errorf("got %d good records, want 6", len(recs))
	}
	lines := problemLines(t, errs)
	want := map[string][]int{
		"weight-2020-01-01.json":     {2, 3, 4, 5, 6, 7},
		"weight-2020-02-01.json":     {2},
		"weight-2020-03-01.json":     {0},
		"body_fat_2020-01-01.csv":    {1},
		"weight_2020-01-01.csv":      {3, 4, 5},
		"weight_2020-02-01.csv":      {1},
		"fitbit_export_20200131.csv": {4, 5, 6, 7},
	}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("problem lines (-want +got):\n%s", diff)
	}
}

func TestWeightStopsWhenTheCallerStops(t *testing.T) {
	e := mustOpen(t, fixture("weight-malformed"), fixture("weight-csv"), fixture("weight-dataexport"))
	checkStops(t, func() iter.Seq2[Weight, error] { return e.Weight(time.UTC, "kg") })
}

func TestWeightZipAndFolderGiveTheSameRecords(t *testing.T) {
	for _, name := range []string{"weight-both", "weight-json-kg", "weight-csv"} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), name+".zip")
			writeZip(t, p, fixture(name))
			strip := func(ws []Weight) []Weight {
				for i := range ws {
					ws[i].Source = Source{Line: ws[i].Source.Line}
				}
				return ws
			}
			loc := mustLoad(t, "America/New_York")
			dir, _, _ := collectWeight(t, mustOpen(t, fixture(name)), loc, "")
			zipped, _, _ := collectWeight(t, mustOpen(t, p), loc, "")
			if len(dir) == 0 {
				t.Fatal("no records")
			}
			if diff := cmp.Diff(strip(dir), strip(zipped)); diff != "" {
				t.Errorf("folder and zip differ (-folder +zip):\n%s", diff)
			}
			if fingerprint(t, p) != fingerprint(t, fixture(name)) {
				t.Error("the zip and its folder have different fingerprints")
			}
		})
	}
}

// Exports without weight files keep the fingerprints they had before
// weight was read (values computed with the code of that time), so that a
// journal started then still matches.
func TestFingerprintOfWaterOnlyExportsUnchanged(t *testing.T) {
	tests := map[string]string{
		"takeout":    "4b95046cb504bd6d785a4211e38206b572222ceeeeab8bc6a65b1c681a4dfe08",
		"dataexport": "f36635ad1dbbc88eb3c7318ac195e8123b7a2be074ccfeb42d90cf8f44426bb1",
		"split":      "339786d8a68fa9a91c65a38fd37e144380d574e86418f85886712519214a5ec9",
	}
	for name, want := range tests {
		if got := fingerprint(t, fixture(name)); got != want {
			t.Errorf("%s: fingerprint %s, want %s", name, got, want)
		}
	}
	// App settings only give the weight unit: beside water alone they
	// do not count.
	dir := copyTree(t, fixture("takeout"))
	settings := filepath.Join(dir, "Takeout", "Fitbit", "Health Fitness Data_GoogleData")
	if err := os.MkdirAll(settings, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(settings, "UserAppSettingData.csv"), []byte("value_time,setting_name,setting_value\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := fingerprint(t, dir); got != tests["takeout"] {
		t.Error("an app settings file changed the fingerprint of a water-only export")
	}
}

func TestFingerprintCoversWeightFiles(t *testing.T) {
	for _, tt := range []struct{ fixture, file string }{
		{"weight-json-kg", "Takeout/Fitbit/Global Export Data/weight-2021-07-01.json"},
		{"weight-json-kg", "Takeout/Fitbit/Health Fitness Data_GoogleData/UserAppSettingData.csv"},
		{"weight-csv", "Takeout/Fitbit/Physical Activity_GoogleData/weight_2020-03-01.csv"},
		{"weight-csv", "Takeout/Fitbit/Physical Activity_GoogleData/body_fat_2020-03-01.csv"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			dir := copyTree(t, fixture(tt.fixture))
			base := fingerprint(t, dir)
			p := filepath.Join(dir, filepath.FromSlash(tt.file))
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, append(b, '\n'), 0o644); err != nil {
				t.Fatal(err)
			}
			if fingerprint(t, dir) == base {
				t.Errorf("changing %s did not change the fingerprint", tt.file)
			}
		})
	}
	// A file that weight is not read from does not count.
	dir := copyTree(t, fixture("weight-csv"))
	base := fingerprint(t, dir)
	p := filepath.Join(dir, "Takeout", "Fitbit", "Physical Activity_GoogleData", "heart_rate_2020-03-01.csv")
	if err := os.WriteFile(p, []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	if fingerprint(t, dir) != base {
		t.Error("changing an irrelevant file changed the fingerprint")
	}
}

// TestWeightOnlyRelevantFilesOpened watches every open while reading
// weight, water, the unit, the zone and the fingerprint.
func TestWeightOnlyRelevantFilesOpened(t *testing.T) {
	for _, name := range []string{"weight-csv", "weight-json-kg", "weight-both", "weight-malformed"} {
		t.Run(name, func(t *testing.T) {
			e, opened := openCounting(t, fixture(name))
			collectWeight(t, e, time.UTC, "")
			collect(t, e, time.UTC)
			e.WeightUnit()
			e.ProfileTimeZone()
			if _, err := e.Fingerprint(); err != nil {
				t.Fatal(err)
			}
			var files int
			for _, name := range *opened {
				base := filepath.Base(name)
				if name == "." || filepath.Ext(base) == "" {
					continue
				}
				files++
				relevant := strings.HasPrefix(base, "weight") && base != "weight_readme.txt" ||
					strings.HasPrefix(base, "body_fat") || strings.HasPrefix(base, "hydration_log") ||
					strings.HasPrefix(base, "fitbit_export") || base == "Profile.csv" || base == "UserAppSettingData.csv"
				if !relevant {
					t.Errorf("opened irrelevant file %s", name)
				}
			}
			if files == 0 {
				t.Error("no file opened at all: the wrapper is not in the path")
			}
		})
	}
}

// A weight CSV given by itself is recognised by its name or its header.
func TestSingleWeightCSV(t *testing.T) {
	dir := t.TempDir()
	body := "timestamp,weight grams,data source\n2020-01-01T07:15:00Z,70250,Aria\n"
	for _, name := range []string{"weight_2020-01-01.csv", "my-scale.csv"} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			e := mustOpen(t, p)
			if e.HasWater() {
				t.Error("a weight CSV was taken for water")
			}
			recs, errs, _ := collectWeight(t, e, time.UTC, "")
			if len(recs) != 1 || len(errs) > 0 || recs[0].Kg != 70.25 {
				t.Errorf("got %+v, %v", recs, errs)
			}
		})
	}
}

// TestWeightBMI: the body mass index is read where the export has it (the
// old Takeout JSON "bmi", the Data Export's BMI column); 0 is none.
func TestWeightBMI(t *testing.T) {
	tests := []struct {
		fixture, unit string
		want          map[string]float64 // date → BMI of that day's record
		none          []string           // dates whose record has none
	}{
		{"weight-json-lb", "", map[string]float64{"2025-09-02": 25.66, "2025-09-03": 25.61}, nil},
		{"weight-dataexport", UnitKg, map[string]float64{"2019-01-29": 26.1, "2019-01-30": 26.0}, []string{"2019-01-31"}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			recs, _, _ := collectWeight(t, mustOpen(t, fixture(tt.fixture)), time.UTC, tt.unit)
			got := map[string]*float64{}
			for _, r := range recs {
				if _, seen := got[r.Date]; !seen || r.BMI != nil {
					got[r.Date] = r.BMI
				}
			}
			for date, want := range tt.want {
				if b := got[date]; b == nil || *b != want {
					t.Errorf("%s: BMI %v, want %v", date, b, want)
				}
			}
			for _, date := range tt.none {
				if b, seen := got[date]; !seen || b != nil {
					t.Errorf("%s: BMI %v (seen %v), want none", date, b, seen)
				}
			}
		})
	}
}

// TestLooseWeightJSON: a Takeout weight-YYYY-MM-DD.json given by itself, or
// a folder of them, is read by its name, like a loose .csv.
func TestLooseWeightJSON(t *testing.T) {
	malformed := fixture("weight-malformed", "Takeout", "Fitbit", "Global Export Data", "weight-2020-01-01.json")
	tests := []struct {
		name    string
		paths   []string
		records int
		errHas  string // a problem (with file and record) the reader must yield
	}{
		{"one file", []string{fixture("weight-loose", "weight-2022-04-01.json")}, 2, ""},
		{"a folder of them", []string{fixture("weight-loose")}, 3, ""},
		{"a malformed one", []string{malformed}, -1, "weight-2020-01-01.json:2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Open(tt.paths...)
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			if !e.HasWeight() || e.HasWater() {
				t.Fatalf("HasWeight %v HasWater %v, want weight only", e.HasWeight(), e.HasWater())
			}
			recs, errs, _ := collectWeight(t, e, time.UTC, UnitKg)
			if tt.records >= 0 && (len(recs) != tt.records || len(errs) != 0) {
				t.Errorf("%d records, problems %v; want %d records", len(recs), errs, tt.records)
			}
			if tt.errHas != "" && (len(errs) == 0 || !strings.Contains(errs[0].Error(), tt.errHas)) {
				t.Errorf("problems %v, want one naming %q and the record", errs, tt.errHas)
			}
		})
	}
	t.Run("a .json of another name", func(t *testing.T) {
		sleep := filepath.Join(t.TempDir(), "sleep-2022-01-01.json")
		if err := os.WriteFile(sleep, []byte("[]"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Open(fixture("weight-loose"), sleep)
		if err == nil || !strings.Contains(err.Error(), "sleep-2022-01-01.json") || !strings.Contains(err.Error(), "weight-YYYY-MM-DD.json") {
			t.Errorf("error %v, want one naming the file and what is expected", err)
		}
	})
}
