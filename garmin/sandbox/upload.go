package sandbox

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/muktihari/fit/decoder"
	"github.com/muktihari/fit/kit/datetime"
	"github.com/muktihari/fit/profile/filedef"
	"github.com/muktihari/fit/profile/typedef"
	"github.com/muktihari/fit/profile/untyped/mesgnum"
	"github.com/muktihari/fit/proto"
)

// Both upload paths take any FIT file, as Garmin's do: the plain
// POST /upload-service/upload (matin/garth http.py upload,
// python-garminconnect upload_activity, withings-sync for weigh-ins) and
// the import variant POST /upload-service/upload/{ext}
// (python-garminconnect import_activity, peloton-to-garmin). The file is
// decoded once and its file_id type decides what it becomes: a weight file
// weigh-ins (weight.go), an activity file an activity (activity.go).

// Failure messages of the upload service, as recorded (garmin-api.md
// "Responses").
const (
	msgUnsupported = "The file is of a type we do not support."
	msgUnexpected  = "An unexpected error occurred while processing the file."
)

// uploaded is the file of an upload request, decoded.
type uploaded struct {
	name string // the multipart file name
	raw  []byte
	fit  proto.FIT
}

// upload serves both upload paths.
func (s *Server) upload(c *call) reply {
	if c.acct.NoUploadConsent {
		return jsonError(http.StatusPreconditionFailed, "upload consent not given")
	}
	name, raw, err := formFile(c.r.Header.Get("Content-Type"), c.body)
	if err != nil {
		return jsonError(http.StatusBadRequest, err.Error())
	}
	up := &uploaded{name: name, raw: raw}
	if ext := c.r.PathValue("ext"); ext != "" && !strings.EqualFold(strings.TrimPrefix(ext, "."), "fit") {
		return s.importFailure(c, up, http.StatusUnsupportedMediaType, 415, msgUnsupported)
	}
	fit, err := decoder.New(bytes.NewReader(raw)).Decode()
	if err != nil || len(fit.Messages) == 0 || fit.Messages[0].Num != mesgnum.FileId {
		// A bad CRC (or anything not FIT) answers code 415 (withings-sync
		// issue #152, a weight file on the plain path; the HTTP status
		// there was not shown: 415 here).
		return s.importFailure(c, up, http.StatusUnsupportedMediaType, 415, msgUnsupported)
	}
	up.fit = *fit
	switch typedef.File(fit.Messages[0].FieldValueByNum(0).Uint8()) {
	case typedef.FileWeight:
		return s.uploadWeight(c, up)
	case typedef.FileActivity:
		return s.uploadActivity(c, up)
	}
	return s.importFailure(c, up, http.StatusUnsupportedMediaType, 415, msgUnsupported)
}

// uploadWeight stores the weigh-ins of a weight file.
//
// Like Garmin's upload service it answers 202 with empty successes and
// failures and processes the file later (matin/garth's recorded upload,
// tests/cassettes/test_upload.yaml; La0/garmin-uploader PR #37): the
// weigh-in is listed only Options.UploadDelay after the answer. A repeated
// file is not refused: no public capture shows Garmin answering 409 to a
// weight FIT file (only to activities), and withings-sync users report
// duplicate weigh-ins, so the fake takes the worst case and stores a
// duplicate. A file it cannot make weigh-ins of is a failure inside a 200,
// as for an activity.
func (s *Server) uploadWeight(c *call, up *uploaded) reply {
	scales, key, err := parseWeightFIT(filedef.NewWeight(up.fit.Messages...), up.raw)
	if err != nil {
		return s.importFailure(c, up, http.StatusOK, 500, msgUnexpected+" ("+err.Error()+")")
	}
	zone := c.acct.weight.zone
	if zone == nil {
		zone = time.UTC
	}
	for _, sc := range scales {
		w := &WeighIn{
			SamplePK:   s.nextSamplePK(),
			GMT:        sc.at,
			Local:      wallClock(sc.at.In(zone)),
			Kg:         sc.kg,
			FatPercent: sc.fat,
			BMI:        sc.bmi,
			SourceType: SourceFITFile,
			upload:     key,
			visible:    c.now.Add(s.opts.UploadDelay),
		}
		w.Date = w.Local.Format(dateLayout)
		c.acct.weight.entries = append(c.acct.weight.entries, w)
	}
	s.uploads++
	return reply{status: http.StatusAccepted, body: s.importBody(c, up, nil, nil, nil), applied: true}
}

// uploadActivity stores an activity file, refused as a duplicate when
// Garmin would, and answers 202 with the status location to poll.
func (s *Server) uploadActivity(c *call, up *uploaded) reply {
	act, err := s.parseActivityFIT(c.acct, filedef.NewActivity(up.fit.Messages...))
	if err != nil {
		// A FIT Garmin cannot make an activity of: a failure inside a 200
		// (garmin-api.md: failures may come with a 2xx; running_page #553).
		return s.importFailure(c, up, http.StatusOK, 500, msgUnexpected+" ("+err.Error()+")")
	}
	// Duplicates: the same file identity (garmin-api.md "Duplicates": the
	// 409's externalId is the file's time_created), or any activity at the
	// same start second ("you cannot import an activity if there's one
	// with the same start time", endurain issue #122). The 409 names the
	// existing activity, even a watch's (hevy2garmin issue #279).
	for _, other := range c.acct.activities {
		if other.FileKey == act.FileKey || other.StartGMT.Equal(act.StartGMT) {
			body := s.importBody(c, up, "", nil, []map[string]any{{
				"internalId": other.ID,
				"externalId": strconv.FormatInt(fitSeconds(act.StartGMT), 10),
				"messages":   []map[string]any{{"code": 202, "content": "Duplicate Activity."}},
			}})
			return reply{status: http.StatusConflict, body: body}
		}
	}
	act.Imported = isImport(c.r)
	act.ID = s.nextActivityID()
	act.readyAt = c.now.Add(s.acts.opts.ProcessingDelay)
	c.acct.activities = append(c.acct.activities, act)
	s.uploads++

	uuid := s.randomBytes(16)
	uuid[6] = uuid[6]&0x0f | 0x40
	uuid[8] = uuid[8]&0x3f | 0x80
	key := hex.EncodeToString(uuid)
	if s.acts.uploads == nil {
		s.acts.uploads = make(map[string]*activityUpload)
	}
	s.acts.uploads[key] = &activityUpload{acct: c.acct, act: act}
	dashed := key[:8] + "-" + key[8:12] + "-" + key[12:16] + "-" + key[16:20] + "-" + key[20:]
	body := s.importBody(c, up, act.ID, map[string]any{"uuid": dashed}, nil)
	rep := reply{status: http.StatusAccepted, body: body, applied: true, header: http.Header{}}
	rep.header.Set("Location", fmt.Sprintf("%s/activity-service/activity/status/%d/%s", statusHost, c.now.UnixMilli(), key))
	rep.header.Set("location-in-milliseconds", strconv.FormatInt(s.pollAfter().Milliseconds(), 10))
	return rep
}

// SetUploadConsent gives (or takes back) an account's consent to uploads:
// without it every upload answers 412 (Account.NoUploadConsent).
func (s *Server) SetUploadConsent(who string, given bool) error {
	a, unlock, err := s.locked(who)
	if err != nil {
		return err
	}
	defer unlock()
	a.NoUploadConsent = !given
	return nil
}

// isImport reports whether an upload is an import (Activity.Imported).
func isImport(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	return r.PathValue("ext") != "" && r.Header.Get("NK") == "NT" &&
		(origin == "https://sso.garmin.com" || origin == "https://connect.garmin.com")
}

// Uploads is how many FIT files the fake has accepted, weight and
// activity files alike.
func (s *Server) Uploads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.uploads
}

// importFailure answers a refused file: failures[0] with code and message.
func (s *Server) importFailure(c *call, up *uploaded, status, code int, msg string) reply {
	return reply{status: status, body: s.importBody(c, up, "", nil, []map[string]any{{
		"internalId": nil, "externalId": nil,
		"messages": []map[string]any{{"code": code, "content": msg}},
	}})}
}

// importBody is the detailedImportResult of an upload answer, in the
// recorded shape (garth tests/cassettes/test_upload.yaml: uploadId a
// number on an activity's success, "" on a failure; null for a weight
// file here, which no capture shows).
func (s *Server) importBody(c *call, up *uploaded, uploadID any, uuid map[string]any, failures []map[string]any) map[string]any {
	if failures == nil {
		failures = []map[string]any{}
	}
	var u any
	if uuid != nil {
		u = uuid
	}
	return map[string]any{"detailedImportResult": map[string]any{
		"uploadId":       uploadID,
		"uploadUuid":     u,
		"owner":          c.acct.ProfileID,
		"fileSize":       len(up.raw),
		"processingTime": 12,
		"creationDate":   c.now.UTC().Format("2006-01-02 15:04:05.000") + " GMT",
		"ipAddress":      nil,
		"fileName":       up.name,
		"report":         nil,
		"successes":      []map[string]any{},
		"failures":       failures,
	}}
}

// formFile returns the file name and bytes of the multipart field "file".
func formFile(contentType string, body []byte) (string, []byte, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return "", nil, errors.New("want a multipart/form-data body")
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return "", nil, errors.New(`no multipart field "file"`)
		}
		if err != nil {
			return "", nil, fmt.Errorf("malformed multipart body: %w", err)
		}
		if p.FormName() != "file" {
			continue
		}
		b, err := io.ReadAll(p)
		if err != nil {
			return "", nil, fmt.Errorf("malformed multipart body: %w", err)
		}
		if p.FileName() == "" {
			return "", nil, errors.New(`multipart field "file" has no file name`)
		}
		return p.FileName(), b, nil
	}
}

// deviceTime reports whether a FIT date_time is below the FIT minimum
// (0x10000000): seconds since the device powered on, not a date.
func deviceTime(t time.Time) bool {
	return t.Before(datetime.Epoch().Add(time.Duration(typedef.DateTimeMin) * time.Second))
}

// pollAfter is the location-in-milliseconds of an activity's upload.
func (s *Server) pollAfter() time.Duration {
	if d := s.acts.opts.PollAfter; d > 0 {
		return d
	}
	return DefaultPollAfter
}
