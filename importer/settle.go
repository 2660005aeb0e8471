package importer

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"fitbit2garmin/state"
)

// opActions are what settle needs to know of one kind of op: how to send
// it and how to tell, by reading Garmin, whether a sent op landed.
type opActions struct {
	// landed reads Garmin back for an op whose answer was lost. It returns
	// the done event to journal if the op landed, nil if it did not (it is
	// then sent again), and ok false when the day must stop (a conflict,
	// or the run stopping). An event of type state.TypeProcessing means
	// it may still appear (an upload Garmin processes later): the day
	// stops and the op is settled later by reading again.
	landed func(ctx context.Context) (done *state.Event, ok bool)
	// write sends the op with wctx, a context Ctrl-C does not cut, and
	// returns the done event to journal (or a TypeProcessing one, as
	// above). ok false (with a nil error) stops the day with the op still
	// marked sent: the next run settles it.
	write func(ctx, wctx context.Context) (done *state.Event, ok bool, err error)
}

// landedBySearch is the landed action of an upload Garmin may process
// after its answer: find reads Garmin back (ref "" when the op is not
// shown, ok false when the read failed). Not shown yet, the op is left
// processing until Runner.ResendAfter has passed since it was sent (a sent
// op with no journaled time is as old as can be), and only then sent
// again: a repeat would create a duplicate.
func (r *Runner) landedBySearch(b *block, op state.Op, find func(ctx context.Context) (string, bool), done func(ref string) *state.Event) func(ctx context.Context) (*state.Event, bool) {
	return func(ctx context.Context) (*state.Event, bool) {
		ref, ok := find(ctx)
		switch {
		case !ok:
			return nil, false
		case ref != "":
			return done(ref), true
		case r.Now().Sub(b.SentAt[op.ID]) < r.ResendAfter:
			return &state.Event{T: state.TypeProcessing, Reason: ReasonNotShown}, true
		}
		return nil, true
	}
}

// deleteFound is the actions of an undo op that deletes what find shows on
// Garmin (its ref, "" once it is gone; ok false when the read failed) with
// del. Nothing to delete journals absent(); a lost answer is settled by
// reading again: still there means not deleted.
func deleteFound(key dayKey, op state.Op, find func(ctx context.Context) (string, bool), absent func() *state.Event, del func(wctx context.Context, ref string) error) opActions {
	return opActions{
		landed: func(ctx context.Context) (*state.Event, bool) {
			ref, ok := find(ctx)
			if !ok || ref != "" {
				return nil, ok // still there: delete it
			}
			return absent(), true
		},
		write: func(ctx, wctx context.Context) (*state.Event, bool, error) {
			ref, ok := find(ctx)
			switch {
			case !ok:
				return nil, false, nil
			case ref == "":
				return absent(), true, nil
			}
			done := &state.Event{T: state.TypeDone, Kind: string(key.Kind), Date: key.Date, Op: op.ID, Ref: ref}
			return done, true, del(wctx, ref)
		},
	}
}

// refID is the Garmin id a ref (a weigh-in's, an activity's) holds; a ref
// that holds none is a rejected op.
func refID(what, ref string) (int64, error) {
	id, err := strconv.ParseInt(ref, 10, 64)
	if err != nil {
		return 0, Rejected(fmt.Errorf("%s id %q: %w", what, ref, err))
	}
	return id, nil
}

// settle brings one op to done (or failed), whatever its kind: journaled
// as sent (fsynced) before its request and done after it; a sent op whose
// answer was lost is settled by reading Garmin back, never by sending it
// blindly again. An op an earlier run saw refused is read back too before
// it is sent again: uploads reported as failed have landed
// (garmin-uploader issue #39). It returns false when the day must stop
// here: a conflict, the run stopping, or an interruption.
func (r *Runner) settle(ctx context.Context, k kind, key dayKey, b *block, op state.Op) bool {
	a := k.actions(key, b, op)
	ev := func(t string) state.Event {
		return state.Event{T: t, Kind: string(key.Kind), Date: key.Date, Op: op.ID, Ref: op.Ref}
	}
	for {
		if b.uncertain(op.ID) || b.Status[op.ID] == opFailed {
			done, ok := a.landed(ctx)
			if !ok {
				return false
			}
			if done != nil && done.T == state.TypeProcessing {
				return r.processing(key, b, op, *done)
			}
			if done != nil {
				done.Reason = ReasonReconciled
				return r.markDone(k, b, op, *done, true)
			}
			e := ev(state.TypeNotSent)
			e.Reason = ReasonReconciled
			if err := r.Journal.Append(e); err != nil {
				r.fail(fmt.Errorf("write journal: %w", err))
				return false
			}
			b.Status[op.ID] = opPending
		}
		if ctx.Err() != nil {
			return false
		}
		sentEv := ev(state.TypeSent)
		// Milliseconds: ResendAfter is measured from here.
		now := r.Now().UTC().Truncate(time.Millisecond)
		sentEv.At = now.Format("2006-01-02T15:04:05.000Z07:00")
		if err := r.Journal.Append(sentEv); err != nil {
			r.fail(fmt.Errorf("write journal: %w", err))
			return false
		}
		b.Status[op.ID] = opSent
		b.sentAt(op.ID, now)
		// The request itself is not cut by Ctrl-C: it settles, so the
		// journal can say done rather than uncertain.
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		r.requests.Add(1)
		sent := r.Now()
		done, ok, err := a.write(ctx, wctx)
		cancel()
		switch {
		case err == nil:
			r.succeeded()
			if !ok {
				return false
			}
			if done.T == state.TypeProcessing {
				return r.processing(key, b, op, *done)
			}
			return r.markDone(k, b, op, *done, false)
		case errors.Is(err, ErrOutcomeUnknown):
			r.failed(err)
			if r.tooMany() {
				r.fail(&StopError{Reason: StopTooMany, Err: err})
				return false
			}
			// Loop: settle it by reading back.
		default:
			if !r.rejected(ctx, key, b, op, err, sent) {
				return false
			}
			if b.Status[op.ID] == opFailed {
				return true // next op of the day; a rejected write changed nothing
			}
		}
	}
}

// rejected handles a write that did not land (rate limited, rejected, or
// never sent): it journals that, then either marks the op failed (Garmin
// refused it: 4xx) or waits to try again. It returns false when the day
// must stop.
func (r *Runner) rejected(ctx context.Context, key dayKey, b *block, op state.Op, err error, sent time.Time) bool {
	e := state.Event{T: state.TypeNotSent, Kind: string(key.Kind), Date: key.Date, Op: op.ID, Err: err.Error()}
	if rejected(err) {
		e.T = state.TypeFailed
	}
	if jerr := r.Journal.Append(e); jerr != nil {
		r.fail(fmt.Errorf("write journal: %w", jerr))
		return false
	}
	b.Status[op.ID] = opPending
	if e.T == state.TypeFailed {
		b.Status[op.ID] = opFailed
		r.mu.Lock()
		r.result.Failures = append(r.result.Failures, Failure{Date: key.Date, Op: op.ID, Err: err.Error()})
		r.mu.Unlock()
		r.failed(err)
		return true
	}
	return r.retryAfter(ctx, err, sent)
}

// processing journals that op was taken but does not show yet (once); the
// run settles it at its end, or the next run does. The day goes on with
// its next op: only uploads are ever processing (weigh-ins), and each is
// told apart by its own time and weight, so one still processing leaves
// no doubt about the others (water, whose ops share a day total, never
// is).
func (r *Runner) processing(key dayKey, b *block, op state.Op, e state.Event) bool {
	if b.Status[op.ID] != opProcessing {
		e.T, e.Kind, e.Date, e.Op = state.TypeProcessing, string(key.Kind), key.Date, op.ID
		if err := r.Journal.Append(e); err != nil {
			r.fail(fmt.Errorf("write journal: %w", err))
			return false
		}
		b.Status[op.ID] = opProcessing
	}
	return true
}

// markDone journals an op as done and updates the counters.
func (r *Runner) markDone(k kind, b *block, op state.Op, e state.Event, reconciled bool) bool {
	if err := r.Journal.Append(e); err != nil {
		r.fail(fmt.Errorf("write journal: %w", err))
		return false
	}
	b.Status[op.ID] = opDone
	if e.Total != nil {
		b.Last = *e.Total
	}
	if e.Ref != "" && b.Run == RunImport {
		if b.Refs == nil {
			b.Refs = map[string]string{}
		}
		b.Refs[op.ID] = e.Ref
	}
	r.mu.Lock()
	r.result.OpsDone++
	r.result.OpsSent++
	r.result.ML = roundML(r.result.ML + k.ml(op))
	if reconciled {
		r.result.Reconciled++
	}
	r.progress.OpsDone = r.result.OpsDone
	r.progress.ML = r.result.ML
	r.progress.Requests = int(r.requests.Load())
	p := r.progress
	if r.Progress != nil {
		r.Progress(p)
	}
	r.mu.Unlock()
	return true
}
