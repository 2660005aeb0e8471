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

// itemKind is a kind whose ops are items Garmin keeps with an id (a
// weigh-in, an activity), which undo deletes one by one.
type itemKind interface {
	// undoItem describes the undo op of date that deletes one item.
	undoItem(date string, op state.Op) UndoItem
}

// What each kind is, checked at compile time.
var (
	_ kind        = (*water)(nil)
	_ kind        = (*weight)(nil)
	_ kind        = (*activity)(nil)
	_ itemKind    = (*weight)(nil)
	_ itemKind    = (*activity)(nil)
	_ planKind    = (*activity)(nil)
	_ recheckKind = (*activity)(nil)
)

// newKind returns the kind named, wired to r, and whether r holds its
// API. This is the one place that lists the kinds.
func newKind(name Kind, r *Runner) (k kind, hasAPI bool, err error) {
	switch name {
	case KindWater:
		return &water{r: r}, r.API != nil, nil
	case KindWeight:
		return &weight{r: r}, r.Weight != nil, nil
	case KindActivity:
		return &activity{r: r}, r.Activities != nil, nil
	}
	return nil, false, fmt.Errorf("importer: unknown kind %q", name)
}

// kindOf returns the kind named, wired to its API; an error when the
// runner was given no API for it.
func (r *Runner) kindOf(name Kind) (kind, error) {
	k, hasAPI, err := newKind(name, r)
	if err != nil {
		return nil, err
	}
	if !hasAPI {
		return nil, fmt.Errorf("importer: no Garmin API for %s", name)
	}
	return k, nil
}
