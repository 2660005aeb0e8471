package importer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"fitbit2garmin/state"
)

// ErrDuplicate is an upload Garmin refused as a copy of an activity it
// holds (a 409 "Duplicate Activity."). Which activity it means is settled
// by searching, never by the id in the answer (garmin-api.md
// "Duplicates": hevy2garmin #279 got a watch activity's id back).
var ErrDuplicate = errors.New("Garmin already holds this activity (duplicate)")

// GarminActivity is an activity as Garmin holds it.
type GarminActivity struct {
	ID int64
	// Start is the instant it began (startTimeGMT).
	Start time.Time
	// TypeKey is Garmin's type ("running"); Family its FamilyOfType.
	TypeKey, Family string
	Duration        time.Duration
	DistanceM       float64
	Name            string
	// Manufacturer is "GARMIN" for a watch's recording.
	Manufacturer string
}

// ActivityAPI is what the runner needs of Garmin for activities.
type ActivityAPI interface {
	// Activities lists the activities that started from local date start
	// to end inclusive, and a day either side (Garmin's search takes the
	// account's calendar days).
	Activities(ctx context.Context, start, end string) ([]GarminActivity, error)
	// Upload sends the op's activity as a FIT file through Garmin's import
	// path. id is the new activity's when Garmin's answer names it; 0 with
	// a nil error means Garmin is processing the file. A copy of an
	// activity Garmin holds is ErrDuplicate.
	Upload(ctx context.Context, a *ActivityOp) (id int64, err error)
	// DeleteActivity deletes one activity; one already gone is not an error.
	DeleteActivity(ctx context.Context, id int64) error
	// RenameActivity sets an activity's name.
	RenameActivity(ctx context.Context, id int64, name string) error
}

// Activity reasons journaled on done ops.
const (
	// ReasonDuplicate is an upload Garmin called a duplicate of an activity
	// that the search did not show either: it is not ours to delete.
	ReasonDuplicate = "duplicate"
)

// activity is the kind for exercise logs: each is one uploaded FIT file
// that Garmin processes after answering (202), so, like a weigh-in, its
// id is learnt by finding it (same start within SameStart, same family)
// and recorded; a lost answer is settled by searching, and an upload is
// sent again only when Garmin still lacks it Runner.ResendAfter after it
// was sent. A repeat that did land is refused with a 409 (the file's
// identity is stable: file_id time_created = start, a fixed serial).
type activity struct {
	r           *Runner
	held        *windows[[]GarminActivity]
	first, last string
	// fresh, set for the end-of-run pass, reads the windows of the days
	// with uploads still processing once more, shared by their ops.
	fresh *windows[[]GarminActivity]

	mu  sync.Mutex
	ops map[string]*ActivityOp // the plan's ops, by id
}

func (a *activity) span(first, last string, dates []string) {
	a.first, a.last = first, last
	a.held = newWindows(a.r, first, last, dates, a.r.Activities.Activities)
}

// recheck lets the days whose uploads Garmin was still processing share
// one fresh search per 28-day window: it waits 1, 2, 4 … s (garth's
// recorded 202 asks for a poll after 1 s; hevy2garmin searches after 3, 5
// and 10 s), reading the windows again each time, until every pending
// upload shows or Runner.UploadWait has passed. Then one upload and about
// one search per window is all an activity costs.
func (a *activity) recheck(ctx context.Context, pending []*dayJob) {
	r := a.r
	var dates []string
	for _, job := range pending {
		dates = append(dates, job.key.Date)
	}
	waited := time.Duration(0)
	for pause := time.Second; ; pause *= 2 {
		pause = min(pause, r.UploadWait-waited)
		if pause <= 0 || r.Sleep(ctx, pause) != nil {
			return
		}
		waited += pause
		a.fresh = newWindows(r, a.first, a.last, dates, r.Activities.Activities)
		if a.allShown(ctx, pending) {
			return
		}
	}
}

// allShown reports whether the fresh windows show every upload still
// processing (a failed read counts as shown: the day's own read will say).
func (a *activity) allShown(ctx context.Context, pending []*dayJob) bool {
	for _, job := range pending {
		list, err := a.fresh.get(ctx, job.key.Date)
		if err != nil {
			return true
		}
		for _, op := range job.b.Ops {
			if job.b.Status[op.ID] == opProcessing && !slices.ContainsFunc(list, func(g GarminActivity) bool { return sameActivity(g, op) }) {
				return false
			}
		}
	}
	return true
}

// planned learns the plan's activities, which the upload needs whole.
func (a *activity) planned(p *Plan) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.ops = map[string]*ActivityOp{}
	for _, d := range p.Days {
		for _, op := range d.Ops {
			if op.Activity != nil {
				a.ops[op.ID] = op.Activity
			}
		}
	}
}

// op is the planned activity of an op id; nil in an undo run or for an op
// the plan does not hold.
func (a *activity) op(id string) *ActivityOp {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.ops[id]
}

func (a *activity) ml(state.Op) float64 { return 0 }

// decide leaves out the activities Garmin already holds at the same start
// (a watch may have recorded them too).
func (a *activity) decide(ctx context.Context, day Day) (*block, string, error) {
	list, err := a.held.get(ctx, day.Date)
	if err != nil {
		return nil, "", err
	}
	b := &block{Run: RunImport, Mode: "new-only", Status: map[string]opStatus{}}
	for _, op := range day.Ops {
		sop := activityStateOp(op)
		if slices.ContainsFunc(list, func(g GarminActivity) bool { return sameActivity(g, sop) }) {
			a.r.mu.Lock()
			a.r.result.OpsExisting++
			a.r.mu.Unlock()
			continue
		}
		b.Ops = append(b.Ops, sop)
	}
	if len(b.Ops) == 0 {
		return nil, DaySkipRecorded, nil
	}
	return b, "", nil
}

// activityStateOp is the journal's record of an activity op.
func activityStateOp(op Op) state.Op {
	s := state.Op{ID: op.ID, Time: op.Time}
	if a := op.Activity; a != nil {
		s.Amount = a.Seconds
		s.GMT = a.Start.UTC().Format(time.RFC3339)
		s.Sport = a.Sport.Family
	}
	return s
}

// sameActivity reports whether Garmin's activity g is the op's session:
// the same start within SameStart, and a family that may be the same.
func sameActivity(g GarminActivity, op state.Op) bool {
	start, err := time.Parse(time.RFC3339, op.GMT)
	if err != nil {
		return false
	}
	d := g.Start.Sub(start)
	return d < SameStart && d > -SameStart && sameFamily(g.Family, op.Sport)
}

// undo deletes, by id, the activities the import created, and finds by
// start those it sent without learning their id.
func (a *activity) undo(_ string, imports *block) (int, decideFunc, string) {
	b := &block{Run: RunUndo, Mode: string(RunUndo), Status: map[string]opStatus{}, From: imports}
	for _, op := range imports.Ops {
		if imports.Status[op.ID] != opDone && !imports.uncertain(op.ID) {
			continue
		}
		ref := imports.Refs[op.ID]
		if imports.Status[op.ID] == opDone && ref == "" {
			continue // a duplicate of one we did not create
		}
		b.Ops = append(b.Ops, state.Op{ID: undoPrefix + op.ID, Amount: -op.Amount, Time: op.Time, GMT: op.GMT, Sport: op.Sport, Ref: ref})
	}
	if len(b.Ops) == 0 {
		return 0, nil, DaySkipNothing
	}
	return len(b.Ops), func(context.Context) (*block, string, error) { return b, "", nil }, ""
}

// actions uploads an activity, or for an undo block deletes one.
func (a *activity) actions(key dayKey, b *block, op state.Op) opActions {
	if b.Run == RunUndo {
		return a.deleteActions(key, b, op)
	}
	return a.addActions(key, b, op)
}

// find searches the op's day (and the days either side) for its activity
// not claimed by another done op; ok is false when the run is stopping.
func (a *activity) find(ctx context.Context, key dayKey, b *block, op state.Op) (ref string, ok bool) {
	list, ok := readList(ctx, a.r, func(ctx context.Context) ([]GarminActivity, error) {
		if a.fresh != nil {
			return a.fresh.get(ctx, key.Date)
		}
		return a.r.Activities.Activities(ctx, key.Date, key.Date)
	})
	if !ok {
		return "", false
	}
	taken := claimed(b)
	for _, g := range list {
		if id := strconv.FormatInt(g.ID, 10); !taken[id] && sameActivity(g, op) {
			a.keepName(ctx, g, op)
			return id, true
		}
	}
	return "", true
}

// keepName gives an uploaded activity its Fitbit name when Garmin shows
// another (the name travels in the FIT file's sport message, but no
// capture shows Garmin using it; Garmin ignores a TCX's name, garmin-api.md
// "Upload a file"): one rename (PUT, answered 204 in garth's recorded
// cassette) only when needed. A failed rename is left alone: the activity
// is there, only its name differs.
func (a *activity) keepName(ctx context.Context, g GarminActivity, op state.Op) {
	planned := a.op(op.ID)
	if planned == nil || planned.Name == "" || g.Name == planned.Name {
		return
	}
	_, _ = a.r.read(ctx, func(ctx context.Context) (float64, error) {
		return 0, a.r.Activities.RenameActivity(ctx, g.ID, planned.Name)
	})
}

// addActions uploads one activity and learns its id: from the answer, or,
// while Garmin processes it (202), from the end-of-run search (recheck) or
// a later run's. A lost answer is settled by searching, and the file is
// sent again only after Runner.ResendAfter (garmin-api.md "Polling": never
// re-POST after an unclear outcome; polls have 404ed for activities that
// existed).
func (a *activity) addActions(key dayKey, b *block, op state.Op) opActions {
	r := a.r
	done := func(ref, reason string) *state.Event {
		return &state.Event{T: state.TypeDone, Kind: string(key.Kind), Date: key.Date, Op: op.ID, Ref: ref, Reason: reason}
	}
	processing := &state.Event{T: state.TypeProcessing, Reason: ReasonNotShown}
	return opActions{
		landed: r.landedBySearch(b, op, func(ctx context.Context) (string, bool) { return a.find(ctx, key, b, op) },
			func(ref string) *state.Event { return done(ref, "") }),
		write: func(ctx, wctx context.Context) (*state.Event, bool, error) {
			planned := a.op(op.ID)
			if planned == nil {
				return nil, false, Rejected(fmt.Errorf("activity %s is not in this export's plan", op.ID))
			}
			id, err := r.Activities.Upload(wctx, planned)
			dup := errors.Is(err, ErrDuplicate)
			if err != nil && !dup {
				return nil, false, err
			}
			switch {
			case id != 0 && !dup:
				return done(strconv.FormatInt(id, 10), ""), true, nil
			case !dup:
				// Processing: found by the end-of-run search, or a later run.
				return processing, true, nil
			}
			// A 409: Garmin holds this file or this start. Ours if the
			// search shows it; otherwise not ours to record.
			ref, ok := a.find(ctx, key, b, op)
			switch {
			case !ok:
				return nil, false, nil
			case ref != "":
				return done(ref, ""), true, nil
			}
			return done("", ReasonDuplicate), true, nil
		},
	}
}

// deleteActions deletes one activity the import created: by the id it
// recorded, or, for one sent without learning its id, the one found at its
// start (not found by ResendAfter after it was sent: never landed).
func (a *activity) deleteActions(key dayKey, b *block, op state.Op) opActions {
	r := a.r
	added := op
	added.ID = strings.TrimPrefix(op.ID, undoPrefix)
	var sent time.Time
	if b.From != nil {
		sent = b.From.SentAt[added.ID]
	}
	target := func(ctx context.Context) (string, bool) {
		if op.Ref != "" {
			return a.stillThere(ctx, key, op.Ref)
		}
		return a.find(ctx, key, b, added)
	}
	absent := func() *state.Event {
		if op.Ref == "" && r.Now().Sub(sent) < r.ResendAfter {
			return &state.Event{T: state.TypeProcessing, Reason: ReasonNotShown}
		}
		return &state.Event{T: state.TypeDone, Kind: string(key.Kind), Date: key.Date, Op: op.ID, Ref: op.Ref, Reason: ReasonNeverShown}
	}
	return deleteFound(key, op, target, absent, func(wctx context.Context, ref string) error {
		id, err := refID("activity", ref)
		if err != nil {
			return err
		}
		return r.Activities.DeleteActivity(wctx, id)
	})
}

// undoItem describes the undo op that deletes one activity.
func (a *activity) undoItem(date string, op state.Op) UndoItem {
	return UndoItem{Date: date, Time: op.Time, Sport: op.Sport, Seconds: -op.Amount, ID: op.Ref}
}

// stillThere returns ref when Garmin still lists that activity on the day.
func (a *activity) stillThere(ctx context.Context, key dayKey, ref string) (string, bool) {
	list, ok := readList(ctx, a.r, func(ctx context.Context) ([]GarminActivity, error) {
		return a.r.Activities.Activities(ctx, key.Date, key.Date)
	})
	if !ok {
		return "", false
	}
	if slices.ContainsFunc(list, func(g GarminActivity) bool { return strconv.FormatInt(g.ID, 10) == ref }) {
		return ref, true
	}
	return "", true
}

// readList reads a list with the runner's retries; ok is false when the
// run is stopping (the error has been handed to stopOn).
func readList[T any](ctx context.Context, r *Runner, read func(ctx context.Context) ([]T, error)) ([]T, bool) {
	var list []T
	_, err := r.read(ctx, func(ctx context.Context) (float64, error) {
		var err error
		list, err = read(ctx)
		return 0, err
	})
	if err != nil {
		r.stopOn(ctx, err)
		return nil, false
	}
	return list, true
}

// VerifyActivities compares every planned activity with Garmin's: missing
// (nothing at its start), different (sport family, duration beyond 1 % or
// a minute, distance beyond 1 %; not checked for another device's
// recording of the session), and extra (a second activity at a planned
// start, or one this tool created, by the journal's ids, that matches
// nothing planned).
func VerifyActivities(ctx context.Context, api ActivityAPI, plan *Plan, events []state.Event) (*VerifyReport, error) {
	ours := oursIn(events, KindActivity)
	used := map[int64]bool{}
	return verifyItems(ctx, plan, api.Activities, func(day Day, list []GarminActivity) []string {
		return verifyDay(day, list, used, ours)
	})
}

// verifyDay compares one day's planned activities with Garmin's.
func verifyDay(day Day, list []GarminActivity, used map[int64]bool, ours map[string]bool) []string {
	var notes []string
	for _, op := range day.Ops {
		a := op.Activity
		sop := activityStateOp(op)
		clock := op.Time[11:16]
		var at []GarminActivity
		for _, g := range list {
			if sameActivity(g, sop) {
				at = append(at, g)
			}
		}
		if len(at) == 0 {
			notes = append(notes, "missing on Garmin: "+clock+" "+op.Shown)
			continue
		}
		g := at[0]
		used[g.ID] = true
		tolerance := max(time.Minute, a.Duration/100)
		// Another device's recording of the session (the journal knows
		// ours): its values are its own, not a mistake of the import.
		theirs := len(ours) > 0 && !ours[strconv.FormatInt(g.ID, 10)]
		if d := g.Duration - a.Duration; !theirs && (d > tolerance || d < -tolerance || !sameFamily(g.Family, a.Sport.Family) ||
			math.Abs(g.DistanceM-a.DistanceM) > 0.01*max(a.DistanceM, 100)) {
			notes = append(notes, fmt.Sprintf("different at %s: Garmin %s, %s, %.2f km; export %s, %s, %.2f km", clock,
				cmp.Or(g.TypeKey, g.Family), g.Duration.Round(time.Second), g.DistanceM/1000, a.Sport.Name, a.Duration.Round(time.Second), a.DistanceM/1000))
		}
		for _, extra := range at[1:] {
			used[extra.ID] = true
			notes = append(notes, fmt.Sprintf("extra on Garmin at %s: activity %d, a second copy of a planned one", clock, extra.ID))
		}
	}
	for _, g := range list {
		if ours[strconv.FormatInt(g.ID, 10)] && !used[g.ID] && g.Start.UTC().Format(time.DateOnly) == day.Date {
			used[g.ID] = true
			notes = append(notes, fmt.Sprintf("extra on Garmin: activity %d, put there by this tool, matches nothing planned", g.ID))
		}
	}
	return notes
}
