package importer

import (
	"context"
	"fmt"

	"fitbit2garmin/state"
)

// WaterAPI is what the runner needs of Garmin for water. Totals are in ml;
// a day with nothing logged has total 0.
type WaterAPI interface {
	// HydrationRange returns the daily totals from start to end inclusive
	// (days without water may be missing from the map).
	HydrationRange(ctx context.Context, start, end string) (map[string]float64, error)
	// HydrationDay returns one day's total.
	HydrationDay(ctx context.Context, date string) (float64, error)
	// LogWater adds ml to the day and returns the day's new total.
	LogWater(ctx context.Context, date, timestampLocal string, ml float64) (float64, error)
}

// water is the kind for hydration: Garmin keeps one total per day that a
// write adds to, with no id, so a day is decided from its total and a lost
// answer is settled by reading the total back (garmin-api.md, Hydration).
type water struct {
	r      *Runner
	totals *windows[map[string]float64]
}

func (w *water) span(first, last string, dates []string) {
	w.totals = newWindows(w.r, first, last, dates, w.r.API.HydrationRange)
}

func (w *water) ml(op state.Op) float64 { return op.Amount }

// decide reads the day's existing total and applies the --existing policy.
func (w *water) decide(ctx context.Context, day Day) (*block, string, error) {
	totals, err := w.totals.get(ctx, day.Date)
	if err != nil {
		return nil, "", err
	}
	existing := totals[day.Date]
	b := &block{Run: RunImport, Mode: string(ExistingAdd), Base: existing, Last: existing, Status: map[string]opStatus{}}
	ops := day.Ops
	if existing > 0 {
		switch w.r.Existing {
		case ExistingSkip:
			return nil, DaySkipExisting, nil
		case ExistingTopUp:
			missing := roundML(day.ML - existing)
			if missing < 1 {
				return nil, DaySkipComplete, nil
			}
			b.Mode = string(ExistingTopUp)
			ops = nil
			t := day.Ops[len(day.Ops)-1].Time
			for i, part := range splitML(missing) {
				op := Op{Kind: string(KindWater) + "-top-up", Date: day.Date, Seq: i, Time: t, ML: part}
				op.ID = opID(op)
				ops = append(ops, op)
			}
		}
	}
	for _, op := range ops {
		b.Ops = append(b.Ops, state.Op{ID: op.ID, Amount: op.ML, Time: op.Time})
	}
	return b, "", nil
}

// undo takes back what the import added to the day with negative writes,
// decided against the day's total at the time.
func (w *water) undo(date string, imports *block) (int, decideFunc, string) {
	added := imports.doneAmount()
	if added <= 0 {
		return 0, nil, DaySkipNothing
	}
	parts := splitML(added)
	return len(parts), func(ctx context.Context) (*block, string, error) {
		totals, err := w.totals.get(ctx, date)
		if err != nil {
			return nil, "", err
		}
		current := totals[date]
		if current < added-0.5 {
			// Taking back more than the day holds would leave Garmin
			// below zero: someone removed water by hand.
			return nil, "", &conflictErr{Conflict{Date: date, Got: current, Want: []float64{added}}}
		}
		b := &block{Run: RunUndo, Mode: string(RunUndo), Base: current, Last: current, Status: map[string]opStatus{}}
		t := imports.Ops[len(imports.Ops)-1].Time
		for i, part := range parts {
			op := Op{Kind: string(KindWater) + "-undo", Date: date, Seq: i, Time: t, ML: -part}
			op.ID = opID(op)
			b.Ops = append(b.Ops, state.Op{ID: op.ID, Amount: -part, Time: t})
		}
		return b, "", nil
	}, ""
}

// actions adds water; a lost answer is settled by the day's total.
func (w *water) actions(key dayKey, b *block, op state.Op) opActions {
	done := func(total float64) *state.Event {
		return &state.Event{T: state.TypeDone, Kind: string(key.Kind), Date: key.Date, Op: op.ID, Total: f64(total)}
	}
	return opActions{
		landed: func(ctx context.Context) (*state.Event, bool) {
			landed, total, ok := w.reconcile(ctx, key, b, op)
			if !ok || !landed {
				return nil, ok
			}
			return done(total), true
		},
		write: func(_, wctx context.Context) (*state.Event, bool, error) {
			total, err := w.r.API.LogWater(wctx, key.Date, op.Time, op.Amount)
			return done(total), true, err
		},
	}
}

// reconcile reads the day back to learn whether an uncertain op landed:
// the total it had before plus the op, or the total before. Anything else
// is a conflict, journaled and reported, never guessed. ok is false when
// the day must stop (conflict, or the run stopping).
func (w *water) reconcile(ctx context.Context, key dayKey, b *block, op state.Op) (landed bool, total float64, ok bool) {
	r := w.r
	total, err := r.read(ctx, func(ctx context.Context) (float64, error) {
		return r.API.HydrationDay(ctx, key.Date)
	})
	if err != nil {
		r.stopOn(ctx, err)
		return false, 0, false
	}
	with := roundML(b.Last + op.Amount)
	switch {
	case near(total, with, op.Amount):
		return true, total, true
	case near(total, b.Last, op.Amount):
		return false, total, true
	}
	c := Conflict{Date: key.Date, Got: total, Want: []float64{b.Last, with}}
	e := state.Event{T: state.TypeConflict, Kind: string(key.Kind), Date: key.Date, Op: op.ID, Total: f64(total), Want: c.Want,
		Reason: ConflictNeither}
	if err := r.Journal.Append(e); err != nil {
		r.fail(fmt.Errorf("write journal: %w", err))
		return false, 0, false
	}
	b.Conflict = &e
	r.mu.Lock()
	r.result.Conflicts = append(r.result.Conflicts, c)
	r.mu.Unlock()
	return false, 0, false
}
