package fitbit

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// sink passes one file's records and problems to the caller of Water or
// Weight. It stops the file after maxProblems problems, and remembers when
// the caller stopped the iteration altogether.
type sink[T any] struct {
	yield    func(T, error) bool
	src      Source
	problems int
	aborted  bool
}

func newSink[T any](src Source, yield func(T, error) bool) *sink[T] {
	return &sink[T]{yield: yield, src: src}
}

// at returns the file's source at a line.
func (s *sink[T]) at(line int) Source {
	src := s.src
	src.Line = line
	return src
}

// record yields a record; false means stop reading.
func (s *sink[T]) record(w T) bool {
	if !s.yield(w, nil) {
		s.aborted = true
		return false
	}
	return true
}

// problem yields an error; false means stop reading this file.
func (s *sink[T]) problem(e *Error) bool {
	var zero T
	s.problems++
	if !s.yield(zero, e) {
		s.aborted = true
		return false
	}
	if s.problems == maxProblems {
		more := &Error{
			Source: s.src,
			Found:  fmt.Sprintf("%d problems, stopped reading this file", maxProblems),
			Hint:   "is it the file its name says?",
			Err:    ErrFormat,
		}
		if !s.yield(zero, more) {
			s.aborted = true
		}
		return false
	}
	return true
}

// fail reports a problem at a line that stops the file.
func (s *sink[T]) fail(line int, found, expected string, err error) bool {
	if err == nil {
		err = ErrFormat
	}
	s.problem(&Error{Source: s.at(line), Found: found, Expected: expected, Err: err})
	return false
}

// nextLine returns the next line of a sectioned file. A line too long to be
// one is reported to s and passed over; ok is false at the end of the file,
// after a read error (reported), or when s wants no more.
func nextLine[T any](lr *lineReader, s *sink[T], expected string) (line string, ok bool) {
	for {
		line, err := lr.next()
		switch {
		case err == nil:
			return line, true
		case errors.Is(err, io.EOF):
			return "", false
		case errors.Is(err, errLineTooLong):
			if !s.problem(&Error{Source: s.at(lr.line), Found: "a line longer than 1 MiB", Expected: expected, Err: ErrFormat}) {
				return "", false
			}
		default:
			s.fail(lr.line+1, fmt.Sprintf("read failed: %v", err), "", err)
			return "", false
		}
	}
}

// dataExportLines reads a fitbit.com Data Export line by line, for the
// readers of its sections: blank is called at each blank line (a section
// ends) and row with each other line, split into its fields, and its line
// number; row returning false stops.
func dataExportLines[T any](r io.Reader, s *sink[T], blank func(), row func(line string, fields []string, n int) bool) {
	lr := newLineReader(r)
	for {
		line, ok := nextLine(lr, s, expectDataExport)
		if !ok {
			return
		}
		if strings.TrimSpace(line) == "" {
			blank()
			continue
		}
		if !row(line, splitCSVLine(line), lr.line) {
			return
		}
	}
}
