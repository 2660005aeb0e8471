package importer

import (
	"math"
	"time"

	"fitbit2garmin/state"
)

// Run is what a run does to the days it touches; the journal records it
// with each day's begin.
type Run string

// Runs recorded in the journal.
const (
	RunImport Run = "import"
	RunUndo   Run = "undo"
)

// opStatus is where an op stands, replayed from the journal.
type opStatus string

// Op states replayed from the journal.
const (
	opPending opStatus = ""
	opSent    opStatus = "sent" // sent, no answer recorded: uncertain
	opDone    opStatus = "done"
	opFailed  opStatus = "failed"
	// opProcessing: Garmin took it (or may have: its answer was lost) but
	// does not show it yet; settled by reading again, never resent while
	// it may still appear.
	opProcessing opStatus = "processing"
)

// dayKey names one day of one kind of data.
type dayKey struct {
	Kind Kind
	Date string
}

// block is what the journal says about the latest run that touched a day:
// the day's total before it, the ops it decided on and how far they got.
type block struct {
	Run    Run
	Mode   string
	Base   float64
	Ops    []state.Op
	Status map[string]opStatus  // op id → state
	Last   float64              // the day's total as last known: Base, then each done total
	Refs   map[string]string    // op id → id Garmin gave the item (weigh-ins)
	SentAt map[string]time.Time // op id → when it was last sent (journaled)
	From   *block               // an undo block: the import block it takes back

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
		k := dayKey{Kind(ev.Kind), ev.Date}
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
			b := &block{Run: Run(ev.Run), Mode: ev.Mode, Ops: ev.Ops, Status: map[string]opStatus{}}
			if ev.Base != nil {
				b.Base = *ev.Base
			}
			b.Last = b.Base
			d.current = b
			d.skip = ""
			if Run(ev.Run) == RunImport {
				d.imports = b
			} else {
				b.From = d.imports
			}
		case state.TypeSkip:
			if d.current == nil || d.current.complete() {
				d.skip = skipCode(ev.Reason)
			}
		case state.TypeSent, state.TypeDone, state.TypeNotSent, state.TypeFailed, state.TypeConflict, state.TypeProcessing:
			b := d.current
			if b == nil {
				continue
			}
			switch ev.T {
			case state.TypeSent:
				b.Status[ev.Op] = opSent
				if at, err := time.Parse(time.RFC3339, ev.At); err == nil {
					b.sentAt(ev.Op, at)
				}
			case state.TypeProcessing:
				b.Status[ev.Op] = opProcessing
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

// sentAt records when op id was sent.
func (b *block) sentAt(id string, at time.Time) {
	if b.SentAt == nil {
		b.SentAt = map[string]time.Time{}
	}
	b.SentAt[id] = at
}

// processing counts the block's ops Garmin took but does not show yet.
func (b *block) processing() int {
	if b == nil {
		return 0
	}
	n := 0
	for _, op := range b.Ops {
		if b.Status[op.ID] == opProcessing {
			n++
		}
	}
	return n
}

// uncertain reports whether op id was sent without its outcome being
// known: sent with no answer, or accepted and still processing.
func (b *block) uncertain(id string) bool {
	return b.Status[id] == opSent || b.Status[id] == opProcessing
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
