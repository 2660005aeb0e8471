package garmin

import (
	"context"
	"fmt"
	"net/http"
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

// readWindows reads [start, end] (YYYY-MM-DD, both included) by GETs of at
// most days days each, the path of each made by path from its first and
// last day, and returns what items finds in each answer (of type P), in
// window order. what names the read in errors.
func readWindows[P, T any](ctx context.Context, c *Client, what, start, end string, days int, path func(from, to string) string, items func(P) ([]T, error)) ([]T, error) {
	s, e, err := dateSpan(what, start, end)
	if err != nil {
		return nil, err
	}
	var all []T
	err = eachWindow(s, e, days, func(from, to string) error {
		var page P
		if err := c.do(ctx, call{method: http.MethodGet, path: path(from, to)}, &page); err != nil {
			return err
		}
		got, err := items(page)
		if err != nil {
			return fmt.Errorf("garmin: %s %s..%s: %w", what, from, to, err)
		}
		all = append(all, got...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return all, nil
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
