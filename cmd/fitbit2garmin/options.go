package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"fitbit2garmin/fitbit"
	"fitbit2garmin/importer"
)

// options are a command's flags, read once and checked: the commands use
// these typed fields, never a flag by its name. A flag the command does
// not define keeps its default.
type options struct {
	// What to plan (import, verify).
	exports        []string
	types          map[importer.Kind]bool // every kind when --types is empty
	weightUnit     string                 // "", fitbit.UnitKg or fitbit.UnitLb
	timezone       string                 // --timezone, "" to take the export's
	plan           importer.PlanOptions
	filter         importer.ActivityFilter
	heartRateFiles bool

	// How to run (import, undo, verify).
	rate        float64
	burst       int
	workers     int
	existing    importer.Policy
	uploadWait  time.Duration
	resendAfter time.Duration
	state       string
	day         string // verify --day: one day's summary, YYYY-MM-DD
	force       bool
	dryRun      bool
	json        bool
}

// parseOptions reads and checks the flags of c's command.
func parseOptions(c *cli.Context) (*options, error) {
	has := func(name string) bool {
		return slices.ContainsFunc(c.Command.Flags, func(f cli.Flag) bool { return slices.Contains(f.Names(), name) })
	}
	o := &options{
		exports: c.Args().Slice(), timezone: c.String("timezone"), heartRateFiles: c.Bool("heart-rate-files"),
		rate: c.Float64("rate"), burst: 1, workers: defaultWorkers, existing: importer.ExistingSkip,
		uploadWait: c.Duration("upload-wait"), resendAfter: c.Duration("resend-after"),
		state: c.String("state"), day: c.String("day"), force: c.Bool("force"), dryRun: c.Bool("dry-run"), json: c.Bool("json"),
		plan: importer.PlanOptions{
			Group: importer.Group(c.String("group")), Since: c.String("since"), Until: c.String("until"),
			SkipInvalid: c.Bool("skip-invalid"),
		},
		filter: importer.ActivityFilter{MinDuration: c.Duration("min-duration"), SkipAutoDetected: c.Bool("skip-auto-detected"),
			Types: splitList(c.String("activity-types"))},
	}
	if has("burst") {
		o.burst = c.Int("burst")
	}
	if has("workers") {
		o.workers = c.Int("workers")
	}
	if has("existing") {
		o.existing = importer.Policy(c.String("existing"))
	}
	var err error
	if o.types, err = parseTypes(c.String("types")); err != nil {
		return nil, err
	}
	if o.weightUnit, err = fitbit.ParseWeightUnit(c.String("weight-unit")); err != nil {
		return nil, usageError{fmt.Errorf("--weight-unit %q: expected kg or lb (%w)", c.String("weight-unit"), err)}
	}
	return o, o.check(has)
}

// check refuses values no run can use, for the flags the command has.
func (o *options) check(has func(string) bool) error {
	switch {
	case has("rate") && o.rate <= 0:
		return usageError{fmt.Errorf("--rate %v: expected a number of requests per second above 0", o.rate)}
	case o.burst < 1 || o.workers < 1:
		return usageError{errors.New("--burst and --workers: expected 1 or more")}
	case !slices.Contains([]importer.Policy{importer.ExistingSkip, importer.ExistingAdd, importer.ExistingTopUp}, o.existing):
		return usageError{fmt.Errorf("--existing %q: expected skip, add or top-up", o.existing)}
	}
	if t, err := time.Parse(time.DateOnly, o.day); o.day != "" && (err != nil || t.Format(time.DateOnly) != o.day) {
		return usageError{fmt.Errorf("--day %q: expected a date YYYY-MM-DD", o.day)}
	}
	return nil
}

// parseTypes reads --types: a comma-separated list of kinds; empty means
// every kind (of those, the ones the export holds are imported).
func parseTypes(v string) (map[importer.Kind]bool, error) {
	want := map[importer.Kind]bool{}
	if strings.TrimSpace(v) == "" {
		for _, k := range importer.Kinds() {
			want[k] = true
		}
		return want, nil
	}
	for _, t := range strings.Split(v, ",") {
		k := importer.Kind(strings.TrimSpace(t))
		if !slices.Contains(importer.Kinds(), k) {
			return nil, usageError{fmt.Errorf("--types %q: expected water, weight or activities, comma-separated", v)}
		}
		want[k] = true
	}
	return want, nil
}

// splitList reads a comma-separated flag: its non-empty items, trimmed.
func splitList(v string) []string {
	var out []string
	for _, t := range strings.Split(v, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}
