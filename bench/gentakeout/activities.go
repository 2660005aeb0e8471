package main

// With -activities N, gentakeout writes a Takeout of an exercise history
// instead of water: years of logs (exercise-N.json, 100 per file as Takeout
// writes them, plus UserExercises CSV rows for the last two years) and
// -gps-days of GPS day files at 1 Hz, for the activities dry-run benchmark
// (bench/activities.sh).

import (
	"archive/zip"
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"time"
)

type logEntry struct {
	LogID          int64   `json:"logId"`
	ActivityName   string  `json:"activityName"`
	ActivityTypeID int64   `json:"activityTypeId"`
	LogType        string  `json:"logType"`
	StartTime      string  `json:"startTime"`
	Duration       int64   `json:"duration"`
	ActiveDuration int64   `json:"activeDuration"`
	Calories       int     `json:"calories"`
	Steps          int     `json:"steps,omitempty"`
	Distance       float64 `json:"distance,omitempty"`
	DistanceUnit   string  `json:"distanceUnit,omitempty"`
	AverageHR      int     `json:"averageHeartRate"`
	HasGPS         bool    `json:"hasGps"`
}

const root = "Takeout/Fitbit/"

// writeActivities writes the exercise Takeout to path.
func writeActivities(path string, years, n, gpsDays int, rng *rand.Rand) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zw := zip.NewWriter(bufio.NewWriterSize(f, 1<<20))
	end := time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
	first := end.AddDate(-years, 0, 0)
	span := end.Sub(first)
	types := []struct {
		id   int64
		name string
	}{{90009, "Run"}, {90013, "Walk"}, {90001, "Bike"}, {1071, "Outdoor Bike"}, {2131, "Weights"}, {3001, "Aerobic Workout"}, {90024, "Swim"}}
	var logs []logEntry
	for i := range n {
		ty := types[rng.IntN(len(types))]
		start := first.Add(time.Duration(rng.Int64N(int64(span)))).Truncate(time.Second)
		dur := time.Duration(10+rng.IntN(80)) * time.Minute
		lt := "auto_detected"
		if rng.IntN(4) == 0 {
			lt = "tracker"
		}
		logs = append(logs, logEntry{LogID: 40000000000 + int64(i), ActivityName: ty.name, ActivityTypeID: ty.id, LogType: lt,
			StartTime: start.Format("01/02/06 15:04:05"), Duration: dur.Milliseconds(), ActiveDuration: dur.Milliseconds(),
			Calories: 100 + rng.IntN(600), Steps: rng.IntN(9000), Distance: float64(rng.IntN(15000)) / 1000, DistanceUnit: "Kilometer",
			AverageHR: 90 + rng.IntN(80)})
	}
	// The last gpsDays days: one tracked run a day with its GPS day file.
	for d := range gpsDays {
		day := end.AddDate(0, 0, -gpsDays+d)
		start := day.Add(time.Duration(6+rng.IntN(12))*time.Hour + time.Duration(rng.IntN(3600))*time.Second)
		dur := time.Duration(25+rng.IntN(40)) * time.Minute
		logs = append(logs, logEntry{LogID: 50000000000 + int64(d), ActivityName: "Run", ActivityTypeID: 90009, LogType: "tracker",
			StartTime: start.Format("01/02/06 15:04:05"), Duration: dur.Milliseconds(), ActiveDuration: dur.Milliseconds(),
			Calories: 300, Steps: 5000, Distance: 5.5, DistanceUnit: "Kilometer", AverageHR: 150, HasGPS: true})
		if err := gpsFile(zw, day, start, dur, rng); err != nil {
			return err
		}
	}
	rng.Shuffle(len(logs), func(i, j int) { logs[i], logs[j] = logs[j], logs[i] })
	for i := 0; i < len(logs); i += 100 {
		w, err := zw.Create(fmt.Sprintf("%sGlobal Export Data/exercise-%d.json", root, i))
		if err != nil {
			return err
		}
		if err := json.NewEncoder(w).Encode(logs[i:min(i+100, len(logs))]); err != nil {
			return err
		}
	}
	if err := userExercises(zw, logs, end.AddDate(-2, 0, 0)); err != nil {
		return err
	}
	return zw.Close()
}

// gpsFile writes a day's fixes: a 1 Hz track over the run, and a fix a
// minute over the rest of the waking day (as a phone records).
func gpsFile(zw *zip.Writer, day, start time.Time, dur time.Duration, rng *rand.Rand) error {
	w, err := zw.Create(fmt.Sprintf("%sPhysical Activity_GoogleData/gps_location_%s.csv", root, day.Format(time.DateOnly)))
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "timestamp,latitude,longitude,altitude")
	lat, lon := 40+rng.Float64(), -74+rng.Float64()
	for t := day.Add(6 * time.Hour); t.Before(day.Add(23 * time.Hour)); {
		step := time.Minute
		if !t.Before(start) && t.Before(start.Add(dur)) {
			step = time.Second
		}
		lat += 0.00002
		fmt.Fprintf(bw, "%s,%.6f,%.6f,%.1f\n", t.Format(time.RFC3339), lat, lon, 20+rng.Float64())
		t = t.Add(step)
	}
	return bw.Flush()
}

// userExercises writes the CSV rows of the logs since from (Takeout has
// them for recent years only).
func userExercises(zw *zip.Writer, logs []logEntry, from time.Time) error {
	w, err := zw.Create(root + "Health Fitness Data_GoogleData/UserExercises_" + from.Format(time.DateOnly) + ".csv")
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "exercise_id,exercise_start,exercise_end,utc_offset,activity_name,log_type,tracker_total_calories,tracker_total_distance_mm")
	for i, l := range logs {
		start, _ := time.Parse("01/02/06 15:04:05", l.StartTime)
		if start.Before(from) {
			continue
		}
		end := start.Add(time.Duration(l.Duration) * time.Millisecond)
		fmt.Fprintf(bw, "%d,%s,%s,-05:00,%s,%s,%d,%d\n", 7000000+i, start.Format("2006-01-02 15:04:05-0700"), end.Format("2006-01-02 15:04:05-0700"),
			l.ActivityName, l.LogType, l.Calories, int(l.Distance*1e6))
	}
	return bw.Flush()
}
