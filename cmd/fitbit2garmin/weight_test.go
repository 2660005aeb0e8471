package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fitbit2garmin/garmin/sandbox"
	"fitbit2garmin/importer"
	"fitbit2garmin/state"
)

// weighInWant is a weigh-in the fake must hold exactly once.
type weighInWant struct {
	gmt time.Time
	kg  float64
	fat *float64
}

// genWeightExport writes a Takeout tree with a weight CSV (grams, UTC) and a
// body-fat CSV for every other weigh-in, one weigh-in a day from 2021-01-01.
func genWeightExport(t *testing.T, days int) (string, []weighInWant) {
	t.Helper()
	root := filepath.Join(t.TempDir(), "takeout")
	dir := filepath.Join(root, "Takeout", "Fitbit", "Physical Activity_GoogleData")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var w, f strings.Builder
	w.WriteString("timestamp,weight grams,data source\n")
	f.WriteString("timestamp,body fat percentage,data source\n")
	var want []weighInWant
	start := time.Date(2021, 1, 1, 6, 30, 0, 0, time.UTC)
	for d := range days {
		at := start.AddDate(0, 0, d).Add(time.Duration(d%50) * time.Minute)
		grams := 70000 + (d*37)%5000
		fmt.Fprintf(&w, "%s,%d,Aria Air\n", at.Format(time.RFC3339), grams)
		wi := weighInWant{gmt: at, kg: float64(grams) / 1000}
		if d%2 == 0 {
			fat := 18 + float64(d%70)/10
			fmt.Fprintf(&f, "%s,%.1f,Aria Air\n", at.Format(time.RFC3339), fat)
			wi.fat = &fat
		}
		want = append(want, wi)
	}
	for name, body := range map[string]string{"weight_2021-01-01.csv": w.String(), "body_fat_2021-01-01.csv": f.String()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root, want
}

// checkWeighIns fails the test unless the fake holds each wanted weigh-in
// exactly once, with its weight and body fat, and nothing else.
func (f *fake) checkWeighIns(t *testing.T, want []weighInWant) {
	t.Helper()
	got := f.srv.WeighIns(f.email)
	if len(got) != len(want) {
		t.Errorf("fake Garmin holds %d weigh-ins, want %d", len(got), len(want))
	}
	bad := 0
	for _, w := range want {
		n := 0
		for _, g := range got {
			// Weigh-ins with body fat go up as FIT files, whose weight
			// field has a resolution of 10 g: allow half of that.
			if g.GMT.Truncate(time.Minute).Equal(w.gmt.Truncate(time.Minute)) && math.Abs(g.Kg-w.kg) <= 0.005 {
				n++
				if (w.fat == nil) != (g.FatPercent == nil) || (w.fat != nil && math.Abs(*g.FatPercent-*w.fat) > 0.01) {
					t.Errorf("%v: body fat %v, want %v", w.gmt, g.FatPercent, w.fat)
				}
			}
		}
		if n != 1 {
			if bad++; bad <= 10 {
				t.Errorf("%v %.3f kg: held %d times, want once", w.gmt, w.kg, n)
			}
		}
	}
}

// TestImportWaterAndWeightSurvivesKills is the crash test with weigh-ins
// too: killed at random moments with lost answers, 5xx and uploads that
// Garmin shows only some time after accepting them, resumed each time, the
// fake ends with every day's water exact and each weigh-in once, each with
// its samplePk in the journal; undo then leaves only the watch's weigh-in.
func TestImportWaterAndWeightSurvivesKills(t *testing.T) {
	rounds := 30
	if testing.Short() {
		rounds = 8
	}
	bin := binary(t)
	const delay = 300 * time.Millisecond
	f := newFake(t, sandbox.Options{Seed: 21, UploadDelay: delay})
	watch := time.Date(2019, 1, 1, 7, 0, 0, 0, time.UTC) // before the export: never ours
	if _, err := f.srv.AddWeighIn(f.email, sandbox.WeighIn{Local: watch, GMT: watch, Kg: 80}); err != nil {
		t.Fatal(err)
	}
	f.srv.SetFaults(sandbox.Faults{Rate: map[sandbox.Kind]float64{
		sandbox.KindDropAfterCommit: 0.08,
		sandbox.Kind503:             0.04,
	}})
	water, wantWater := genExport(t, 120, 2)
	weight, wantWeight := genWeightExport(t, 150)
	journal := filepath.Join(t.TempDir(), "journal.jsonl")
	args := append(f.args(), "import", water, weight, "--types", "water,weight", "--timezone", "UTC",
		"--state", journal, "--rate", "400", "--burst", "4", "--workers", "4", "-q",
		// Garmin shows an upload 300 ms after taking it; a weigh-in it
		// does not show is sent again only 2 s after it was sent (15 min
		// for real).
		"--upload-wait", "100ms", "--resend-after", "2s")
	killRounds(t, bin, args, journal, rounds, rand.New(rand.NewPCG(7, 2026)))
	// Runs until nothing is left processing: exit 3 says some weigh-ins
	// are not shown yet; none may be sent twice meanwhile.
	runUntilSettled(t, bin, args)
	f.checkTotals(t, wantWater)
	f.checkWeighIns(t, append(wantWeight[:len(wantWeight):len(wantWeight)], weighInWant{gmt: watch, kg: 80}))
	events, err := state.Read(context.Background(), journal)
	if err != nil {
		t.Fatal(err)
	}
	if st := importer.Status(events, importer.KindWeight); st.DaysDone != len(wantWeight) || len(st.Uncertain) != 0 {
		t.Errorf("weight journal status: %+v", st)
	}
	// Every weigh-in the tool created has its samplePk in the journal.
	refs := map[string]bool{}
	for _, ev := range events {
		if ev.Kind == string(importer.KindWeight) && ev.T == state.TypeDone && ev.Ref != "" {
			refs[ev.Ref] = true
		}
	}
	for _, w := range f.srv.WeighIns(f.email) {
		if ours := !w.GMT.Equal(watch); ours != refs[fmt.Sprint(w.SamplePK)] {
			t.Errorf("weigh-in %d at %v: ours %v, in the journal %v", w.SamplePK, w.GMT, ours, refs[fmt.Sprint(w.SamplePK)])
		}
	}
	f.srv.SetFaults(sandbox.Faults{})
	r := runCLI(t, append(f.args(), "verify", water, weight, "--types", "water,weight", "--timezone", "UTC", "--state", journal, "--rate", "200")...)
	if r.code != 0 {
		t.Errorf("verify exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, append(f.args(), "undo", "--state", journal, "--rate", "400", "--workers", "4")...)
	if r.code != 0 {
		t.Fatalf("undo exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	if left := f.srv.WeighIns(f.email); len(left) != 1 || !left[0].GMT.Equal(watch) {
		t.Errorf("after undo the fake holds %d weigh-ins, want only the watch's", len(left))
	}
}

// TestWeightSkipsWhatGarminHasAndUndoDeletesOnlyOurs preloads a weigh-in
// the watch logged: import leaves it, undo deletes only what it added.
func TestWeightSkipsWhatGarminHasAndUndoDeletesOnlyOurs(t *testing.T) {
	f := newFake(t, sandbox.Options{Seed: 22})
	weight, want := genWeightExport(t, 10)
	pre := want[3]
	if _, err := f.srv.AddWeighIn(f.email, sandbox.WeighIn{Local: pre.gmt, GMT: pre.gmt, Kg: pre.kg + 0.03}); err != nil {
		t.Fatal(err)
	}
	journal := filepath.Join(t.TempDir(), "j.jsonl")
	r := runCLI(t, append(f.args(), "import", weight, "--types", "weight", "--timezone", "UTC", "--state", journal, "--rate", "200")...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	if got := len(f.srv.WeighIns(f.email)); got != len(want) {
		t.Errorf("fake holds %d weigh-ins, want %d (one already there, not sent again)", got, len(want))
	}
	if !strings.Contains(r.stdout, "existing on Garmin: 1 weigh-in left alone") {
		t.Errorf("summary does not report the existing weigh-in:\n%s", r.stdout)
	}
	r = runCLI(t, append(f.args(), "undo", "--state", journal, "--rate", "200")...)
	if r.code != 0 {
		t.Fatalf("undo exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	left := f.srv.WeighIns(f.email)
	if len(left) != 1 || math.Abs(left[0].Kg-(pre.kg+0.03)) > 0.001 {
		t.Errorf("after undo the fake holds %+v, want only the watch's weigh-in", left)
	}
}

// TestUploadSlowerThanTheWaitIsSettledLater: Garmin processes the uploads
// longer than --upload-wait. The run ends with them processing (exit 3,
// shown by status), journaled without a samplePk; a later run settles
// them by reading the days, without uploading anything again.
func TestUploadSlowerThanTheWaitIsSettledLater(t *testing.T) {
	const delay = 3 * time.Second // well past the run (the first read of an upload comes 1 s after it)
	f := newFake(t, sandbox.Options{Seed: 23, UploadDelay: delay})
	weight, want := genWeightExport(t, 4) // days 0 and 2 have body fat: two uploads
	journal := filepath.Join(t.TempDir(), "j.jsonl")
	args := append(f.args(), "import", weight, "--types", "weight", "--timezone", "UTC", "--state", journal,
		"--rate", "200", "--upload-wait", "200ms")
	r := runCLI(t, args...)
	if r.code != exitPartial || !strings.Contains(r.stdout, "2 weigh-ins Garmin took but does not show yet") || strings.Contains(r.stdout, "not finished") {
		t.Fatalf("first run: exit %d, want %d with 2 processing:\n%s%s", r.code, exitPartial, r.stdout, r.stderr)
	}
	uploads := f.srv.Uploads()
	if uploads != 2 {
		t.Fatalf("%d uploads, want 2", uploads)
	}
	st := runCLI(t, append(f.args(), "status", "--state", journal)...)
	if !strings.Contains(st.stdout, "processing: 2 days: 2021-01-01, 2021-01-03") {
		t.Errorf("status does not show the processing days:\n%s", st.stdout)
	}
	events, err := state.Read(context.Background(), journal)
	if err != nil {
		t.Fatal(err)
	}
	processing := 0
	for _, ev := range events {
		if ev.T == state.TypeProcessing {
			processing++
		}
	}
	if processing != 2 {
		t.Errorf("%d processing events in the journal, want 2", processing)
	}

	time.Sleep(delay) // Garmin finishes processing meanwhile
	r = runCLI(t, args...)
	if r.code != 0 {
		t.Fatalf("second run: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	if n := f.srv.Uploads(); n != uploads {
		t.Errorf("second run uploaded %d more files, want none", n-uploads)
	}
	f.checkWeighIns(t, want)
	events, err = state.Read(context.Background(), journal)
	if err != nil {
		t.Fatal(err)
	}
	refs := 0
	for _, ev := range events {
		if ev.T == state.TypeDone && ev.Ref != "" {
			refs++
		}
	}
	if refs != len(want) {
		t.Errorf("%d weigh-ins done with their samplePk in the journal, want %d", refs, len(want))
	}
}

// TestUndoDeletesWeighInsThatWereProcessing: a run stops with uploads
// Garmin has not shown yet; undo deletes what it knows by id at once, and
// the uploads once they show, found by their time and weight.
func TestUndoDeletesWeighInsThatWereProcessing(t *testing.T) {
	const delay = 3 * time.Second // well past the run (the first read of an upload comes 1 s after it)
	f := newFake(t, sandbox.Options{Seed: 24, UploadDelay: delay})
	weight, _ := genWeightExport(t, 4)
	journal := filepath.Join(t.TempDir(), "j.jsonl")
	r := runCLI(t, append(f.args(), "import", weight, "--types", "weight", "--timezone", "UTC", "--state", journal,
		"--rate", "200", "--upload-wait", "100ms")...)
	if r.code != exitPartial {
		t.Fatalf("import: exit %d, want %d (uploads processing):\n%s%s", r.code, exitPartial, r.stdout, r.stderr)
	}
	dry := runCLI(t, append(f.args(), "undo", "--state", journal, "--dry-run", "--json")...)
	var plan struct{ Weight []importer.UndoItem }
	if err := json.Unmarshal([]byte(dry.stdout), &plan); err != nil {
		t.Fatalf("undo --dry-run --json: %v\n%s", err, dry.stdout)
	}
	withID := 0
	for _, w := range plan.Weight {
		if w.ID != "" {
			withID++
		}
	}
	if len(plan.Weight) != 4 || withID != 2 {
		t.Errorf("undo --dry-run lists %d weigh-ins, %d with an id; want 4, the 2 processing ones without", len(plan.Weight), withID)
	}
	undo := append(f.args(), "undo", "--state", journal, "--rate", "200")
	r = runCLI(t, undo...)
	if r.code != exitPartial || !strings.Contains(r.stdout, "2 weigh-ins Garmin took but does not show yet") {
		t.Fatalf("first undo: exit %d, want %d with 2 processing:\n%s%s", r.code, exitPartial, r.stdout, r.stderr)
	}
	time.Sleep(delay)
	if n := len(f.srv.WeighIns(f.email)); n != 2 {
		t.Fatalf("the fake shows %d weigh-ins, want the 2 uploads", n)
	}
	r = runCLI(t, undo...)
	if r.code != 0 {
		t.Fatalf("second undo: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	if left := f.srv.WeighIns(f.email); len(left) != 0 {
		t.Errorf("after undo the fake holds %d weigh-ins, want none", len(left))
	}
}

// TestVerifyWeightFindsDifferences: verify compares weigh-in by weigh-in,
// and copies Garmin holds besides the planned ones make it exit 3 (values
// that differ are tested in importer's TestVerifyWeightComparesValues).
func TestVerifyWeightFindsDifferences(t *testing.T) {
	f := newFake(t, sandbox.Options{Seed: 25})
	weight, want := genWeightExport(t, 6)
	journal := filepath.Join(t.TempDir(), "j.jsonl")
	common := []string{weight, "--types", "weight", "--timezone", "UTC", "--state", journal, "--rate", "200"}
	if r := runCLI(t, append(append(f.args(), "import"), common...)...); r.code != 0 {
		t.Fatalf("import exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, append(append(f.args(), "verify"), common...)...); r.code != 0 {
		t.Fatalf("verify after import: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	// A second copy of one weigh-in, and a weigh-in in another's minute
	// within 0.05 kg of it (as a repeated upload would look).
	if _, err := f.srv.AddWeighIn(f.email, sandbox.WeighIn{Local: want[1].gmt, GMT: want[1].gmt, Kg: want[1].kg}); err != nil {
		t.Fatal(err)
	}
	off := want[3].gmt.Add(20 * time.Second)
	if _, err := f.srv.AddWeighIn(f.email, sandbox.WeighIn{Local: off, GMT: off, Kg: want[4].kg}); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, append(append(f.args(), "verify"), common...)...)
	if r.code != exitPartial {
		t.Fatalf("verify: exit %d, want %d:\n%s%s", r.code, exitPartial, r.stdout, r.stderr)
	}
	for _, s := range []string{"2 weigh-ins missing, different or extra", "extra on Garmin", "a second copy of a planned weigh-in"} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("verify output lacks %q:\n%s", s, r.stdout)
		}
	}
}

// TestWeighInBMIReachesGarmin: the export's BMI goes up in the FIT file
// with the body fat, and Garmin's day view shows it.
func TestWeighInBMIReachesGarmin(t *testing.T) {
	f := newFake(t, sandbox.Options{Seed: 26})
	journal := filepath.Join(t.TempDir(), "j.jsonl")
	r := runCLI(t, append(f.args(), "import", exports+"weight-json-kg", "--types", "weight", "--timezone", "UTC",
		"--state", journal, "--rate", "200")...)
	if r.code != 0 {
		t.Fatalf("import: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	var withFat int
	for _, w := range f.srv.WeighIns(f.email) {
		if w.FatPercent == nil {
			continue
		}
		withFat++
		if w.Date == "2021-07-01" && (w.BMI == nil || *w.BMI != 26.1) {
			t.Errorf("2021-07-01: BMI %v, want 26.1 (from the export)", w.BMI)
		}
	}
	if withFat == 0 {
		t.Fatal("no weigh-in with body fat reached the fake")
	}
}
