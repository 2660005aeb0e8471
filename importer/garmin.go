package importer

import (
	"context"

	"fitbit2garmin/garmin"
)

// GarminWater adapts a *garmin.Client to WaterAPI.
type GarminWater struct{ Client *garmin.Client }

var _ WaterAPI = GarminWater{}

// HydrationRange implements WaterAPI with the client's paged range read.
func (g GarminWater) HydrationRange(ctx context.Context, start, end string) (map[string]float64, error) {
	days, err := g.Client.HydrationRange(ctx, start, end)
	if err != nil {
		return nil, err
	}
	out := make(map[string]float64, len(days))
	for _, d := range days {
		if d.ValueInML != nil {
			out[d.CalendarDate] = *d.ValueInML
		}
	}
	return out, nil
}

// HydrationDay implements WaterAPI.
func (g GarminWater) HydrationDay(ctx context.Context, date string) (float64, error) {
	d, err := g.Client.HydrationDay(ctx, date)
	if err != nil || d.ValueInML == nil {
		return 0, err
	}
	return *d.ValueInML, nil
}

// LogWater implements WaterAPI.
func (g GarminWater) LogWater(ctx context.Context, date, ts string, ml float64) (float64, error) {
	d, err := g.Client.LogWater(ctx, garmin.HydrationLog{CalendarDate: date, TimestampLocal: ts, ValueInML: ml})
	if err != nil {
		return 0, err
	}
	if d.ValueInML == nil {
		// A 2xx without a body: the write landed but the total is unknown;
		// read it back so the journal keeps an exact expectation.
		total, err := g.HydrationDay(ctx, date)
		if err != nil {
			// The write landed; only its result is missing. Reconciliation
			// will read the day again.
			return 0, &garmin.OutcomeUnknownError{Method: "PUT", Path: "hydration/log", Err: err}
		}
		return total, nil
	}
	return *d.ValueInML, nil
}
