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
