package fitbit

import (
	"errors"
	"strings"
)

// Sentinel errors, matched with errors.Is on what Open and Water return.
var (
	// ErrNotZip means a .zip could not be read: not a zip, or cut short.
	ErrNotZip = errors.New("not a readable zip")
	// ErrEmpty means a folder given as an export holds no files.
	ErrEmpty = errors.New("empty folder")
	// ErrNoWater means nothing in the export looks like a water log.
	ErrNoWater = errors.New("no water data found")
	// ErrNoWeight means nothing in the export looks like a weight log.
	ErrNoWeight = errors.New("no weight data found")
	// ErrWeightUnit means weights are in the user's unit and neither the
	// export nor the caller says which.
	ErrWeightUnit = errors.New("weight unit unknown")
	// ErrUnsupported means a path is neither a folder, a .zip nor a .csv.
	ErrUnsupported = errors.New("unsupported export path")
	// ErrFormat means a file or a record is not in the expected format.
	ErrFormat = errors.New("unexpected format")
)

// Error is a problem with one export path, one file or one record. It says
// where (Source), what was found and what was expected, so that a person can
// fix the input. Records that fail are reported as *Error by
// (*Export).Water and (*Export).Weight without stopping the iteration.
type Error struct {
	// Source is the path, zip entry and line of the problem.
	Source Source
	// Found describes what was read, e.g. `amount "abc"`.
	Found string
	// Expected describes what would have been understood.
	Expected string
	// Hint, when set, says what to do next.
	Hint string
	// Err is the underlying cause, one of the sentinel errors of this package
	// or an error from the standard library; may be nil.
	Err error
}

// Error renders "source: found: expected ...; hint".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Source.String())
	if e.Found != "" {
		b.WriteString(": ")
		b.WriteString(e.Found)
	} else if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	if e.Expected != "" {
		b.WriteString(": expected ")
		b.WriteString(e.Expected)
	}
	if e.Hint != "" {
		b.WriteString("; ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }
