package fitbit

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Weight units as returned by ParseWeightUnit and WeightUnit.
const (
	UnitKg = "kg"
	UnitLb = "lb"
)

// ParseWeightUnit reads a weight unit given by a person (the --weight-unit
// flag): "kg", "kgs", "kilogram(s)", "lb", "lbs", "pound(s)", in any case.
// It returns UnitKg or UnitLb; "" is returned as "" (no override).
func ParseWeightUnit(s string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return "", nil
	case "kg", "kgs", "kilogram", "kilograms", "kilo", "kilos":
		return UnitKg, nil
	case "lb", "lbs", "pound", "pounds":
		return UnitLb, nil
	}
	return "", fmt.Errorf("weight unit %q: %w", s, ErrWeightUnit)
}

// settingUnit turns the value of a weight-unit setting of the export into
// UnitKg or UnitLb; "" when it is not understood. Accepted, in any case and
// with "_", "-" or spaces: kg, kgs, kilogram(s), metric, si, METRIC → kg;
// lb, lbs, pound(s), us, en_US → lb (Fitbit's unit systems name the US one
// after its locale). Stone (stone, st, en_GB, uk) is not accepted: what the
// export's weights are in for those users is not known.
func settingUnit(raw string) string {
	key := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '_', '-', '.', '"':
			return -1
		}
		return r
	}, strings.ToLower(strings.TrimSpace(raw)))
	switch key {
	case "kg", "kgs", "kilogram", "kilograms", "kilo", "kilos", "metric", "si":
		return UnitKg
	case "lb", "lbs", "pound", "pounds", "us", "enus":
		return UnitLb
	}
	return ""
}

// unitSetting is a weight-unit setting found in the export.
type unitSetting struct {
	unit string // UnitKg, UnitLb, or "" when raw is not understood
	raw  string // the value as written
	src  Source // file, entry and line
}

// WeightUnit returns the user's weight unit (UnitKg or UnitLb) as the export
// says it, with the place it was read: the weight-unit column of
// Your Profile/Profile.csv (found by name), else the latest setting whose
// name mentions the weight unit in Health Fitness Data_GoogleData/
// UserAppSettingData.csv (rows value_time,setting_name,setting_value). ok is
// false when neither says it in a way understood. Values accepted, in any
// case: kg, kilogram(s), METRIC → kg; lb, lbs, pound(s), US, en_US → lb.
// Stone (en_GB) is not: what unit the export's weights are in for those
// users is not known. The old Takeout JSON and the Data Export Body section
// hold weights in this unit.
func (e *Export) WeightUnit() (unit string, src Source, ok bool) {
	s, found := e.weightSetting()
	if !found || s.unit == "" {
		return "", Source{}, false
	}
	return s.unit, s.src, true
}

// weightSetting returns the first understood weight-unit setting, else the
// first one found (unit ""), for the message; found is false when there is
// none at all.
func (e *Export) weightSetting() (unitSetting, bool) {
	var first unitSetting
	found := false
	try := func(files []file, parse func(io.Reader) (string, int, bool)) bool {
		for _, f := range files {
			rc, err := f.open()
			if err != nil {
				continue
			}
			raw, line, ok := parse(io.LimitReader(rc, 4<<20))
			rc.Close()
			if !ok {
				continue
			}
			src := f.source()
			src.Line = line
			s := unitSetting{unit: settingUnit(raw), raw: raw, src: src}
			if s.unit != "" {
				first, found = s, true
				return true
			}
			if !found {
				first, found = s, true
			}
		}
		return false
	}
	if try(e.profiles, parseProfileWeightUnit) {
		return first, true
	}
	if try(e.settings, parseAppSettingsWeightUnit) {
		return first, true
	}
	return first, found
}

// parseProfileWeightUnit reads a profile CSV (a header, then one row) and
// returns the value of its weight-unit column and the line it is on.
func parseProfileWeightUnit(r io.Reader) (string, int, bool) {
	v, line, ok := profileField(r, func(n string) bool {
		switch n {
		case "weightunit", "weightunits", "unitweight", "weightunitsystem", "unitofweight":
			return true
		}
		return false
	}, func(v string) bool { return v != "" })
	return clip(v, 40), line, ok
}

// parseAppSettingsWeightUnit reads UserAppSettingData.csv (columns
// value_time, setting_name, setting_value, found by name) and returns the
// value of the latest setting whose name mentions a weight unit, and its
// line. Rows are compared by value_time when both parse, else the later row
// wins.
func parseAppSettingsWeightUnit(r io.Reader) (string, int, bool) {
	cr := newCSVReader(r)
	header, err := cr.Read()
	if err != nil {
		return "", 0, false
	}
	tcol, ncol, vcol := -1, -1, -1
	for i, h := range header {
		switch normHeader(h) {
		case "value time", "time", "timestamp", "updated", "last updated":
			if tcol < 0 {
				tcol = i
			}
		case "setting name", "name", "setting", "key":
			if ncol < 0 {
				ncol = i
			}
		case "setting value", "value":
			if vcol < 0 {
				vcol = i
			}
		}
	}
	if ncol < 0 || vcol < 0 {
		return "", 0, false
	}
	var (
		best     string
		bestLine int
		bestAt   time.Time
		bestOK   bool // bestAt parsed
		found    bool
	)
	for {
		rec, err := cr.Read()
		if err != nil {
			break
		}
		if ncol >= len(rec) || vcol >= len(rec) {
			continue
		}
		name := normHeader(rec[ncol])
		words := strings.Fields(name)
		if !strings.Contains(name, "weight") || !(slices.Contains(words, "unit") || slices.Contains(words, "units") ||
			strings.Contains(name, "weightunit")) {
			continue
		}
		v := strings.TrimSpace(rec[vcol])
		if v == "" {
			continue
		}
		var at time.Time
		atOK := false
		if tcol >= 0 && tcol < len(rec) {
			at, atOK = parseUTC(strings.TrimSpace(rec[tcol]))
		}
		if found && atOK && bestOK && at.Before(bestAt) {
			continue
		}
		line, _ := cr.FieldPos(vcol)
		best, bestLine, bestAt, bestOK, found = clip(v, 40), line, at, atOK, true
	}
	return best, bestLine, found
}
