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

func addFileSeeds(f *testing.F, pattern string) {
	matches, _ := filepath.Glob(filepath.Join(exports, pattern))
	for _, m := range matches {
		if b, err := os.ReadFile(m); err == nil {
			f.Add(b)
		}
	}
}

func FuzzDataExport(f *testing.F) {
	addFileSeeds(f, "dataexport/*.csv")
	addFileSeeds(f, "malformed/bad-dataexport/*.csv")
	f.Add([]byte("Food Log 20200101\nDaily Totals\n\"\",\"Water\",\"1.893,5 ml\"\n"))
	f.Add([]byte("Foods\nDate\n\nFood Log 2020-01-01\nX\n\"\",\"Wasser\",\"2,5 l\"\n"))
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
	addFileSeeds(f, "generic/*.csv")
	addFileSeeds(f, "malformed/*.csv")
	f.Add([]byte("date;time;amount\n"))
	f.Add([]byte("Date,Amount (fl oz)\n2020/01/01,\"1,5\"\n"))
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
