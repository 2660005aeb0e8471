package importer

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"fitbit2garmin/fitbit"
	"fitbit2garmin/state"
)

// KindWeight is weigh-ins (weight, and body fat when known).
const KindWeight Kind = "weight"

// Why weigh-ins are left out of a plan (codes, as for water).
const (
	SkipHealthConnect = "health-connect" // synced in from Health Connect
	SkipDuplicate     = "duplicate"      // the same weigh-in read twice (another file or format)
	SkipNoValue       = "no-value"       // no weight and no body fat
	SkipFatOnly       = "fat-only"       // body fat without a weight (Garmin needs both)
)

// MatchKg is how close two weights must be to be the same weigh-in (with
// the same local minute).
const MatchKg = 0.05

// WeighIn is a weigh-in as Garmin holds it.
type WeighIn struct {
	ID   int64
	Date string    // local YYYY-MM-DD
	Time string    // local 2006-01-02T15:04:05
	GMT  time.Time // the instant, zero when unknown
	Kg   float64
	Fat  *float64
}

// WeightAPI is what the runner needs of Garmin for weigh-ins.
type WeightAPI interface {
	// WeighIns lists the weigh-ins from start to end inclusive.
	WeighIns(ctx context.Context, start, end string) ([]WeighIn, error)
	// WeighInsOn lists one day's weigh-ins.
	WeighInsOn(ctx context.Context, date string) ([]WeighIn, error)
	// AddWeighIn adds a weigh-in at local wall-clock time local (the same
	// instant as gmt); fat, when set, is body fat in percent.
	// fat and bmi, when set, are body fat in percent and the body mass
	// index. later is true when Garmin processes the weigh-in after
	// answering (an uploaded file): it is not in the day view at once.
	AddWeighIn(ctx context.Context, local, gmt time.Time, kg float64, fat, bmi *float64) (later bool, err error)
	// DeleteWeighIn deletes one weigh-in by its id; one already gone is
	// not an error.
	DeleteWeighIn(ctx context.Context, date string, id int64) error
}

// BuildWeightPlan turns weigh-ins into a plan, one op per weigh-in. Rows
// synced in from Health Connect are skipped (they came from elsewhere), and
// the same weigh-in read twice (same local minute, weight within MatchKg)
// is planned once.
func BuildWeightPlan(records iter.Seq2[fitbit.Weight, error], opts PlanOptions) (*Plan, error) {
	if err := opts.validRange(); err != nil {
		return nil, err
	}
	p := &Plan{Kind: KindWeight, Group: GroupEntry, Skipped: map[string]int{}}
	byDate, err := gather(p, records, opts, func(r fitbit.Weight) (string, string, fitbit.Source) { return r.Date, r.Time, r.Source },
		func(rec fitbit.Weight) (string, error) {
			switch {
			case math.IsNaN(rec.Kg) || rec.Kg < 0 || rec.Kg > 500:
				return "", &InvalidRecordError{rec.Source, fmt.Sprintf("weight %.2f kg: expected 0 to 500 kg", rec.Kg)}
			case rec.FatPercent != nil && (math.IsNaN(*rec.FatPercent) || *rec.FatPercent <= 0 || *rec.FatPercent >= 100):
				return "", &InvalidRecordError{rec.Source, fmt.Sprintf("body fat %.2f%%: expected above 0 and below 100", *rec.FatPercent)}
			case fitbit.FromHealthConnect(rec.DataSource):
				return SkipHealthConnect, nil
			case rec.Kg == 0 && rec.FatPercent == nil:
				return SkipNoValue, nil
			}
			return "", nil
		})
	if err != nil {
		return p, err
	}
	for _, date := range slices.Sorted(maps.Keys(byDate)) {
		recs := byDate[date]
		sort.SliceStable(recs, func(i, j int) bool { return weightClock(recs[i]) < weightClock(recs[j]) })
		day := Day{Date: date}
		var kept []fitbit.Weight
		for _, r := range recs {
			if i := sameWeighIn(kept, r); i >= 0 {
				// Keep one; take the body fat or the weight the other lacks.
				if kept[i].FatPercent == nil {
					kept[i].FatPercent = r.FatPercent
				}
				if kept[i].BMI == nil {
					kept[i].BMI = r.BMI
				}
				if kept[i].Kg == 0 {
					kept[i].Kg, kept[i].Value, kept[i].Unit = r.Kg, r.Value, r.Unit
				}
				p.Skipped[SkipDuplicate]++
				continue
			}
			kept = append(kept, r)
		}
		for _, r := range kept {
			if r.Kg == 0 {
				p.Skipped[SkipFatOnly]++
				continue
			}
			op := Op{Kind: string(KindWeight), Date: date, Seq: len(day.Ops), Time: date + "T" + weightClock(r) + ".000",
				Kg: math.Round(r.Kg*1000) / 1000, Fat: r.FatPercent, BMI: r.BMI, Shown: shownWeight(r)}
			op.ID = weightOpID(op)
			day.Ops = append(day.Ops, op)
		}
		day.Entries = len(day.Ops)
		if len(day.Ops) == 0 {
			continue
		}
		p.Days = append(p.Days, day)
		p.Entries += day.Entries
		p.Requests += len(day.Ops)
	}
	return p, nil
}

func weightClock(r fitbit.Weight) string {
	if r.Time == "" {
		return DefaultTime
	}
	return r.Time
}

// sameWeighIn returns the index in kept of a weigh-in r repeats, or -1.
func sameWeighIn(kept []fitbit.Weight, r fitbit.Weight) int {
	for i, k := range kept {
		if weightClock(k)[:5] != weightClock(r)[:5] {
			continue
		}
		if k.Kg == 0 || r.Kg == 0 || math.Abs(k.Kg-r.Kg) <= MatchKg {
			return i
		}
	}
	return -1
}

// shownWeight is the weigh-in as read and as it will be sent.
func shownWeight(r fitbit.Weight) string {
	var s string
	switch {
	case r.Kg == 0:
		s = "no weight"
	case r.Unit == "" || r.Unit == "kg":
		s = fmt.Sprintf("%.2f kg", r.Kg)
	default:
		s = fmt.Sprintf("%s %s → %.2f kg", trimFloat(r.Value), r.Unit, r.Kg)
	}
	if r.FatPercent != nil {
		s += fmt.Sprintf(", body fat %s%%", trimFloat(*r.FatPercent))
	}
	return s
}

func trimFloat(v float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.3f", v), "0"), ".")
}

func weightOpID(op Op) string {
	if op.Fat != nil {
		return contentID("%s|%s|%s|%.2f|%.1f", op.Kind, op.Date, op.Time[:16], op.Kg, *op.Fat)
	}
	return contentID("%s|%s|%s|%.2f", op.Kind, op.Date, op.Time[:16], op.Kg)
}

// matches reports whether Garmin's weigh-in w is the op's weigh-in: the
// weight within MatchKg, at the same minute, local or (Garmin files FIT
// uploads by the instant) UTC in loc.
func matches(w WeighIn, op state.Op, loc *time.Location) bool {
	return math.Abs(w.Kg-op.Amount) <= MatchKg && sameMinute(w, op, loc)
}

// sameMinute reports whether Garmin's weigh-in w was taken in the op's
// minute, local or (Garmin files FIT uploads by the instant) UTC in loc.
func sameMinute(w WeighIn, op state.Op, loc *time.Location) bool {
	if len(op.Time) < 16 {
		return false
	}
	if len(w.Time) >= 16 && w.Time[:16] == op.Time[:16] {
		return true
	}
	local, err := time.ParseInLocation("2006-01-02T15:04:05.000", op.Time, time.UTC)
	if err != nil || w.GMT.IsZero() {
		return false
	}
	return gmtOf(local, loc).Truncate(time.Minute).Equal(w.GMT.UTC().Truncate(time.Minute))
}

// weight is the kind for weigh-ins: Garmin keeps each weigh-in with an
// id, so a day is decided by which of its weigh-ins Garmin already holds,
// the id of each new one is learnt by reading the day back (no write
// answers with it) and recorded, and undo deletes exactly those ids.
type weight struct {
	r    *Runner
	held *windows[[]WeighIn]
}

func (w *weight) span(first, last string, dates []string) {
	w.held = newWindows(w.r, first, last, dates, w.r.Weight.WeighIns)
}

func (w *weight) ml(state.Op) float64 { return 0 }

// decide leaves out the weigh-ins Garmin already holds.
func (w *weight) decide(ctx context.Context, day Day) (*block, string, error) {
	list, err := w.held.get(ctx, day.Date)
	if err != nil {
		return nil, "", err
	}
	existing := slices.DeleteFunc(slices.Clone(list), func(wi WeighIn) bool { return wi.Date != day.Date })
	r := w.r
	b := &block{Run: RunImport, Mode: "new-only", Status: map[string]opStatus{}}
	for _, op := range day.Ops {
		sop := state.Op{ID: op.ID, Amount: op.Kg, Time: op.Time, Fat: op.Fat, BMI: op.BMI}
		if slices.ContainsFunc(existing, func(wi WeighIn) bool { return matches(wi, sop, r.location()) }) {
			r.mu.Lock()
			r.result.OpsExisting++
			r.mu.Unlock()
			continue
		}
		b.Ops = append(b.Ops, sop)
	}
	if len(b.Ops) == 0 {
		return nil, DaySkipWeighedIn, nil
	}
	return b, "", nil
}

// undo deletes, by id, the weigh-ins the import created and recorded,
// and finds, by time and weight, those it sent without learning their id
// (still processing when the run stopped) to delete them once they show.
func (w *weight) undo(_ string, imports *block) (int, decideFunc, string) {
	b := &block{Run: RunUndo, Mode: string(RunUndo), Status: map[string]opStatus{}, From: imports}
	for _, op := range imports.Ops {
		ref := imports.Refs[op.ID]
		// Done with its id; or sent and not settled; or (journals of the
		// release before uploads were waited for) done without an id, which
		// is found by its time and weight like an unsettled one.
		if imports.Status[op.ID] != opDone && !imports.uncertain(op.ID) {
			continue
		}
		b.Ops = append(b.Ops, state.Op{ID: undoPrefix + op.ID, Amount: -op.Amount, Time: op.Time, Fat: op.Fat, Ref: ref})
	}
	if len(b.Ops) == 0 {
		return 0, nil, DaySkipNothing
	}
	return len(b.Ops), func(context.Context) (*block, string, error) { return b, "", nil }, ""
}

// undoItem describes the undo op that deletes one weigh-in.
func (w *weight) undoItem(date string, op state.Op) UndoItem {
	return UndoItem{Date: date, Time: op.Time, Kg: -op.Amount, ID: op.Ref}
}

// undoPrefix makes an undo op's id from the import op it takes back.
const undoPrefix = "undo-"

// actions adds a weigh-in, or for an undo block deletes one.
func (w *weight) actions(key dayKey, b *block, op state.Op) opActions {
	if b.Run == RunUndo && op.Ref == "" {
		return w.findDeleteActions(key, b, op)
	}
	if b.Run == RunUndo {
		return w.deleteActions(key, op)
	}
	return w.addActions(key, b, op)
}

// claimed returns the ids already recorded for the block's done ops.
func claimed(b *block) map[string]bool {
	m := map[string]bool{}
	for id, ref := range b.Refs {
		if b.Status[id] == opDone && ref != "" {
			m[ref] = true
		}
	}
	return m
}

// findWeighIn reads the day and returns the id of the op's weigh-in that
// no other done op has claimed ("" if there is none).
func (w *weight) findWeighIn(ctx context.Context, key dayKey, b *block, op state.Op) (string, bool) {
	r := w.r
	list, ok := readList(ctx, r, func(ctx context.Context) ([]WeighIn, error) { return r.Weight.WeighInsOn(ctx, key.Date) })
	if !ok {
		return "", false
	}
	taken := claimed(b)
	for _, wi := range list {
		ref := fmt.Sprint(wi.ID)
		if !taken[ref] && matches(wi, op, r.location()) {
			return ref, true
		}
	}
	return "", true
}

// addActions adds a weigh-in. Garmin answers without its id, and an
// uploaded file (body fat) is processed after the answer (matin/garth's
// recorded upload: 202, empty successes), so the id is learnt by reading
// the day back until the weigh-in shows, with growing pauses for up to
// Runner.UploadWait. Still not shown, the op is left processing and
// settled later by reading again. A lost answer is settled the same way,
// and the weigh-in is sent again only when the day still lacks it
// Runner.ResendAfter after it was sent: a repeat would create a duplicate
// (no public evidence of Garmin refusing a repeated weight file).
func (w *weight) addActions(key dayKey, b *block, op state.Op) opActions {
	r := w.r
	done := func(ref string) *state.Event {
		return &state.Event{T: state.TypeDone, Kind: string(key.Kind), Date: key.Date, Op: op.ID, Ref: ref}
	}
	processing := &state.Event{T: state.TypeProcessing, Reason: ReasonNotShown}
	return opActions{
		landed: r.landedBySearch(b, op, func(ctx context.Context) (string, bool) { return w.findWeighIn(ctx, key, b, op) }, done),
		write: func(ctx, wctx context.Context) (*state.Event, bool, error) {
			local, err := time.ParseInLocation("2006-01-02T15:04:05.000", op.Time, time.UTC)
			if err != nil {
				return nil, false, Rejected(fmt.Errorf("weigh-in time %q: %w", op.Time, err))
			}
			later, err := r.Weight.AddWeighIn(wctx, local, gmtOf(local, r.location()), op.Amount, op.Fat, op.BMI)
			if err != nil {
				return nil, false, err
			}
			ref, ok := w.waitFor(ctx, key, b, op, later)
			switch {
			case !ok:
				return nil, false, nil // stays sent: settled later
			case ref == "":
				return processing, true, nil
			}
			return done(ref), true, nil
		},
	}
}

// waitFor reads the day until op's weigh-in shows, pausing 1, 2, 4 … s
// between reads, for at most Runner.UploadWait in all; a weigh-in Garmin
// processes later is first read after the first pause. ref is "" when it
// has not shown by then; ok is false when the run is stopping.
func (w *weight) waitFor(ctx context.Context, key dayKey, b *block, op state.Op, later bool) (ref string, ok bool) {
	r := w.r
	waited := time.Duration(0)
	if later {
		if r.Sleep(ctx, time.Second) != nil {
			return "", false
		}
		waited = time.Second
	}
	for pause := time.Second << min(int(waited/time.Second), 1); ; pause *= 2 {
		ref, ok := w.findWeighIn(ctx, key, b, op)
		if !ok || ref != "" || waited >= r.UploadWait {
			return ref, ok
		}
		pause = min(pause, r.UploadWait-waited)
		if r.Sleep(ctx, pause) != nil {
			return "", false
		}
		waited += pause
	}
}

// location is the zone weigh-ins' local times are in.
func (r *Runner) location() *time.Location {
	if r.Location == nil {
		return time.UTC
	}
	return r.Location
}

// gmtOf turns a local wall-clock time (held in a UTC time.Time) into the
// UTC instant it names in loc.
func gmtOf(local time.Time, loc *time.Location) time.Time {
	return time.Date(local.Year(), local.Month(), local.Day(), local.Hour(), local.Minute(), local.Second(), local.Nanosecond(), loc).UTC()
}

// findDeleteActions takes back a weigh-in the import sent without learning
// its id: found on the day (same minute and weight), it is deleted and its
// id journaled; not found, it may still be processing, and the op waits
// for a later pass or run, until Runner.ResendAfter after the import sent
// it, past which Garmin never took it and there is nothing to delete. A
// lost answer is settled the same way: still there means not deleted.
func (w *weight) findDeleteActions(key dayKey, b *block, op state.Op) opActions {
	r := w.r
	added := state.Op{ID: strings.TrimPrefix(op.ID, undoPrefix), Amount: -op.Amount, Time: op.Time, Fat: op.Fat}
	var sent time.Time
	if b.From != nil {
		sent = b.From.SentAt[added.ID]
	}
	absent := func() *state.Event {
		if r.Now().Sub(sent) < r.ResendAfter {
			return &state.Event{T: state.TypeProcessing, Reason: ReasonNotShown}
		}
		return &state.Event{T: state.TypeDone, Kind: string(key.Kind), Date: key.Date, Op: op.ID, Reason: ReasonNeverShown}
	}
	find := func(ctx context.Context) (string, bool) { return w.findWeighIn(ctx, key, b, added) }
	return deleteFound(key, op, find, absent, func(wctx context.Context, ref string) error {
		id, err := refID("weigh-in", ref)
		if err != nil {
			return err
		}
		return r.Weight.DeleteWeighIn(wctx, key.Date, id)
	})
}

// deleteActions deletes one weigh-in by the id the import recorded; a
// lost answer is settled by whether the id is still there.
func (w *weight) deleteActions(key dayKey, op state.Op) opActions {
	r := w.r
	done := &state.Event{T: state.TypeDone, Kind: string(key.Kind), Date: key.Date, Op: op.ID, Ref: op.Ref}
	id, parseErr := refID("weigh-in", op.Ref)
	return opActions{
		landed: func(ctx context.Context) (*state.Event, bool) {
			list, ok := readList(ctx, r, func(ctx context.Context) ([]WeighIn, error) { return r.Weight.WeighInsOn(ctx, key.Date) })
			if !ok {
				return nil, false
			}
			if slices.ContainsFunc(list, func(w WeighIn) bool { return w.ID == id }) {
				return nil, true
			}
			return done, true
		},
		write: func(_, wctx context.Context) (*state.Event, bool, error) {
			if parseErr != nil {
				return nil, false, parseErr
			}
			// The adapter answers a weigh-in that is already gone with nil.
			return done, true, r.Weight.DeleteWeighIn(wctx, key.Date, id)
		},
	}
}
