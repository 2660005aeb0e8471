package fitbit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

const expectExerciseJSON = `a JSON array of exercise logs, e.g. ` +
	`[{"logId":55107342913,"activityName":"Run","activityTypeId":90009,"logType":"tracker","startTime":"04/17/23 17:41:19","duration":1800000}]`

// jsonExercise is one element of exercise-N.json; fields as fitbit-formats.md
// §5 lists them. Other fields are not needed.
type jsonExercise struct {
	LogID          json.RawMessage `json:"logId"`
	ActivityName   string          `json:"activityName"`
	ActivityTypeID int64           `json:"activityTypeId"`
	LogType        string          `json:"logType"`
	StartTime      *string         `json:"startTime"`
	Duration       *int64          `json:"duration"`
	ActiveDuration int64           `json:"activeDuration"`
	Calories       jsonNumber      `json:"calories"`
	Steps          jsonNumber      `json:"steps"`
	Distance       jsonNumber      `json:"distance"`
	DistanceUnit   string          `json:"distanceUnit"`
	AverageHR      jsonNumber      `json:"averageHeartRate"`
	HasGPS         bool            `json:"hasGps"`
}

// readExerciseJSON reads an exercise-N.json array. loc is the profile's
// zone, the wall clock of manual logs.
func readExerciseJSON(r io.Reader, loc *time.Location, s *sink[Activity]) {
	readJSONArray(r, s, expectExerciseJSON, "an exercise log object", func(raw []byte, src Source) (Activity, *Error) {
		return exerciseFromJSON(raw, loc, src)
	})
}

func exerciseFromJSON(raw []byte, loc *time.Location, src Source) (Activity, *Error) {
	bad := func(found, expected string) (Activity, *Error) {
		return Activity{}, &Error{Source: src, Found: fmt.Sprintf("record %d: %s", src.Line, found), Expected: expected, Err: ErrFormat}
	}
	var j jsonExercise
	if err := json.Unmarshal(bytes.TrimSpace(raw), &j); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return bad(fmt.Sprintf("%q is a JSON %s", te.Field, te.Value), "numbers for ids, durations and distances, strings for names and times")
		}
		return bad(clip(err.Error(), 120), "an exercise log object")
	}
	if j.StartTime == nil || j.Duration == nil {
		return bad("no \"startTime\" or no \"duration\"", `"startTime":"MM/DD/YY HH:MM:SS" and "duration" in milliseconds`)
	}
	zone := time.UTC
	if strings.EqualFold(j.LogType, "manual") && loc != nil {
		zone = loc // hand-typed: the user's wall clock (fitbit-formats.md §5)
	}
	start, err := time.ParseInLocation("01/02/06 15:04:05", strings.TrimSpace(*j.StartTime), zone)
	if err != nil || !plausibleYear(start.Year()) {
		return bad(fmt.Sprintf("startTime %q", clip(*j.StartTime, 40)), `"MM/DD/YY HH:MM:SS"`)
	}
	a := Activity{
		LogID: strings.Trim(string(j.LogID), `" `), Name: strings.TrimSpace(j.ActivityName), TypeID: j.ActivityTypeID,
		LogType: strings.ToLower(strings.TrimSpace(j.LogType)), Start: start.UTC(),
		Duration: time.Duration(*j.Duration) * time.Millisecond, Active: time.Duration(j.ActiveDuration) * time.Millisecond,
		Calories: int(j.Calories.v + 0.5), Steps: int(j.Steps.v + 0.5), AvgHR: int(j.AverageHR.v + 0.5),
		HasGPS: j.HasGPS, Source: src,
	}
	if _, err := strconv.ParseInt(a.LogID, 10, 64); err != nil {
		return bad(fmt.Sprintf("logId %q", clip(a.LogID, 30)), "a whole number")
	}
	if j.Distance.set {
		m, ok := distanceM(j.Distance.v, j.DistanceUnit)
		if !ok {
			return bad(fmt.Sprintf("distanceUnit %q", clip(j.DistanceUnit, 20)), `"Mile" or "Kilometer"`)
		}
		a.DistanceM = m
	}
	return a, nil
}

// distanceM converts a distance in the log's unit to metres.
func distanceM(v float64, unit string) (float64, bool) {
	switch strings.ToLower(strings.TrimSpace(unit)) {
	case "mile", "miles", "mi":
		return v * 1609.344, true
	case "kilometer", "kilometers", "km", "":
		return v * 1000, true
	case "meter", "meters", "m":
		return v, true
	}
	return 0, false
}
