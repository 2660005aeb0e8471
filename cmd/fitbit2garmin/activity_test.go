package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fitbit2garmin/garmin/sandbox"
	"fitbit2garmin/importer"
)

// activityWant is an activity the fake must end up holding once.
type activityWant struct {
	start    time.Time
	family   string
	elapsed  time.Duration
	distance float64
	points   int // track records uploaded (2 bare ones without a track)
}

// genActivityExport writes a Takeout of n exercise logs, one a day at 07:00
// UTC from 2022-01-01: Runs, Walks, Bikes and Weights; every fifth a Run
// with a GPS day file (a fix every 10 s), the first with a TCX too; the
// even ones have a UserExercises row (offset -05:00) besides the JSON.
func genActivityExport(t *testing.T, n int) (string, []activityWant) {
	t.Helper()
	root := filepath.Join(t.TempDir(), "Takeout", "Fitbit")
	dirs := map[string]string{}
	for _, d := range []string{"Global Export Data", "Health Fitness Data_GoogleData", "Physical Activity_GoogleData", "Activities"} {
		dirs[d] = filepath.Join(root, d)
		if err := os.MkdirAll(dirs[d], 0o755); err != nil {
			t.Fatal(err)
		}
	}
	types := []struct {
		id     int64
		name   string
		family string
	}{{90009, "Run", "running"}, {90013, "Walk", "walking"}, {1071, "Outdoor Bike", "cycling"}, {2131, "Weights", "training"}}
	var logs []map[string]any
	var want []activityWant
	csv := []string{"exercise_id,exercise_start,exercise_end,utc_offset,activity_name,log_type,tracker_total_calories,tracker_total_distance_mm"}
	for i := range n {
		ty := types[i%len(types)]
		if i%5 == 0 {
			ty = types[0]
		}
		start := time.Date(2022, 1, 1, 7, 0, 0, 0, time.UTC).AddDate(0, 0, i)
		dur := time.Duration(30+i%20) * time.Minute
		km := 0.0
		if ty.family != "training" {
			km = 3 + float64(i%5)
		}
		w := activityWant{start: start, family: ty.family, elapsed: dur, distance: km * 1000, points: 2}
		logs = append(logs, map[string]any{
			"logId": 90000 + i, "activityName": ty.name, "activityTypeId": ty.id, "logType": "tracker",
			"startTime": start.Format("01/02/06 15:04:05"), "duration": dur.Milliseconds(), "activeDuration": dur.Milliseconds(),
			"calories": 200 + i, "distance": km, "distanceUnit": "Kilometer", "averageHeartRate": 120 + i%30, "hasGps": i%5 == 0,
		})
		if i%2 == 0 {
			csv = append(csv, fmt.Sprintf("%d,%s,%s,-05:00,%s,TRACKER,%d,%d", 7000+i, start.Format("2006-01-02 15:04:05-0700"),
				start.Add(dur).Format("2006-01-02 15:04:05-0700"), ty.name, 200+i, int(km*1e6)))
		}
		if i%5 == 0 {
			w.points = writeGPSDay(t, dirs["Physical Activity_GoogleData"], start, dur)
		}
		if i == 0 {
			// A TCX wins over the day file (and brings heart rate).
			w.points = writeTCX(t, filepath.Join(dirs["Activities"], "90000.tcx"), start, 12)
		}
		want = append(want, w)
	}
	b, _ := json.Marshal(logs)
	writeFile(t, filepath.Join(dirs["Global Export Data"], "exercise-0.json"), string(b))
	writeFile(t, filepath.Join(dirs["Health Fitness Data_GoogleData"], "UserExercises_2022-01-01.csv"), strings.Join(csv, "\n")+"\n")
	return filepath.Dir(root), want
}

// writeGPSDay writes a fix every 10 s over [start, start+dur) and returns
// how many.
func writeGPSDay(t *testing.T, dir string, start time.Time, dur time.Duration) int {
	lines := []string{"timestamp,latitude,longitude,altitude"}
	n := 0
	for at := start; at.Before(start.Add(dur)); at = at.Add(10 * time.Second) {
		lines = append(lines, fmt.Sprintf("%s,%.6f,%.6f,%.1f", at.Format(time.RFC3339), 40+float64(n)*0.0002, -74.0, 10.0))
		n++
	}
	writeFile(t, filepath.Join(dir, "gps_location_"+start.Format(time.DateOnly)+".csv"), strings.Join(lines, "\n")+"\n")
	return n
}

// writeTCX writes a Fitbit-style TCX (byte order mark, local offset) of n
// trackpoints a minute apart with position and heart rate.
func writeTCX(t *testing.T, path string, start time.Time, n int) int {
	var b strings.Builder
	b.WriteString("\ufeff<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<TrainingCenterDatabase xmlns=\"http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2\">" +
		"<Activities><Activity Sport=\"Running\"><Id>" + start.In(time.FixedZone("", -5*3600)).Format(time.RFC3339) + "</Id><Lap><Track>\n")
	for i := range n {
		at := start.Add(time.Duration(i) * time.Minute).In(time.FixedZone("", -5*3600))
		fmt.Fprintf(&b, "<Trackpoint><Time>%s</Time><Position><LatitudeDegrees>%.5f</LatitudeDegrees><LongitudeDegrees>-74.0</LongitudeDegrees></Position>"+
			"<DistanceMeters>%d</DistanceMeters><HeartRateBpm><Value>%d</Value></HeartRateBpm></Trackpoint>\n", at.Format(time.RFC3339), 40+float64(i)*0.002, i*220, 130+i)
	}
	b.WriteString("</Track></Lap></Activity></Activities></TrainingCenterDatabase>\n")
	writeFile(t, path, b.String())
	return n
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkActivities fails the test unless the fake holds each wanted activity
// exactly once with its start, sport, duration, distance (±1 %) and
// records, plus the extra ones.
func (f *fake) checkActivities(t *testing.T, want []activityWant, extra int) {
	t.Helper()
	got := f.srv.Activities(f.email)
	if len(got) != len(want)+extra {
		t.Errorf("fake Garmin holds %d activities, want %d", len(got), len(want)+extra)
	}
	bad := 0
	for _, w := range want {
		var found []sandbox.Activity
		for _, g := range got {
			if g.StartGMT.Equal(w.start) {
				found = append(found, g)
			}
		}
		ok := len(found) == 1
		if ok {
			g := found[0]
			// Imported: sent as an import, so not forwarded to linked
			// services (the import headers).
			ok = importer.FamilyOfType(g.TypeKey) == w.family && g.Elapsed == w.elapsed &&
				math.Abs(g.DistanceM-w.distance) <= 0.01*w.distance && g.TrackPoints == w.points && g.Imported
		}
		if !ok {
			if bad++; bad <= 10 {
				t.Errorf("%v %s: held %+v, want once, imported, with %v, %.0f m, %d records", w.start, w.family, found, w.elapsed, w.distance, w.points)
			}
		}
	}
}

// TestImportActivitiesSurvivesKills: a Takeout of JSON + CSV + GPS day
// files is imported while killed at random moments, with lost answers, 5xx
// and 429s and uploads Garmin processes after answering; every planned
// activity ends on Garmin once with its start, sport, duration, distance
// and track; a pre-existing watch activity at the same start is skipped;
// a re-run sends nothing; undo deletes only ours.
func TestImportActivitiesSurvivesKills(t *testing.T) {
	rounds := 16
	if testing.Short() {
		rounds = 6
	}
	bin := binary(t)
	export, want := genActivityExport(t, 300)
	f := newFake(t, sandbox.Options{Seed: 33})
	f.srv.SetActivityOptions(sandbox.ActivityOptions{ProcessingDelay: 300 * time.Millisecond})
	// A watch recorded the 7th session, a ride, too (20 s earlier): it is
	// not uploaded.
	watch, err := f.srv.SeedActivity(f.email, sandbox.Activity{StartGMT: want[6].start.Add(-20 * time.Second), Sport: 2, Elapsed: want[6].elapsed})
	if err != nil {
		t.Fatal(err)
	}
	f.srv.SetFaults(sandbox.Faults{Rate: map[sandbox.Kind]float64{
		sandbox.KindDropAfterCommit: 0.06,
		sandbox.Kind503:             0.04,
		sandbox.Kind429RetryAfter:   0.02,
	}})
	journal := filepath.Join(t.TempDir(), "journal.jsonl")
	args := append(f.args(), "import", export, "--types", "activities", "--timezone", "UTC",
		"--state", journal, "--rate", "400", "--burst", "4", "--workers", "4", "-q",
		"--upload-wait", "500ms", "--resend-after", "2s")
	killRounds(t, bin, args, journal, rounds, rand.New(rand.NewPCG(11, 2026)))
	runUntilSettled(t, bin, args)
	kept := append(want[:6:6], want[7:]...) // the watch's session is skipped
	f.checkActivities(t, kept, 1)
	f.srv.SetFaults(sandbox.Faults{})
	f.srv.ResetRequests()
	if r := runCLI(t, append(f.args(), "import", export, "--types", "activities", "--timezone", "UTC", "--state", journal, "-q")...); r.code != 0 {
		t.Fatalf("re-run exit %d:\n%s", r.code, r.stderr)
	}
	for _, req := range f.srv.Requests() {
		if req.Class == sandbox.ClassWrite {
			t.Errorf("re-run wrote %s %s", req.Method, req.Path)
		}
	}
	r := runCLI(t, append(f.args(), "verify", export, "--types", "activities", "--timezone", "UTC", "--state", journal, "--rate", "400")...)
	if r.code != 0 {
		t.Errorf("verify exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	// An activity deleted on Garmin is reported missing (exit 3).
	if err := f.srv.RemoveActivity(f.email, f.srv.Activities(f.email)[3].ID); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, append(f.args(), "verify", export, "--types", "activities", "--timezone", "UTC", "--state", journal, "--rate", "400")...)
	if r.code != exitPartial || !strings.Contains(r.stdout, "1 activities missing, different or extra") || !strings.Contains(r.stdout, "missing on Garmin") {
		t.Errorf("verify after a deletion: exit %d:\n%s", r.code, r.stdout)
	}
	// The dry run lists every activity this tool created, with its id,
	// and not the watch's.
	dry := runCLI(t, "undo", "--state", journal, "--dry-run", "--json")
	var undoPlan struct{ Activities []importer.UndoItem }
	if err := json.Unmarshal([]byte(dry.stdout), &undoPlan); err != nil {
		t.Fatalf("undo --dry-run --json: %v\n%s", err, dry.stdout)
	}
	if n := len(undoPlan.Activities); n != len(kept) {
		t.Errorf("undo --dry-run lists %d activities, want %d", n, len(kept))
	}
	for _, it := range undoPlan.Activities {
		if it.ID == "" || it.ID == strconv.FormatInt(watch.ID, 10) || it.Sport == "" || it.Seconds <= 0 {
			t.Errorf("undo --dry-run item %+v: want one of ours with its id, sport and duration", it)
		}
	}
	r = runCLI(t, append(f.args(), "undo", "--state", journal, "--rate", "400", "--workers", "4")...)
	if r.code != 0 {
		t.Fatalf("undo exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	if left := f.srv.Activities(f.email); len(left) != 1 || left[0].ID != watch.ID {
		t.Errorf("after undo the fake holds %d activities, want only the watch's", len(left))
	}
}

// TestHeartRateFilesOnlyWhenAsked: the day files' heart rate reaches the
// uploaded track with --heart-rate-files, and not without.
func TestHeartRateFilesOnlyWhenAsked(t *testing.T) {
	for _, asked := range []bool{false, true} {
		f := newFake(t, sandbox.Options{})
		args := append(f.args(), "import", "../../fitbit/testdata/exercise/takeout", "--types", "activities",
			"--timezone", "UTC", "--state", filepath.Join(t.TempDir(), "j.jsonl"), "--rate", "400", "--upload-wait", "1s", "-q")
		if asked {
			args = append(args, "--heart-rate-files")
		}
		if r := runCLI(t, args...); r.code != 0 {
			t.Fatalf("exit %d:\n%s", r.code, r.stderr)
		}
		var run *sandbox.Activity
		for _, a := range f.srv.Activities(f.email) {
			if a.StartGMT.Equal(time.Date(2023, 4, 17, 17, 41, 19, 0, time.UTC)) {
				run = &a
			}
		}
		if run == nil || run.GPSPoints != 30 {
			t.Fatalf("the run on the fake: %+v", run)
		}
		if want := map[bool]int{false: 0, true: 1}[asked]; run.HRPoints != want {
			t.Errorf("--heart-rate-files %v: %d records with heart rate, want %d", asked, run.HRPoints, want)
		}
	}
}

// TestActivityKeepsItsFitbitName: a Garmin that names uploads by their
// sport gets one rename per activity, after which each holds its Fitbit
// name; one that keeps the FIT name gets none.
func TestActivityKeepsItsFitbitName(t *testing.T) {
	for _, bySport := range []bool{false, true} {
		f := newFake(t, sandbox.Options{})
		f.srv.SetActivityOptions(sandbox.ActivityOptions{NameBySport: bySport})
		args := append(f.args(), "import", "../../fitbit/testdata/exercise/takeout", "--types", "activities",
			"--timezone", "UTC", "--state", filepath.Join(t.TempDir(), "j.jsonl"), "--rate", "400", "-q")
		if r := runCLI(t, args...); r.code != 0 {
			t.Fatalf("exit %d:\n%s", r.code, r.stderr)
		}
		names := map[string]bool{}
		for _, a := range f.srv.Activities(f.email) {
			names[a.Name] = true
		}
		for _, want := range []string{"Run", "Weights", "Structured Workout", "Bike"} {
			if !names[want] {
				t.Errorf("name by sport %v: no activity named %q among %v", bySport, want, names)
			}
		}
		puts := 0
		for _, q := range f.srv.Requests() {
			if q.Method == "PUT" && strings.HasPrefix(q.Path, "/activity-service/activity/") {
				puts++
			}
		}
		if want := map[bool]int{false: 0, true: 5}[bySport]; puts != want {
			t.Errorf("name by sport %v: %d renames, want %d", bySport, puts, want)
		}
	}
}

// TestUploadConsentStopsTheRun: an account that has not accepted uploads
// answers 412 (La0/garmin-uploader api.py). The first refusal stops the
// run (no upload per activity, each refused), says what to do, and leaves
// the op not sent; once the consent is given the same command finishes.
func TestUploadConsentStopsTheRun(t *testing.T) {
	f := newFake(t, sandbox.Options{})
	if err := f.srv.SetUploadConsent(f.email, false); err != nil {
		t.Fatal(err)
	}
	journal := filepath.Join(t.TempDir(), "j.jsonl")
	args := append(f.args(), "import", "../../fitbit/testdata/exercise/takeout", "--types", "activities",
		"--timezone", "UTC", "--state", journal, "--rate", "400", "--workers", "2", "-q")
	r := runCLI(t, args...)
	wantCode(t, r, exitError, "stopped: refused for the account after garmin: uploads not allowed for this account yet (412)", "Try: sign in at connect.garmin.com in a browser and give the consent")
	var refused int
	for _, q := range f.srv.Requests() {
		if strings.HasPrefix(q.Path, "/upload-service/upload") {
			if q.Status != http.StatusPreconditionFailed {
				t.Errorf("upload answered %d, want 412", q.Status)
			}
			refused++
		}
	}
	// At most one refusal a worker: the run stops at the first.
	if refused == 0 || refused > 2 || len(f.srv.Activities(f.email)) != 0 {
		t.Fatalf("%d uploads refused, %d activities stored; want the run stopped at the first refusal of each of 2 workers", refused, len(f.srv.Activities(f.email)))
	}
	b, err := os.ReadFile(journal)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"t":"notsent"`) || strings.Contains(string(b), `"t":"failed"`) {
		t.Errorf("journal does not hold the refused upload as not sent:\n%s", b)
	}

	if err := f.srv.SetUploadConsent(f.email, true); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, args...); r.code != 0 {
		t.Fatalf("after consent: exit %d:\n%s", r.code, r.stderr)
	}
	stored := len(f.srv.Activities(f.email))
	if stored <= 2 {
		t.Fatalf("%d uploaded after consent: too few for the first run's stop to mean anything", stored)
	}
	if r := runCLI(t, args...); r.code != 0 || len(f.srv.Activities(f.email)) != stored {
		t.Errorf("re-run: exit %d, %d activities, want a no-op with %d", r.code, len(f.srv.Activities(f.email)), stored)
	}
}

// TestActivitiesStillProcessing: uploads Garmin has taken but does not show
// within --upload-wait are left processing (exit 3, said as activities);
// a later run, once Garmin shows them, records them without uploading
// again.
func TestActivitiesStillProcessing(t *testing.T) {
	f := newFake(t, sandbox.Options{})
	f.srv.SetActivityOptions(sandbox.ActivityOptions{ProcessingDelay: time.Second, PollAfter: 100 * time.Millisecond})
	journal := filepath.Join(t.TempDir(), "j.jsonl")
	args := append(f.args(), "import", "../../fitbit/testdata/exercise/takeout", "--types", "activities",
		"--timezone", "UTC", "--state", journal, "--rate", "400", "--upload-wait", "200ms")
	r := runCLI(t, args...)
	n := f.srv.Uploads() // Activities lists only what Garmin shows
	if r.code != exitPartial || n == 0 {
		t.Fatalf("exit %d with %d uploaded, want 3 with some processing:\n%s%s", r.code, n, r.stdout, r.stderr)
	}
	want := fmt.Sprintf("processing:         %d activities Garmin took but does not show yet", n)
	if !strings.Contains(r.stdout, want) {
		t.Errorf("summary lacks %q:\n%s", want, r.stdout)
	}
	statusHas := func(want ...string) {
		t.Helper()
		st := runCLI(t, "status", "--state", journal)
		for _, w := range want {
			if !strings.Contains(st.stdout, w) {
				t.Errorf("status lacks %q:\n%s%s", w, st.stdout, st.stderr)
			}
		}
	}
	statusHas(fmt.Sprintf("Activities: %d days touched", n), fmt.Sprintf("processing: %d days", n), "done:      0 days")
	time.Sleep(time.Second)
	uploads := f.srv.Uploads()
	if r := runCLI(t, append(args, "-q")...); r.code != 0 {
		t.Fatalf("later run: exit %d:\n%s", r.code, r.stderr)
	}
	if f.srv.Uploads() != uploads || len(f.srv.Activities(f.email)) != n || len(f.srv.Activities(f.email)) == 0 {
		t.Errorf("later run uploaded %d more; want the processing ones recorded, not sent again", f.srv.Uploads()-uploads)
	}
	statusHas(fmt.Sprintf("done:      %d days (%d activities added)", n, n))
}
