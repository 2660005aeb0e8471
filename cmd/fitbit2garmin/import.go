package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"fitbit2garmin/fitbit"
	"fitbit2garmin/garmin"
	"fitbit2garmin/importer"
	"fitbit2garmin/state"
)

// Defaults of import. One request a second is polite: a 10-year history
// grouped by day takes about an hour.
const (
	defaultRate    = 1.0
	defaultBurst   = 1
	defaultWorkers = 2
)

func planFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "types", Usage: "what to import: water, weight, activities, comma-separated (default: every kind the export holds)", EnvVars: envs("types")},
		&cli.StringFlag{Name: "weight-unit", Usage: "unit of the export's weights: kg or lb (default: the export's profile setting)", EnvVars: envs("weight-unit")},
		&cli.StringFlag{Name: "since", Usage: "first day to import, YYYY-MM-DD", EnvVars: envs("since")},
		&cli.StringFlag{Name: "until", Usage: "last day to import, YYYY-MM-DD", EnvVars: envs("until")},
		&cli.StringFlag{Name: "timezone", Usage: "IANA zone for UTC timestamps (default: the export's profile, else this machine's)", EnvVars: envs("timezone")},
		&cli.StringFlag{Name: "group", Value: string(importer.GroupDay), Usage: "day: one request per day's total; entry: one per drink", EnvVars: envs("group")},
		&cli.BoolFlag{Name: "skip-invalid", Usage: "report invalid records and import the rest", EnvVars: envs("skip-invalid")},
		&cli.BoolFlag{Name: "json", Usage: "machine-readable output on stdout", EnvVars: envs("json")},
		&cli.Float64Flag{Name: "rate", Value: defaultRate, Usage: "requests per second (all requests, reads included)", EnvVars: envs("rate")},
	}, activityFlags()...)
}

func importCommand() *cli.Command {
	return &cli.Command{
		Name:      "import",
		Usage:     "import an export (folder, .zip or .csv); resumes by itself when run again",
		ArgsUsage: "EXPORT...",
		Flags: append(planFlags(),
			&cli.BoolFlag{Name: "dry-run", Usage: "show what would be sent, day by day; no network at all", EnvVars: envs("dry-run")},
			&cli.StringFlag{Name: "existing", Value: string(importer.ExistingSkip), Usage: "days already holding water on Garmin: skip, add or top-up", EnvVars: envs("existing")},
			&cli.IntFlag{Name: "burst", Value: defaultBurst, Usage: "requests allowed at once above the rate", EnvVars: envs("burst")},
			&cli.IntFlag{Name: "workers", Value: defaultWorkers, Usage: "days worked on at once (hides latency; the rate stays --rate)", EnvVars: envs("workers")},
			&cli.StringFlag{Name: "state", Usage: "journal file (default: per export, under $XDG_STATE_HOME/fitbit2garmin)", EnvVars: envs("state")},
			&cli.BoolFlag{Name: "force", Usage: "resume a journal made for another export or account", EnvVars: envs("force")},
			&cli.BoolFlag{Name: "sandbox", Usage: "run against an in-process fake Garmin with fresh tokens (no account needed)", EnvVars: envs("sandbox")},
			// Hidden: how long an upload (a weigh-in, an activity) Garmin
			// does not show must wait before it is sent again. Below 15 minutes a slow upload may
			// land twice; tests lower it against the sandbox, whose
			// processing delay they set.
			&cli.DurationFlag{Name: "resend-after", Value: 15 * time.Minute, Hidden: true, EnvVars: envs("resend-after")},
			&cli.DurationFlag{Name: "upload-wait", Value: 2 * time.Minute, Usage: "how long to wait for Garmin to show an upload (a weigh-in with body fat, an activity) before leaving it processing for a later run", EnvVars: envs("upload-wait")},
		),
		Action: runImport,
	}
}

// planned is an export read and planned, with what was chosen on the way.
type planned struct {
	export   *fitbit.Export
	loc      *time.Location
	zone     string
	zoneFrom string

	plan  *importer.Plan // water; nil when not asked for
	files []string

	weight      *importer.Plan // weigh-ins; nil when not asked for
	weightFiles []string
	unit        string // weight unit of the export's files, as used
	unitFrom    string

	activities    *importer.Plan // exercise logs; nil when not asked for
	activityFiles []string
	activityByKey map[string]fitbit.Activity // the planned logs, by LogID
	// heartRateFiles is --heart-rate-files: uploads read heart rate from
	// the day files.
	heartRateFiles bool
}

// missingKinds is the error for an export holding none of the kinds asked
// for: the kind's own message when one kind was asked for.
func missingKinds(exp *fitbit.Export, want map[importer.Kind]bool) error {
	has := map[importer.Kind]bool{importer.KindWater: exp.HasWater(), importer.KindWeight: exp.HasWeight(), importer.KindActivity: exp.HasActivities()}
	for k := range want {
		if has[k] {
			return nil
		}
	}
	switch {
	case len(want) == 1 && want[importer.KindWeight]:
		return exp.NoWeightError()
	case len(want) == 1 && want[importer.KindActivity]:
		return usageError{errors.New("no exercise history in the export: expected Global Export Data/exercise-N.json or Health Fitness Data_GoogleData/UserExercises_*.csv (Takeout: Fitbit > Global Export Data)")}
	}
	return exp.NoWaterError()
}

// optionsAndPlan reads the command's options, then opens the export its
// arguments name and plans it. The caller closes the export.
func optionsAndPlan(c *cli.Context) (*options, *planned, error) {
	o, err := parseOptions(c)
	if err != nil {
		return nil, nil, err
	}
	p, err := readPlan(c.Command.Name, o)
	return o, p, err
}

// readPlan opens the export named by the arguments of command and plans it.
func readPlan(command string, o *options) (*planned, error) {
	if len(o.exports) == 0 {
		return nil, usageError{errors.New("no export given: fitbit2garmin " + command + " EXPORT (a folder, a .zip or a .csv)")}
	}
	want, unit := o.types, o.weightUnit
	wantWater, wantWeight, wantActivities := want[importer.KindWater], want[importer.KindWeight], want[importer.KindActivity]
	exp, err := fitbit.Open(o.exports...)
	if err != nil {
		return nil, err
	}
	p := &planned{export: exp, heartRateFiles: o.heartRateFiles}
	fail := func(err error) (*planned, error) {
		exp.Close()
		var pe *importer.ProblemError
		var fe *fitbit.Error
		if errors.As(err, &pe) || errors.As(err, &fe) || errors.As(err, new(usageError)) {
			return nil, err
		}
		return nil, usageError{err}
	}
	if err := missingKinds(exp, want); err != nil {
		return fail(err)
	}
	if p.loc, err = p.chooseZone(o.timezone); err != nil {
		return fail(err)
	}
	opts := o.plan
	if wantWater && exp.HasWater() {
		for _, s := range exp.WaterFiles() {
			p.files = append(p.files, s.String())
		}
		if p.plan, err = importer.BuildPlan(exp.Water(p.loc), opts); err != nil {
			return fail(err)
		}
	}
	if wantWeight && exp.HasWeight() {
		for _, s := range exp.WeightFiles() {
			p.weightFiles = append(p.weightFiles, s.String())
		}
		p.unit, p.unitFrom = unit, "--weight-unit"
		if unit == "" {
			if u, src, ok := exp.WeightUnit(); ok {
				p.unit, p.unitFrom = u, src.String()
			} else {
				p.unit, p.unitFrom = "kg", "the files themselves (grams or kg)"
			}
		}
		if p.weight, err = importer.BuildWeightPlan(exp.Weight(p.loc, unit), opts); err != nil {
			return fail(err)
		}
	}
	if wantActivities && exp.HasActivities() {
		if err := p.planActivities(opts, o.filter); err != nil {
			return fail(err)
		}
	}
	return p, nil
}

// plans returns the plans to run, water first.
func (p *planned) plans() []*importer.Plan {
	var out []*importer.Plan
	for _, pl := range []*importer.Plan{p.plan, p.weight, p.activities} {
		if pl != nil {
			out = append(out, pl)
		}
	}
	return out
}

// chooseZone picks the time zone: the flag, else the export's profile, else this machine's.
func (p *planned) chooseZone(flag string) (*time.Location, error) {
	if flag != "" {
		loc, err := time.LoadLocation(flag)
		if err != nil {
			return nil, usageError{fmt.Errorf("--timezone %q: expected an IANA zone such as Europe/Berlin: %w", flag, err)}
		}
		p.zone, p.zoneFrom = flag, "--timezone"
		return loc, nil
	}
	if name, src, ok := p.export.ProfileTimeZone(); ok {
		if loc, err := time.LoadLocation(name); err == nil {
			p.zone, p.zoneFrom = name, src.String()
			return loc, nil
		}
	}
	p.zone, p.zoneFrom = machineZone(), "this machine"
	return time.Local, nil
}

// machineZone names this machine's zone as well as it can.
func machineZone() string {
	if tz := os.Getenv("TZ"); tz != "" {
		return tz
	}
	if target, err := os.Readlink("/etc/localtime"); err == nil {
		if i := strings.Index(target, "zoneinfo/"); i >= 0 {
			return target[i+len("zoneinfo/"):]
		}
	}
	return time.Local.String()
}

func runImport(c *cli.Context) error {
	o, p, err := optionsAndPlan(c)
	if err != nil {
		return err
	}
	defer p.export.Close()
	if o.dryRun {
		return printDryRun(c, p, o.rate)
	}
	requests := 0
	for _, pl := range p.plans() {
		requests += pl.Requests
	}
	if requests == 0 {
		// Nothing to send, but say why: every record is on a line of the
		// summary, as in the dry-run ("skipped: 62 zero amount").
		var results []*importer.Result
		for _, pl := range p.plans() {
			results = append(results, &importer.Result{Run: importer.RunImport, Kind: pl.Kind, Days: len(pl.Days),
				DaysSkipped: map[string]int{}, Skipped: pl.Skipped, FinalRate: o.rate})
		}
		err := report(c, results, nil)
		infof(c, "Nothing to import: the export holds nothing to send in the chosen range; nothing was sent.")
		return err
	}

	fp, err := p.export.Fingerprint()
	if err != nil {
		return err
	}
	s, err := openSession(c, o, func(conn *connection, profile *garmin.Profile) (*state.Journal, error) {
		return openJournal(c, o, conn, fp, profile)
	})
	if err != nil {
		return err
	}
	defer s.close()
	p.announce(c, s.profile, o.rate)
	prog := newProgress(c, requests)
	r := s.runner(o, p.loc, prog, p.track)
	var results []*importer.Result
	var runErr error
	for _, pl := range p.plans() {
		var res *importer.Result
		res, runErr = r.Import(c.Context, pl)
		if res != nil {
			if res.Skipped == nil {
				res.Skipped = pl.Skipped
			}
			results = append(results, res)
		}
		if runErr != nil {
			break
		}
	}
	prog.finish()
	if s.sandbox != nil {
		infof(c, "Sandbox: the fake Garmin now holds %s of water over %d days, %d weigh-ins and %d activities.",
			litres(s.sandboxTotal()), len(s.sandbox.Totals(s.email)), len(s.sandbox.WeighIns(s.email)), len(s.sandbox.Activities(s.email)))
	}
	return report(c, results, runErr)
}

// announce says what an import is about to do: the zone, the account, and
// per kind what the plan holds.
func (p *planned) announce(c *cli.Context, profile *garmin.Profile, rateLimit float64) {
	infof(c, "Time zone: %s (from %s)", p.zone, p.zoneFrom)
	infof(c, "Garmin account: %s (%d)", profile.DisplayName, profile.ProfileID)
	if p.plan != nil {
		infof(c, "Water: %d days, %s, %d requests", len(p.plan.Days), litres(p.plan.ML), p.plan.Requests)
	}
	if p.weight != nil {
		infof(c, "Weight: %d weigh-ins over %d days (unit %s, from %s)", p.weight.Requests, len(p.weight.Days), p.unit, p.unitFrom)
	}
	if p.activities != nil {
		infof(c, "Activities: %d over %d days", p.activities.Requests, len(p.activities.Days))
	}
	infof(c, "Rate: %s req/s", fmtRate(rateLimit))
}

// openJournal opens (or creates) the journal and checks it belongs to this
// export and account.
func openJournal(c *cli.Context, o *options, conn *connection, fp string, profile *garmin.Profile) (*state.Journal, error) {
	path := o.state
	if path == "" {
		if conn.sandbox != nil {
			path = filepath.Join(conn.tempDir, "journal.jsonl")
		} else {
			path = state.DefaultPath(state.DefaultStateDir(), fp)
		}
	}
	account := fmt.Sprint(profile.ProfileID)
	j, err := state.Open(c.Context, path, state.Options{Header: &state.Event{
		Fingerprint: fp, Account: account, AccountName: profile.DisplayName,
	}})
	if err != nil {
		return nil, err
	}
	if err := j.CheckHeader(fp, account, o.force); err != nil {
		j.Close()
		return nil, err
	}
	if h, ok := j.Header(); ok && (h.Fingerprint != fp || h.Account != account) {
		// Forced onto another export or account: from now on the journal
		// belongs to this one, and later runs are checked against it.
		if err := j.SetHeader(state.Event{Fingerprint: fp, Account: account, AccountName: profile.DisplayName}); err != nil {
			j.Close()
			return nil, err
		}
	}
	return j, nil
}

// report prints the runs' summaries and turns their outcome into the command's error.
func report(c *cli.Context, results []*importer.Result, runErr error) error {
	if c.Bool("json") {
		out := make([]resultJSON, 0, len(results))
		for _, res := range results {
			out = append(out, summaryJSON(res))
		}
		var v any = out
		if len(out) == 1 {
			v = out[0]
		}
		if err := writeJSON(c.App.Writer, v); err != nil {
			return err
		}
	} else {
		for _, res := range results {
			printSummary(c.App.Writer, res)
		}
	}
	if runErr != nil {
		return runErr
	}
	for _, res := range results {
		if len(res.Conflicts) > 0 || len(res.Failures) > 0 || res.DaysSkipped[importer.DaySkipExisting] > 0 || res.Processing > 0 {
			return errPartial
		}
	}
	return nil
}

func fmtRate(r float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", r), "0"), ".")
}

// whoAmI asks Garmin whose tokens these are, retrying what may pass (a
// network error, a 5xx, a 429 with a short Retry-After) a few times with
// backoff: it is a read, so trying again is safe.
func whoAmI(ctx context.Context, client *garmin.Client) (*garmin.Profile, error) {
	wait := 500 * time.Millisecond
	for attempt := 1; ; attempt++ {
		profile, err := client.SocialProfile(ctx)
		if err == nil {
			return profile, nil
		}
		var apiErr *garmin.APIError
		var rl *garmin.RateLimitError
		switch {
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case errors.Is(err, garmin.ErrUnauthorized), errors.As(err, &apiErr) && apiErr.Status < 500,
			errors.As(err, &rl) && rl.RetryAfter > time.Minute, attempt == 5:
			return nil, fmt.Errorf("ask Garmin who the tokens belong to: %w", err)
		case errors.As(err, &rl) && rl.RetryAfter > 0:
			wait = rl.RetryAfter
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
		wait *= 2
	}
}
