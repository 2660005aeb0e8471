package fitbit

import (
	"fmt"
	"io"
	"iter"
	"path"
	"slices"
	"time"
)

// Water yields every water record of the export, file by file in the order
// of WaterFiles, each file from top to bottom. A record that cannot be read
// is yielded as an *Error (with file, entry and line) and reading goes on,
// so that the caller can list every problem; a file that cannot be read at
// all gives one *Error and reading goes on with the next file.
//
// Takeout times are UTC and are turned into loc's calendar date and time of
// day (nil means UTC). Data Export day totals and generic CSV rows are
// already local and are not shifted.
func (e *Export) Water(loc *time.Location) iter.Seq2[Water, error] {
	if loc == nil {
		loc = time.UTC
	}
	return func(yield func(Water, error) bool) {
		for _, f := range e.water {
			s := newSink(f.source(), yield)
			e.readWater(f, loc, s)
			if s.aborted {
				return
			}
		}
	}
}

func (e *Export) readWater(f file, loc *time.Location, s *sink[Water]) {
	rc, err := f.open()
	if err != nil {
		s.fail(0, fmt.Sprintf("cannot be opened: %v", err), "", err)
		return
	}
	defer rc.Close()
	switch f.kind {
	case kindDataExport:
		readDataExport(rc, s)
	case kindHydration:
		readHydrationLog(rc, loc, func() string { return e.readme(f) }, s)
	case kindGeneric:
		readGeneric(rc, s)
	default:
		readUnknownCSV(rc, s)
	}
}

// readme returns the text of the hydration readme in f's folder, or "".
func (e *Export) readme(f file) string {
	rf, ok := e.readmes[path.Dir(f.rel)]
	if !ok {
		return ""
	}
	rc, err := rf.open()
	if err != nil {
		return ""
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, 256<<10))
	if err != nil {
		return ""
	}
	return string(b)
}

// readUnknownCSV reports a CSV given by itself that is no known water format.
func readUnknownCSV(r io.Reader, s *sink[Water]) {
	cr := newCSVReader(io.LimitReader(r, 64<<10))
	header, err := cr.Read()
	found := "an empty file"
	if err == nil {
		found = "header " + quoteHeader(slices.Clone(header))
	}
	s.fail(1, found, "a water log: a generic CSV with header date,time,amount,unit, "+
		"a Takeout hydration log (timestamp,amount milliliters,...), or a fitbit.com Data Export (sections: Foods, Food Log YYYYMMDD, ...)", ErrFormat)
}
