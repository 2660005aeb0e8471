package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"fitbit2garmin/importer"
	"fitbit2garmin/state"
)

func undoCommand() *cli.Command {
	return &cli.Command{
		Name:  "undo",
		Usage: "take back what this tool added (negative writes), journaled and resumable like an import",
		Flags: []cli.Flag{
			stateFlag(),
			&cli.BoolFlag{Name: "dry-run", Usage: "show what would be taken back; no network", EnvVars: envs("dry-run")},
			&cli.BoolFlag{Name: "json", Usage: "machine-readable output", EnvVars: envs("json")},
			&cli.Float64Flag{Name: "rate", Value: defaultRate, Usage: "requests per second", EnvVars: envs("rate")},
			&cli.IntFlag{Name: "workers", Value: defaultWorkers, Usage: "days worked on at once", EnvVars: envs("workers")},
			&cli.BoolFlag{Name: "force", Usage: "undo with tokens of another account than the journal's", EnvVars: envs("force")},
		},
		Action: runUndo,
	}
}

func runUndo(c *cli.Context) error {
	o, err := parseOptions(c)
	if err != nil {
		return err
	}
	paths, err := journalPaths(c, false)
	if err != nil {
		return err
	}
	path := paths[0]
	if o.dryRun {
		events, err := state.Read(c.Context, path)
		if err != nil {
			return err
		}
		rep := importer.Status(events, importer.KindWater)
		plan := importer.UndoPlan(events, importer.KindWater)
		weighIns := importer.UndoItems(events, importer.KindWeight)
		activities := importer.UndoItems(events, importer.KindActivity)
		w := c.App.Writer
		if o.json {
			return writeJSON(w, map[string]any{"water": plan, "weight": weighIns, "activities": activities})
		}
		fmt.Fprintf(w, "Journal: %s\n", path)
		fmt.Fprintf(w, "%-10s  %10s\n", "DATE", "TAKE BACK ML")
		for _, d := range plan {
			fmt.Fprintf(w, "%-10s  %10.1f\n", d.Date, d.ML)
		}
		fmt.Fprintf(w, "Undo would take back %s of water over %d days", litres(rep.MLAdded), len(plan))
		var deletes []string
		if len(weighIns) > 0 {
			deletes = append(deletes, fmt.Sprintf("%d weigh-ins", len(weighIns)))
		}
		if len(activities) > 0 {
			deletes = append(deletes, fmt.Sprintf("%d activities", len(activities)))
		}
		if len(deletes) > 0 {
			fmt.Fprintf(w, " and delete %s", strings.Join(deletes, " and "))
		}
		fmt.Fprintln(w, ". Dry run: nothing was sent.")
		return nil
	}
	s, err := openSession(c, o, openExisting(c, o, path))
	if err != nil {
		return err
	}
	defer s.close()
	prog := newProgress(c, 0)
	r := s.runner(o, nil, prog, nil)
	var results []*importer.Result
	var runErr error
	for _, kind := range importer.Kinds() {
		if !hasKind(s.journal.Events(), kind) {
			continue
		}
		var res *importer.Result
		res, runErr = r.Undo(c.Context, kind)
		if res != nil {
			results = append(results, res)
		}
		if runErr != nil {
			break
		}
	}
	prog.finish()
	if len(results) == 0 && runErr == nil {
		infof(c, "Nothing to undo: the journal records nothing this tool added.")
		return nil
	}
	return report(c, results, runErr)
}

// hasKind reports whether the journal holds events of kind.
func hasKind(events []state.Event, kind importer.Kind) bool {
	for _, ev := range events {
		if ev.Kind == string(kind) {
			return true
		}
	}
	return false
}
