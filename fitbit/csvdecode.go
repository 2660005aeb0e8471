package fitbit

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/gocarina/gocsv"
)

// The columns rowDecoder adds to every row, bound to the fields of rowMeta
// that row structs embed: the row's line in the file and its number of
// fields (gocsv counts rows, not lines: a quoted field may span lines and
// blank lines are passed over, so the line comes from encoding/csv's
// FieldPos), or the problem of a row the CSV reader could not read.
const (
	lineColumn    = "__line"
	fieldsColumn  = "__fields"
	problemColumn = "__problem"
)

// rowMeta is what rowDecoder adds to a row. Row structs carry the three
// fields under their csv tags and return them with a meta method (gocsv
// skips the fields of an embedded unexported struct).
type rowMeta struct {
	Line    int
	Fields  int
	Problem string
}

// decodeRows binds each row after the header to a T with gocsv (the
// design card's CSV decoder): T's `csv` tags name the columns. canon is
// the header as this package's readers decided it: each column renamed to
// the canonical name it was recognised as (a Takeout's "amount
// milliliters" becomes "amount"), "" for a column not read, because an
// export's column names vary and are found by their aliases, not by one
// spelling. Fields are strings: convert parses them into a record, naming
// the column and the value in its errors. A row the CSV reader cannot
// read, or one of fewer than need fields (the header as the file spells
// it is named then), is a problem at its line, and reading goes on as
// readRows does.
func decodeRows[T interface{ meta() rowMeta }, R any](cr *csv.Reader, canon []string, s *sink[R], header []string, need int, convert func(row T, src Source) (R, *Error)) {
	names := append(append([]string{}, canon...), lineColumn, fieldsColumn, problemColumn)
	// The row-per-record files are small (a year of drinks, the weigh-ins,
	// the exercise list): decoded whole, without gocsv's per-row channel.
	var rows []T
	if err := gocsv.UnmarshalDecoder(&rowDecoder{cr: cr, header: names}, &rows); err != nil {
		if !errors.Is(err, gocsv.ErrEmptyCSVFile) {
			s.fail(0, fmt.Sprintf("read failed: %v", err), "", err)
		}
		return
	}
	for _, row := range rows {
		m := row.meta()
		var e *Error
		var rec R
		switch {
		case m.Problem != "":
			e = &Error{Source: s.at(m.Line), Found: m.Problem, Expected: "a CSV row", Err: ErrFormat}
		case m.Fields < need:
			e = &Error{Source: s.at(m.Line), Found: fmt.Sprintf("%d fields", m.Fields),
				Expected: fmt.Sprintf("%d fields as in the header %s", len(header), quoteHeader(header)), Err: ErrFormat}
		default:
			rec, e = convert(row, s.at(m.Line))
		}
		ok := true
		if e != nil {
			ok = s.problem(e)
		} else {
			ok = s.record(rec)
		}
		if !ok {
			return
		}
	}
}

// rowDecoder is a gocsv.SimpleDecoder over encoding/csv: the decided
// header first, then each row with its line, field count and, for a row
// encoding/csv could not read, the problem; blank rows are passed over.
type rowDecoder struct {
	cr     *csv.Reader
	header []string
	sent   bool
}

// GetCSVRow implements gocsv.SimpleDecoder.
func (d *rowDecoder) GetCSVRow() ([]string, error) {
	if !d.sent {
		d.sent = true
		return d.header, nil
	}
	for {
		before := d.cr.InputOffset()
		rec, err := d.cr.Read()
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			if d.cr.InputOffset() == before {
				return nil, io.EOF // no progress: nothing more to read
			}
			return d.meta(nil, pe.StartLine, pe.Err.Error()), nil
		}
		if err != nil {
			return nil, err
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		line, _ := d.cr.FieldPos(0)
		return d.meta(rec, line, ""), nil
	}
}

// meta makes a row of the decided width with the meta columns filled.
func (d *rowDecoder) meta(rec []string, line int, problem string) []string {
	row := make([]string, len(d.header))
	copy(row[:len(d.header)-3], rec)
	row[len(row)-3] = strconv.Itoa(line)
	row[len(row)-2] = strconv.Itoa(len(rec))
	row[len(row)-1] = problem
	return row
}

// GetCSVRows implements gocsv.Decoder: the header, then every row.
func (d *rowDecoder) GetCSVRows() ([][]string, error) {
	var rows [][]string
	for {
		row, err := d.GetCSVRow()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		rows = append(rows, row)
	}
}

// canonicalHeader is a header of n columns where the columns at the given
// positions carry the given names and the others none.
func canonicalHeader(n int, names map[int]string) []string {
	h := make([]string, n)
	for i, name := range names {
		if i >= 0 && i < n {
			h[i] = name
		}
	}
	return h
}

// readHeader reads a CSV's header row, reporting an unreadable one to s
// as line 1 against expected. An empty file is no records (ok false, no
// problem) unless emptyExpected is set, which reports it.
func readHeader[R any](cr *csv.Reader, s *sink[R], expected string, emptyExpected bool) ([]string, bool) {
	header, err := cr.Read()
	switch {
	case errors.Is(err, io.EOF) && emptyExpected:
		s.fail(1, "an empty file", expected, ErrFormat)
		return nil, false
	case errors.Is(err, io.EOF):
		return nil, false
	case err != nil:
		s.fail(1, fmt.Sprintf("unreadable header: %v", err), expected, fmt.Errorf("%w: %w", ErrFormat, err))
		return nil, false
	}
	return slices.Clone(header), true
}

// readColumns reads the header (readHeader) and finds its columns with
// find; a header find refuses is a problem at line 1 showing the header.
func readColumns[C, R any](cr *csv.Reader, s *sink[R], expected string, emptyExpected bool, find func([]string) (C, error)) ([]string, C, bool) {
	var cols C
	header, ok := readHeader(cr, s, expected, emptyExpected)
	if !ok {
		return nil, cols, false
	}
	cols, err := find(header)
	if err != nil {
		s.fail(1, "header "+quoteHeader(header), expected, err)
		return nil, cols, false
	}
	return header, cols, true
}
