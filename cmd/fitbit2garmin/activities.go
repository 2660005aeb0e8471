package main

import (
	"cmp"
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"fitbit2garmin/fitbit"
	"fitbit2garmin/garmin"
	"fitbit2garmin/importer"
)

// activityFlags are the filters of the exercise history.
func activityFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "activity-types", Usage: "activities: only these sports or Fitbit names, comma-separated (running, cycling, walking, swimming, hiking, training, fitness, \"Outdoor Bike\")", EnvVars: envs("activity-types")},
		&cli.DurationFlag{Name: "min-duration", Usage: "activities: leave out those shorter than this (e.g. 5m)", EnvVars: envs("min-duration")},
		&cli.BoolFlag{Name: "skip-auto-detected", Usage: "activities: leave out SmartTrack's automatic logs", EnvVars: envs("skip-auto-detected")},
		&cli.BoolFlag{Name: "heart-rate-files", Usage: "activities: take heart rate from the heart_rate_*.csv day files when the track has none (large: read only with this flag)", EnvVars: envs("heart-rate-files")},
	}
}

// planActivities reads the exercise history and plans it. Each log's track
// is counted (TrackSize: the fixes' times only); the upload reads it whole
// again, so a plan never holds every track.
func (p *planned) planActivities(opts importer.PlanOptions, filter importer.ActivityFilter) error {
	for _, s := range p.export.ActivityFiles() {
		p.activityFiles = append(p.activityFiles, s.String())
	}
	p.activityByKey = map[string]fitbit.Activity{}
	records := func(yield func(importer.ActivityRecord, error) bool) {
		for a, err := range p.export.Activities(p.loc) {
			if err != nil {
				if !yield(importer.ActivityRecord{}, err) {
					return
				}
				continue
			}
			points, hr, err := p.export.TrackSize(a)
			if err != nil {
				if !yield(importer.ActivityRecord{}, err) {
					return
				}
				continue
			}
			p.activityByKey[a.LogID] = a
			if !yield(importer.ActivityRecord{Activity: a, Points: points, TrackHR: hr}, nil) {
				return
			}
		}
	}
	var err error
	p.activities, err = importer.BuildActivityPlan(records, opts, filter)
	return err
}

// trackWithHeartRate reads an activity's track and, with
// --heart-rate-files, fills in heart rate from the day files.
func (p *planned) trackWithHeartRate(a fitbit.Activity) ([]fitbit.TrackPoint, error) {
	pts, err := p.export.Track(a)
	if err != nil || !p.heartRateFiles {
		return pts, err
	}
	for _, pt := range pts {
		if pt.HR > 0 {
			return pts, nil // the TCX has its own
		}
	}
	hr, err := p.export.HeartRate(a)
	if err != nil {
		return nil, err
	}
	return fitbit.WithHeartRate(pts, hr), nil
}

// fitSerial derives the FIT file_id serial from the account: never 0.
func fitSerial(profile *garmin.Profile) uint32 {
	h := fnv.New32a()
	if profile != nil {
		fmt.Fprint(h, "fitbit2garmin:", profile.ProfileID)
	}
	return h.Sum32() | 1
}

// track gives a planned activity's samples in FIT terms, leaving out any
// the FIT file cannot hold (outside the session, out of range).
func (p *planned) track(_ context.Context, op *importer.ActivityOp) ([]garmin.TrackPoint, error) {
	a, ok := p.activityByKey[op.Key]
	if !ok {
		return nil, nil
	}
	pts, err := p.trackWithHeartRate(a)
	if err != nil {
		return nil, err
	}
	start, end := op.Start.Truncate(time.Second), op.Start.Truncate(time.Second).Add(op.Duration)
	var out []garmin.TrackPoint
	prev := start
	for _, pt := range pts {
		t := pt.Time.Truncate(time.Second)
		if t.Before(prev) || t.After(end) {
			continue
		}
		tp := garmin.TrackPoint{Time: t, DistanceM: pt.DistanceM}
		if pt.HasPosition {
			tp.Position = &garmin.LatLon{Lat: pt.Lat, Lon: pt.Lon}
		}
		if pt.AltitudeM != nil && *pt.AltitudeM > -500 && *pt.AltitudeM < 12000 {
			tp.AltitudeM = pt.AltitudeM
		}
		if pt.HR > 0 && pt.HR < 255 {
			tp.HeartRate = uint8(pt.HR)
		}
		out = append(out, tp)
		prev = t
	}
	return out, nil
}

// activityDryRun is the activities part of a dry run.
type activityDryRun struct {
	Files      []string         `json:"files"`
	Activities []dryRunActivity `json:"activities"`
	ByType     map[string]int   `json:"by_type"`
	ByLogType  map[string]int   `json:"by_log_type"`
	Unknown    []string         `json:"unknown_types,omitempty"`
	Skipped    map[string]int   `json:"skipped"`
	Problems   []string         `json:"problems,omitempty"`
	Requests   int              `json:"requests"`
}

type dryRunActivity struct {
	Date  string               `json:"date"`
	Time  string               `json:"time"`
	Op    *importer.ActivityOp `json:"activity"`
	Shown string               `json:"shown"`
}

func newActivityDryRun(p *planned) *activityDryRun {
	d := &activityDryRun{Files: p.activityFiles, ByType: map[string]int{}, ByLogType: map[string]int{}, Skipped: p.activities.Skipped}
	unknown := map[string]bool{}
	for _, day := range p.activities.Days {
		for _, op := range day.Ops {
			a := op.Activity
			d.Activities = append(d.Activities, dryRunActivity{Date: day.Date, Time: op.Time[11:16], Op: a, Shown: op.Shown})
			d.ByType[a.Type+" → "+a.Sport.Name]++
			d.ByLogType[cmp.Or(a.LogType, "unknown")]++
			if !a.Sport.Known {
				unknown[a.Type] = true
			}
		}
	}
	d.Unknown = slices.Sorted(maps.Keys(unknown))
	for _, e := range p.activities.Problems {
		d.Problems = append(d.Problems, e.Error())
	}
	if n := len(d.Activities); n > 0 {
		// One upload each, and one search per 28 days (garmin-api.md
		// "Find"); an upload still processing costs a search or two more.
		d.Requests = n + p.activities.RangeReads()
	}
	return d
}

func printActivityDryRun(w io.Writer, d *activityDryRun) {
	printFiles(w, "Activity files used:", d.Files)
	fmt.Fprintf(w, "%-10s  %-5s  %s\n", "DATE", "START", "ACTIVITY")
	for _, a := range d.Activities {
		fmt.Fprintf(w, "%-10s  %-5s  %s\n", a.Date, a.Time, a.Shown)
	}
	fmt.Fprintln(w, "Activity summary:")
	fmt.Fprintf(w, "  activities: %d (each uploaded unless Garmin already has one at the same start)\n", len(d.Activities))
	for _, k := range slices.Sorted(maps.Keys(d.ByType)) {
		fmt.Fprintf(w, "    %-40s %d\n", k, d.ByType[k])
	}
	fmt.Fprint(w, "  log types: ")
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(d.ByLogType)) {
		parts = append(parts, fmt.Sprintf("%d %s", d.ByLogType[k], k))
	}
	fmt.Fprintln(w, strings.Join(parts, ", "))
	if len(d.Unknown) > 0 {
		fmt.Fprintf(w, "  unknown types (uploaded as generic): %s\n", strings.Join(d.Unknown, ", "))
	}
	fmt.Fprintf(w, "  requests:  %d\n", d.Requests)
	fmt.Fprintf(w, "  skipped:   %s\n", skippedText(d.Skipped))
	for _, pr := range d.Problems {
		fmt.Fprintf(w, "    %s\n", pr)
	}
}
