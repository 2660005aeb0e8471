// Package adapter connects the importer to the Garmin client: it turns
// importer's small API interfaces into garmin.Client calls and garmin's
// errors into the importer's behaviour classes (rejected, retry after,
// outcome unknown, unauthorized). It is the only place that knows both.
package adapter

import (
	"context"
	"errors"
	"time"

	"fitbit2garmin/garmin"
	"fitbit2garmin/importer"
)

// GarminWater adapts a *garmin.Client to importer.WaterAPI.
type GarminWater struct{ Client *garmin.Client }

var _ importer.WaterAPI = GarminWater{}

// HydrationRange implements WaterAPI with the client's paged range read.
func (g GarminWater) HydrationRange(ctx context.Context, start, end string) (map[string]float64, error) {
	days, err := g.Client.HydrationRange(ctx, start, end)
	if err != nil {
		return nil, Classify(err)
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
		return 0, Classify(err)
	}
	return *d.ValueInML, nil
}

// LogWater implements WaterAPI.
func (g GarminWater) LogWater(ctx context.Context, date, ts string, ml float64) (float64, error) {
	d, err := g.Client.LogWater(ctx, garmin.HydrationLog{CalendarDate: date, TimestampLocal: ts, ValueInML: ml})
	if err != nil {
		return 0, Classify(err)
	}
	if d.ValueInML == nil {
		// A 2xx without a body: the write landed but the total is unknown;
		// read it back so the journal keeps an exact expectation.
		total, err := g.HydrationDay(ctx, date)
		if err != nil {
			// The write landed; only its result is missing. Reconciliation
			// will read the day again.
			return 0, Classify(&garmin.OutcomeUnknownError{Method: "PUT", Path: "hydration/log", Err: err})
		}
		return total, nil
	}
	return *d.ValueInML, nil
}

// GarminWeight adapts a *garmin.Client to importer.WeightAPI: a weigh-in with body
// fat goes up as a FIT file (Garmin's JSON endpoint takes weight only).
type GarminWeight struct{ Client *garmin.Client }

var _ importer.WeightAPI = GarminWeight{}

func weighIns(list []garmin.WeighIn) []importer.WeighIn {
	out := make([]importer.WeighIn, 0, len(list))
	for _, w := range list {
		wi := importer.WeighIn{ID: w.SamplePK, Date: w.Date, GMT: w.GMT, Kg: w.Kg, Fat: w.FatPercent}
		if !w.Local.IsZero() {
			wi.Time = w.Local.Format("2006-01-02T15:04:05")
		}
		out = append(out, wi)
	}
	return out
}

// WeighIns implements WeightAPI.
func (g GarminWeight) WeighIns(ctx context.Context, start, end string) ([]importer.WeighIn, error) {
	list, err := g.Client.WeightRange(ctx, start, end)
	return weighIns(list), Classify(err)
}

// WeighInsOn implements WeightAPI.
func (g GarminWeight) WeighInsOn(ctx context.Context, date string) ([]importer.WeighIn, error) {
	list, err := g.Client.WeightDay(ctx, date)
	return weighIns(list), Classify(err)
}

// AddWeighIn implements WeightAPI: a weigh-in without body fat goes to the
// weight endpoint (shown at once); with body fat it is uploaded as a FIT
// file, which Garmin processes after its 202 (later is true).
func (g GarminWeight) AddWeighIn(ctx context.Context, local, gmt time.Time, kg float64, fat, bmi *float64) (bool, error) {
	if fat == nil {
		return false, Classify(g.Client.AddWeight(ctx, garmin.WeighInEntry{Local: local, GMT: gmt, Kg: kg}))
	}
	err := g.Client.UploadBodyComposition(ctx, garmin.BodyComposition{Local: local, GMT: gmt, Kg: kg, FatPercent: fat, BMI: bmi})
	if errors.Is(err, garmin.ErrDuplicateUpload) {
		// A 409, should Garmin ever answer one: taken as "it may be
		// there", settled like any upload by reading the day, never on
		// trust.
		return true, nil
	}
	return true, Classify(err)
}

// DeleteWeighIn implements WeightAPI.
func (g GarminWeight) DeleteWeighIn(ctx context.Context, date string, id int64) error {
	err := g.Client.DeleteWeight(ctx, date, id)
	if notFound(err) {
		return nil // already gone
	}
	return Classify(err)
}
