package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"fitbit2garmin/importer"
	"fitbit2garmin/state"
)

func stateFlag() cli.Flag {
	return &cli.StringFlag{Name: "state", Usage: "journal file (default: the one journal under $XDG_STATE_HOME/fitbit2garmin)", EnvVars: envs("state")}
}

func statusCommand() *cli.Command {
	return &cli.Command{
		Name:  "status",
		Usage: "show the progress recorded in a journal: done, pending, uncertain, failed (no network)",
		Flags: []cli.Flag{stateFlag(), &cli.BoolFlag{Name: "json", Usage: "machine-readable output", EnvVars: envs("json")}},
		Action: func(c *cli.Context) error {
			paths, err := journalPaths(c, true)
			if err != nil {
				return err
			}
			var all []statusJSON
			for _, path := range paths {
				events, err := state.Read(c.Context, path)
				if err != nil {
					return err
				}
				reps := importer.Statuses(events)
				s := statusJSON{Journal: path, Water: reps[importer.KindWater], Weight: reps[importer.KindWeight], Activities: reps[importer.KindActivity]}
				if s.Water == nil {
					s.Water = importer.Status(nil, importer.KindWater) // zeros, as the JSON has always given
				}
				for _, ev := range events {
					if ev.T == state.TypeHeader {
						s.Account, s.AccountName, s.Created = ev.Account, ev.AccountName, ev.Created
						break
					}
				}
				all = append(all, s)
			}
			if c.Bool("json") {
				return writeJSON(c.App.Writer, all)
			}
			for _, s := range all {
				printStatus(c, s)
			}
			return nil
		},
	}
}

type statusJSON struct {
	Journal     string                 `json:"journal"`
	Account     string                 `json:"account"`
	AccountName string                 `json:"account_name"`
	Created     string                 `json:"created"`
	Water       *importer.StatusReport `json:"water"`
	Weight      *importer.StatusReport `json:"weight,omitempty"`
	Activities  *importer.StatusReport `json:"activities,omitempty"`
}

func printStatus(c *cli.Context, s statusJSON) {
	w := c.App.Writer
	r := s.Water
	fmt.Fprintf(w, "Journal: %s\n", s.Journal)
	fmt.Fprintf(w, "Account: %s (%s), started %s\n", s.AccountName, s.Account, s.Created)
	switch {
	case r.Days > 0:
		printWaterStatus(w, r)
	case s.Weight == nil && s.Activities == nil:
		fmt.Fprintln(w, "Nothing recorded yet.")
	}
	if s.Weight != nil {
		printUploadStatus(w, "Weight", "weigh-ins", s.Weight)
	}
	if s.Activities != nil {
		printUploadStatus(w, "Activities", "activities", s.Activities)
	}
}

// printUploadStatus prints the part of status of a kind whose ops are
// items Garmin keeps with an id (weigh-ins, activities).
func printUploadStatus(w io.Writer, title, items string, r *importer.StatusReport) {
	fmt.Fprintf(w, "%s: %d days touched, %s to %s\n", title, r.Days, r.FirstDate, r.LastDate)
	fmt.Fprintf(w, "  done:      %d days (%d %s added)\n", r.DaysDone, r.OpsDone, items)
	fmt.Fprintf(w, "  pending:   %d days (%d %s left)\n", r.DaysPending, r.OpsPending, items)
	fmt.Fprintf(w, "  uncertain: %d days%s\n", len(r.Uncertain), listDates(r.Uncertain))
	if len(r.Processing) > 0 {
		fmt.Fprintf(w, "  processing: %d days%s (Garmin took the upload but does not show it yet; run import again later)\n",
			len(r.Processing), listDates(r.Processing))
	}
	fmt.Fprintf(w, "  failed:    %d days%s\n", len(r.Failed), listDates(r.Failed))
	fmt.Fprintf(w, "  skipped:   %d days (%s)\n", r.DaysSkipped, skippedText(r.SkipReasons))
	if r.DaysUndone > 0 {
		fmt.Fprintf(w, "  undone:    %d days\n", r.DaysUndone)
	}
}

func listDates(d []string) string {
	if len(d) == 0 {
		return ""
	}
	if len(d) > 10 {
		return ": " + strings.Join(d[:10], ", ") + fmt.Sprintf(" and %d more", len(d)-10)
	}
	return ": " + strings.Join(d, ", ")
}

// journalPaths returns --state, or the journals in the default folder: all
// of them when many are allowed, else exactly one.
func journalPaths(c *cli.Context, many bool) ([]string, error) {
	if p := c.String("state"); p != "" {
		return []string{p}, nil
	}
	dir := state.DefaultStateDir()
	if dir == "" {
		return nil, usageError{errors.New("no home folder to look for journals in: pass --state FILE")}
	}
	found, _ := filepath.Glob(filepath.Join(dir, "fitbit2garmin", "journal*.jsonl"))
	switch {
	case len(found) == 0:
		return nil, usageError{fmt.Errorf("no journal in %s: nothing was imported yet, or pass --state FILE", filepath.Join(dir, "fitbit2garmin"))}
	case len(found) > 1 && !many:
		return nil, usageError{fmt.Errorf("several journals in %s; choose one with --state:\n  %s", filepath.Join(dir, "fitbit2garmin"), strings.Join(found, "\n  "))}
	}
	return found, nil
}

// printWaterStatus prints the water part of status.
func printWaterStatus(w io.Writer, r *importer.StatusReport) {
	fmt.Fprintf(w, "Water: %d days touched, %s to %s\n", r.Days, r.FirstDate, r.LastDate)
	fmt.Fprintf(w, "  done:      %d days (%d writes), %s added\n", r.DaysDone, r.OpsDone, litres(r.MLAdded))
	fmt.Fprintf(w, "  pending:   %d days (%d writes left; run import again to resume)\n", r.DaysPending, r.OpsPending)
	fmt.Fprintf(w, "  uncertain: %d days%s\n", len(r.Uncertain), listDates(r.Uncertain))
	fmt.Fprintf(w, "  failed:    %d days%s\n", len(r.Failed), listDates(r.Failed))
	fmt.Fprintf(w, "  conflicts: %d days%s\n", len(r.Conflicts), listDates(r.Conflicts))
	fmt.Fprintf(w, "  skipped:   %d days (%s)\n", r.DaysSkipped, skippedText(r.SkipReasons))
	if r.DaysUndone > 0 {
		fmt.Fprintf(w, "  undone:    %d days\n", r.DaysUndone)
	}
}
