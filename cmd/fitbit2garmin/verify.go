package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"fitbit2garmin/adapter"
	"fitbit2garmin/importer"
	"fitbit2garmin/state"
)

func verifyCommand() *cli.Command {
	return &cli.Command{
		Name:      "verify",
		Usage:     "compare Garmin's daily totals with the export's and list the days that differ",
		ArgsUsage: "EXPORT...",
		Flags: append(planFlags(), stateFlag(),
			&cli.StringFlag{Name: "day", Usage: "show Garmin's summary of one day, YYYY-MM-DD (steps, calories, water, weigh-ins) next to the export's", EnvVars: envs("day")}),
		Action: runVerify,
	}
}

// verifyJSON is one kind's verify report with what the plan left out, by
// skip code (importer.Skip*), as the dry-run's JSON gives it.
type verifyJSON struct {
	*importer.VerifyReport
	Skipped map[string]int `json:"skipped"`
}

func runVerify(c *cli.Context) error {
	o, p, err := optionsAndPlan(c)
	if err != nil {
		return err
	}
	defer p.export.Close()
	if o.day != "" {
		conn, err := connect(c, importer.NewPacer(o.rate, 1))
		if err != nil {
			return err
		}
		defer conn.close()
		return runVerifyDay(c, p, conn, o.day)
	}
	events, err := verifyJournal(c, o, p)
	if err != nil {
		return err
	}
	conn, err := connect(c, importer.NewPacer(o.rate, 1))
	if err != nil {
		return err
	}
	defer conn.close()
	all := map[string]verifyJSON{}
	differ := 0
	if p.plan != nil {
		n, err := verifyWater(c, p, conn, events, all)
		if err != nil {
			return err
		}
		differ += n
	}
	if p.weight != nil {
		n, err := verifyWeight(c, p, conn, events, all)
		if err != nil {
			return err
		}
		differ += n
	}
	if p.activities != nil {
		n, err := verifyActivities(c, p, conn, events, all)
		if err != nil {
			return err
		}
		differ += n
	}
	if o.json {
		if err := writeJSON(c.App.Writer, all); err != nil {
			return err
		}
	}
	if differ > 0 {
		return cli.Exit("", exitPartial)
	}
	return nil
}

// verifyJournal reads the journal of the export (--state, else the
// default path), if there is one: verify then knows which days the tool
// skipped, topped up or undid.
func verifyJournal(c *cli.Context, o *options, p *planned) ([]state.Event, error) {
	path := o.state
	if path == "" {
		fp, err := p.export.Fingerprint()
		if err != nil {
			return nil, err
		}
		path = state.DefaultPath(state.DefaultStateDir(), fp)
	}
	if _, err := os.Stat(path); err != nil {
		infof(c, "No journal at %s: comparing with the export alone.", path)
		return nil, nil
	}
	events, err := state.Read(c.Context, path)
	if err != nil {
		return nil, err
	}
	infof(c, "Journal: %s", path)
	return events, nil
}

// verifyWater compares Garmin's daily water totals with the plan's and
// returns how many days differ.
func verifyWater(c *cli.Context, p *planned, conn *connection, events []state.Event, all map[string]verifyJSON) (int, error) {
	rep, err := importer.Verify(c.Context, adapter.GarminWater{Client: conn.client}, p.plan, events)
	if err != nil {
		return 0, err
	}
	all["water"] = verifyJSON{rep, p.plan.Skipped}
	if w := c.App.Writer; !c.Bool("json") {
		fmt.Fprintf(w, "Water: verified %d days: %d match, %d differ.\n", rep.Days, rep.Matching, len(rep.Mismatches))
		fmt.Fprintf(w, "  skipped: %s\n", skippedText(p.plan.Skipped))
		if len(rep.Mismatches) > 0 {
			fmt.Fprintf(w, "%-10s  %10s  %10s  %10s  %s\n", "DATE", "EXPORT ML", "EXPECTED", "GARMIN", "NOTE")
			for _, m := range rep.Mismatches {
				note := m.Note
				if m.Skip != "" {
					note += ": " + reasonText(m.Skip)
				}
				fmt.Fprintf(w, "%-10s  %10.1f  %10.1f  %10.1f  %s\n", m.Date, m.ExportML, m.WantML, m.GarminML, note)
			}
		}
	}
	return len(rep.Mismatches), nil
}

// verifyWeight lists, day by day, the weigh-ins missing on Garmin,
// different (kg beyond 0.01, body fat beyond 0.1 points) or extra (ours),
// and returns how many.
func verifyWeight(c *cli.Context, p *planned, conn *connection, events []state.Event, all map[string]verifyJSON) (int, error) {
	rep, err := importer.VerifyWeight(c.Context, adapter.GarminWeight{Client: conn.client}, p.weight, p.loc, events)
	return printVerify(c, "Weight", "weigh-ins", p.weight, rep, err, all)
}

// verifyActivities lists the activities missing on Garmin, different
// (sport, duration, distance) or extra, and returns how many.
func verifyActivities(c *cli.Context, p *planned, conn *connection, events []state.Event, all map[string]verifyJSON) (int, error) {
	rep, err := importer.VerifyActivities(c.Context, adapter.GarminActivities{Client: conn.client}, p.activities, events)
	return printVerify(c, "Activities", "activities", p.activities, rep, err, all)
}

// printVerify prints an item-by-item verify report (unless --json) and
// returns how many items differ.
func printVerify(c *cli.Context, title, items string, plan *importer.Plan, rep *importer.VerifyReport, err error, all map[string]verifyJSON) (int, error) {
	if err != nil {
		return 0, err
	}
	all[strings.ToLower(title)] = verifyJSON{rep, plan.Skipped}
	if w := c.App.Writer; !c.Bool("json") {
		fmt.Fprintf(w, "%s: verified %d days: %d match, %d %s missing, different or extra.\n", title, rep.Days, rep.Matching, len(rep.Mismatches), items)
		fmt.Fprintf(w, "  skipped: %s\n", skippedText(plan.Skipped))
		for _, m := range rep.Mismatches {
			fmt.Fprintf(w, "%-10s  %s\n", m.Date, m.Note)
		}
	}
	return len(rep.Mismatches), nil
}
