package importer

import (
	"context"
	"fmt"

	"fitbit2garmin/state"
)

// kind is one kind of data the runner moves. Everything else (the day
// queue, the journal, retries, pacing, settling a lost answer, the window
// reads) exists once in the runner; a kind says only:
//   - how a planned day is decided on its first touch, from what Garmin
//     already holds (decide),
//   - how one op is written and how to tell, by reading Garmin back,
//     whether a sent op landed (actions),
//   - how what an import put on a day is taken back (undo).
//
// Adding a kind adds a file implementing this, its API interface, and one
// line in Runner.kindOf.
type kind interface {
	// span starts a run over [first, last]; dates are the days that will be
	// decided, so that only their windows are read.
	span(first, last string, dates []string)
	// decide returns the block for a planned day on its first touch, or
	// nil and a reason to skip the day.
	decide(ctx context.Context, day Day) (*block, string, error)
	// actions says how to send op of block b, and how to settle it when
	// its answer was lost.
	actions(key dayKey, b *block, op state.Op) opActions
	// undo says how to take back imports, the import block of date: how
	// many ops that takes, and how to decide the undo block on first touch.
	// A nil decide with a reason means there is nothing to take back.
	undo(date string, imports *block) (ops int, decide decideFunc, skip string)
	// ml is what a done op adds to the run's water count (0 for other kinds).
	ml(op state.Op) float64
}

// planKind is a kind that needs the whole plan before a run (an upload
// built from the planned record).
type planKind interface {
	planned(p *Plan)
}

// recheckKind is a kind that prepares the end-of-run read of the ops
// Garmin still processes (a shared, fresh read of their windows).
type recheckKind interface {
	recheck(ctx context.Context, pending []*dayJob)
}

// Kinds names every kind the importer moves, in the order a run takes them.
func Kinds() []Kind { return []Kind{KindWater, KindWeight, KindActivity} }

// kindOf returns the kind named, wired to its API; an error when the
// runner was given no API for it.
func (r *Runner) kindOf(name Kind) (kind, error) {
	var k kind
	switch name {
	case KindWater:
		if r.API != nil {
			k = &water{r: r}
		}
	case KindWeight:
		if r.Weight != nil {
			k = &weight{r: r}
		}
	case KindActivity:
		if r.Activities != nil {
			k = &activity{r: r}
		}
	default:
		return nil, fmt.Errorf("importer: unknown kind %q", name)
	}
	if k == nil {
		return nil, fmt.Errorf("importer: no Garmin API for %s", name)
	}
	return k, nil
}
