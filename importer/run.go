package importer

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"fitbit2garmin/internal/ctxsleep"
	"fitbit2garmin/state"
)

// Policy says what to do with a day that already holds water on Garmin
// which this tool did not put there (--existing).
type Policy string

// Policies for days that already hold water on Garmin which this tool did not put there.
const (
	// ExistingSkip leaves such a day alone and reports it (the default).
	ExistingSkip Policy = "skip"
	// ExistingAdd adds the export's water on top of what is there.
	ExistingAdd Policy = "add"
	// ExistingTopUp adds only what is missing to reach the export's total.
	ExistingTopUp Policy = "top-up"
)

// Why whole days are left alone during a run. These short codes are what
// the journal stores (a skip event's reason) and what --json shows; cmd
// turns them into sentences, so rewording one never breaks a journal.
// Journals written before the codes hold the sentences: replay maps them
// back (skipCode).
const (
	DaySkipExisting  = "existing"        // water on Garmin this tool did not put there (--existing skip)
	DaySkipComplete  = "complete"        // already at or above the export's total (--existing top-up)
	DaySkipConflict  = "conflicted"      // conflicted earlier
	DaySkipNothing   = "nothing-added"   // undo: nothing this tool added
	DaySkipWeighedIn = "weighed-in"      // every weigh-in already on Garmin
	DaySkipUndoing   = "undo-unfinished" // an undo is half done: finish it with undo first
	DaySkipRecorded  = "recorded"        // every activity already on Garmin (a watch recorded it too)
)

// skipCode returns the code of a day-skip reason read from a journal:
// the code itself, or the sentence a journal written before the codes
// holds.
func skipCode(reason string) string {
	switch reason {
	case "existing data on Garmin (--existing skip)":
		return DaySkipExisting
	case "already at or above the export's total (--existing top-up)":
		return DaySkipComplete
	case "conflicted earlier":
		return DaySkipConflict
	case "nothing this tool added":
		return DaySkipNothing
	case "every weigh-in already on Garmin":
		return DaySkipWeighedIn
	}
	return reason
}

// Journal is where the runner records every step before and after it happens.
type Journal interface {
	Append(evs ...state.Event) error
	Events() []state.Event
}

// Progress is reported after every op settles.
type Progress struct {
	OpsDone  int     // ops done, including those done by earlier runs
	OpsTotal int     // ops this run is responsible for
	ML       float64 // millilitres written (or taken back) by this run
	Requests int     // HTTP requests made by this run
}

// Runner replays plans (and undoes them) against Garmin, exactly once.
// The zero value is not usable: set API, Journal and Limiter.
type Runner struct {
	API     WaterAPI
	Journal Journal
	// Limiter is shared by every call to Garmin (the API client waits on it
	// too). Default: Pacer's.
	Limiter *rate.Limiter
	// Pacer, when set, is the pace the API client waits on: a 429 pauses it
	// and lowers its rate once per episode, successes raise it back. Default:
	// a pacer over Limiter that only the runner's own waits see.
	Pacer *Pacer
	// Workers is how many days are worked on at once (default 1). Workers
	// only hide latency: the rate is the limiter's.
	Workers int
	// Existing is the policy for days with water not put there by this tool.
	Existing Policy
	// MaxFailures is how many failures in a row stop the run (default 8).
	MaxFailures int
	// MinRate is the floor under which a 429 no longer lowers the rate
	// (sets Pacer.MinRate when that is zero).
	MinRate rate.Limit
	// Sleep waits, or returns early with ctx's error. Default: a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Rand is used for backoff jitter. Default: a fixed-seed source.
	Rand *rand.Rand
	// Now reads the clock. Default: time.Now.
	Now func() time.Time
	// Progress, if set, is called after each op settles (from several goroutines, one at a time).
	Progress func(Progress)
	// Weight is the Garmin API for weigh-ins.
	Weight WeightAPI
	// Activities is the Garmin API for activities.
	Activities ActivityAPI
	// Location is the zone of weigh-ins' local times (default UTC).
	Location *time.Location
	// UploadWait is how long, in all, to read a day back for a weigh-in
	// Garmin took but has not shown yet (default 2 minutes); past it the
	// weigh-in is left processing and settled later.
	UploadWait time.Duration
	// ResendAfter is how long after it was sent a weigh-in that Garmin
	// still does not show may be sent again (default 15 minutes): before
	// that it may still be processing, and a repeat would duplicate it.
	ResendAfter time.Duration

	mu          sync.Mutex // guards the fields below and Rand
	result      *Result
	progress    Progress
	failures    int
	lastFailure error
	stopErr     error
	stop        context.CancelFunc
	requests    atomic.Int64
	bg          sync.WaitGroup // window reads started ahead of need
}

// Result is what a run did.
type Result struct {
	Run            Run            `json:"run"`
	Kind           Kind           `json:"kind"`
	Days           int            `json:"days"`            // days in the plan (or journal, for undo)
	DaysDone       int            `json:"days_done"`       // days fully written by now
	DaysEarlier    int            `json:"days_earlier"`    // of those, done by an earlier run
	DaysSkipped    map[string]int `json:"days_skipped"`    // days left alone, by reason
	Skipped        map[string]int `json:"skipped"`         // records the plan left out, by reason (as the dry-run says)
	OpsTotal       int            `json:"ops_total"`       // write requests the days needed
	OpsDone        int            `json:"ops_done"`        // done by now (all runs)
	OpsSent        int            `json:"ops_sent"`        // writes sent by this run
	Reconciled     int            `json:"reconciled"`      // uncertain writes settled by reading back
	Processing     int            `json:"processing"`      // writes Garmin took but does not show yet (uploads); settled by a later run
	DaysProcessing int            `json:"days_processing"` // days holding such writes
	OpsExisting    int            `json:"ops_existing"`    // weigh-ins Garmin already held, not sent
	ML             float64        `json:"ml"`              // millilitres written by this run (negative for undo)
	Requests       int            `json:"requests"`        // HTTP requests by this run, reads included
	Conflicts      []Conflict     `json:"conflicts"`       // days that fit no expectation
	Failures       []Failure      `json:"failures"`        // ops Garmin rejected
	Elapsed        time.Duration  `json:"elapsed_ns"`      // wall time of the run
	FinalRate      float64        `json:"final_rate"`      // limiter rate at the end (lowered after 429s)
	RateLowered    int            `json:"rate_lowered"`    // 429 episodes that lowered the rate
	Paused         time.Duration  `json:"paused_ns"`       // time every request waited on 429s
	Interrupted    bool           `json:"interrupted"`     // stopped by Ctrl-C (or the context)
	StopReason     string         `json:"stop_reason,omitempty"`
	AchievedRate   float64        `json:"achieved_rate"` // requests per second
}

// Conflict is a day whose total on Garmin fits neither outcome of an
// uncertain write: someone else wrote to it. It is reported, never guessed.
type Conflict struct {
	Date string    `json:"date"`
	Got  float64   `json:"got_ml"`
	Want []float64 `json:"want_ml"`
}

// Failure is an op Garmin rejected.
type Failure struct {
	Date string `json:"date"`
	Op   string `json:"op"`
	Err  string `json:"error"`
}

// StopError says why a run stopped before its end. The journal is
// consistent: running again resumes.
type StopError struct {
	Reason StopReason
	Err    error
}

// StopReason says why a run stopped before its end; callers decide on it
// (cmd: exit 5 for StopRateLimited, 4 for StopUnauthorized).
type StopReason string

// Why a run stops early.
const (
	StopRateLimited  StopReason = "rate limited"
	StopUnauthorized StopReason = "not authorized"
	StopRejected     StopReason = "request rejected"
	StopAccount      StopReason = "refused for the account"
	StopTooMany      StopReason = "too many failures"
	StopFailed       StopReason = "error"
	StopInterrupted  StopReason = "interrupted"
)

// Codes of the reasons journaled with a conflict or a processing or done
// event: informative only (replay does not read them), short so that
// rewording a message never touches a journal.
const (
	ConflictNeither    = "neither-outcome" // the day's total fits neither outcome of an uncertain write
	ConflictBelowAdded = "below-added"     // Garmin holds less than this tool added (undo)
	ReasonNotShown     = "not-shown"       // Garmin took an upload but does not show it yet
	ReasonNeverShown   = "never-shown"     // never shown by Garmin: nothing to delete
	ReasonReconciled   = "reconciled"      // settled by reading Garmin back
)

func (e *StopError) Error() string {
	return fmt.Sprintf("stopped: %s after %v (state saved; run the same command again to resume)", e.Reason, e.Err)
}

func (e *StopError) Unwrap() error { return e.Err }

// ErrInterrupted is returned when the context was cancelled (Ctrl-C): ops in
// flight were settled or recorded as uncertain, and the journal is consistent.
var ErrInterrupted = errors.New("interrupted (state saved; run the same command again to resume)")

func (r *Runner) init() {
	if r.Workers < 1 {
		r.Workers = 1
	}
	if r.Existing == "" {
		r.Existing = ExistingSkip
	}
	if r.MaxFailures < 1 {
		r.MaxFailures = 8
	}
	if r.MinRate <= 0 {
		r.MinRate = 0.05
	}
	if r.Sleep == nil {
		r.Sleep = ctxsleep.Sleep
	}
	if r.Rand == nil {
		r.Rand = rand.New(rand.NewPCG(1, 2))
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.UploadWait <= 0 {
		r.UploadWait = 2 * time.Minute
	}
	if r.ResendAfter <= 0 {
		r.ResendAfter = 15 * time.Minute
	}
	if r.Pacer == nil {
		if r.Limiter == nil {
			r.Limiter = rate.NewLimiter(rate.Inf, 1)
		}
		r.Pacer = &Pacer{Limiter: r.Limiter, now: r.Now}
	}
	if r.Limiter == nil {
		r.Limiter = r.Pacer.Limiter
	}
	if r.Pacer.MinRate <= 0 {
		r.Pacer.MinRate = r.MinRate
	}
	r.failures = 0
	r.stopErr = nil
	r.requests.Store(0)
}

// dayJob is one day to work on: how to decide its block if the journal has
// none yet, and the block itself once decided.
type dayJob struct {
	k      kind
	key    dayKey
	ops    int        // ops the day is expected to need, for progress
	decide decideFunc // nil block + reason = skip
	b      *block
}

// Import replays plan against Garmin, whatever its kind. It resumes from
// the journal: days done are skipped, uncertain writes are settled by
// reading Garmin back, and nothing is sent twice.
func (r *Runner) Import(ctx context.Context, plan *Plan) (*Result, error) {
	r.init()
	k, err := r.kindOf(plan.Kind)
	if err != nil {
		return nil, err
	}
	res := &Result{Run: RunImport, Kind: plan.Kind, Days: len(plan.Days), DaysSkipped: map[string]int{}}
	if pk, ok := k.(planKind); ok {
		pk.planned(plan)
	}
	jobs := r.importJobs(k, plan, res)
	k.span(plan.First(), plan.Last(), toDecide(jobs))
	return r.run(ctx, res, jobs)
}

// decideFunc decides a day's block on its first touch: nil and a reason to
// skip the day.
type decideFunc func(ctx context.Context) (*block, string, error)

// importJobs lists the work an import of plan has left, from the journal:
// days done are counted and left out, days begun are resumed with the ops
// their begin recorded, and the other days get decide(day) to run on
// first touch.
func (r *Runner) importJobs(k kind, plan *Plan, res *Result) []*dayJob {
	h := replay(r.Journal.Events())
	var jobs []*dayJob
	for _, day := range plan.Days {
		key := dayKey{plan.Kind, day.Date}
		if dh := h.days[key]; dh != nil && dh.current != nil {
			b := dh.current
			switch {
			case b.Conflict != nil:
				res.DaysSkipped[DaySkipConflict]++
				res.Conflicts = append(res.Conflicts, conflictOf(day.Date, b.Conflict))
				continue
			case b.Run == RunImport:
				res.OpsTotal += len(b.Ops)
				if b.complete() {
					res.DaysDone++
					res.DaysEarlier++
					res.OpsDone += len(b.Ops)
					continue
				}
				jobs = append(jobs, &dayJob{k: k, key: key, b: b})
				continue
			case b.Run == RunUndo && !b.complete():
				// An undo is half done: finish it with `undo` first.
				res.DaysSkipped[DaySkipUndoing]++
				continue
			}
			// A finished undo: the day is imported afresh below.
		}
		res.OpsTotal += len(day.Ops)
		day := day
		jobs = append(jobs, &dayJob{k: k, key: key, ops: len(day.Ops), decide: func(ctx context.Context) (*block, string, error) {
			return k.decide(ctx, day)
		}})
	}
	return jobs
}

// Undo takes back what the journal says this tool put on Garmin for the
// kind, day by day, journaled like any other run: negative writes for
// water, deletes by id for weigh-ins.
func (r *Runner) Undo(ctx context.Context, kindName Kind) (*Result, error) {
	r.init()
	k, err := r.kindOf(kindName)
	if err != nil {
		return nil, err
	}
	res := &Result{Run: RunUndo, Kind: kindName, DaysSkipped: map[string]int{}}
	h := replay(r.Journal.Events())
	var dates []string
	for key, dh := range h.days {
		if key.Kind == kindName && dh.imports != nil {
			dates = append(dates, key.Date)
		}
	}
	sort.Strings(dates)
	var jobs []*dayJob
	for _, date := range dates {
		key := dayKey{kindName, date}
		dh := h.days[key]
		res.Days++
		if cur := dh.current; cur.Run == RunUndo {
			res.OpsTotal += len(cur.Ops)
			switch {
			case cur.Conflict != nil:
				res.Conflicts = append(res.Conflicts, conflictOf(date, cur.Conflict))
				res.DaysSkipped[DaySkipConflict]++
			case cur.complete():
				res.DaysDone++
				res.DaysEarlier++
				res.OpsDone += len(cur.Ops)
			default:
				jobs = append(jobs, &dayJob{k: k, key: key, b: cur})
			}
			continue
		}
		ops, decide, skip := k.undo(date, dh.imports)
		if decide == nil {
			res.DaysSkipped[skip]++
			continue
		}
		res.OpsTotal += ops
		jobs = append(jobs, &dayJob{k: k, key: key, ops: ops, decide: decide})
	}
	if len(dates) > 0 {
		k.span(dates[0], dates[len(dates)-1], toDecide(jobs))
	}
	return r.run(ctx, res, jobs)
}

// toDecide lists the days of jobs that still read Garmin before their
// first write.
func toDecide(jobs []*dayJob) []string {
	var dates []string
	for _, j := range jobs {
		if j.decide != nil {
			dates = append(dates, j.key.Date)
		}
	}
	return dates
}

// conflictErr carries a conflict found while deciding a day.
type conflictErr struct{ c Conflict }

func (e *conflictErr) Error() string { return fmt.Sprintf("conflict on %s", e.c.Date) }

func conflictOf(date string, ev *state.Event) Conflict {
	c := Conflict{Date: date, Want: ev.Want}
	if ev.Total != nil {
		c.Got = *ev.Total
	}
	return c
}

// run works the jobs with r.Workers goroutines, days in order, ops of a day in order.
func (r *Runner) run(ctx context.Context, res *Result, jobs []*dayJob) (*Result, error) {
	start := r.Now()
	before := r.Pacer.Stats()
	r.result = res
	r.progress = Progress{OpsDone: res.OpsDone, OpsTotal: res.OpsTotal}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	r.stop = stop
	queue := make(chan *dayJob)
	var wg sync.WaitGroup
	for range r.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for job := range queue {
				r.workDay(runCtx, job)
			}
		}()
	}
feed:
	for _, job := range jobs {
		select {
		case queue <- job:
		case <-runCtx.Done():
			break feed
		}
	}
	close(queue)
	wg.Wait()
	r.settlePending(runCtx, jobs, res)
	stop() // a read ahead that is no longer needed
	r.bg.Wait()

	res.Elapsed = r.Now().Sub(start)
	res.Requests = int(r.requests.Load())
	if s := res.Elapsed.Seconds(); s > 0 {
		res.AchievedRate = float64(res.Requests) / s
	}
	after := r.Pacer.Stats()
	res.FinalRate = float64(after.Rate)
	res.RateLowered = after.Lowered - before.Lowered
	res.Paused = after.Paused - before.Paused
	sort.Slice(res.Conflicts, func(i, j int) bool { return res.Conflicts[i].Date < res.Conflicts[j].Date })
	sort.Slice(res.Failures, func(i, j int) bool { return res.Failures[i].Date < res.Failures[j].Date })
	r.mu.Lock()
	stopErr := r.stopErr
	r.mu.Unlock()
	if stopErr != nil {
		var se *StopError
		if errors.As(stopErr, &se) {
			res.StopReason = string(se.Reason)
		}
		return res, stopErr
	}
	if ctx.Err() != nil {
		res.Interrupted = true
		res.StopReason = string(StopInterrupted)
		return res, ErrInterrupted
	}
	return res, nil
}

// fail records a run-stopping error; the first one wins.
func (r *Runner) fail(err error) {
	r.mu.Lock()
	if r.stopErr == nil {
		r.stopErr = err
	}
	r.mu.Unlock()
	r.stop()
}

// workDay decides the day if needed, then sends its ops in order.
func (r *Runner) workDay(ctx context.Context, job *dayJob) {
	if ctx.Err() != nil {
		return
	}
	b := job.b
	if b == nil {
		var reason string
		var err error
		b, reason, err = job.decide(ctx)
		var ce *conflictErr
		switch {
		case errors.As(err, &ce):
			r.record(state.Event{T: state.TypeConflict, Kind: string(job.key.Kind), Date: job.key.Date, Total: f64(ce.c.Got), Want: ce.c.Want, Reason: ConflictBelowAdded})
			r.mu.Lock()
			r.result.Conflicts = append(r.result.Conflicts, ce.c)
			r.result.OpsTotal -= job.ops
			r.progress.OpsTotal = r.result.OpsTotal
			r.mu.Unlock()
			return
		case err != nil:
			r.stopOn(ctx, err)
			return
		case b == nil:
			r.record(state.Event{T: state.TypeSkip, Kind: string(job.key.Kind), Date: job.key.Date, Reason: reason})
			r.mu.Lock()
			r.result.DaysSkipped[reason]++
			r.result.OpsTotal -= job.ops
			r.progress.OpsTotal = r.result.OpsTotal
			r.mu.Unlock()
			return
		}
		if err := r.Journal.Append(state.Event{T: state.TypeBegin, Run: string(b.Run), Kind: string(job.key.Kind), Date: job.key.Date, Base: f64(b.Base), Mode: b.Mode, Ops: b.Ops}); err != nil {
			r.fail(fmt.Errorf("write journal: %w", err))
			return
		}
		job.b = b
		if len(b.Ops) != job.ops {
			r.mu.Lock()
			r.result.OpsTotal += len(b.Ops) - job.ops
			r.progress.OpsTotal = r.result.OpsTotal
			r.mu.Unlock()
		}
	}
	for _, op := range b.Ops {
		if b.Status[op.ID] == opDone {
			continue
		}
		if !r.settle(ctx, job.k, job.key, b, op) {
			return
		}
	}
	r.mu.Lock()
	if b.complete() {
		r.result.DaysDone++
	}
	r.mu.Unlock()
}

// settlePending gives the uploads Garmin took but did not show yet one
// more read each, now that the other days are done, and counts those still
// processing for the next run.
func (r *Runner) settlePending(ctx context.Context, jobs []*dayJob, res *Result) {
	var pending []*dayJob
	for _, job := range jobs {
		if job.b.processing() > 0 {
			pending = append(pending, job)
		}
	}
	if len(pending) > 0 && ctx.Err() == nil {
		if rk, ok := pending[0].k.(recheckKind); ok {
			rk.recheck(ctx, pending)
		}
		for _, job := range pending {
			if ctx.Err() == nil {
				r.workDay(ctx, job)
			}
		}
	}
	for _, job := range jobs {
		if n := job.b.processing(); n > 0 {
			res.Processing += n
			res.DaysProcessing++
		}
	}
}
