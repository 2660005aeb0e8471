package fitbit

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"
)

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
	addFileSeeds(f, filepath.Join("weight-*", "*", "*", "*", "weight-*.json"))
	f.Add([]byte(`[{"weight":"1.234,5","fat":"","date":"2/3/2020","time":"7:05"},null,[],{"weight":1e308}]`))
	f.Add([]byte(`[{"fat":0,"date":"01/01/20"}] trailing`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, unit := range []string{UnitKg, UnitLb} {
			readWeightJSON(bytes.NewReader(data), unit, newSink(Source{File: "w.json"}, checkWeight(t, FormatTakeoutJSON, false)))
		}
	})
}

func FuzzWeightCSV(f *testing.F) {
	addFileSeeds(f, filepath.Join("weight-*", "*", "*", "*", "weight_*.csv"))
	addFileSeeds(f, filepath.Join("weight-*", "*", "*", "*", "body_fat_*.csv"))
	f.Add([]byte("start time,weight kilograms,body fat,source\n2020-01-01T00:00:00+05:30,70,\n2020-01-01 00:00,,20\n"))
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
	addFileSeeds(f, "dataexport/*.csv")
	addFileSeeds(f, "weight-*/*.csv")
	f.Add([]byte("Body\nDatum,Gewicht,BMI,Fett\n\"29.01.2019\",\"86,5\",\"26\",\"22,5\"\n"))
	f.Add([]byte("Date,Weight\n2019-01-01,1\n\nBody\nFoo\nDate,Weight,Fat\n"))
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
	addFileSeeds(f, filepath.Join("*", "Takeout", "Fitbit", "Your Profile", "Profile.csv"))
	addFileSeeds(f, filepath.Join("*", "Takeout", "Fitbit", "*", "UserAppSettingData.csv"))
	f.Add([]byte("Weight Unit\n\n\"POUND\"\n"))
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
