package fitbit

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestActivities reads a Takeout with an exercise JSON, a UserExercises
// CSV, GPS day files (one session crossing UTC midnight, two devices) and
// a TCX, as a folder and as a zip, watching which files are opened.
func TestActivities(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Skip("no tz database:", err)
	}
	for _, p := range []string{"testdata/exercise/takeout", "testdata/exercise/takeout.zip"} {
		t.Run(filepath.Base(p), func(t *testing.T) {
			e, opened := openCounting(t, p)
			if !e.HasActivities() || e.HasWater() || len(e.ActivityFiles()) != 2 {
				t.Fatalf("has activities %v, water %v, files %v", e.HasActivities(), e.HasWater(), e.ActivityFiles())
			}
			var got []string
			var acts []Activity
			for a, err := range e.Activities(la) {
				if err != nil {
					t.Fatal(err)
				}
				acts = append(acts, a)
				pts, err := e.Track(a)
				if err != nil {
					t.Fatal(err)
				}
				hr := 0
				for _, p := range pts {
					hr = max(hr, p.HR)
				}
				if n, anyHR, err := e.TrackSize(a); err != nil || n != len(pts) || anyHR != (hr > 0) {
					t.Errorf("%s: TrackSize = %d, %v, %v; Track has %d points, HR %v", a.LogID, n, anyHR, err, len(pts), hr > 0)
				}
				got = append(got, fmt.Sprintf("%s %s %s %q %s off=%v dur=%v dist=%.1f pts=%d hr=%d",
					a.Start.Format(time.RFC3339), a.LogID, a.LogType, a.Name, typeOf(a), a.Offset, a.Duration, a.DistanceM, len(pts), hr))
			}
			want := []string{
				// No CSV row: the TCX's <Id> gives the offset (+11:00).
				`2018-02-05T05:04:37Z 700 tracker "Run" 90009 off=11h0m0s dur=11m39s dist=152.0 pts=5 hr=77`,
				// Manual: the wall clock 20:07 in Los Angeles (PDT).
				`2020-05-12T03:07:00Z 31001 manual "Weights" 2131 off=-7h0m0s dur=56m0s dist=0.0 pts=0 hr=0`,
				// Joined with its CSV row: the CSV's offset; 3.1 mi.
				`2023-04-17T17:41:19Z 55107342913 tracker "Run" 90009 off=-7h0m0s dur=30m0s dist=4989.0 pts=30 hr=0`,
				`2023-04-17T17:50:00Z 55107342999 auto_detected "Walk" 90013 off=-7h0m0s dur=10m0s dist=0.0 pts=0 hr=0`,
				// Only in the CSV.
				`2023-05-01T12:00:00Z csv-2000000000000000001 tracker "Structured Workout" 0 off=-7h0m0s dur=45m0s dist=0.0 pts=0 hr=0`,
				// Across UTC midnight: both day files, the device with most fixes.
				`2023-06-30T23:50:00Z 600 tracker "Bike" 90001 off=-7h0m0s dur=30m0s dist=10000.0 pts=30 hr=0`,
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("activities:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			for _, name := range *opened {
				if strings.Contains(name, "heart_rate") {
					t.Errorf("opened %s: heart-rate files are never read", name)
				}
			}
			bike := acts[len(acts)-1]
			pts, _ := e.Track(bike)
			if last := pts[len(pts)-1]; last.DistanceM == nil || *last.DistanceM < 1000 || !last.Time.Before(bike.End()) {
				t.Errorf("bike track ends %+v", last)
			}
		})
	}
}

func typeOf(a Activity) string { return fmt.Sprint(a.TypeID) }

func TestExerciseBadInput(t *testing.T) {
	tests := []struct {
		name, json, want string
	}{
		{"not an array", `{"logId":1}`, `JSON starting with "{"`},
		{"no start", `[{"logId":1,"duration":1000}]`, `record 1: no "startTime" or no "duration"`},
		{"bad start", `[{"logId":1,"startTime":"yesterday","duration":1000}]`, `record 1: startTime "yesterday"`},
		{"bad unit", `[{"logId":1,"startTime":"04/17/23 17:41:19","duration":1000,"distance":1,"distanceUnit":"furlong"}]`, `distanceUnit "furlong"`},
		{"bad type", `[{"logId":"x","startTime":"04/17/23 17:41:19","duration":1000}]`, `record 1: logId "x"`},
		{"cut short", `[{"logId":1,"startTime":"04/17/23 17:41:19","duration":1000},{"logId":2`, `record 2: broken JSON`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errs []string
			n := 0
			s := newSink(Source{File: "x.zip", Entry: "Global Export Data/exercise-0.json"}, func(_ Activity, err error) bool {
				if err != nil {
					errs = append(errs, err.Error())
				} else {
					n++
				}
				return true
			})
			readExerciseJSON(strings.NewReader(tt.json), time.UTC, s)
			if len(errs) == 0 || !strings.Contains(errs[0], tt.want) || !strings.HasPrefix(errs[0], "x.zip:Global Export Data/exercise-0.json") {
				t.Errorf("errors %q, want one naming the file and %q", errs, tt.want)
			}
		})
	}
}

func TestUserExercisesBadRows(t *testing.T) {
	csv := "exercise_id,exercise_start,exercise_end,utc_offset,activity_name,log_type\n" +
		"1,2023-04-17 17:41:19+0000,2023-04-17 18:11:19+0000,-07:00,Outdoor Run,TRACKER\n" +
		"2,2023-04-17 17:41:19+0000,2023-04-17 18:11:19+0000,-7 hours,Outdoor Run,TRACKER\n" +
		"3,soon,2023-04-17 18:11:19+0000,-07:00,Outdoor Run,TRACKER\n"
	var errs []string
	var got []Activity
	s := newSink(Source{File: "UserExercises_2023.csv"}, func(a Activity, err error) bool {
		if err != nil {
			errs = append(errs, err.Error())
		} else {
			got = append(got, a)
		}
		return true
	})
	readUserExercises(strings.NewReader(csv), s)
	if len(got) != 1 || got[0].Offset != -7*time.Hour || got[0].Duration != 30*time.Minute {
		t.Errorf("rows %+v", got)
	}
	want := []string{`UserExercises_2023.csv:3: utc_offset "-7 hours"`, `UserExercises_2023.csv:4: exercise_start "soon"`}
	if len(errs) != 2 || !strings.HasPrefix(errs[0], want[0]) || !strings.HasPrefix(errs[1], want[1]) {
		t.Errorf("errors %q, want %q", errs, want)
	}
	bad := newSink(Source{File: "u.csv"}, func(_ Activity, err error) bool { errs = append(errs, fmt.Sprint(err)); return true })
	readUserExercises(strings.NewReader("id,start\n1,2\n"), bad)
	if !strings.Contains(errs[len(errs)-1], "u.csv:1: header") {
		t.Errorf("unknown header: %q", errs[len(errs)-1])
	}
}

func TestHaversine(t *testing.T) {
	// One degree of latitude is about 111.2 km.
	if d := haversineM(0, 0, 1, 0); math.Abs(d-111195) > 50 {
		t.Errorf("1 degree = %.0f m", d)
	}
	if d := haversineM(10, 20, 10, 20); d != 0 {
		t.Errorf("same point = %v", d)
	}
}

func TestHeartRateFiles(t *testing.T) {
	e, err := Open("testdata/exercise/takeout.zip")
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	var run Activity
	for a, err := range e.Activities(time.UTC) {
		if err != nil {
			t.Fatal(err)
		}
		if a.LogID == "55107342913" {
			run = a
		}
	}
	hr, err := e.HeartRate(run)
	if err != nil || len(hr) != 1 || hr[0].HR != 150 {
		t.Fatalf("HeartRate = %+v, %v; want the one sample of 150 bpm", hr, err)
	}
	track, _ := e.Track(run)
	merged := WithHeartRate(track, hr)
	if merged[0].HR != 150 || merged[1].HR != 0 {
		t.Errorf("merged: first %d bpm, second %d bpm; want 150 on the point at the sample only", merged[0].HR, merged[1].HR)
	}
	if got := WithHeartRate(nil, hr); len(got) != 1 {
		t.Errorf("no track: %+v, want the samples", got)
	}
}

// TestJoinWithinSeconds: a CSV row a few seconds off its JSON log is the
// same session (eshirvana matched within ±5 s); one further off is another.
func TestJoinWithinSeconds(t *testing.T) {
	root := t.TempDir()
	write := func(rel, body string) {
		p := filepath.Join(root, "Takeout", "Fitbit", rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("Global Export Data/exercise-0.json", `[
		{"logId":1,"activityName":"Run","activityTypeId":90009,"logType":"tracker","startTime":"04/17/23 17:41:19","duration":1800000},
		{"logId":2,"activityName":"Walk","activityTypeId":90013,"logType":"tracker","startTime":"04/18/23 10:00:00","duration":1800000}]`)
	write("Health Fitness Data_GoogleData/UserExercises_2023.csv", "exercise_id,exercise_start,exercise_end,utc_offset,activity_name,log_type\n"+
		"7,2023-04-17 17:41:22+0000,2023-04-17 18:11:22+0000,-07:00,Outdoor Run,TRACKER\n"+
		"8,2023-04-18 10:00:09+0000,2023-04-18 10:30:09+0000,-07:00,Outdoor Walk,TRACKER\n")
	e, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	var got []string
	for a, err := range e.Activities(time.UTC) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %s %v", a.LogID, a.Start.Format(time.TimeOnly), a.Offset))
	}
	want := []string{"1 17:41:22 -7h0m0s", "2 10:00:00 0s", "csv-8 10:00:09 -7h0m0s"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("got %q, want %q", got, want)
	}
}
