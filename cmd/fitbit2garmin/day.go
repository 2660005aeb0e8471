package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"fitbit2garmin/garmin"
)

// dayView is one day as Garmin sees it, next to what the export says
// (verify --day).
type dayView struct {
	Date     string    `json:"date"`
	Account  string    `json:"account"`
	TimeZone string    `json:"timezone"`
	Garmin   garminDay `json:"garmin"`
	Export   exportDay `json:"export"`
	Notes    []string  `json:"notes,omitempty"`
	weight   bool      // the export's weigh-ins were read (--types)
}

type garminDay struct {
	Steps        *int64    `json:"steps"`
	StepGoal     *int64    `json:"step_goal"`
	Kilocalories *float64  `json:"kilocalories"`
	ActiveKcal   *float64  `json:"active_kilocalories"`
	WaterML      float64   `json:"water_ml"`
	WaterGoalML  *float64  `json:"water_goal_ml"`
	WeighIns     []weighIn `json:"weigh_ins"`
}

type exportDay struct {
	WaterML      float64   `json:"water_ml"`
	WaterEntries int       `json:"water_entries"`
	WeighIns     []weighIn `json:"weigh_ins"`
}

type weighIn struct {
	Time string   `json:"time"` // local HH:MM
	Kg   float64  `json:"kg"`
	Fat  *float64 `json:"fat_percent,omitempty"`
}

func (w weighIn) String() string {
	s := fmt.Sprintf("%s %.2f kg", w.Time, w.Kg)
	if w.Fat != nil {
		s += fmt.Sprintf(", %.1f %% fat", *w.Fat)
	}
	return s
}

// runVerifyDay prints Garmin's summary of one day (steps, calories, water
// and its goal, weigh-ins) next to the export's water and weigh-ins for it.
// Garmin's daily summary holds steps and calories; water and weigh-ins are
// read from their own endpoints, the ones import writes to.
func runVerifyDay(c *cli.Context, p *planned, conn *connection, date string) error {
	ctx := c.Context
	profile, err := whoAmI(ctx, conn.client)
	if err != nil {
		return err
	}
	v := &dayView{Date: date, Account: profile.DisplayName, TimeZone: p.zone, weight: p.weight != nil}
	sum, err := conn.client.DailySummary(ctx, profile.DisplayName, date)
	if err != nil {
		return fmt.Errorf("read Garmin's summary of %s: %w", date, err)
	}
	v.Garmin.Steps, v.Garmin.StepGoal = sum.TotalSteps, sum.DailyStepGoal
	v.Garmin.Kilocalories, v.Garmin.ActiveKcal = sum.TotalKilocalories, sum.ActiveKilocalories
	water, err := conn.client.HydrationDay(ctx, date)
	if err != nil {
		return fmt.Errorf("read Garmin's water on %s: %w", date, err)
	}
	if water.ValueInML != nil {
		v.Garmin.WaterML = *water.ValueInML
	}
	v.Garmin.WaterGoalML = water.GoalInML
	weights, err := conn.client.WeightDay(ctx, date)
	if err != nil {
		return fmt.Errorf("read Garmin's weigh-ins on %s: %w", date, err)
	}
	v.Garmin.WeighIns = []weighIn{}
	for _, w := range weights {
		v.Garmin.WeighIns = append(v.Garmin.WeighIns, garminWeighIn(w))
	}
	v.Export.WeighIns = []weighIn{}
	if p.plan != nil {
		for _, d := range p.plan.Days {
			if d.Date == date {
				v.Export.WaterML, v.Export.WaterEntries = d.ML, d.Entries
			}
		}
	}
	if p.weight != nil {
		for _, d := range p.weight.Days {
			if d.Date != date {
				continue
			}
			for _, op := range d.Ops {
				v.Export.WeighIns = append(v.Export.WeighIns, weighIn{Time: op.Time[11:16], Kg: op.Kg, Fat: op.Fat})
			}
		}
	}
	if p.plan != nil && !near(v.Garmin.WaterML, v.Export.WaterML) {
		v.Notes = append(v.Notes, fmt.Sprintf("water differs by %.1f ml (Garmin − export)", v.Garmin.WaterML-v.Export.WaterML))
	}
	if c.Bool("json") {
		return writeJSON(c.App.Writer, v)
	}
	printDay(c.App.Writer, v)
	return nil
}

func near(a, b float64) bool { return a-b < 1.5 && b-a < 1.5 }

func garminWeighIn(w garmin.WeighIn) weighIn {
	t := "--:--"
	if !w.Local.IsZero() {
		t = w.Local.Format("15:04")
	}
	return weighIn{Time: t, Kg: w.Kg, Fat: w.FatPercent}
}

func printDay(w io.Writer, v *dayView) {
	fmt.Fprintf(w, "Day %s, Garmin account %s (export read in %s)\n", v.Date, v.Account, v.TimeZone)
	row := func(what, g, e string) {
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("  %-11s %-32s %s", what, g, e), " "))
	}
	row("", "GARMIN", "EXPORT")
	notRead := "(not read by this tool)"
	steps := "none"
	if v.Garmin.Steps != nil {
		steps = fmt.Sprint(*v.Garmin.Steps)
		if v.Garmin.StepGoal != nil {
			steps += fmt.Sprintf(" (goal %d)", *v.Garmin.StepGoal)
		}
	}
	row("steps", steps, notRead)
	kcal := "none"
	if v.Garmin.Kilocalories != nil {
		kcal = fmt.Sprintf("%.0f kcal", *v.Garmin.Kilocalories)
		if v.Garmin.ActiveKcal != nil {
			kcal += fmt.Sprintf(" (%.0f active)", *v.Garmin.ActiveKcal)
		}
	}
	row("calories", kcal, notRead)
	row("water", fmt.Sprintf("%.1f ml", v.Garmin.WaterML), fmt.Sprintf("%.1f ml (%s)", v.Export.WaterML, plural(v.Export.WaterEntries, "entr")))
	goal := "none"
	if v.Garmin.WaterGoalML != nil {
		goal = fmt.Sprintf("%.1f ml", *v.Garmin.WaterGoalML)
	}
	row("water goal", goal, "")
	exportW := "(not read: add --types water,weight)"
	if v.weight {
		exportW = weighInsText(v.Export.WeighIns)
	}
	row("weight", weighInsText(v.Garmin.WeighIns), exportW)
	for _, n := range v.Notes {
		fmt.Fprintln(w, "Note: "+n)
	}
}

func weighInsText(ws []weighIn) string {
	if len(ws) == 0 {
		return "none"
	}
	parts := make([]string, len(ws))
	for i, wi := range ws {
		parts[i] = wi.String()
	}
	return strings.Join(parts, "; ")
}
