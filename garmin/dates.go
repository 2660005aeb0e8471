package garmin

import (
	"fmt"
	"time"
)

// parseDate parses a strict YYYY-MM-DD.
func parseDate(s string) (time.Time, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil || t.Format(dateLayout) != s {
		return time.Time{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return t, nil
}

func checkDate(s string) error {
	_, err := parseDate(s)
	return err
}

// dateSpan parses start and end (YYYY-MM-DD, both included) for a range
// read named what, and refuses an end before the start.
func dateSpan(what, start, end string) (s, e time.Time, err error) {
	if s, err = parseDate(start); err == nil {
		e, err = parseDate(end)
	}
	if err == nil && e.Before(s) {
		err = fmt.Errorf("end %s before start %s", end, start)
	}
	if err != nil {
		return s, e, fmt.Errorf("garmin: %s: %w", what, err)
	}
	return s, e, nil
}

// eachWindow calls read for consecutive windows of at most days days
// covering [s, e], in order, with each window's first and last day as
// YYYY-MM-DD; it stops at the first error.
func eachWindow(s, e time.Time, days int, read func(from, to string) error) error {
	for from := s; !from.After(e); from = from.AddDate(0, 0, days) {
		to := from.AddDate(0, 0, days-1)
		if to.After(e) {
			to = e
		}
		if err := read(from.Format(dateLayout), to.Format(dateLayout)); err != nil {
			return err
		}
	}
	return nil
}
