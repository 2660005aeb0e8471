// Package fitbit finds and reads the files of a Fitbit export (a folder, a
// .zip as downloaded, or a single .csv) and turns them into records in SI
// units. Every record and every error names its source: the file, the entry
// inside a zip and the line.
//
// It knows nothing of Garmin or of the import journal.
package fitbit

import "fmt"

// Source says where a record or a problem came from.
type Source struct {
	// File is the path given by the user or found in a folder (a .zip, a .csv).
	File string
	// Entry is the member inside a zip, empty when File is not a zip.
	Entry string
	// Line is the 1-based line (or record index for JSON arrays); 0 when unknown.
	Line int
}

// String renders the source as "file:entry:line", leaving out empty parts.
func (s Source) String() string {
	out := s.File
	if s.Entry != "" {
		out += ":" + s.Entry
	}
	if s.Line > 0 {
		out += fmt.Sprintf(":%d", s.Line)
	}
	return out
}

// Water is one logged amount of water: a single drink, or a day's total for
// formats that only keep totals (the fitbit.com Data Export CSV).
type Water struct {
	// Date is the local calendar date, YYYY-MM-DD, in the user's time zone.
	Date string
	// Time is the local wall-clock time "15:04:05", or "" when the format has
	// no time of day. The importer picks a time for those (see importer docs).
	Time string
	// ML is the amount in millilitres. Zero and negative amounts are passed
	// through; the importer skips them and counts them.
	ML float64
	// DayTotal is true when the record is a whole day's total rather than one drink.
	DayTotal bool
	// Source is where the record was read.
	Source Source
	// DataSource is the Takeout "data source" column (e.g. "Fitbit App";
	// one ending in "Health Connect" was synced in from elsewhere), "" for
	// formats without one.
	DataSource string
}

// Weight is one weigh-in: a weight, a body-fat reading, or both taken
// together (a smart scale writes both at the same instant).
type Weight struct {
	// Date is the local calendar date, YYYY-MM-DD, in the user's time zone.
	Date string
	// Time is the local wall-clock time "15:04:05", or "" when the format has
	// no time of day (the fitbit.com Data Export).
	Time string
	// Kg is the weight in kilograms; 0 when the record only carries body
	// fat. Zero and negative weights are passed through; the importer skips
	// them and counts them.
	Kg float64
	// FatPercent is the body fat in percent, nil when the record has none.
	FatPercent *float64
	// BMI is the body mass index as the export gives it (Takeout JSON
	// "bmi", Data Export "BMI"), nil when it has none.
	BMI *float64
	// Value and Unit are the weight as read, for display: 190.9 "lb",
	// 62400 "g", 86.5 "kg". A record with body fat only has the fat
	// percentage here, with Unit "%".
	Value float64
	Unit  string
	// DataSource is the Takeout "data source" column or the JSON "source"
	// field (e.g. "Aria", "API"; one ending in "Health Connect" was synced in
	// from elsewhere), "" for formats without one.
	DataSource string
	// Format names the file format the record was read from: FormatTakeoutJSON,
	// FormatTakeoutCSV or FormatDataExport.
	Format string
	// Source is where the record was read.
	Source Source
}

// Formats a Weight is read from.
const (
	// FormatTakeoutJSON is the old weight-YYYY-MM-DD.json of a Takeout or
	// account archive.
	FormatTakeoutJSON = "takeout-json"
	// FormatTakeoutCSV is the Takeout's weight*.csv and body_fat*.csv.
	FormatTakeoutCSV = "takeout-csv"
	// FormatDataExport is the Body section of a fitbit.com Data Export CSV.
	FormatDataExport = "data-export"
)
