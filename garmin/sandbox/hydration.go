package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"
)

// Hydration limits, as Garmin and its clients enforce them.
const (
	MaxEntryML    = 10000.0
	MaxRangeDays  = 28
	dateLayout    = "2006-01-02"
	localTSLayout = "2006-01-02T15:04:05.000"
)

// parseDate accepts exactly YYYY-MM-DD.
func parseDate(s string) (time.Time, error) {
	return parseStrict(dateLayout, s, "date %q is not YYYY-MM-DD")
}

// parseStrict parses s in layout and refuses what does not format back to
// s, with the message refused (a format taking s).
func parseStrict(layout, s, refused string) (time.Time, error) {
	t, err := time.Parse(layout, s)
	if err != nil || t.Format(layout) != s {
		return time.Time{}, fmt.Errorf(refused, s)
	}
	return t, nil
}

// pathRange reads the {start} and {end} dates of a range route: a 400
// reply when either is not a date or end is before start.
func pathRange(c *call) (start, end time.Time, bad *reply) {
	start, err := parseDate(c.r.PathValue("start"))
	if err == nil {
		end, err = parseDate(c.r.PathValue("end"))
	}
	if err == nil && end.Before(start) {
		err = errors.New("end is before start")
	}
	if err != nil {
		r := jsonError(http.StatusBadRequest, err.Error())
		return start, end, &r
	}
	return start, end, nil
}

// decodeBody decodes one JSON value from a request body into v: an error
// for malformed JSON or data after the value.
func decodeBody(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("malformed JSON: %w", err)
	}
	if dec.More() {
		return errors.New("trailing data after JSON body")
	}
	return nil
}

// waterEntry is a validated PUT body.
type waterEntry struct {
	CalendarDate   string
	TimestampLocal string // empty if not given
	ValueInML      float64
	UserProfileID  *int64
}

// parseWaterEntry validates the body of PUT .../hydration/log.
func parseWaterEntry(body []byte) (waterEntry, error) {
	var in struct {
		CalendarDate   *string          `json:"calendarDate"`
		TimestampLocal *string          `json:"timestampLocal"`
		ValueInML      *json.RawMessage `json:"valueInML"`
		UserProfileID  *int64           `json:"userProfileId"`
	}
	if err := decodeBody(body, &in); err != nil {
		return waterEntry{}, err
	}
	var e waterEntry
	if in.CalendarDate == nil {
		return e, errors.New("calendarDate is required")
	}
	if _, err := parseDate(*in.CalendarDate); err != nil {
		return e, fmt.Errorf("calendarDate: %w", err)
	}
	e.CalendarDate = *in.CalendarDate
	if in.TimestampLocal != nil {
		t, err := time.Parse(localTSLayout, *in.TimestampLocal)
		if err != nil || t.Format(localTSLayout) != *in.TimestampLocal {
			return e, fmt.Errorf("timestampLocal %q is not YYYY-MM-DDTHH:MM:SS.mmm", *in.TimestampLocal)
		}
		e.TimestampLocal = *in.TimestampLocal
	}
	if in.ValueInML == nil || string(*in.ValueInML) == "null" {
		return e, errors.New("valueInML is required")
	}
	v, err := strconv.ParseFloat(string(*in.ValueInML), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return e, errors.New("valueInML must be a number")
	}
	if math.Abs(v) > MaxEntryML {
		return e, fmt.Errorf("valueInML %v is beyond ±%v", v, MaxEntryML)
	}
	e.ValueInML = v
	e.UserProfileID = in.UserProfileID
	return e, nil
}

// daySummary is the daily aggregate Garmin answers. ValueInML is nil when
// nothing was logged.
func daySummary(a *account, date string) map[string]any {
	var value, last any
	if d, ok := a.days[date]; ok {
		value, last = d.ml, d.lastEntry
	}
	return map[string]any{
		"userId":                  a.ProfileID,
		"calendarDate":            date,
		"valueInML":               value,
		"goalInML":                a.GoalML,
		"dailyAverageinML":        nil,
		"lastEntryTimestampLocal": last,
		"sweatLossInML":           nil,
		"activityIntakeInML":      0.0,
	}
}

// logWater serves PUT /usersummary-service/usersummary/hydration/log.
func (s *Server) logWater(c *call) reply {
	e, err := parseWaterEntry(c.body)
	if err != nil {
		return jsonError(http.StatusBadRequest, err.Error())
	}
	if e.UserProfileID != nil && *e.UserProfileID != c.acct.ProfileID {
		return jsonError(http.StatusForbidden, "userProfileId is not the caller's")
	}
	d, ok := c.acct.days[e.CalendarDate]
	if !ok {
		d = &day{}
		c.acct.days[e.CalendarDate] = d
	}
	d.ml += e.ValueInML
	d.lastEntry = e.TimestampLocal
	if d.lastEntry == "" {
		d.lastEntry = c.now.Format(localTSLayout)
	}
	return reply{status: http.StatusOK, body: daySummary(c.acct, e.CalendarDate), applied: true}
}

// dailyWater serves GET /usersummary-service/usersummary/hydration/daily/{date}.
func (s *Server) dailyWater(c *call) reply {
	date := c.r.PathValue("date")
	if _, err := parseDate(date); err != nil {
		return jsonError(http.StatusBadRequest, err.Error())
	}
	return reply{status: http.StatusOK, body: daySummary(c.acct, date)}
}

// rangeWater serves GET /usersummary-service/stats/hydration/daily/{start}/{end}.
func (s *Server) rangeWater(c *call) reply {
	start, end, bad := pathRange(c)
	if bad != nil {
		return *bad
	}
	if n := int(end.Sub(start).Hours()/24) + 1; n > MaxRangeDays {
		return jsonError(http.StatusBadRequest, fmt.Sprintf("range of %d days is beyond %d", n, MaxRangeDays))
	}
	out := []map[string]any{}
	for t := start; !t.After(end); t = t.AddDate(0, 0, 1) {
		date := t.Format(dateLayout)
		var value any
		if d, ok := c.acct.days[date]; ok {
			value = d.ml
		}
		out = append(out, map[string]any{"calendarDate": date, "valueInML": value, "goalInML": c.acct.GoalML})
	}
	return reply{status: http.StatusOK, body: out}
}

// socialProfile serves GET /userprofile-service/socialProfile.
func (s *Server) socialProfile(c *call) reply {
	a := c.acct
	return reply{status: http.StatusOK, body: map[string]any{
		"id":          a.ProfileID,
		"profileId":   a.ProfileID,
		"displayName": a.DisplayName,
		"userName":    a.Email,
		"fullName":    a.FullName,
	}}
}
