package importer

import (
	"errors"
	"iter"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"fitbit2garmin/fitbit"
)

func records(recs ...any) iter.Seq2[fitbit.Water, error] {
	return func(yield func(fitbit.Water, error) bool) {
		for _, r := range recs {
			var ok bool
			switch v := r.(type) {
			case fitbit.Water:
				ok = yield(v, nil)
			case error:
				ok = yield(fitbit.Water{}, v)
			}
			if !ok {
				return
			}
		}
	}
}

func drink(date, clock string, ml float64) fitbit.Water {
	return fitbit.Water{Date: date, Time: clock, ML: ml, Source: fitbit.Source{File: "t.csv", Line: 2}}
}

func TestBuildPlanGroups(t *testing.T) {
	in := []any{
		drink("2024-05-02", "18:00:00", 250),
		drink("2024-05-01", "09:30:00", 500),
		drink("2024-05-02", "07:00:00", 300),
		fitbit.Water{Date: "2024-05-03", ML: 12500, DayTotal: true},
	}
	tests := []struct {
		group    Group
		wantOps  map[string][]float64 // date → op amounts
		wantTime map[string][]string
	}{
		{GroupDay,
			map[string][]float64{"2024-05-01": {500}, "2024-05-02": {550}, "2024-05-03": {10000, 2500}},
			map[string][]string{"2024-05-01": {"2024-05-01T09:30:00.000"}, "2024-05-02": {"2024-05-02T18:00:00.000"},
				"2024-05-03": {"2024-05-03T12:00:00.000", "2024-05-03T12:00:00.000"}}},
		{GroupEntry,
			map[string][]float64{"2024-05-01": {500}, "2024-05-02": {300, 250}, "2024-05-03": {10000, 2500}},
			map[string][]string{"2024-05-01": {"2024-05-01T09:30:00.000"}, "2024-05-02": {"2024-05-02T07:00:00.000", "2024-05-02T18:00:00.000"},
				"2024-05-03": {"2024-05-03T12:00:00.000", "2024-05-03T12:00:00.000"}}},
	}
	for _, tt := range tests {
		t.Run(string(tt.group), func(t *testing.T) {
			p, err := BuildPlan(records(in...), PlanOptions{Group: tt.group})
			if err != nil {
				t.Fatal(err)
			}
			gotOps := map[string][]float64{}
			gotTime := map[string][]string{}
			ids := map[string]bool{}
			for _, d := range p.Days {
				for _, op := range d.Ops {
					gotOps[d.Date] = append(gotOps[d.Date], op.ML)
					gotTime[d.Date] = append(gotTime[d.Date], op.Time)
					if ids[op.ID] {
						t.Errorf("duplicate op id %s", op.ID)
					}
					ids[op.ID] = true
				}
			}
			if diff := cmp.Diff(tt.wantOps, gotOps); diff != "" {
				t.Errorf("ops (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantTime, gotTime); diff != "" {
				t.Errorf("times (-want +got):\n%s", diff)
			}
			if p.ML != 13550 || p.Entries != 4 {
				t.Errorf("plan ml %v entries %d, want 13550 and 4", p.ML, p.Entries)
			}
		})
	}
}

func TestBuildPlanIsStable(t *testing.T) {
	in := []any{drink("2024-01-01", "", 236.5882365), drink("2024-01-01", "08:00:00", 29.5735295625), drink("2023-12-31", "23:59:59", 100)}
	a, err := BuildPlan(records(in...), PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Same records in another order: the same plan, ids included.
	b, err := BuildPlan(records(in[2], in[0], in[1]), PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("plans differ (-a +b):\n%s", diff)
	}
}

func TestBuildPlanSkipsAndProblems(t *testing.T) {
	in := []any{
		drink("2024-01-01", "", 0),
		drink("2024-01-02", "", -5),
		drink("2023-12-01", "", 100),
		drink("2024-03-01", "", 100),
		drink("2024-01-15", "", 200),
		drink("2024-01-16", "", 10001),
		errors.New("t.csv:9: amount \"x\": expected a number"),
	}
	opts := PlanOptions{Since: "2024-01-01", Until: "2024-02-01"}
	_, err := BuildPlan(records(in...), opts)
	var pe *ProblemError
	if !errors.As(err, &pe) {
		t.Fatalf("got %v, want *ProblemError", err)
	}
	if len(pe.Problems) != 2 {
		t.Errorf("got %d problems, want 2: %v", len(pe.Problems), pe.Problems)
	}
	if strings.Contains(err.Error(), "--") {
		t.Errorf("error %q names a flag: hints are the command's", err)
	}
	for _, want := range []string{"t.csv:2: 10001 ml in one entry", "t.csv:9: amount", "nothing was sent"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}

	opts.SkipInvalid = true
	p, err := BuildPlan(records(in...), opts)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{SkipZero: 1, SkipNegative: 1, SkipSince: 1, SkipUntil: 1, SkipInvalid: 2}
	if diff := cmp.Diff(want, p.Skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	if len(p.Days) != 1 || p.Days[0].ML != 200 {
		t.Errorf("days %+v, want one day of 200 ml", p.Days)
	}
}

func TestBuildPlanRejectsBadOptions(t *testing.T) {
	for _, opts := range []PlanOptions{{Group: "week"}, {Since: "2024-13-01"}, {Until: "yesterday"}} {
		if _, err := BuildPlan(records(), opts); err == nil {
			t.Errorf("%+v: no error", opts)
		}
	}
}
