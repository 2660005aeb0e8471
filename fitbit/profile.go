package fitbit

import (
	"io"
	"slices"
	"strings"
)

// ProfileTimeZone returns the time zone of the user's profile (an IANA name
// such as "America/New_York") from the Takeout's Your Profile/Profile.csv,
// with the place it was read. ok is false when the export has no profile or
// the profile names no zone. The name is not checked against the zone
// database: the caller loads it and reports a failure.
func (e *Export) ProfileTimeZone() (name string, src Source, ok bool) {
	for _, f := range e.profiles {
		rc, err := f.open()
		if err != nil {
			continue
		}
		name, line, ok := parseProfileTimeZone(io.LimitReader(rc, 1<<20))
		rc.Close()
		if ok {
			src = f.source()
			src.Line = line
			return name, src, true
		}
	}
	return "", Source{}, false
}

// parseProfileTimeZone reads a profile CSV (a header, then one row) and
// returns the value of its time-zone column and the line it is on.
func parseProfileTimeZone(r io.Reader) (string, int, bool) {
	return profileField(r, func(n string) bool {
		return n == "timezone" || n == "tz" || n == "timezoneid" || strings.HasSuffix(n, "timezone")
	}, validZoneName)
}

// profileField reads a profile CSV (a header, then rows) and returns the
// first value, trimmed, that accept takes from the first column whose
// name (normalised, without spaces) isColumn takes, with its line.
func profileField(r io.Reader, isColumn func(name string) bool, accept func(value string) bool) (string, int, bool) {
	cr := newCSVReader(r)
	header, err := cr.Read()
	if err != nil {
		return "", 0, false
	}
	col := slices.IndexFunc(header, func(h string) bool {
		return isColumn(strings.ReplaceAll(normHeader(h), " ", ""))
	})
	if col < 0 {
		return "", 0, false
	}
	for {
		rec, err := cr.Read()
		if err != nil {
			return "", 0, false
		}
		if col >= len(rec) {
			continue
		}
		if v := strings.TrimSpace(rec[col]); accept(v) {
			line, _ := cr.FieldPos(col)
			return v, line, true
		}
	}
}

// validZoneName checks the shape of an IANA name ("UTC", "Europe/Paris",
// "America/Argentina/Buenos_Aires"), not that the zone exists.
func validZoneName(s string) bool {
	if s == "" || len(s) > 64 || strings.HasPrefix(s, "/") || strings.HasSuffix(s, "/") || strings.Contains(s, "..") {
		return false
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/_-+", r)
		if !ok {
			return false
		}
	}
	return true
}
