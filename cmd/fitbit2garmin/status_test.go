package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"fitbit2garmin/garmin/sandbox"
)

// TestStatusAndUndoDryRun reads a journal back without the network: status
// counts what is done, undo --dry-run lists what it would take back.
func TestStatusAndUndoDryRun(t *testing.T) {
	f := newFake(t, sandbox.Options{Seed: 13})
	export, want := genExport(t, 5, 2)
	journal := filepath.Join(t.TempDir(), "j.jsonl")
	if r := runCLI(t, append(f.args(), "import", export, "--rate", "200", "--state", journal, "-q")...); r.code != 0 {
		t.Fatalf("import exit %d: %s", r.code, r.stderr)
	}
	total := 0.0
	for _, ml := range want {
		total += ml
	}
	r := runCLI(t, "status", "--state", journal, "--json")
	if r.code != 0 {
		t.Fatalf("status exit %d: %s", r.code, r.stderr)
	}
	var st []statusJSON
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	if len(st) != 1 || st[0].Water.DaysDone != 5 || st[0].Water.MLAdded != total || st[0].Account != "4242" {
		t.Errorf("status %+v, want 5 days done, %v ml, account 4242", st[0].Water, total)
	}
	r = runCLI(t, "undo", "--state", journal, "--dry-run")
	if r.code != 0 || !strings.Contains(r.stdout, litres(total)) || !strings.Contains(r.stdout, "nothing was sent") {
		t.Errorf("undo --dry-run exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	f.checkTotals(t, want) // the dry run took nothing back
}
