package importer

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"fitbit2garmin/state"
)

// TestJournalOfEarlierReleaseLoads replays a journal written by the
// release before the short codes (commit c0fe1bf: water and weigh-ins
// imported with a day skipped for existing water and a weigh-in already on
// Garmin, all undone, imported again with --existing top-up). Its skip
// reasons are sentences; they load as today's codes, and the report is the
// one that release's `status --json` gave for it.
func TestJournalOfEarlierReleaseLoads(t *testing.T) {
	events, err := state.Read(context.Background(), "testdata/journal-c0fe1bf.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	water := Status(events, KindWater)
	want := &StatusReport{Kind: KindWater, Days: 6, DaysDone: 5, DaysSkipped: 1, OpsDone: 5, MLAdded: 1247,
		FirstDate: "2021-01-01", LastDate: "2021-01-06", SkipReasons: map[string]int{DaySkipComplete: 1}}
	if diff := cmp.Diff(want, water); diff != "" {
		t.Errorf("water status (-want +got):\n%s", diff)
	}
	weight := Status(events, KindWeight)
	want = &StatusReport{Kind: KindWeight, Days: 4, DaysDone: 3, DaysSkipped: 1, OpsDone: 3, MLAdded: 210.148,
		FirstDate: "2021-01-01", LastDate: "2021-01-04", SkipReasons: map[string]int{DaySkipWeighedIn: 1}}
	if diff := cmp.Diff(want, weight); diff != "" {
		t.Errorf("weight status (-want +got):\n%s", diff)
	}
	// One replay for every kind gives the same reports.
	if diff := cmp.Diff(map[Kind]*StatusReport{KindWater: water, KindWeight: weight}, Statuses(events)); diff != "" {
		t.Errorf("Statuses (-per kind +at once):\n%s", diff)
	}
	// What undo would take back: every day the second import wrote.
	if days := UndoPlan(events, KindWater); len(days) != 5 {
		t.Errorf("undo plan of water: %d days, want 5", len(days))
	}
	if ins := UndoItems(events, KindWeight); len(ins) != 3 {
		t.Errorf("undo plan of weight: %d weigh-ins, want 3", len(ins))
	}
}
