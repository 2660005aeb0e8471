package importer

import (
	"math"

	"fitbit2garmin/state"
)

// Runs recorded in the journal.
const (
	RunImport = "import"
	RunUndo   = "undo"
)

// Op states replayed from the journal.
const (
	opPending = ""
	opSent    = "sent" // sent, no answer recorded: uncertain
	opDone    = "done"
	opFailed  = "failed"
)

// dayKey names one day of one kind of data.
type dayKey struct {
	Kind string
	Date string
}

// block is what the journal says about the latest run that touched a day:
// the day's total before it, the ops it decided on and how far they got.
type block struct {
	Run    string
	Mode   string
	Base   float64
	Ops    []state.Op
	Status map[string]string // op id → state
	Last   float64           // the day's total as last known: Base, then each done total
	Refs   map[string]string // op id → id Garmin gave the item (weigh-ins)

	Conflict *state.Event
}

// complete reports whether every op of the block is done.
func (b *block) complete() bool {
	for _, op := range b.Ops {
		if b.Status[op.ID] != opDone {
			return false
		}
	}
	return true
}

// doneAmount is the sum of the block's ops that are done.
func (b *block) doneAmount() float64 {
	sum := 0.0
	for _, op := range b.Ops {
		if b.Status[op.ID] == opDone {
			sum += op.Amount
		}
	}
	return roundML(sum)
}

// history is the journal replayed: per day, the latest block, and for undo
// the import block it takes back.
type history struct {
	days map[dayKey]*dayHistory
}

type dayHistory struct {
	current *block // latest block, nil if the day was never begun
	imports *block // latest import block (what undo takes back)
	skip    string // last skip reason, when the day was skipped and not begun after
}

func replay(events []state.Event) *history {
	h := &history{days: map[dayKey]*dayHistory{}}
	get := func(ev state.Event) *dayHistory {
		k := dayKey{ev.Kind, ev.Date}
		d := h.days[k]
		if d == nil {
			d = &dayHistory{}
			h.days[k] = d
		}
		return d
	}
	for _, ev := range events {
		if ev.Date == "" {
			continue
		}
		d := get(ev)
		switch ev.T {
		case state.TypeBegin:
			b := &block{Run: ev.Run, Mode: ev.Mode, Ops: ev.Ops, Status: map[string]string{}}
			if ev.Base != nil {
				b.Base = *ev.Base
			}
			b.Last = b.Base
			d.current = b
			d.skip = ""
			if ev.Run == RunImport {
				d.imports = b
			}
		case state.TypeSkip:
			if d.current == nil || d.current.complete() {
				d.skip = ev.Reason
			}
		case state.TypeSent, state.TypeDone, state.TypeNotSent, state.TypeFailed, state.TypeConflict:
			b := d.current
			if b == nil {
				continue
			}
			switch ev.T {
			case state.TypeSent:
				b.Status[ev.Op] = opSent
			case state.TypeDone:
				b.Status[ev.Op] = opDone
				if ev.Ref != "" {
					if b.Refs == nil {
						b.Refs = map[string]string{}
					}
					b.Refs[ev.Op] = ev.Ref
				}
				if ev.Total != nil {
					b.Last = *ev.Total
				} else if op, ok := b.op(ev.Op); ok {
					b.Last = roundML(b.Last + op.Amount)
				}
			case state.TypeNotSent:
				b.Status[ev.Op] = opPending
			case state.TypeFailed:
				b.Status[ev.Op] = opFailed
			case state.TypeConflict:
				e := ev
				b.Conflict = &e
			}
		}
	}
	return h
}

func (b *block) op(id string) (state.Op, bool) {
	for _, op := range b.Ops {
		if op.ID == id {
			return op, true
		}
	}
	return state.Op{}, false
}

// near reports whether two day totals are the same for reconciliation:
// within half a millilitre (Garmin may round), and never so loose that an
// op's own amount could be mistaken for no change.
func near(a, b, amount float64) bool {
	tol := 0.5
	if t := math.Abs(amount) / 3; t < tol {
		tol = t
	}
	return math.Abs(a-b) <= tol
}

func f64(v float64) *float64 { return &v }
