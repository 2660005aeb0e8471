package fitbit

import (
	"fmt"
	"io"
	"iter"
	"strings"
	"time"
)

// WeightFiles lists the files weight is read from, in the order Weight reads
// them: the old Takeout JSON, then the Takeout weight and body-fat CSVs, then
// the fitbit.com Data Export CSVs (whose Body section holds weight).
func (e *Export) WeightFiles() []Source {
	var out []Source
	for _, f := range e.weightJSON {
		out = append(out, f.source())
	}
	for _, f := range e.weightCSV {
		out = append(out, f.source())
	}
	for _, f := range e.dataExports() {
		out = append(out, f.source())
	}
	return out
}

func (e *Export) dataExports() []file {
	var out []file
	for _, f := range e.water {
		if f.kind == kindDataExport {
			out = append(out, f)
		}
	}
	return out
}

// Weight yields every weight and body-fat record of the export: the old
// Takeout JSON files record by record, then the records of all Takeout CSVs
// merged and in time order, then the Body section of each Data Export CSV
// row by row. A record that cannot be read is yielded as an *Error (with
// file, entry and line or JSON record index) and reading goes on.
//
// Formats and their units:
//   - weight-YYYY-MM-DD.json (Global Export Data/, Personal & Account/,
//     user-site-export/): date and time are local already and are not
//     shifted; the weight is in the user's unit; a "fat" of 0 or none is no
//     reading. Source.Line is the record's index in the array, from 1.
//   - Physical Activity_GoogleData/weight*.csv (weight in grams, or the unit
//     its header names) and body_fat*.csv: UTC times turned into loc's date
//     and time (nil means UTC). A body-fat row within 60 s of a weight row
//     of the same origin (both or neither synced from Health Connect) is
//     folded into that record's FatPercent; one without a weight row is a
//     record of its own with Kg 0.
//   - fitbit_export_*.csv Body section (Date,Weight,BMI,Fat): one record
//     per row, no time of day, weight in the user's unit, Fat 0 is no reading.
//
// unit is "" to use the export's own setting (see WeightUnit), or UnitKg or
// UnitLb to override it (any spelling ParseWeightUnit accepts). When a file
// holds weights in the user's unit and neither says which, that file gives
// one *Error (errors.Is ErrWeightUnit) whose hint asks for --weight-unit:
// the unit is never guessed from the values.
//
// Zero weights and rows synced from Health Connect are yielded like the
// others (see DataSource): the importer skips and counts them.
func (e *Export) Weight(loc *time.Location, unit string) iter.Seq2[Weight, error] {
	if loc == nil {
		loc = time.UTC
	}
	return func(yield func(Weight, error) bool) {
		override, err := ParseWeightUnit(unit)
		if err != nil {
			yield(Weight{}, &Error{Source: Source{File: strings.Join(e.paths, ", ")}, Found: fmt.Sprintf("weight unit %q", unit),
				Expected: "kg or lb", Err: err})
			return
		}
		// The export's setting is read once, and only when a file needs it.
		var (
			setting  unitSetting
			hasSet   bool
			resolved bool
		)
		userUnit := func() (unitSetting, bool) {
			if override != "" {
				return unitSetting{unit: override}, true
			}
			if !resolved {
				setting, hasSet = e.weightSetting()
				resolved = true
			}
			return setting, hasSet && setting.unit != ""
		}
		for _, f := range e.weightJSON {
			s := newSink(f.source(), yield)
			if u, ok := userUnit(); ok {
				e.readFile(f, s, func(rc io.Reader) { readWeightJSON(rc, u.unit, s) })
			} else {
				s.problem(unitUnknown(f.source(), "weights in the user's unit, and the export does not say which", setting, hasSet))
			}
			if s.aborted {
				return
			}
		}
		if !e.readWeightCSVs(loc, yield) {
			return
		}
		for _, f := range e.dataExports() {
			s := newSink(f.source(), yield)
			e.readFile(f, s, func(rc io.Reader) {
				readDataExportBody(rc, func() (string, *Error) {
					if u, ok := userUnit(); ok {
						return u.unit, nil
					}
					return "", unitUnknown(f.source(), "Body weights in the user's unit, which a Data Export does not name", setting, hasSet)
				}, s)
			})
			if s.aborted {
				return
			}
		}
	}
}

// readFile opens f and passes it to read, reporting a file that cannot be
// opened as one problem.
func (e *Export) readFile(f file, s *sink[Weight], read func(io.Reader)) {
	rc, err := f.open()
	if err != nil {
		s.fail(0, fmt.Sprintf("cannot be opened: %v", err), "", err)
		return
	}
	defer rc.Close()
	read(rc)
}

// unitUnknown is the one problem given for a file whose weights are in the
// user's unit when that unit is not known.
func unitUnknown(src Source, found string, setting unitSetting, hasSet bool) *Error {
	if hasSet {
		found = fmt.Sprintf("%s; the weight-unit setting %q at %s is neither kg nor lb", found, setting.raw, setting.src)
	}
	return &Error{
		Source:   src,
		Found:    found,
		Expected: "the weight unit in Your Profile/Profile.csv (weight_unit) or Health Fitness Data_GoogleData/UserAppSettingData.csv",
		Err:      ErrWeightUnit,
	}
}
