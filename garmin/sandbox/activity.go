package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/muktihari/fit/kit/datetime"
	"github.com/muktihari/fit/profile/basetype"
	"github.com/muktihari/fit/profile/filedef"
	"github.com/muktihari/fit/profile/mesgdef"
	"github.com/muktihari/fit/profile/typedef"
)

// The fake's activities follow garmin-api.md "Activities": the import
// upload answers 202 and processes later (matin/garth
// tests/cassettes/test_upload.yaml), a repeated file answers 409 with the
// existing activity (python-garminconnect tests/cassettes/test_upload.yaml
// at 8a215e769a9c), the status URL answers 202 then 201 with the activity's
// location (petergardfjall/garminexport _poll_upload_completion), search,
// get, rename and delete answer as garth's cassettes show.

// Manufacturers as the activity list names them.
const (
	ManufacturerGarmin      = "GARMIN"
	ManufacturerDevelopment = "DEVELOPMENT"
)

// DefaultPollAfter is the location-in-milliseconds the upload answers
// when ActivityOptions.PollAfter is zero (the recorded value).
const DefaultPollAfter = time.Second

// statusHost is the host the fake names in its status and activity
// locations, as Garmin does; clients use only the path.
const statusHost = "https://connectapi.garmin.com"

// maxSearchLimit is the largest page the search serves (go-garmin
// pkg/garmin/activities.go allows limit up to 1000).
const maxSearchLimit = 1000

// ActivityOptions configure how the fake processes activity uploads.
type ActivityOptions struct {
	// ProcessingDelay is how long after its upload an activity appears in
	// search and get, and the status URL answers 201 (on the server's
	// clock). Zero: at once, though the upload still answers 202.
	ProcessingDelay time.Duration
	// PollAfter is the location-in-milliseconds header of the upload and
	// of a 202 poll; DefaultPollAfter if zero.
	PollAfter time.Duration
	// NameBySport ignores the FIT file's sport name and names an uploaded
	// activity by its type ("Running"), as Garmin may: no capture shows
	// whether it keeps the FIT name.
	NameBySport bool
}

// Activity is one activity of an account.
type Activity struct {
	// ID is the activity id; SeedActivity assigns one if 0.
	ID   int64
	Name string
	// StartGMT is the start instant.
	StartGMT time.Time
	// UTCOffset is the local wall clock minus UTC at the start (from the
	// FIT activity.local_timestamp, else the account's zone).
	UTCOffset time.Duration
	// Sport and SubSport are the FIT values; TypeKey is the Garmin type
	// they map to (TypeKeyFor), or what a seed says.
	Sport, SubSport uint8
	TypeKey         string
	// DistanceM is the distance in metres.
	DistanceM float64
	// Elapsed and Timer are the wall-clock and moving durations.
	Elapsed, Timer time.Duration
	Calories       float64
	AvgHR, MaxHR   uint8
	Steps          int
	// Manufacturer is ManufacturerGarmin, ManufacturerDevelopment, ...;
	// SeedActivity defaults to ManufacturerGarmin (a watch).
	Manufacturer string
	// DeviceID is the device's id (the FIT serial of an upload).
	DeviceID int64
	// TrackPoints, GPSPoints and HRPoints count the uploaded records, and
	// those with a position and with heart rate.
	TrackPoints, GPSPoints, HRPoints int
	// FileKey identifies the uploaded FIT file (its file_id); empty for a
	// seeded activity.
	FileKey string
	// Imported says the upload was an import, not a device sync (which
	// Garmin forwards to linked services such as Strava): it came through
	// the import path with NK: NT and a Garmin Origin
	// (https://sso.garmin.com, as python-garminconnect's import_activity
	// and peloton-to-garmin send with app tokens; connect.garmin.com from
	// the web app). Those clients say the headers decide it; the exact
	// rule here is the fake's.
	Imported bool

	readyAt time.Time // visible from then on
}

// StartLocal is the local wall clock of the start, in the clock fields of a
// UTC time.
func (a *Activity) StartLocal() time.Time { return a.StartGMT.Add(a.UTCOffset).UTC() }

// activityState is the server-wide activity state.
type activityState struct {
	opts    ActivityOptions
	lastID  int64
	uploads map[string]*activityUpload // by uuid without dashes
}

// activityUpload is one accepted upload, for its status URL.
type activityUpload struct {
	acct *account
	act  *Activity
}

// SetActivityOptions replaces the activity processing options.
func (s *Server) SetActivityOptions(o ActivityOptions) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.acts.opts = o
}

// SeedActivity stores an activity as if a device had recorded it (a watch:
// ManufacturerGarmin unless a says otherwise), visible at once. StartGMT is
// required; a zero ID is assigned; an empty TypeKey comes from the sport.
func (s *Server) SeedActivity(who string, a Activity) (Activity, error) {
	if a.StartGMT.IsZero() {
		return Activity{}, errors.New("sandbox: seed activity: no start")
	}
	acct, unlock, err := s.locked(who)
	if err != nil {
		return Activity{}, err
	}
	defer unlock()
	if a.ID == 0 {
		a.ID = s.nextActivityID()
	} else if s.findActivity(a.ID) != nil {
		return Activity{}, fmt.Errorf("sandbox: activity id %d in use", a.ID)
	}
	if a.Manufacturer == "" {
		a.Manufacturer = ManufacturerGarmin
	}
	if a.TypeKey == "" {
		a.TypeKey, _, _ = TypeKeyFor(a.Sport, a.SubSport)
	}
	a.StartGMT = a.StartGMT.UTC()
	a.readyAt = time.Time{}
	stored := a
	acct.activities = append(acct.activities, &stored)
	return stored, nil
}

// Activities returns a copy of an account's visible activities (processed,
// not deleted), oldest first.
func (s *Server) Activities(who string) []Activity {
	s.mu.Lock()
	defer s.mu.Unlock()
	acct := s.lookup(who)
	if acct == nil {
		return nil
	}
	now := s.opts.Now()
	var out []Activity
	for _, a := range acct.activities {
		if a.visible(now) {
			out = append(out, *a)
		}
	}
	slices.SortStableFunc(out, func(a, b Activity) int {
		if c := a.StartGMT.Compare(b.StartGMT); c != 0 {
			return c
		}
		return int(a.ID - b.ID)
	})
	return out
}

func (a *Activity) visible(now time.Time) bool { return !now.Before(a.readyAt) }

// nextActivityID gives out ids above every existing one. Callers hold s.mu.
func (s *Server) nextActivityID() int64 {
	if s.acts.lastID == 0 {
		s.acts.lastID = 21_000_000_000 // the size of real ids (garth cassettes)
	}
	s.acts.lastID++
	for s.findActivity(s.acts.lastID) != nil {
		s.acts.lastID++
	}
	return s.acts.lastID
}

// findActivity finds an activity of any account. Callers hold s.mu.
func (s *Server) findActivity(id int64) *Activity {
	for _, acct := range s.accounts {
		for _, a := range acct.activities {
			if a.ID == id {
				return a
			}
		}
	}
	return nil
}

// TypeKeyFor maps a FIT sport/sub-sport to Garmin's activity type key,
// type id and parent type id. Garmin publishes no mapping (garmin-api.md
// "Sport / sub_sport"): these are the keys Garmin Connect lists for the
// pairs its devices write; unknown pairs fall back to the sport, then to
// "other".
func TypeKeyFor(sport, subSport uint8) (key string, typeID, parentTypeID int) {
	type pair struct{ sport, sub uint8 }
	type typ struct {
		key        string
		id, parent int
	}
	bySub := map[pair]typ{
		{1, 1}:   {"treadmill_running", 18, 1},
		{2, 6}:   {"indoor_cycling", 25, 2},
		{4, 15}:  {"elliptical", 30, 29},
		{4, 16}:  {"stair_climbing", 31, 29},
		{5, 17}:  {"lap_swimming", 27, 26},
		{5, 18}:  {"open_water_swimming", 28, 26},
		{10, 20}: {"strength_training", 13, 29},
		{10, 26}: {"indoor_cardio", 11, 29},
		{10, 43}: {"yoga", 163, 29},
		{11, 27}: {"indoor_walking", 9, 17},
	}
	bySport := map[uint8]typ{
		1: {"running", 1, 17}, 2: {"cycling", 2, 17}, 4: {"fitness_equipment", 29, 17},
		5: {"swimming", 26, 17}, 8: {"tennis", 4, 17}, 10: {"training", 29, 17},
		11: {"walking", 9, 17}, 15: {"rowing", 4, 17}, 17: {"hiking", 3, 17},
	}
	if t, ok := bySub[pair{sport, subSport}]; ok {
		return t.key, t.id, t.parent
	}
	if t, ok := bySport[sport]; ok {
		return t.key, t.id, t.parent
	}
	return "other", 4, 17
}

// parseActivityFIT reads what the fake keeps of an activity file.
func (s *Server) parseActivityFIT(acct *account, f *filedef.Activity) (*Activity, error) {
	if len(f.Sessions) == 0 {
		return nil, errors.New("no session message")
	}
	ses := f.Sessions[0]
	if deviceTime(ses.StartTime) {
		return nil, errors.New("session has no start time")
	}
	if ses.TotalElapsedTime == basetype.Uint32Invalid || ses.TotalElapsedTime == 0 {
		return nil, errors.New("session has no elapsed time")
	}
	id := f.FileId
	a := &Activity{
		StartGMT:     ses.StartTime.UTC(),
		Sport:        uint8(ses.Sport),
		SubSport:     uint8(ses.SubSport),
		Elapsed:      time.Duration(ses.TotalElapsedTime) * time.Millisecond,
		Manufacturer: strings.ToUpper(id.Manufacturer.String()),
		DeviceID:     int64(id.SerialNumber),
		TrackPoints:  len(f.Records),
		FileKey:      fmt.Sprintf("file_id:%d/%d/%d/%d", id.Manufacturer, id.Product, id.SerialNumber, fitSeconds(id.TimeCreated)),
	}
	if ses.Sport == typedef.SportInvalid {
		a.Sport = 0
	}
	if ses.SubSport == typedef.SubSportInvalid {
		a.SubSport = 0
	}
	a.TypeKey, _, _ = TypeKeyFor(a.Sport, a.SubSport)
	a.Timer = a.Elapsed
	if ses.TotalTimerTime != basetype.Uint32Invalid {
		a.Timer = time.Duration(ses.TotalTimerTime) * time.Millisecond
	}
	if ses.TotalDistance != basetype.Uint32Invalid {
		a.DistanceM = float64(ses.TotalDistance) / 100
	}
	if ses.TotalCalories != basetype.Uint16Invalid {
		a.Calories = float64(ses.TotalCalories)
	}
	if ses.AvgHeartRate != basetype.Uint8Invalid {
		a.AvgHR = ses.AvgHeartRate
	}
	if ses.MaxHeartRate != basetype.Uint8Invalid {
		a.MaxHR = ses.MaxHeartRate
	}
	if ses.TotalCycles != basetype.Uint32Invalid {
		a.Steps = int(ses.TotalCycles) * 2
	}
	for _, sp := range f.Sports {
		if sp.Name != "" && !s.acts.opts.NameBySport {
			a.Name = sp.Name
		}
	}

	a.GPSPoints, a.HRPoints = countRecords(f.Records)
	// The local time: activity.local_timestamp minus its timestamp (what
	// hevy2garmin PR #348 relies on); without it the account's zone
	// (hevy2garmin issue #344).
	zone := acct.weight.zone
	if zone == nil {
		zone = time.UTC
	}
	_, off := a.StartGMT.In(zone).Zone()
	a.UTCOffset = time.Duration(off) * time.Second
	if act := f.Activity; act != nil && !act.LocalTimestamp.IsZero() && !act.Timestamp.IsZero() &&
		act.LocalTimestamp.After(datetime.Epoch()) && act.Timestamp.After(datetime.Epoch()) {
		d := act.LocalTimestamp.Sub(act.Timestamp)
		if d >= -14*time.Hour && d <= 14*time.Hour {
			a.UTCOffset = d.Round(time.Minute)
		}
	}
	if a.Name == "" {
		a.Name = a.TypeKey
	}
	return a, nil
}

// fitSeconds is t in FIT seconds (since 1989-12-31), as the 409's externalId.
func fitSeconds(t time.Time) int64 { return t.Unix() - datetime.Epoch().Unix() }

// uploadStatus serves GET /activity-service/activity/status/{ms}/{uuid}.
func (s *Server) uploadStatus(c *call) reply {
	up, ok := s.acts.uploads[c.r.PathValue("uuid")]
	if !ok || up.acct != c.acct {
		return jsonError(http.StatusNotFound, "no such upload")
	}
	if !up.act.visible(c.now) {
		rep := reply{status: http.StatusAccepted, header: http.Header{}}
		rep.header.Set("location-in-milliseconds", strconv.FormatInt(s.pollAfter().Milliseconds(), 10))
		return rep
	}
	rep := reply{status: http.StatusCreated, header: http.Header{}, body: map[string]any{"detailedImportResult": map[string]any{
		"uploadId":  up.act.ID,
		"owner":     c.acct.ProfileID,
		"successes": []map[string]any{{"internalId": up.act.ID, "externalId": nil, "messages": nil}},
		"failures":  []map[string]any{},
	}}}
	rep.header.Set("Location", fmt.Sprintf("%s/activity-service/activity/%d", statusHost, up.act.ID))
	return rep
}

// searchActivities serves the activity list: activities whose local day is
// within [startDate, endDate] (both optional), newest first, paged by
// start and limit (20 when absent).
func (s *Server) searchActivities(c *call) reply {
	q := c.r.URL.Query()
	var from, to time.Time
	if v := q.Get("startDate"); v != "" {
		t, err := parseDate(v)
		if err != nil {
			return jsonError(http.StatusBadRequest, "startDate: "+err.Error())
		}
		from = t
	}
	if v := q.Get("endDate"); v != "" {
		t, err := parseDate(v)
		if err != nil {
			return jsonError(http.StatusBadRequest, "endDate: "+err.Error())
		}
		to = t
	}
	start, limit := 0, 20
	if v := q.Get("start"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return jsonError(http.StatusBadRequest, "start: want a number from 0")
		}
		start = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxSearchLimit {
			return jsonError(http.StatusBadRequest, fmt.Sprintf("limit: want 1 to %d", maxSearchLimit))
		}
		limit = n
	}
	var hits []*Activity
	for _, a := range c.acct.activities {
		if !a.visible(c.now) {
			continue
		}
		day := a.StartLocal().Truncate(24 * time.Hour)
		if (!from.IsZero() && day.Before(from)) || (!to.IsZero() && day.After(to)) {
			continue
		}
		hits = append(hits, a)
	}
	slices.SortStableFunc(hits, func(a, b *Activity) int {
		if c := b.StartGMT.Compare(a.StartGMT); c != 0 {
			return c
		}
		return int(b.ID - a.ID)
	})
	out := []map[string]any{}
	for i := start; i < len(hits) && i < start+limit; i++ {
		out = append(out, listEntry(hits[i]))
	}
	return reply{status: http.StatusOK, body: out}
}

const (
	listTimeLayout = "2006-01-02 15:04:05"
	dtoTimeLayout  = "2006-01-02T15:04:05.0"
)

// listEntry is an activity as the list shows it (garth
// tests/data/cassettes/test_activity_get.yaml, the fields clients read).
func listEntry(a *Activity) map[string]any {
	key, id, parent := typeOf(a)
	return map[string]any{
		"activityId":      a.ID,
		"activityName":    a.Name,
		"startTimeLocal":  a.StartLocal().Format(listTimeLayout),
		"startTimeGMT":    a.StartGMT.Format(listTimeLayout),
		"activityType":    map[string]any{"typeId": id, "typeKey": key, "parentTypeId": parent, "isHidden": false},
		"distance":        a.DistanceM,
		"duration":        a.Timer.Seconds(),
		"elapsedDuration": a.Elapsed.Seconds(),
		"movingDuration":  a.Timer.Seconds(),
		"calories":        a.Calories,
		"averageHR":       optHR(a.AvgHR),
		"maxHR":           optHR(a.MaxHR),
		"steps":           a.Steps,
		"beginTimestamp":  a.StartGMT.UnixMilli(),
		"manufacturer":    a.Manufacturer,
		"deviceId":        a.DeviceID,
		"manualActivity":  false,
		"hasPolyline":     a.GPSPoints > 0,
	}
}

func typeOf(a *Activity) (string, int, int) {
	key, id, parent := TypeKeyFor(a.Sport, a.SubSport)
	if a.TypeKey != "" && a.TypeKey != key {
		return a.TypeKey, id, parent
	}
	return key, id, parent
}

func optHR(v uint8) any {
	if v == 0 {
		return nil
	}
	return float64(v)
}

// ownActivity finds a visible activity of the caller by the path's id.
func ownActivity(c *call) (*Activity, reply, bool) {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, jsonError(http.StatusBadRequest, "activity id: want a positive number"), false
	}
	for _, a := range c.acct.activities {
		if a.ID == id && a.visible(c.now) {
			return a, reply{}, true
		}
	}
	return nil, jsonError(http.StatusNotFound, fmt.Sprintf("no activity %d", id)), false
}

// getActivity serves GET /activity-service/activity/{id} (garth
// tests/data/cassettes/test_activity_get.yaml).
func (s *Server) getActivity(c *call) reply {
	a, rep, ok := ownActivity(c)
	if !ok {
		return rep
	}
	key, id, parent := typeOf(a)
	zone := "UTC"
	if z := c.acct.weight.zone; z != nil {
		zone = z.String()
	}
	return reply{status: http.StatusOK, body: map[string]any{
		"activityId":      a.ID,
		"activityName":    a.Name,
		"userProfileId":   c.acct.ProfileID,
		"activityTypeDTO": map[string]any{"typeId": id, "typeKey": key, "parentTypeId": parent},
		"timeZoneUnitDTO": map[string]any{"unitKey": zone, "timeZone": zone},
		"metadataDTO": map[string]any{
			"fileFormat":        map[string]any{"formatKey": "fit"},
			"manufacturer":      a.Manufacturer,
			"manualActivity":    false,
			"deviceMetaDataDTO": map[string]any{"deviceId": strconv.FormatInt(a.DeviceID, 10)},
		},
		"summaryDTO": map[string]any{
			"startTimeLocal":  a.StartLocal().Format(dtoTimeLayout),
			"startTimeGMT":    a.StartGMT.Format(dtoTimeLayout),
			"distance":        a.DistanceM,
			"duration":        a.Timer.Seconds(),
			"movingDuration":  a.Timer.Seconds(),
			"elapsedDuration": a.Elapsed.Seconds(),
			"calories":        a.Calories,
			"averageHR":       optHR(a.AvgHR),
			"maxHR":           optHR(a.MaxHR),
			"steps":           a.Steps,
		},
	}}
}

// updateActivity serves PUT /activity-service/activity/{id}: activityName
// and activityTypeDTO.typeKey (garth test_activity_update[name_only];
// garminexport retypes the same way). Answers 204.
func (s *Server) updateActivity(c *call) reply {
	a, rep, ok := ownActivity(c)
	if !ok {
		return rep
	}
	var body struct {
		ActivityID      *int64  `json:"activityId"`
		ActivityName    *string `json:"activityName"`
		ActivityTypeDTO *struct {
			TypeKey string `json:"typeKey"`
		} `json:"activityTypeDTO"`
	}
	dec := json.NewDecoder(bytes.NewReader(c.body))
	if err := dec.Decode(&body); err != nil {
		return jsonError(http.StatusBadRequest, "body: "+err.Error())
	}
	if body.ActivityID != nil && *body.ActivityID != a.ID {
		return jsonError(http.StatusBadRequest, "activityId does not match the path")
	}
	if body.ActivityName != nil {
		a.Name = *body.ActivityName
	}
	if body.ActivityTypeDTO != nil && body.ActivityTypeDTO.TypeKey != "" {
		a.TypeKey = body.ActivityTypeDTO.TypeKey
	}
	return reply{status: http.StatusNoContent, applied: true}
}

// deleteActivity serves DELETE /activity-service/activity/{id}: 204, then
// 404 for ever (garth tests/cassettes/test_delete.yaml).
func (s *Server) deleteActivity(c *call) reply {
	a, rep, ok := ownActivity(c)
	if !ok {
		return rep
	}
	c.acct.activities = slices.DeleteFunc(c.acct.activities, func(x *Activity) bool { return x == a })
	return reply{status: http.StatusNoContent, applied: true}
}

// RemoveActivity deletes an account's activity as a person would in the
// app (not through the API: nothing is logged).
func (s *Server) RemoveActivity(who string, id int64) error {
	acct, unlock, err := s.locked(who)
	if err != nil {
		return err
	}
	defer unlock()
	n := len(acct.activities)
	acct.activities = slices.DeleteFunc(acct.activities, func(x *Activity) bool { return x.ID == id })
	if len(acct.activities) == n {
		return fmt.Errorf("sandbox: no activity %d", id)
	}
	return nil
}

// countRecords counts the records with a position and with heart rate.
func countRecords(records []*mesgdef.Record) (gps, hr int) {
	for _, r := range records {
		if r.PositionLat != basetype.Sint32Invalid && r.PositionLong != basetype.Sint32Invalid {
			gps++
		}
		if r.HeartRate != basetype.Uint8Invalid && r.HeartRate != 0 {
			hr++
		}
	}
	return gps, hr
}
