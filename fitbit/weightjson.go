package fitbit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

const expectWeightJSON = `a JSON array of weight logs, e.g. ` +
	`[{"logId":1754767314000,"weight":190.9,"bmi":25.86,"fat":28.74,"date":"08/09/25","time":"19:21:54","source":"API"}]`

// maxJSONRecord bounds one element of a weight JSON array, so that a file
// that is not what its name says cannot make the reader allocate without
// limit.
const maxJSONRecord = 1 << 20

// jsonNumber is a number in a weight log: a JSON number, or a string
// holding one ("190.9", "190,9"); null is no value.
type jsonNumber struct {
	v   float64
	set bool
}

func (n *jsonNumber) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	var v float64
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if strings.TrimSpace(s) == "" {
			return nil
		}
		var err error
		if v, err = parseNumber(s); err != nil {
			return err
		}
	} else {
		var err error
		v, err = strconv.ParseFloat(string(b), 64)
		if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
			return fmt.Errorf("%s is not a number", clip(string(b), 40))
		}
	}
	n.v, n.set = v, true
	return nil
}

// jsonWeight is one element of a weight-YYYY-MM-DD.json array. Other
// fields (logId) are not needed.
type jsonWeight struct {
	Weight jsonNumber `json:"weight"`
	Fat    jsonNumber `json:"fat"`
	BMI    jsonNumber `json:"bmi"`
	Date   *string    `json:"date"`
	Time   *string    `json:"time"`
	Source *string    `json:"source"`
}

// readWeightJSON reads a Takeout weight-YYYY-MM-DD.json array one element
// at a time (the files can be large), yielding one record per element with
// its 1-based index as Source.Line. Dates ("08/09/25") and times are local
// already. unit is the unit of the weights, UnitKg or UnitLb.
func readWeightJSON(r io.Reader, unit string, s *sink[Weight]) {
	readJSONArray(r, s, expectWeightJSON, "a weight log object", func(raw []byte, src Source) (Weight, *Error) {
		return weightFromJSON(raw, unit, src)
	})
}

// readJSONArray reads a JSON array one element at a time, handing each to
// elem with its 1-based index as Source.Line; a broken or oversized element
// is a problem naming its index, and reading goes on where it can.
func readJSONArray[T any](r io.Reader, s *sink[T], expected, element string, elem func(raw []byte, src Source) (T, *Error)) {
	dec := json.NewDecoder(r)
	tok, err := dec.Token()
	if errors.Is(err, io.EOF) {
		return // an empty file holds no records
	}
	if err != nil {
		s.fail(0, fmt.Sprintf("not JSON: %v", err), expected, fmt.Errorf("%w: %w", ErrFormat, err))
		return
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		s.fail(0, fmt.Sprintf("JSON starting with %s", describeToken(tok)), expected, ErrFormat)
		return
	}
	for i := 1; dec.More(); i++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			s.fail(i, fmt.Sprintf("record %d: broken JSON: %v", i, err), expected, fmt.Errorf("%w: %w", ErrFormat, err))
			return
		}
		if len(raw) > maxJSONRecord {
			if !s.problem(&Error{Source: s.at(i), Found: fmt.Sprintf("record %d: %d bytes long", i, len(raw)),
				Expected: element, Err: ErrFormat}) {
				return
			}
			continue
		}
		rec, e := elem(raw, s.at(i))
		if e != nil {
			if !s.problem(e) {
				return
			}
			continue
		}
		if !s.record(rec) {
			return
		}
	}
	if _, err := dec.Token(); err != nil {
		s.fail(0, fmt.Sprintf("the array is not closed (file cut short?): %v", err), expected, fmt.Errorf("%w: %w", ErrFormat, err))
	}
}

// weightFromJSON turns one array element into a record.
func weightFromJSON(raw []byte, unit string, src Source) (Weight, *Error) {
	bad := func(found, expected string, err error) (Weight, *Error) {
		if err == nil {
			err = ErrFormat
		} else {
			err = fmt.Errorf("%w: %w", ErrFormat, err)
		}
		return Weight{}, &Error{Source: src, Found: fmt.Sprintf("record %d: %s", src.Line, found), Expected: expected, Err: err}
	}
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return bad(clip(string(trimmed), 60), "a weight log object {\"weight\":...,\"date\":\"MM/DD/YY\",...}", nil)
	}
	var j jsonWeight
	if err := json.Unmarshal(trimmed, &j); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return bad(fmt.Sprintf("%q is a JSON %s", te.Field, te.Value), fieldExpectation(te.Field), err)
		}
		return bad(clip(err.Error(), 120), "numbers for weight and fat, strings for date, time and source", err)
	}
	if j.Date == nil {
		return bad("no \"date\"", `a date "MM/DD/YY"`, nil)
	}
	date, ok := parseJSONDate(strings.TrimSpace(*j.Date))
	if !ok {
		return bad(fmt.Sprintf("date %q", clip(*j.Date, 40)), `a date "MM/DD/YY"`, nil)
	}
	clock := ""
	if j.Time != nil {
		if clock, ok = parseClock(strings.TrimSpace(*j.Time)); !ok {
			return bad(fmt.Sprintf("time %q", clip(*j.Time, 40)), `a time "HH:MM:SS"`, nil)
		}
	}
	if !j.Weight.set && (!j.Fat.set || j.Fat.v == 0) {
		return bad("neither \"weight\" nor \"fat\"", "a weight, a body fat or both", nil)
	}
	w := Weight{Date: date, Time: clock, Format: FormatTakeoutJSON, Source: src}
	if j.Source != nil {
		w.DataSource = strings.TrimSpace(*j.Source)
	}
	if j.Fat.set && j.Fat.v != 0 {
		fat := j.Fat.v
		w.FatPercent = &fat
	}
	if j.BMI.set && j.BMI.v > 0 {
		bmi := j.BMI.v
		w.BMI = &bmi
	}
	switch {
	case j.Weight.set:
		w.Value, w.Unit, w.Kg = j.Weight.v, unit, toKg(j.Weight.v, unit)
	case w.FatPercent != nil:
		w.Value, w.Unit = *w.FatPercent, "%"
	}
	return w, nil
}

func fieldExpectation(field string) string {
	switch field {
	case "weight", "fat", "bmi":
		return "a number"
	}
	return "a string"
}

// describeToken names a JSON token for a message.
func describeToken(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		return fmt.Sprintf("%q", string(t))
	case string:
		return fmt.Sprintf("the string %q", clip(t, 40))
	case nil:
		return "null"
	default:
		return fmt.Sprintf("%v", t)
	}
}

// parseJSONDate reads the date of a weight log, "08/09/25" (MM/DD/YY), also
// with a four-digit year or as YYYY-MM-DD, and returns it as YYYY-MM-DD.
func parseJSONDate(s string) (string, bool) {
	for _, l := range []string{"1/2/06", "1/2/2006", time.DateOnly} {
		if t, err := time.Parse(l, s); err == nil && plausibleYear(t.Year()) {
			return t.Format(time.DateOnly), true
		}
	}
	return "", false
}

// toKg converts a weight in unit (UnitKg, UnitLb or "g") to kilograms.
func toKg(v float64, unit string) float64 {
	switch unit {
	case UnitLb:
		return LbToKg(v)
	case "g":
		return v / 1000
	}
	return v
}
