package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"fitbit2garmin/importer"
)

// litres formats millilitres as litres for people.
func litres(ml float64) string { return fmt.Sprintf("%.2f L", ml/1000) }

// skippedText renders "2 zero amount, 1 before --since" in a stable order.
func skippedText(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	// By the words, as a reader scans them.
	codes := slices.SortedFunc(maps.Keys(m), func(a, b string) int { return strings.Compare(reasonText(a), reasonText(b)) })
	parts := make([]string, len(codes))
	for i, k := range codes {
		parts[i] = fmt.Sprintf("%d %s", m[k], reasonText(k))
	}
	return strings.Join(parts, ", ")
}

// reasonText is the sentence for a skip code: a day's (importer.DaySkip*)
// or a record's (importer.Skip*).
func reasonText(reason string) string {
	switch reason {
	case importer.SkipZero:
		return "zero amount"
	case importer.SkipNegative:
		return "negative amount"
	case importer.SkipSince:
		return "before --since"
	case importer.SkipUntil:
		return "after --until"
	case importer.SkipInvalid:
		return "invalid (--skip-invalid)"
	case importer.SkipShort:
		return "shorter than --min-duration"
	case importer.SkipAutoDetected:
		return "auto-detected (--skip-auto-detected)"
	case importer.SkipOtherType:
		return "type not in --activity-types"
	case importer.SkipSameSession:
		return "same session logged twice (a fragment or a copy)"
	case importer.SkipHealthConnect:
		return "synced in from Health Connect"
	case importer.SkipDuplicate:
		return "same weigh-in read twice (another file or format)"
	case importer.SkipNoValue:
		return "no weight and no body fat"
	case importer.SkipFatOnly:
		return "body fat without a weight (Garmin needs both)"
	case importer.DaySkipExisting:
		return "existing data on Garmin (--existing skip)"
	case importer.DaySkipComplete:
		return "already at or above the export's total (--existing top-up)"
	case importer.DaySkipConflict:
		return "conflicted earlier"
	case importer.DaySkipNothing:
		return "nothing this tool added"
	case importer.DaySkipWeighedIn:
		return "every weigh-in already on Garmin"
	case importer.DaySkipUndoing:
		return "undo in progress (run undo again to finish it)"
	case importer.DaySkipRecorded:
		return "every activity already on Garmin (a watch may have recorded it)"
	}
	return reason
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// dryRunDay is one line of the dry-run.
type dryRunDay struct {
	Date     string  `json:"date"`
	Entries  int     `json:"entries"`
	ML       float64 `json:"ml"`
	Requests int     `json:"requests"`
	Action   string  `json:"action"`
}

// dryRun is the whole dry-run, as printed with --json.
type dryRun struct {
	DryRun         bool            `json:"dry_run"`
	Type           importer.Kind   `json:"type"`
	TimeZone       string          `json:"timezone"`
	TimeZoneSource string          `json:"timezone_source"`
	Group          importer.Group  `json:"group"`
	Files          []string        `json:"files"`
	Days           []dryRunDay     `json:"days"`
	Weight         *weightDryRun   `json:"weight,omitempty"`
	Activities     *activityDryRun `json:"activities,omitempty"`
	Summary        struct {
		Days             int            `json:"days"`
		Entries          int            `json:"entries"`
		ML               float64        `json:"ml"`
		Writes           int            `json:"writes"`
		Reads            int            `json:"reads"`
		Requests         int            `json:"requests"`
		Skipped          map[string]int `json:"skipped"`
		Problems         []string       `json:"problems,omitempty"`
		Rate             float64        `json:"rate"`
		EstimatedSeconds float64        `json:"estimated_seconds"`
	} `json:"summary"`
}

func newDryRun(p *planned, rate float64) *dryRun {
	d := &dryRun{DryRun: true, Type: importer.KindWater, TimeZone: p.zone, TimeZoneSource: p.zoneFrom, Files: p.files}
	if p.weight != nil {
		d.Weight = newWeightDryRun(p)
	}
	if p.activities != nil {
		d.Activities = newActivityDryRun(p)
	}
	if p.plan == nil {
		d.Type = importer.KindWeight
		if d.Weight == nil {
			d.Type = importer.KindActivity
		}
		d.Summary.Rate = rate
		d.Summary.Requests = d.otherRequests()
		d.Summary.EstimatedSeconds = float64(d.Summary.Requests) / rate
		return d
	}
	d.Group = p.plan.Group
	for _, day := range p.plan.Days {
		action := "add"
		if p.plan.Group == importer.GroupDay && len(day.Ops) > 1 {
			action = "add, split (over 10 L)"
		}
		d.Days = append(d.Days, dryRunDay{Date: day.Date, Entries: day.Entries, ML: day.ML, Requests: len(day.Ops), Action: action})
	}
	s := &d.Summary
	s.Days, s.Entries, s.ML, s.Writes = len(p.plan.Days), p.plan.Entries, p.plan.ML, p.plan.Requests
	if s.Days > 0 {
		s.Reads = p.plan.RangeReads() + 1 // + who-am-I
	}
	s.Requests = s.Writes + s.Reads
	s.Skipped = p.plan.Skipped
	for _, e := range p.plan.Problems {
		s.Problems = append(s.Problems, e.Error())
	}
	s.Rate = rate
	s.EstimatedSeconds = float64(s.Requests+d.otherRequests()) / rate
	return d
}

// otherRequests are the requests of the kinds besides water.
func (d *dryRun) otherRequests() int {
	n := 0
	if d.Weight != nil {
		n += d.Weight.Requests
	}
	if d.Activities != nil {
		n += d.Activities.Requests
	}
	return n
}

// weightDryRun is the weight part of a dry run.
type weightDryRun struct {
	Unit       string          `json:"unit"`
	UnitSource string          `json:"unit_source"`
	Files      []string        `json:"files"`
	WeighIns   []dryRunWeighIn `json:"weigh_ins"`
	Days       int             `json:"days"`
	Skipped    map[string]int  `json:"skipped"`
	Problems   []string        `json:"problems,omitempty"`
	Requests   int             `json:"requests"` // writes, range reads, and a read-back per weigh-in to learn its id
}

type dryRunWeighIn struct {
	Date  string   `json:"date"`
	Time  string   `json:"time"`
	Kg    float64  `json:"kg"`
	Fat   *float64 `json:"fat_percent,omitempty"`
	Shown string   `json:"shown"`
}

func newWeightDryRun(p *planned) *weightDryRun {
	w := &weightDryRun{Unit: p.unit, UnitSource: p.unitFrom, Files: p.weightFiles, Days: len(p.weight.Days), Skipped: p.weight.Skipped}
	for _, day := range p.weight.Days {
		for _, op := range day.Ops {
			w.WeighIns = append(w.WeighIns, dryRunWeighIn{Date: day.Date, Time: op.Time[11:16], Kg: op.Kg, Fat: op.Fat, Shown: op.Shown})
		}
	}
	for _, e := range p.weight.Problems {
		w.Problems = append(w.Problems, e.Error())
	}
	if len(w.WeighIns) > 0 {
		w.Requests = 2*len(w.WeighIns) + p.weight.RangeReads()
	}
	return w
}

func printWeightDryRun(w io.Writer, d *weightDryRun) {
	fmt.Fprintf(w, "Weight unit: %s (from %s)\n", d.Unit, d.UnitSource)
	printFiles(w, "Weight files used:", d.Files)
	fmt.Fprintf(w, "%-10s  %-5s  %s\n", "DATE", "TIME", "WEIGH-IN")
	for _, wi := range d.WeighIns {
		fmt.Fprintf(w, "%-10s  %-5s  %s\n", wi.Date, wi.Time, wi.Shown)
	}
	fmt.Fprintln(w, "Weight summary:")
	fmt.Fprintf(w, "  weigh-ins: %d over %d days (each added unless Garmin already has it: same minute, within %.2f kg)\n", len(d.WeighIns), d.Days, importer.MatchKg)
	fmt.Fprintf(w, "  requests:  %d\n", d.Requests)
	fmt.Fprintf(w, "  skipped:   %s\n", skippedText(d.Skipped))
	for _, pr := range d.Problems {
		fmt.Fprintf(w, "    %s\n", pr)
	}
}

// printFiles lists the files a kind is read from under a title.
func printFiles(w io.Writer, title string, files []string) {
	fmt.Fprintln(w, title)
	for _, f := range files {
		fmt.Fprintln(w, "  "+f)
	}
}

func printDryRun(c *cli.Context, p *planned, rate float64) error {
	d := newDryRun(p, rate)
	w := c.App.Writer
	if c.Bool("json") {
		return writeJSON(w, d)
	}
	if p.plan == nil {
		fmt.Fprintf(w, "Time zone: %s (from %s)\n", d.TimeZone, d.TimeZoneSource)
		if d.Weight != nil {
			printWeightDryRun(w, d.Weight)
		}
		if d.Activities != nil {
			printActivityDryRun(w, d.Activities)
		}
		fmt.Fprintf(w, "Duration: about %s at %s req/s\n", (time.Duration(d.Summary.EstimatedSeconds) * time.Second).String(), fmtRate(rate))
		fmt.Fprintln(w, "Dry run: nothing was sent.")
		return nil
	}
	fmt.Fprintf(w, "Time zone: %s (from %s)\n", d.TimeZone, d.TimeZoneSource)
	printFiles(w, "Files used:", d.Files)
	fmt.Fprintf(w, "%-10s  %7s  %10s  %8s  %s\n", "DATE", "ENTRIES", "ML", "REQUESTS", "ACTION")
	for _, day := range d.Days {
		fmt.Fprintf(w, "%-10s  %7d  %10.1f  %8d  %s\n", day.Date, day.Entries, day.ML, day.Requests, day.Action)
	}
	s := d.Summary
	fmt.Fprintln(w, "Summary:")
	fmt.Fprintf(w, "  days:      %d\n", s.Days)
	fmt.Fprintf(w, "  entries:   %d (grouped by %s)\n", s.Entries, d.Group)
	fmt.Fprintf(w, "  water:     %s\n", litres(s.ML))
	fmt.Fprintf(w, "  requests:  %d (%d writes, %d reads)\n", s.Requests, s.Writes, s.Reads)
	fmt.Fprintf(w, "  skipped:   %s\n", skippedText(s.Skipped))
	for _, pr := range s.Problems {
		fmt.Fprintf(w, "    %s\n", pr)
	}
	if d.Weight != nil {
		printWeightDryRun(w, d.Weight)
	}
	if d.Activities != nil {
		printActivityDryRun(w, d.Activities)
	}
	fmt.Fprintf(w, "  duration:  about %s at %s req/s\n", (time.Duration(s.EstimatedSeconds) * time.Second).String(), fmtRate(rate))
	fmt.Fprintln(w, "Dry run: nothing was sent.")
	return nil
}

// resultJSON is a run's summary as printed with --json.
type resultJSON struct {
	*importer.Result
	ElapsedSeconds float64     `json:"elapsed_seconds"`
	Summary        runAccounts `json:"summary"`
}

func summaryJSON(res *importer.Result) resultJSON {
	return resultJSON{Result: res, ElapsedSeconds: res.Elapsed.Seconds(), Summary: accounts(res)}
}

// runAccounts sorts every day and record a run was given into one line
// each, with the dry-run's words: what this run did, what an earlier run
// did, what Garmin already held, what the plan left out and why, what
// Garmin refused and what conflicted.
type runAccounts struct {
	Done             int            `json:"done"`               // days this run completed (imported or undone)
	Writes           int            `json:"writes"`             // writes this run sent
	Reconciled       int            `json:"reconciled"`         // of those, settled by reading back
	AlreadyDone      int            `json:"already_done"`       // days an earlier run completed
	ExistingOnGarmin int            `json:"existing_on_garmin"` // days (water) or weigh-ins (weight) Garmin already held, left alone
	Skipped          map[string]int `json:"skipped"`            // records or days left out, by reason
	Failed           int            `json:"failed"`             // writes Garmin rejected
	Conflicts        int            `json:"conflicts"`          // days that fit no expectation, left alone
	Unfinished       int            `json:"unfinished"`         // days not finished (stopped or interrupted): the next run resumes them
	Processing       int            `json:"processing"`         // weigh-ins Garmin took but does not show yet: a later run settles them
}

func accounts(res *importer.Result) runAccounts {
	a := runAccounts{
		Done:        res.DaysDone - res.DaysEarlier,
		Writes:      res.OpsSent,
		Reconciled:  res.Reconciled,
		AlreadyDone: res.DaysEarlier,
		Skipped:     map[string]int{},
		Failed:      len(res.Failures),
		Conflicts:   len(res.Conflicts),
		Processing:  res.Processing,
	}
	for k, v := range res.Skipped {
		a.Skipped[k] += v
	}
	left := 0
	for k, v := range res.DaysSkipped {
		left += v
		switch k {
		case importer.DaySkipExisting, importer.DaySkipComplete:
			a.ExistingOnGarmin += v
		case importer.DaySkipConflict, importer.DaySkipWeighedIn, importer.DaySkipRecorded:
			// Counted in Conflicts, and weigh-in by weigh-in in OpsExisting.
		default:
			a.Skipped[k] += v
		}
	}
	if res.Kind == importer.KindWeight || res.Kind == importer.KindActivity {
		a.ExistingOnGarmin += res.OpsExisting
	}
	// Days neither done nor left alone nor refused: stopped or interrupted.
	stuck := map[string]bool{}
	for _, f := range res.Failures {
		stuck[f.Date] = true
	}
	for _, cf := range res.Conflicts {
		stuck[cf.Date] = true
	}
	a.Unfinished = max(0, res.Days-res.DaysDone-(left-res.DaysSkipped[importer.DaySkipConflict])-len(stuck)-res.DaysProcessing)
	return a
}

// plural writes "1 day", "2 days"; a stem ending in "entr" gets "y"/"ies", one in "ity" "ies".
func plural(n int, stem string) string {
	one, many := stem, stem+"s"
	switch {
	case strings.HasSuffix(stem, "entr"):
		one, many = stem+"y", stem+"ies"
	case strings.HasSuffix(stem, "ity"):
		many = strings.TrimSuffix(stem, "y") + "ies"
	}
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// summaryWords are a kind's words in the summary: its title, what is
// counted as existing on Garmin, and what a write adds and an undo deletes.
func summaryWords(k importer.Kind) (what, unit, added, deleted string) {
	switch k {
	case importer.KindWeight:
		return "Weight", "weigh-in", "weigh-ins added", "weigh-ins deleted"
	case importer.KindActivity:
		return "Activities", "activity", "activities uploaded", "activities deleted"
	}
	return "Water", "day", "writes", "writes"
}

// printSummary prints what a run did: every day and record of the plan is
// on one of its lines.
func printSummary(w io.Writer, res *importer.Result) {
	a := accounts(res)
	what, unit, added, deleted := summaryWords(res.Kind)
	verb, done, writes := "import", "imported", added
	if res.Run == importer.RunUndo {
		verb, done, writes = "undo", "undone", deleted
	}
	amount := ""
	if res.Kind == importer.KindWater {
		amount = ", " + litres(res.ML)
	}
	fmt.Fprintf(w, "%s %s summary:\n", what, verb)
	fmt.Fprintf(w, "  %-19s %s, %d %s%s (%d settled by reading back)\n", done+":", plural(a.Done, "day"), a.Writes, writes, amount, a.Reconciled)
	fmt.Fprintf(w, "  %-19s %s (by an earlier run)\n", "already done:", plural(a.AlreadyDone, "day"))
	if res.Run == importer.RunImport {
		fmt.Fprintf(w, "  %-19s %s left alone\n", "existing on Garmin:", plural(a.ExistingOnGarmin, unit))
	}
	fmt.Fprintf(w, "  %-19s %s\n", "skipped:", skippedText(a.Skipped))
	fmt.Fprintf(w, "  %-19s %s\n", "failed:", plural(a.Failed, "write"))
	for _, f := range res.Failures {
		fmt.Fprintf(w, "    %s: %s\n", f.Date, f.Err)
	}
	fmt.Fprintf(w, "  %-19s %s\n", "conflicts:", plural(a.Conflicts, "day"))
	for _, cf := range res.Conflicts {
		want := make([]string, len(cf.Want))
		for i, v := range cf.Want {
			want[i] = fmt.Sprintf("%.1f", v)
		}
		fmt.Fprintf(w, "    %s: Garmin holds %.1f ml, expected %s ml (left alone; check it in Garmin Connect)\n", cf.Date, cf.Got, strings.Join(want, " or "))
	}
	if a.Unfinished > 0 {
		fmt.Fprintf(w, "  %-19s %s (run the same command again to resume)\n", "not finished:", plural(a.Unfinished, "day"))
	}
	if a.Processing > 0 {
		fmt.Fprintf(w, "  %-19s %s Garmin took but does not show yet (run the same command again in a few minutes to settle them; none is sent twice)\n",
			"processing:", plural(a.Processing, unit))
	}
	fmt.Fprintf(w, "  %-19s %d in %s (%.2f req/s; rate at the end %s req/s", "requests:",
		res.Requests, res.Elapsed.Round(time.Millisecond), res.AchievedRate, fmtRate(res.FinalRate))
	if res.RateLowered > 0 {
		fmt.Fprintf(w, ", lowered %s after 429s, paused %s", plural(res.RateLowered, "time"), res.Paused.Round(time.Millisecond))
	}
	fmt.Fprintln(w, ")")
}

// progress shows a run's progress on stderr: a bar on a terminal, a plain
// line every interval otherwise, nothing with --quiet.
type progress struct {
	mu       sync.Mutex
	bar      *progressbar.ProgressBar
	w        io.Writer
	interval time.Duration
	last     time.Time
	start    time.Time
	p        importer.Progress
}

func newProgress(c *cli.Context, total int) *progress {
	pr := &progress{start: time.Now(), last: time.Now(), interval: 10 * time.Second}
	if c.Bool("quiet") || c.Bool("json") {
		return pr
	}
	pr.w = c.App.ErrWriter
	if f, ok := pr.w.(interface{ Fd() uintptr }); ok && term.IsTerminal(int(f.Fd())) {
		pr.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(pr.w),
			progressbar.OptionSetDescription("writes"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("req"),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
	return pr
}

func (pr *progress) update(p importer.Progress) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	pr.p = p
	switch {
	case pr.bar != nil:
		pr.bar.ChangeMax(p.OpsTotal)
		pr.bar.Describe(fmt.Sprintf("writes (%s)", litres(p.ML)))
		_ = pr.bar.Set(p.OpsDone)
	case pr.w != nil && time.Since(pr.last) >= pr.interval:
		pr.last = time.Now()
		pr.line()
	}
}

func (pr *progress) line() {
	p := pr.p
	el := time.Since(pr.start)
	rate := float64(p.Requests) / el.Seconds()
	eta := "?"
	if rate > 0 && p.OpsTotal >= p.OpsDone {
		eta = (time.Duration(float64(p.OpsTotal-p.OpsDone)/rate) * time.Second).Round(time.Second).String()
	}
	fmt.Fprintf(pr.w, "progress: %d/%d writes, %s, %.2f req/s, ETA %s\n", p.OpsDone, p.OpsTotal, litres(p.ML), rate, eta)
}

func (pr *progress) finish() {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if pr.bar != nil {
		_ = pr.bar.Finish()
	}
}
