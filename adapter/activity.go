package adapter

import (
	"context"
	"errors"
	"fmt"
	"time"

	"fitbit2garmin/garmin"
	"fitbit2garmin/importer"
)

// GarminActivities adapts a *garmin.Client to importer.ActivityAPI: each
// planned activity goes up as a FIT file through Garmin's import path
// (garmin-api.md "Upload a file": not forwarded to linked services such as
// Strava, python-garminconnect #322).
type GarminActivities struct {
	Client *garmin.Client
	// Serial is the FIT file_id serial number, the same for every file of
	// one user, so that a repeat of an upload hits Garmin's duplicate
	// check (garmin-api.md "Duplicates"). Must not be 0.
	Serial uint32
	// Track, when set, gives the samples of a planned activity (read from
	// the export when it is sent, so a plan never holds every track). Nil,
	// or no samples, uploads the summary alone.
	Track func(ctx context.Context, a *importer.ActivityOp) ([]garmin.TrackPoint, error)
}

var _ importer.ActivityAPI = GarminActivities{}

// Activities implements ActivityAPI: Garmin's search takes the account's
// calendar days, so it is widened by a day each side and the instants
// compared (hevy2garmin matches startTimeGMT; garmin-api.md "Find").
func (g GarminActivities) Activities(ctx context.Context, start, end string) ([]importer.GarminActivity, error) {
	from, err := shiftDate(start, -1)
	if err != nil {
		return nil, err
	}
	to, err := shiftDate(end, 1)
	if err != nil {
		return nil, err
	}
	list, err := g.Client.SearchActivities(ctx, from, to)
	if err != nil {
		return nil, Classify(err)
	}
	out := make([]importer.GarminActivity, 0, len(list))
	for _, a := range list {
		d := a.Elapsed
		if d == 0 {
			d = a.Duration
		}
		out = append(out, importer.GarminActivity{
			ID: a.ID, Start: a.StartGMT, TypeKey: a.TypeKey, Family: importer.FamilyOfType(a.TypeKey),
			Duration: d, DistanceM: a.DistanceM, Name: a.Name, Manufacturer: a.Manufacturer,
		})
	}
	return out, nil
}

func shiftDate(date string, days int) (string, error) {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return "", importer.Rejected(fmt.Errorf("date %q: %w", date, err))
	}
	return t.AddDate(0, 0, days).Format(time.DateOnly), nil
}

// Upload implements ActivityAPI. A 202 (processing) gives id 0; a 409 is
// importer.ErrDuplicate, its id not trusted (hevy2garmin #279).
func (g GarminActivities) Upload(ctx context.Context, a *importer.ActivityOp) (int64, error) {
	fit := ActivityFIT(a, g.Serial)
	if g.Track != nil {
		pts, err := g.Track(ctx, a)
		if err != nil {
			return 0, importer.Rejected(fmt.Errorf("track of %s: %w", a.Key, err))
		}
		fit.Records = pts
	}
	b, err := garmin.EncodeActivityFIT(fit)
	if err != nil {
		return 0, importer.Rejected(fmt.Errorf("FIT file of %s: %w", a.Key, err))
	}
	up, err := g.Client.ImportActivity(ctx, "fitbit-"+a.Key+".fit", b)
	var dup *garmin.DuplicateActivityError
	switch {
	case errors.As(err, &dup):
		return 0, fmt.Errorf("%w: %w", importer.ErrDuplicate, err)
	case err != nil:
		return 0, Classify(err)
	case up.Done():
		return up.ActivityID, nil
	}
	return 0, nil
}

// ActivityFIT is the FIT content of a planned activity without its track:
// start (file_id.time_created, with serial the file's identity), the local
// offset (activity.local_timestamp, which decides Garmin's day), sport,
// the Fitbit name, and the totals.
func ActivityFIT(a *importer.ActivityOp, serial uint32) *garmin.ActivityFIT {
	avg := uint8(0)
	if a.AvgHR > 0 && a.AvgHR < 256 {
		avg = uint8(a.AvgHR)
	}
	return &garmin.ActivityFIT{
		Start: a.Start, UTCOffset: a.Offset, Sport: a.Sport.FIT, SubSport: a.Sport.Sub, Name: a.Name,
		Elapsed: a.Duration, Timer: min(a.Active, a.Duration), DistanceM: a.DistanceM,
		Calories: a.Calories, Steps: a.Steps, AvgHR: avg, Serial: serial, DeviceInfo: true,
	}
}

// DeleteActivity implements ActivityAPI.
func (g GarminActivities) DeleteActivity(ctx context.Context, id int64) error {
	err := g.Client.DeleteActivity(ctx, id)
	if notFound(err) {
		return nil
	}
	return Classify(err)
}

// RenameActivity implements ActivityAPI.
func (g GarminActivities) RenameActivity(ctx context.Context, id int64, name string) error {
	return Classify(g.Client.RenameActivity(ctx, id, name))
}
