package garmin

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Activity paths (garmin-api.md "Activities"). They sit here rather than in
// endpoints.go, like the weight paths, so that this file lands on its own.
const (
	// pathImportFIT is the import variant of the upload: Garmin is said not
	// to forward it to linked services such as Strava (python-garminconnect
	// issue #322 and import_activity; philosowaffle/peloton-to-garmin
	// src/Garmin/ApiClient.cs; ndeloof/go-garmin Import; withings-sync
	// issue #152 shows the same path answering on connect.garmin.com).
	pathImportFIT = "/upload-service/upload/.fit"
	// pathActivitySearch pages through the activity list
	// (python-garminconnect get_activities_by_date; go-garmin
	// pkg/garmin/activities.go; garth tests/data/cassettes/test_activity_get.yaml).
	pathActivitySearch = "/activitylist-service/activities/search/activities"
	// pathActivity + {id}: get (GET), rename (PUT), delete (DELETE)
	// (garth cassettes test_activity_get, test_activity_update[name_only],
	// tests/cassettes/test_delete.yaml).
	pathActivity = "/activity-service/activity/"
	// pathUploadStatus is where a 202's location points
	// (garth tests/cassettes/test_upload.yaml).
	pathUploadStatus = "/activity-service/activity/status/"
)

// ActivitySearchPage is how many activities one search request asks for.
// python-garminconnect pages by 20; go-garmin allows up to 1000. 100 keeps a
// page small while a year of activities takes a few requests.
const ActivitySearchPage = 100

// maxSearchPages stops a search whose server ignores the start parameter.
const maxSearchPages = 1000

// activityFileName is the file name of an import when the caller gives
// none. Garmin keys duplicates on the file's identity, not its name
// (garmin-api.md "Duplicates").
const activityFileName = "activity.fit"

// ErrUploadConsent means Garmin answered 412: the account must first accept
// the upload terms in Garmin Connect (La0/garmin-uploader api.py).
var ErrUploadConsent = errors.New("garmin: uploads not allowed for this account yet (412)")

// DuplicateActivityError is Garmin's 409 "Duplicate Activity.": it already
// holds an activity with the same file identity (file_id time_created,
// serial, manufacturer, product; or the same start: garmin-api.md
// "Duplicates"). errors.Is(err, ErrDuplicateUpload) holds.
//
// Do NOT take ExistingID as the activity made from this file: Garmin has
// answered with the id of a different activity that merely shared the start
// (a watch's recording; drkostas/hevy2garmin issue #279). Settle a
// duplicate by searching the day (SearchActivities) and comparing start,
// sport and device with what was there before.
type DuplicateActivityError struct {
	// ExistingID is failures[0].internalId, 0 when Garmin named none.
	ExistingID int64
	// ExternalID is failures[0].externalId (seen equal to the file's
	// time_created, garth tests/12129115726_ACTIVITY.fit).
	ExternalID string
	// Messages are the failure messages ("Duplicate Activity.").
	Messages []string
}

func (e *DuplicateActivityError) Error() string {
	return fmt.Sprintf("garmin: duplicate activity (Garmin names existing activity %d; verify by search)", e.ExistingID)
}

// Unwrap lets errors.Is(err, ErrDuplicateUpload) match.
func (e *DuplicateActivityError) Unwrap() error { return ErrDuplicateUpload }

// UploadRejectedError is an upload Garmin refused inside its answer: a
// failure message with a code such as 415 "The file is of a type we do not
// support." (a FIT with a bad CRC, withings-sync issue #152) or 500 "An
// unexpected error occurred while processing the file." (running_page
// issue #553). The HTTP status may be 2xx. No activity was created; the
// same file will be refused again.
type UploadRejectedError struct {
	// Status is the HTTP status of the answer.
	Status int
	// Code and Message are the first failure message.
	Code    int
	Message string
}

func (e *UploadRejectedError) Error() string {
	return fmt.Sprintf("garmin: upload refused (status %d): code %d: %s", e.Status, e.Code, e.Message)
}

// ActivityUpload is the state of an accepted upload.
type ActivityUpload struct {
	// ActivityID is the created activity; 0 while Garmin is processing.
	ActivityID int64
	// Location is the status path to give PollUpload while processing
	// (the path of Garmin's location header); empty once done.
	Location string
	// PollAfter is Garmin's location-in-milliseconds: how long to wait
	// before polling. Zero when it gave none.
	PollAfter time.Duration
	// UploadID is detailedImportResult.uploadId, when Garmin gave one.
	UploadID int64
}

// Done reports whether the activity exists (its id is known).
func (u *ActivityUpload) Done() bool { return u.ActivityID != 0 }

// ImportActivity calls POST /upload-service/upload/.fit with the FIT file
// as multipart field "file" (the import path: not forwarded to linked
// services, garmin-api.md "Upload a file"), with the import headers
// (setImportHeaders) when the tokens are DI tokens.
//
// Answers (garmin-api.md "Responses"):
//   - 202 with a location: processing; poll it with PollUpload after
//     PollAfter (garth tests/cassettes/test_upload.yaml).
//   - 200/201 with successes[0].internalId: done at once (older behaviour,
//     garmin-uploader api.py, garminexport).
//   - 409: *DuplicateActivityError (never trust its id: settle by search).
//   - a failure inside the answer: *UploadRejectedError.
//   - 412: ErrUploadConsent (with the *APIError).
//   - a 2xx without detailedImportResult (running_page issue #516), a 202
//     without location, a 5xx or a lost answer: *OutcomeUnknownError.
//
// After an unknown outcome, never upload again while the first may still
// be processing: uploads reported as failed have landed (garmin-uploader
// issue #39). Search by start time instead (hevy2garmin upload_fit).
func (c *Client) ImportActivity(ctx context.Context, fileName string, fit []byte) (*ActivityUpload, error) {
	if len(fit) == 0 {
		return nil, errors.New("garmin: import activity: empty file")
	}
	if fileName == "" {
		fileName = activityFileName
	}
	body, contentType, err := multipartNamed(fileName, fit)
	if err != nil {
		return nil, fmt.Errorf("garmin: import activity: %w", err)
	}
	var ex exchange
	cl := call{method: http.MethodPost, path: pathImportFIT, write: true, raw: body, contentType: contentType, got: &ex, asImport: true}
	err = c.do(ctx, cl, nil)
	return c.uploadAnswer(cl, ex, err)
}

// PollUpload calls GET on the status location of a processing upload
// (ActivityUpload.Location). 202: still processing (the result has the same
// Location and a PollAfter); 201 with location …/activity/{id}
// (petergardfjall/garminexport _poll_upload_completion) or 200 with
// successes[0].internalId (zhangkong828/StravaToGarmin GarminService.cs):
// done; 409: *DuplicateActivityError. A 404 is an *APIError, and does not
// prove the upload failed: polls have answered 404 for an activity that
// existed (garminexport issue #100). Search before giving up.
func (c *Client) PollUpload(ctx context.Context, location string) (*ActivityUpload, error) {
	path, err := c.statusPath(location)
	if err != nil {
		return nil, fmt.Errorf("garmin: poll upload: %w", err)
	}
	var ex exchange
	cl := call{method: http.MethodGet, path: path, got: &ex}
	err = c.do(ctx, cl, nil)
	if err == nil && ex.status == http.StatusAccepted && ex.header.Get("Location") == "" {
		// Still processing, and no new location named: poll the same one.
		return &ActivityUpload{Location: path, PollAfter: pollAfter(ex.header)}, nil
	}
	return c.uploadAnswer(cl, ex, err)
}

// uploadAnswer maps the answer of an upload or a poll; err is do's error.
func (c *Client) uploadAnswer(cl call, ex exchange, err error) (*ActivityUpload, error) {
	if err != nil {
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.Status == http.StatusConflict {
			if ex.status == http.StatusConflict {
				return nil, duplicateFrom(ex.body)
			}
			return nil, &DuplicateActivityError{}
		}
		return nil, uploadError(err, ex)
	}
	up, err := decodeUploadAnswer(ex.status, ex.header, ex.body)
	if err != nil {
		var rej *UploadRejectedError
		var dup *DuplicateActivityError
		if errors.As(err, &rej) || errors.As(err, &dup) || !cl.write {
			return nil, err
		}
		return nil, &OutcomeUnknownError{Method: cl.method, Path: cl.path, Err: err}
	}
	if up.Location != "" {
		p, err := c.statusPath(up.Location)
		if err != nil {
			if cl.write {
				return nil, &OutcomeUnknownError{Method: cl.method, Path: cl.path, Err: err}
			}
			return nil, fmt.Errorf("garmin: %s %s: %w", cl.method, cl.path, err)
		}
		up.Location = p
	}
	return up, nil
}

// importResult is the JSON of an upload answer (garth
// tests/cassettes/test_upload.yaml; python-garminconnect
// tests/cassettes/test_upload.yaml at 8a215e769a9c for the 409).
type importResult struct {
	DetailedImportResult *struct {
		// UploadID is a number on success and "" on a duplicate.
		UploadID  json.RawMessage `json:"uploadId"`
		Successes []importItem    `json:"successes"`
		Failures  []importItem    `json:"failures"`
	} `json:"detailedImportResult"`
}

type importItem struct {
	InternalID json.RawMessage `json:"internalId"`
	ExternalID json.RawMessage `json:"externalId"`
	Messages   []struct {
		Code    int    `json:"code"`
		Content string `json:"content"`
	} `json:"messages"`
}

// duplicateCode is the message code of "Duplicate Activity." (recorded).
const duplicateCode = 202

// decodeUploadAnswer reads a 2xx answer of an upload or a status poll. An
// error means the answer does not say what happened, unless it is an
// *UploadRejectedError or *DuplicateActivityError.
func decodeUploadAnswer(status int, header http.Header, body []byte) (*ActivityUpload, error) {
	up := &ActivityUpload{PollAfter: pollAfter(header)}
	loc := header.Get("Location")
	// A poll's 201 names the activity in its location only
	// (.../activity-service/activity/{id}).
	if status == http.StatusCreated && loc != "" {
		if id, ok := activityIDFromLocation(loc); ok {
			up.ActivityID = id
			return up, nil
		}
	}
	var res importResult
	if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 {
		if err := json.Unmarshal(trimmed, &res); err != nil {
			return nil, fmt.Errorf("decode upload answer (status %d): %w", status, err)
		}
	}
	d := res.DetailedImportResult
	if d == nil {
		if status == http.StatusAccepted && loc != "" {
			// A status poll's 202 may carry no body.
			up.Location = loc
			return up, nil
		}
		return nil, fmt.Errorf("status %d without detailedImportResult: outcome unknown", status)
	}
	up.UploadID, _ = rawInt(d.UploadID)
	if err := refusal(status, d.Failures); err != nil {
		return nil, err
	}
	if len(d.Successes) > 0 {
		id, ok := rawInt(d.Successes[0].InternalID)
		if !ok || id <= 0 {
			return nil, fmt.Errorf("status %d: successes[0] has no internalId", status)
		}
		up.ActivityID = id
		return up, nil
	}
	if status == http.StatusAccepted && loc != "" {
		up.Location = loc
		return up, nil
	}
	return nil, fmt.Errorf("status %d with neither success, failure nor location: outcome unknown", status)
}

// pollAfter reads location-in-milliseconds; 0 when absent or beyond an hour.
func pollAfter(header http.Header) time.Duration {
	n, err := strconv.ParseInt(strings.TrimSpace(header.Get("location-in-milliseconds")), 10, 64)
	if err != nil || n <= 0 || n >= 3_600_000 {
		return 0
	}
	return time.Duration(n) * time.Millisecond
}

// duplicateFrom reads a 409 body; an unreadable one is still a duplicate.
func duplicateFrom(body []byte) *DuplicateActivityError {
	var res importResult
	if json.Unmarshal(body, &res) == nil && res.DetailedImportResult != nil && len(res.DetailedImportResult.Failures) > 0 {
		return duplicateItem(res.DetailedImportResult.Failures[0])
	}
	return &DuplicateActivityError{}
}

func duplicateItem(f importItem) *DuplicateActivityError {
	d := &DuplicateActivityError{}
	d.ExistingID, _ = rawInt(f.InternalID)
	if s, ok := rawString(f.ExternalID); ok {
		d.ExternalID = s
	}
	for _, m := range f.Messages {
		d.Messages = append(d.Messages, m.Content)
	}
	return d
}

// refusal is the failure an upload answer names: a
// *DuplicateActivityError for "Duplicate Activity." (code 202, recorded),
// else an *UploadRejectedError with the first message; nil when it names
// none.
func refusal(status int, failures []importItem) error {
	for _, f := range failures {
		for _, m := range f.Messages {
			if m.Code == duplicateCode || strings.Contains(strings.ToLower(m.Content), "duplicate") {
				return duplicateItem(f)
			}
		}
	}
	if len(failures) == 0 {
		return nil
	}
	rej := &UploadRejectedError{Status: status}
	if ms := failures[0].Messages; len(ms) > 0 {
		rej.Code, rej.Message = ms[0].Code, ms[0].Content
	}
	return rej
}

// uploadError maps an upload's error answer (err is do's error, ex the
// answer) that means the same for any file: 412 is ErrUploadConsent, a 415
// naming a failure its *UploadRejectedError; anything else is err.
func uploadError(err error, ex exchange) error {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return err
	}
	switch apiErr.Status {
	case http.StatusPreconditionFailed:
		return fmt.Errorf("%w: %w", ErrUploadConsent, err)
	case http.StatusUnsupportedMediaType:
		if rej := refusalIn(ex.status, ex.body); rej != nil {
			return rej
		}
	}
	return err
}

// refusalIn is the refusal an answer's body names; nil when it names none
// or cannot be read.
func refusalIn(status int, body []byte) error {
	var res importResult
	if json.Unmarshal(bytes.TrimSpace(body), &res) != nil || res.DetailedImportResult == nil {
		return nil
	}
	return refusal(status, res.DetailedImportResult.Failures)
}

// rawInt reads a JSON number or a string holding one.
func rawInt(raw json.RawMessage) (int64, bool) {
	s := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	if s == "" || s == "null" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return 0, false
		}
		n = int64(f)
	}
	return n, true
}

// rawString reads a JSON string or number as text.
func rawString(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	if n, ok := rawInt(raw); ok {
		return strconv.FormatInt(n, 10), true
	}
	return "", false
}

// activityIDFromLocation reads {id} from …/activity-service/activity/{id}.
func activityIDFromLocation(loc string) (int64, bool) {
	u, err := url.Parse(loc)
	if err != nil {
		return 0, false
	}
	i := strings.LastIndex(u.Path, pathActivity)
	if i < 0 {
		return 0, false
	}
	id, err := strconv.ParseInt(u.Path[i+len(pathActivity):], 10, 64)
	if err != nil || id <= 0 {
		return 0, false
	}
	return id, true
}

// statusPath turns a location (absolute URL on any Garmin host, the base
// URL, or a path) into the path to request on our own host. Only the path
// is kept, so the tokens never go to a host the answer names.
func (c *Client) statusPath(loc string) (string, error) {
	loc = strings.TrimSpace(loc)
	for _, base := range []string{c.hosts.connectAPI, c.hosts.connect} {
		if rest, ok := strings.CutPrefix(loc, base); ok && strings.HasPrefix(rest, "/") {
			loc = rest
			break
		}
	}
	u, err := url.Parse(loc)
	if err != nil {
		return "", fmt.Errorf("location %q: %w", loc, err)
	}
	// The web app's cookie session names its own paths under /gc-api/;
	// the client adds that prefix itself for that family.
	p := strings.TrimPrefix(u.EscapedPath(), pathGCAPI)
	if !strings.HasPrefix(p, pathUploadStatus) || strings.Contains(p, "..") {
		return "", fmt.Errorf("location %q: want a path under %s", loc, pathUploadStatus)
	}
	return p, nil
}

// multipartNamed wraps file as the multipart form of an upload, as
// multipartFile does, under the given file name. The boundary is derived
// from the content, so the same file gives the same request body.
func multipartNamed(name string, file []byte) ([]byte, string, error) {
	sum := sha256.Sum256(file)
	var buf bytes.Buffer
	buf.Grow(len(file) + 512)
	w := multipart.NewWriter(&buf)
	if err := w.SetBoundary("fit" + hex.EncodeToString(sum[:16])); err != nil {
		return nil, "", err
	}
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, uploadField, name))
	h.Set("Content-Type", "application/octet-stream")
	part, err := w.CreatePart(h)
	if err != nil {
		return nil, "", err
	}
	if _, err := part.Write(file); err != nil {
		return nil, "", err
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}

// Activity is one activity on Garmin, from the search list or GetActivity.
type Activity struct {
	ID   int64
	Name string
	// StartLocal is the local wall clock in the clock fields of a UTC time
	// (startTimeLocal); StartGMT is the instant (startTimeGMT).
	StartLocal, StartGMT time.Time
	// TypeKey, TypeID and ParentTypeID are the activity type
	// (activityType / activityTypeDTO), e.g. "running", 1, 17.
	TypeKey      string
	TypeID       int
	ParentTypeID int
	// DistanceM is the distance in metres.
	DistanceM float64
	// Duration is the timer time, Elapsed the wall-clock span, Moving the
	// moving time (duration, elapsedDuration, movingDuration).
	Duration, Elapsed, Moving time.Duration
	Calories                  float64
	AverageHR, MaxHR          float64
	Steps                     int
	// Manufacturer is "GARMIN", "DEVELOPMENT", ...: a pre-existing watch
	// recording is GARMIN.
	Manufacturer string
	// DeviceID is Garmin's device id, 0 when none.
	DeviceID int64
	Manual   bool
	// TimeZone is the IANA zone (GetActivity only: timeZoneUnitDTO.unitKey).
	TimeZone string
	// FileFormat is metadataDTO.fileFormat.formatKey ("fit"; GetActivity only).
	FileFormat string
}

// activityTotals are the start and totals an activity carries both in the
// search list and in the one-activity view's summaryDTO (same names).
type activityTotals struct {
	StartTimeLocal  string  `json:"startTimeLocal"`
	StartTimeGMT    string  `json:"startTimeGMT"`
	Distance        float64 `json:"distance"`
	Duration        float64 `json:"duration"`
	ElapsedDuration float64 `json:"elapsedDuration"`
	MovingDuration  float64 `json:"movingDuration"`
	Calories        float64 `json:"calories"`
	AverageHR       float64 `json:"averageHR"`
	MaxHR           float64 `json:"maxHR"`
	Steps           float64 `json:"steps"`
}

// listActivity is an entry of the search list (garth
// tests/data/cassettes/test_activity_get.yaml).
type listActivity struct {
	ActivityID   int64           `json:"activityId"`
	ActivityName string          `json:"activityName"`
	ActivityType activityTypeDTO `json:"activityType"`
	activityTotals
	Manufacturer   string          `json:"manufacturer"`
	DeviceID       json.RawMessage `json:"deviceId"`
	ManualActivity bool            `json:"manualActivity"`
}

type activityTypeDTO struct {
	TypeID       int    `json:"typeId"`
	TypeKey      string `json:"typeKey"`
	ParentTypeID int    `json:"parentTypeId"`
}

func (l *listActivity) activity() (Activity, error) {
	a := Activity{
		ID: l.ActivityID, Name: l.ActivityName,
		TypeKey: l.ActivityType.TypeKey, TypeID: l.ActivityType.TypeID, ParentTypeID: l.ActivityType.ParentTypeID,
		DistanceM: l.Distance, Calories: l.Calories, AverageHR: l.AverageHR, MaxHR: l.MaxHR,
		Steps: int(l.Steps), Manufacturer: l.Manufacturer, Manual: l.ManualActivity,
		Duration: seconds(l.Duration), Elapsed: seconds(l.ElapsedDuration), Moving: seconds(l.MovingDuration),
	}
	a.DeviceID, _ = rawInt(l.DeviceID)
	if a.ID <= 0 {
		return Activity{}, errors.New("no activityId")
	}
	var err error
	if a.StartLocal, err = parseGarminTime(l.StartTimeLocal); err != nil {
		return Activity{}, fmt.Errorf("activity %d: startTimeLocal: %w", a.ID, err)
	}
	if a.StartGMT, err = parseGarminTime(l.StartTimeGMT); err != nil {
		return Activity{}, fmt.Errorf("activity %d: startTimeGMT: %w", a.ID, err)
	}
	return a, nil
}

// seconds converts Garmin's float seconds; nonsense reads as 0.
func seconds(s float64) time.Duration {
	if bad(s) || s < 0 || s > 1e9 {
		return 0
	}
	return time.Duration(math.Round(s * float64(time.Second)))
}

// parseGarminTime reads "2026-01-08 08:10:21" (search) or
// "2026-01-08T08:10:21.0" (one activity) as clock fields in UTC. Empty
// reads as the zero time.
func parseGarminTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q: want YYYY-MM-DD hh:mm:ss", s)
}

// SearchActivities calls GET
// /activitylist-service/activities/search/activities?startDate=&endDate=&start=&limit=
// page by page (ActivitySearchPage each) and returns every activity whose
// local day lies in [startDate, endDate] (YYYY-MM-DD), oldest first. The
// dates are local calendar days (inferred): widen by a day and compare
// StartGMT to match an instant (hevy2garmin). The body is a bare array
// (garth, recorded) or {"activityList":[…]} (go-garmin accepts both).
func (c *Client) SearchActivities(ctx context.Context, startDate, endDate string) ([]Activity, error) {
	if _, _, err := dateSpan("search activities", startDate, endDate); err != nil {
		return nil, err
	}
	var all []Activity
	seen := make(map[int64]bool)
	for page := 0; ; page++ {
		if page == maxSearchPages {
			return nil, fmt.Errorf("garmin: search activities %s..%s: more than %d pages", startDate, endDate, maxSearchPages)
		}
		q := url.Values{
			"startDate": {startDate}, "endDate": {endDate},
			"start": {strconv.Itoa(page * ActivitySearchPage)}, "limit": {strconv.Itoa(ActivitySearchPage)},
		}
		var raw json.RawMessage
		if err := c.do(ctx, call{method: http.MethodGet, path: pathActivitySearch + "?" + q.Encode()}, &raw); err != nil {
			return nil, err
		}
		list, err := decodeActivityList(raw)
		if err != nil {
			return nil, fmt.Errorf("garmin: search activities %s..%s page %d: %w", startDate, endDate, page, err)
		}
		fresh := 0
		for _, a := range list {
			if !seen[a.ID] {
				seen[a.ID] = true
				all = append(all, a)
				fresh++
			}
		}
		if len(list) < ActivitySearchPage || fresh == 0 {
			break
		}
	}
	sortActivities(all)
	return all, nil
}

// decodeActivityList reads a search answer: a bare array or an object
// with activityList. An empty answer is an empty list.
func decodeActivityList(raw []byte) ([]Activity, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var items []listActivity
	if raw[0] == '{' {
		var obj struct {
			ActivityList []listActivity `json:"activityList"`
		}
		if err := json.Unmarshal(raw, &obj); err != nil {
			return nil, fmt.Errorf("decode activity list: %w", err)
		}
		items = obj.ActivityList
	} else if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("decode activity list: %w", err)
	}
	out := make([]Activity, 0, len(items))
	for i := range items {
		a, err := items[i].activity()
		if err != nil {
			return nil, fmt.Errorf("activity %d of the page: %w", i, err)
		}
		out = append(out, a)
	}
	return out, nil
}

// sortActivities orders by start instant, then id.
func sortActivities(as []Activity) {
	for i := 1; i < len(as); i++ {
		for j := i; j > 0 && activityLess(as[j], as[j-1]); j-- {
			as[j], as[j-1] = as[j-1], as[j]
		}
	}
}

func activityLess(a, b Activity) bool {
	if !a.StartGMT.Equal(b.StartGMT) {
		return a.StartGMT.Before(b.StartGMT)
	}
	return a.ID < b.ID
}

// oneActivity is the answer of GET /activity-service/activity/{id} (garth
// tests/data/cassettes/test_activity_get.yaml).
type oneActivity struct {
	ActivityID      int64           `json:"activityId"`
	ActivityName    string          `json:"activityName"`
	ActivityTypeDTO activityTypeDTO `json:"activityTypeDTO"`
	TimeZoneUnitDTO struct {
		UnitKey string `json:"unitKey"`
	} `json:"timeZoneUnitDTO"`
	MetadataDTO struct {
		FileFormat struct {
			FormatKey string `json:"formatKey"`
		} `json:"fileFormat"`
		Manufacturer      string `json:"manufacturer"`
		ManualActivity    bool   `json:"manualActivity"`
		DeviceMetaDataDTO struct {
			DeviceID json.RawMessage `json:"deviceId"` // a string in the recording
		} `json:"deviceMetaDataDTO"`
	} `json:"metadataDTO"`
	SummaryDTO activityTotals `json:"summaryDTO"`
}

// GetActivity calls GET /activity-service/activity/{id}. An activity that
// is not there (deleted) is an *APIError with status 404 (garth
// tests/cassettes/test_delete.yaml).
func (c *Client) GetActivity(ctx context.Context, id int64) (*Activity, error) {
	if id <= 0 {
		return nil, fmt.Errorf("garmin: get activity: id %d: want a positive id", id)
	}
	var raw oneActivity
	if err := c.do(ctx, call{method: http.MethodGet, path: pathActivity + strconv.FormatInt(id, 10)}, &raw); err != nil {
		return nil, err
	}
	l := listActivity{
		ActivityID: raw.ActivityID, ActivityName: raw.ActivityName,
		ActivityType: raw.ActivityTypeDTO, activityTotals: raw.SummaryDTO,
		Manufacturer: raw.MetadataDTO.Manufacturer, DeviceID: raw.MetadataDTO.DeviceMetaDataDTO.DeviceID,
		ManualActivity: raw.MetadataDTO.ManualActivity,
	}
	a, err := l.activity()
	if err != nil {
		return nil, fmt.Errorf("garmin: get activity %d: %w", id, err)
	}
	a.TimeZone = raw.TimeZoneUnitDTO.UnitKey
	a.FileFormat = raw.MetadataDTO.FileFormat.FormatKey
	return &a, nil
}

// renameBody is the JSON of the rename PUT (garth
// tests/data/cassettes/test_activity_update[name_only].yaml).
type renameBody struct {
	ActivityID   int64  `json:"activityId"`
	ActivityName string `json:"activityName"`
}

// RenameActivity calls PUT /activity-service/activity/{id} with
// {"activityId","activityName"}; Garmin answers 204. Renaming is
// idempotent: after an unknown outcome, send it again.
func (c *Client) RenameActivity(ctx context.Context, id int64, name string) error {
	if id <= 0 {
		return fmt.Errorf("garmin: rename activity: id %d: want a positive id", id)
	}
	if strings.TrimSpace(name) == "" {
		return errors.New("garmin: rename activity: empty name")
	}
	return c.do(ctx, call{method: http.MethodPut, path: pathActivity + strconv.FormatInt(id, 10),
		body: renameBody{ActivityID: id, ActivityName: name}, write: true}, nil)
}

// DeleteActivity calls DELETE /activity-service/activity/{id}; Garmin
// answers 204 and the activity is gone for good (a GET then answers 404,
// garth tests/cassettes/test_delete.yaml). Deleting one that is not there
// is an *APIError with status 404, which an undo may treat as done.
func (c *Client) DeleteActivity(ctx context.Context, id int64) error {
	if id <= 0 {
		return fmt.Errorf("garmin: delete activity: id %d: want a positive id", id)
	}
	return c.do(ctx, call{method: http.MethodDelete, path: pathActivity + strconv.FormatInt(id, 10), write: true}, nil)
}
