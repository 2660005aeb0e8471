package importer

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"fitbit2garmin/state"
)

// StatusReport summarises a journal without asking Garmin.
type StatusReport struct {
	Kind        Kind           `json:"kind"`
	Days        int            `json:"days"`         // days the journal has touched
	DaysDone    int            `json:"days_done"`    // latest run on the day complete
	DaysPending int            `json:"days_pending"` // begun, some ops not done yet
	DaysSkipped int            `json:"days_skipped"` // skipped and not begun since
	DaysUndone  int            `json:"days_undone"`  // taken back by undo
	Uncertain   []string       `json:"uncertain"`    // days with an op sent but not answered
	Processing  []string       `json:"processing"`   // days with an upload Garmin took but does not show yet
	Failed      []string       `json:"failed"`       // days with an op Garmin rejected
	Conflicts   []string       `json:"conflicts"`    // days in conflict
	OpsDone     int            `json:"ops_done"`     // ops done in the days' latest runs
	OpsPending  int            `json:"ops_pending"`  // ops not done yet
	MLAdded     float64        `json:"ml_added"`     // net water this tool added and has not taken back
	FirstDate   string         `json:"first_date"`   // earliest day touched
	LastDate    string         `json:"last_date"`    // latest day touched
	SkipReasons map[string]int `json:"skip_reasons"`
}

// Status replays a journal's events into a report for one kind of data.
func Status(events []state.Event, kind Kind) *StatusReport {
	return statusOf(replay(events), kind)
}

// Statuses replays a journal's events once into a report for each kind
// of data the journal has touched.
func Statuses(events []state.Event) map[Kind]*StatusReport {
	h := replay(events)
	reps := map[Kind]*StatusReport{}
	for k := range h.days {
		if reps[k.Kind] == nil {
			reps[k.Kind] = statusOf(h, k.Kind)
		}
	}
	return reps
}

// statusOf is the report of one kind of a replayed journal.
func statusOf(h *history, kind Kind) *StatusReport {
	rep := &StatusReport{Kind: kind, SkipReasons: map[string]int{}}
	var dates []string
	for k := range h.days {
		if k.Kind == kind {
			dates = append(dates, k.Date)
		}
	}
	sort.Strings(dates)
	for _, date := range dates {
		dh := h.days[dayKey{kind, date}]
		rep.Days++
		b := dh.current
		switch {
		case b == nil:
			rep.DaysSkipped++
			rep.SkipReasons[dh.skip]++
			continue
		case b.Conflict != nil:
			rep.Conflicts = append(rep.Conflicts, date)
		case b.complete() && b.Run == RunUndo:
			rep.DaysUndone++
		case b.complete():
			rep.DaysDone++
		default:
			rep.DaysPending++
		}
		uncertain, failed := false, false
		if b.processing() > 0 {
			rep.Processing = append(rep.Processing, date)
		}
		for _, op := range b.Ops {
			switch b.Status[op.ID] {
			case opDone:
				rep.OpsDone++
			case opSent:
				uncertain = true
				rep.OpsPending++
			case opFailed:
				failed = true
				rep.OpsPending++
			default:
				rep.OpsPending++
			}
		}
		if uncertain {
			rep.Uncertain = append(rep.Uncertain, date)
		}
		if failed {
			rep.Failed = append(rep.Failed, date)
		}
		if dh.imports != nil {
			rep.MLAdded += dh.imports.doneAmount()
		}
		if b.Run == RunUndo {
			rep.MLAdded += b.doneAmount()
		}
	}
	rep.MLAdded = roundML(rep.MLAdded)
	if len(dates) > 0 {
		rep.FirstDate, rep.LastDate = dates[0], dates[len(dates)-1]
	}
	return rep
}

// Mismatch is a day whose total on Garmin differs from what it should hold.
type Mismatch struct {
	Date     string  `json:"date"`
	ExportML float64 `json:"export_ml"`
	WantML   float64 `json:"want_ml"`
	GarminML float64 `json:"garmin_ml"`
	Note     string  `json:"note"`
	Skip     string  `json:"skip,omitempty"` // with note "skipped": the code of why the run left the day alone
}

// VerifyReport compares Garmin's daily totals with the export's.
type VerifyReport struct {
	Days       int        `json:"days"`
	Matching   int        `json:"matching"`
	Mismatches []Mismatch `json:"mismatches"`
	Requests   int        `json:"requests"`
}

// Verify reads Garmin's totals for the plan's days, 28 days a read, and
// lists the days that differ from what they should hold: the export's total,
// plus what was there before when the journal says the tool added on top of
// existing water (--existing add), or the journal's note when it skipped the day.
func Verify(ctx context.Context, api WaterAPI, plan *Plan, events []state.Event) (*VerifyReport, error) {
	h := replay(events)
	rep := &VerifyReport{Days: len(plan.Days)}
	var err error
	rep.Requests, err = eachWindow(ctx, plan, api.HydrationRange, func(day Day, totals map[string]float64) {
		got := totals[day.Date]
		want := day.ML
		note, skip := "", ""
		if dh := h.days[dayKey{plan.Kind, day.Date}]; dh != nil {
			switch {
			case dh.current == nil && dh.skip != "":
				want = got
				note = "skipped"
				skip = dh.skip
			case dh.current != nil && dh.current.Run == RunUndo && dh.current.complete():
				want = dh.current.Base + dh.current.doneAmount()
				note = "undone"
			case dh.current != nil && dh.current.Run == RunImport:
				want = dh.current.Base + dh.current.doneAmount()
				if !dh.current.complete() {
					note = "import not finished"
				} else if dh.current.Base != 0 {
					note = "includes water that was there before"
				}
				if dh.current.Conflict != nil {
					note = "conflicted"
				}
			}
		} else {
			note = "not imported by this journal"
		}
		if near(got, want, 1.5) {
			rep.Matching++
			return
		}
		rep.Mismatches = append(rep.Mismatches, Mismatch{Date: day.Date, ExportML: day.ML, WantML: roundML(want), GarminML: got, Note: note, Skip: skip})
	})
	return rep, err
}

// eachWindow reads what Garmin holds over the plan's days, one range read
// per 28 days starting at the first day not yet covered, and calls visit
// for each day with the read that covers it. It returns the reads made.
func eachWindow[T any](ctx context.Context, plan *Plan, read func(ctx context.Context, start, end string) (T, error), visit func(Day, T)) (int, error) {
	var v T
	reads := 0
	windowEnd := ""
	for _, day := range plan.Days {
		if day.Date > windowEnd {
			s, _ := time.Parse(time.DateOnly, day.Date)
			end := min(s.AddDate(0, 0, RangeDays-1).Format(time.DateOnly), plan.Last())
			var err error
			v, err = read(ctx, day.Date, end)
			reads++
			if err != nil {
				return reads, err
			}
			windowEnd = end
		}
		visit(day, v)
	}
	return reads, nil
}

// UndoDay is what undo would take back from one day.
type UndoDay struct {
	Date string  `json:"date"`
	ML   float64 `json:"ml"`
}

// UndoPlan lists, from the journal alone, what undo would take back: per
// day, the water this tool's latest import added and has not yet taken back.
func UndoPlan(events []state.Event, kind Kind) []UndoDay {
	h := replay(events)
	var out []UndoDay
	for k, dh := range h.days {
		if k.Kind != kind || dh.imports == nil {
			continue
		}
		if dh.current.Run == RunUndo && dh.current.complete() {
			continue
		}
		ml := dh.imports.doneAmount()
		if dh.current.Run == RunUndo {
			ml += dh.current.doneAmount() // part already taken back
		}
		if ml > 0 {
			out = append(out, UndoDay{Date: k.Date, ML: roundML(ml)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date < out[j].Date })
	return out
}

// UndoItem is an item (a weigh-in, an activity) undo would delete.
type UndoItem struct {
	Date string `json:"date"`
	Time string `json:"time"`
	// Kg is a weigh-in's weight.
	Kg float64 `json:"kg,omitempty"`
	// Sport and Seconds are an activity's family and duration.
	Sport   string  `json:"sport,omitempty"`
	Seconds float64 `json:"seconds,omitempty"`
	// ID is the item's id on Garmin; "" for one sent whose id is not known
	// yet (still processing when the import stopped), which undo finds by
	// its time (and weight, or sport) once Garmin shows it.
	ID string `json:"id"`
}

// UndoItems lists, from the journal alone, the items of kind (weight or
// activities; nil for water, whose undo is per day: UndoPlan) undo would
// delete: the ops the kind's own undo takes, less those an undo has
// deleted already.
func UndoItems(events []state.Event, name Kind) []UndoItem {
	k, _, err := newKind(name, &Runner{})
	if err != nil {
		return nil
	}
	items, ok := k.(itemKind)
	if !ok {
		return nil
	}
	var out []UndoItem
	for key, dh := range replay(events).days {
		if key.Kind != name || dh.imports == nil {
			continue
		}
		// These kinds decide an undo from the import block alone.
		_, decide, _ := k.undo(key.Date, dh.imports)
		if decide == nil {
			continue
		}
		b, _, err := decide(context.Background())
		if err != nil || b == nil {
			continue
		}
		for _, op := range b.Ops {
			if cur := dh.current; cur.Run == RunUndo && cur.Status[op.ID] == opDone {
				continue
			}
			out = append(out, items.undoItem(key.Date, op))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Time < out[j].Time })
	return out
}

// Verify tolerances for weigh-ins: Garmin keeps weight in grams and FIT
// files carry it in hundredths of a kg; body fat in hundredths of a point.
const (
	VerifyKg  = 0.01
	VerifyFat = 0.1
)

// VerifyWeight reads Garmin's weigh-ins for the plan's days, 28 days a
// read, and compares them with the plan's, weigh-in by weigh-in (by the
// minute it was taken): missing on Garmin; different (weight beyond
// VerifyKg, body fat beyond VerifyFat points or only on one side); extra,
// a second weigh-in in the same minute and weight (a repeated upload) or
// one the journal (events) says this tool created that matches no planned
// weigh-in.
func VerifyWeight(ctx context.Context, api WeightAPI, plan *Plan, loc *time.Location, events []state.Event) (*VerifyReport, error) {
	ours := oursIn(events, KindWeight)
	return verifyItems(ctx, plan, api.WeighIns, func(day Day, list []WeighIn) []string {
		return verifyWeighIns(day, list, loc, ours)
	})
}

// oursIn is the ids the journal records of items an import of kind created.
func oursIn(events []state.Event, kind Kind) map[string]bool {
	ours := map[string]bool{}
	for _, ev := range events {
		if ev.Kind == string(kind) && ev.T == state.TypeDone && ev.Ref != "" && !strings.HasPrefix(ev.Op, undoPrefix) {
			ours[ev.Ref] = true
		}
	}
	return ours
}

// verifyItems walks the plan's windows and turns each day's notes into
// mismatches: the verify of every kind whose items Garmin lists by window.
func verifyItems[T any](ctx context.Context, plan *Plan, read func(ctx context.Context, start, end string) ([]T, error), day func(Day, []T) []string) (*VerifyReport, error) {
	rep := &VerifyReport{Days: len(plan.Days)}
	var err error
	rep.Requests, err = eachWindow(ctx, plan, read, func(d Day, list []T) {
		notes := day(d, list)
		for _, n := range notes {
			rep.Mismatches = append(rep.Mismatches, Mismatch{Date: d.Date, Note: n})
		}
		if len(notes) == 0 {
			rep.Matching++
		}
	})
	return rep, err
}

// verifyWeighIns compares one day's planned weigh-ins with Garmin's list
// and returns a note for each difference.
func verifyWeighIns(day Day, list []WeighIn, loc *time.Location, ours map[string]bool) []string {
	var notes []string
	used := map[int64]bool{}
	fatText := func(f *float64) string {
		if f == nil {
			return "no body fat"
		}
		return fmt.Sprintf("body fat %.1f%%", *f)
	}
	var planned []state.Op
	for _, op := range day.Ops {
		sop := state.Op{ID: op.ID, Amount: op.Kg, Time: op.Time, Fat: op.Fat}
		planned = append(planned, sop)
		i := slices.IndexFunc(list, func(w WeighIn) bool { return !used[w.ID] && matches(w, sop, loc) })
		if i < 0 {
			i = slices.IndexFunc(list, func(w WeighIn) bool { return !used[w.ID] && sameMinute(w, sop, loc) })
		}
		clock := op.Time[11:16]
		if i < 0 {
			notes = append(notes, "missing on Garmin: "+clock+" "+op.Shown)
			continue
		}
		w := list[i]
		used[w.ID] = true
		fatDiffers := (w.Fat == nil) != (op.Fat == nil) || (w.Fat != nil && math.Abs(*w.Fat-*op.Fat) > VerifyFat)
		if math.Abs(w.Kg-op.Kg) > VerifyKg || fatDiffers {
			notes = append(notes, fmt.Sprintf("different at %s: Garmin %.2f kg, %s; export %.2f kg, %s", clock, w.Kg, fatText(w.Fat), op.Kg, fatText(op.Fat)))
		}
	}
	for _, w := range list {
		if used[w.ID] || w.Date != day.Date {
			continue
		}
		copyOf := slices.ContainsFunc(planned, func(op state.Op) bool { return matches(w, op, loc) })
		why := "a second copy of a planned weigh-in"
		if ours[fmt.Sprint(w.ID)] {
			why = "put there by this tool"
		}
		if copyOf || ours[fmt.Sprint(w.ID)] {
			notes = append(notes, fmt.Sprintf("extra on Garmin: %s %.2f kg, %s (id %d, %s)", w.Time[min(11, len(w.Time)):min(16, len(w.Time))], w.Kg, fatText(w.Fat), w.ID, why))
		}
	}
	return notes
}
