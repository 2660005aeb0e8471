package fitbit

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// checkYield returns a yield function that checks the invariants every
// reader keeps, whatever its input: records carry a real date, a finite
// amount and a line; problems are *Error with a message.
func checkYield(t *testing.T, wantTime bool) func(Water, error) bool {
	return checkRecord(t, wantTime, func(w Water) (string, string, []float64, string) {
		if w.Source.Line <= 0 {
			return w.Date, w.Time, nil, "no line"
		}
		return w.Date, w.Time, []float64{w.ML}, ""
	})
}

// checkRecord returns a yield function that checks what every reader's
// records and problems share: a problem is an *Error with a message; a
// record has a real date, a time when wantTime (a real one when any),
// finite numbers, and nothing fields calls bad.
func checkRecord[T any](t *testing.T, wantTime bool, fields func(T) (date, clock string, nums []float64, bad string)) func(T, error) bool {
	return func(rec T, err error) bool {
		if err != nil {
			var fe *Error
			if !errors.As(err, &fe) {
				t.Fatalf("problem %v is a %T, want *Error", err, err)
			}
			if fe.Found == "" || err.Error() == "" {
				t.Fatalf("problem without description: %#v", fe)
			}
			return true
		}
		date, clock, nums, bad := fields(rec)
		if _, perr := time.Parse(time.DateOnly, date); perr != nil {
			t.Fatalf("record date %q: %v", date, perr)
		}
		if clock != "" {
			if _, perr := time.Parse(time.TimeOnly, clock); perr != nil {
				t.Fatalf("record time %q: %v", clock, perr)
			}
		} else if wantTime {
			t.Fatalf("record without time: %+v", rec)
		}
		for _, v := range nums {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("record number %v: %+v", v, rec)
			}
		}
		if bad != "" {
			t.Fatalf("record %s: %+v", bad, rec)
		}
		return true
	}
}

// seedFiles adds every fixture matching one of patterns (below testdata's
// exports), then each of literals, as one []byte seed each.
func seedFiles(f *testing.F, patterns []string, literals ...string) {
	for _, pattern := range patterns {
		matches, _ := filepath.Glob(filepath.Join(exports, pattern))
		for _, m := range matches {
			if b, err := os.ReadFile(m); err == nil {
				f.Add(b)
			}
		}
	}
	for _, l := range literals {
		f.Add([]byte(l))
	}
}

func FuzzDataExport(f *testing.F) {
	seedFiles(f, []string{"dataexport/*.csv", "malformed/bad-dataexport/*.csv"},
		"Food Log 20200101\nDaily Totals\n\"\",\"Water\",\"1.893,5 ml\"\n",
		"Foods\nDate\n\nFood Log 2020-01-01\nX\n\"\",\"Wasser\",\"2,5 l\"\n",
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		yield := checkYield(t, false)
		readDataExport(bytes.NewReader(data), newSink(Source{File: "f.csv"}, func(w Water, err error) bool {
			if err == nil && !w.DayTotal {
				t.Fatalf("data export record not a day total: %+v", w)
			}
			return yield(w, err)
		}))
	})
}

func FuzzHydrationLog(f *testing.F) {
	readme, _ := os.ReadFile(fixture("takeout", "Takeout", "Fitbit", "Physical Activity_GoogleData", "hydration_log_readme.txt"))
	matches, _ := filepath.Glob(filepath.Join(exports, "*", "Takeout", "*", "Physical Activity_GoogleData", "hydration_log_*.csv"))
	more, _ := filepath.Glob(filepath.Join(exports, "malformed", "bad-takeout", "Takeout", "*", "*", "hydration_log_*.csv"))
	for _, m := range append(matches, more...) {
		if b, err := os.ReadFile(m); err == nil {
			f.Add(b, string(readme))
			f.Add(b, "")
		}
	}
	f.Add([]byte("timestamp,amount,unit\n2020-01-01T00:00:00.5+05:30,8,fl oz\n"), "")
	f.Fuzz(func(t *testing.T, data []byte, readme string) {
		loc := time.FixedZone("X", -5*3600)
		readHydrationLog(bytes.NewReader(data), loc, func() string { return readme }, newSink(Source{File: "h.csv"}, checkYield(t, true)))
	})
}

func FuzzGeneric(f *testing.F) {
	seedFiles(f, []string{"generic/*.csv", "malformed/*.csv"},
		"date;time;amount\n",
		"Date,Amount (fl oz)\n2020/01/01,\"1,5\"\n",
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		readGeneric(bytes.NewReader(data), newSink(Source{File: "g.csv"}, checkYield(t, false)))
	})
}

func FuzzProfileTimeZone(f *testing.F) {
	for _, p := range []string{"takeout", "utc-boundary"} {
		if b, err := os.ReadFile(fixture(p, "Takeout", "Fitbit", "Your Profile", "Profile.csv")); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("Time Zone\n\n\"America/Argentina/Buenos_Aires\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		name, line, ok := parseProfileTimeZone(bytes.NewReader(data))
		if ok && (!validZoneName(name) || line < 2) {
			t.Fatalf("zone %q on line %d accepted", name, line)
		}
		if !ok && name != "" {
			t.Fatalf("not ok but name %q", name)
		}
	})
}

func FuzzParseVolume(f *testing.F) {
	for _, s := range []string{"64 fl oz", "1,893 ml", "1.893,5", "8 cups", "0", "-1 l", "1'000 ml", ".5 l"} {
		f.Add(s, "")
		f.Add(s, "ml")
	}
	f.Fuzz(func(t *testing.T, s, unit string) {
		v, err := parseVolume(s, unit)
		if err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
			t.Fatalf("parseVolume(%q, %q) = %v", s, unit, v)
		}
		if err == nil && !strings.ContainsAny(s, "0123456789") {
			t.Fatalf("parseVolume(%q, %q) = %v without a digit", s, unit, v)
		}
	})
}

// checkWeight returns a yield function that checks the invariants every
// weight reader keeps, whatever its input: records carry a real date, a
// time or none as the format allows, finite numbers, a line and a format;
// problems are *Error with a message.
func checkWeight(t *testing.T, format string, wantTime bool) func(Weight, error) bool {
	return checkRecord(t, wantTime, func(w Weight) (string, string, []float64, string) {
		nums := []float64{w.Kg, w.Value}
		if w.FatPercent != nil {
			nums = append(nums, *w.FatPercent)
		}
		if w.Unit == "" || w.Format != format || w.Source.Line <= 0 {
			return w.Date, w.Time, nums, "without unit, format or line"
		}
		return w.Date, w.Time, nums, ""
	})
}

func FuzzWeightJSON(f *testing.F) {
	seedFiles(f, []string{filepath.Join("weight-*", "*", "*", "*", "weight-*.json")},
		`[{"weight":"1.234,5","fat":"","date":"2/3/2020","time":"7:05"},null,[],{"weight":1e308}]`,
		`[{"fat":0,"date":"01/01/20"}] trailing`,
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, unit := range []string{UnitKg, UnitLb} {
			readWeightJSON(bytes.NewReader(data), unit, newSink(Source{File: "w.json"}, checkWeight(t, FormatTakeoutJSON, false)))
		}
	})
}

func FuzzWeightCSV(f *testing.F) {
	seedFiles(f, []string{filepath.Join("weight-*", "*", "*", "*", "weight_*.csv"), filepath.Join("weight-*", "*", "*", "*", "body_fat_*.csv")},
		"start time,weight kilograms,body fat,source\n2020-01-01T00:00:00+05:30,70,\n2020-01-01 00:00,,20\n",
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		loc := time.FixedZone("X", -5*3600)
		check := checkWeight(t, FormatTakeoutCSV, true)
		var weights, fats []timedWeight
		readWeightCSV(bytes.NewReader(data), loc, newSink(Source{File: "w.csv"}, func(tw timedWeight, err error) bool {
			if err == nil {
				if tw.hasWeight {
					weights = append(weights, tw)
				} else {
					fats = append(fats, tw)
				}
			}
			return check(tw.w, err)
		}))
		n := len(weights) + len(fats)
		out := mergeFat(weights, fats)
		if len(out) > n || len(out) < len(weights) {
			t.Fatalf("merge of %d weights and %d fats gave %d records", len(weights), len(fats), len(out))
		}
		for i := 1; i < len(out); i++ {
			if out[i].at.Before(out[i-1].at) {
				t.Fatalf("records out of order at %d", i)
			}
		}
	})
}

func FuzzDataExportBody(f *testing.F) {
	seedFiles(f, []string{"dataexport/*.csv", "weight-*/*.csv"},
		"Body\nDatum,Gewicht,BMI,Fett\n\"29.01.2019\",\"86,5\",\"26\",\"22,5\"\n",
		"Date,Weight\n2019-01-01,1\n\nBody\nFoo\nDate,Weight,Fat\n",
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, unit := range []string{"", UnitKg} {
			asked := 0
			readDataExportBody(bytes.NewReader(data), func() (string, *Error) {
				asked++
				if unit == "" {
					return "", unitUnknown(Source{File: "d.csv"}, "weights in the user's unit", unitSetting{}, false)
				}
				return unit, nil
			}, newSink(Source{File: "d.csv"}, checkWeight(t, FormatDataExport, false)))
			if asked > 1 {
				t.Fatalf("unit asked %d times", asked)
			}
		}
	})
}

func FuzzWeightUnitSettings(f *testing.F) {
	seedFiles(f, []string{filepath.Join("*", "Takeout", "Fitbit", "Your Profile", "Profile.csv"), filepath.Join("*", "Takeout", "Fitbit", "*", "UserAppSettingData.csv")},
		"Weight Unit\n\n\"POUND\"\n",
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, parse := range []func([]byte) (string, int, bool){
			func(b []byte) (string, int, bool) { return parseProfileWeightUnit(bytes.NewReader(b)) },
			func(b []byte) (string, int, bool) { return parseAppSettingsWeightUnit(bytes.NewReader(b)) },
		} {
			raw, line, ok := parse(data)
			if ok && (raw == "" || line < 2 || len(raw) > 43) {
				t.Fatalf("setting %q on line %d accepted", raw, line)
			}
			if !ok && raw != "" {
				t.Fatalf("not ok but value %q", raw)
			}
			if u := settingUnit(raw); u != "" && u != UnitKg && u != UnitLb {
				t.Fatalf("settingUnit(%q) = %q", raw, u)
			}
		}
	})
}

// seedFile adds a fixture file to a fuzz corpus.
func seedFile(f *testing.F, path string) {
	f.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(b))
}

// sinkAll collects records and problems; every problem must name its file.
func sinkAll[T any](t *testing.T, file string) (*sink[T], *int) {
	n := new(int)
	return newSink(Source{File: file}, func(_ T, err error) bool {
		if err != nil && !strings.HasPrefix(err.Error(), file) {
			t.Fatalf("problem does not name the file: %v", err)
		}
		*n++
		return true
	}), n
}

const fixtureRoot = "testdata/exercise/takeout/Takeout/Fitbit/"

func FuzzExerciseJSON(f *testing.F) {
	seedFile(f, fixtureRoot+"Global Export Data/exercise-0.json")
	f.Add(`[{"logId":1,"startTime":"04/17/23 17:41:19","duration":-5,"distance":"NaN"}]`)
	f.Fuzz(func(t *testing.T, in string) {
		s, _ := sinkAll[Activity](t, "exercise-0.json")
		readExerciseJSON(strings.NewReader(in), time.UTC, s)
	})
}

func FuzzUserExercises(f *testing.F) {
	seedFile(f, fixtureRoot+"Health Fitness Data_GoogleData/UserExercises_2023-07-01.csv")
	f.Fuzz(func(t *testing.T, in string) {
		s, _ := sinkAll[Activity](t, "UserExercises.csv")
		readUserExercises(strings.NewReader(in), s)
	})
}

func FuzzGPS(f *testing.F) {
	seedFile(f, fixtureRoot+"Physical Activity_GoogleData/gps_location_2023-07-01.csv")
	f.Fuzz(func(t *testing.T, in string) {
		s, _ := sinkAll[gpsFix](t, "gps_location_2023-07-01.csv")
		readGPS(strings.NewReader(in), s, nil, true)
	})
}

func FuzzFastUTC(f *testing.F) {
	f.Add("2023-04-17T17:41:19Z")
	f.Add("2023-02-30T17:41:19Z")
	f.Fuzz(func(t *testing.T, in string) {
		got, ok := fastUTC(in)
		want, err := time.Parse(time.RFC3339, in)
		if ok && (err != nil || !got.Equal(want)) {
			t.Fatalf("fastUTC(%q) = %v, time.Parse = %v, %v", in, got, want, err)
		}
	})
}

func FuzzTCX(f *testing.F) {
	seedFile(f, fixtureRoot+"Activities/700.tcx")
	f.Fuzz(func(t *testing.T, in string) {
		pts, err := readTCX(strings.NewReader(in))
		if err != nil && pts != nil {
			t.Fatal("points with an error")
		}
		for _, p := range pts {
			if p.HasPosition && (p.Lat < -90 || p.Lat > 90 || p.Lon < -180 || p.Lon > 180) {
				t.Fatalf("position out of range: %+v", p)
			}
		}
	})
}

func FuzzHeartRate(f *testing.F) {
	f.Add("timestamp,beats per minute,data source\n2020-01-01T00:00:05Z,61,Fitbit Charge 4\n2020-01-01T00:00:10Z,x,y\n")
	f.Fuzz(func(t *testing.T, in string) {
		s, _ := sinkAll[gpsFix](t, "heart_rate_2020-01-01.csv")
		readHeartRate(strings.NewReader(in), s, nil)
	})
}
