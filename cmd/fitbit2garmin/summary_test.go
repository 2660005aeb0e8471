package main

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"fitbit2garmin/garmin/sandbox"
)

// timing matches what varies from run to run in a text summary.
var timing = regexp.MustCompile(`in [0-9.]+[µmn]?s \([0-9.]+ req/s`)

// stable replaces timings in a summary (text or JSON) so it can be compared
// with a golden file.
func stable(t *testing.T, out string, isJSON bool) string {
	t.Helper()
	if !isJSON {
		return timing.ReplaceAllString(out, "in TIME (RATE req/s")
	}
	var v any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	var zero func(v any)
	zero = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				switch k {
				case "elapsed_ns", "elapsed_seconds", "achieved_rate":
					x[k] = 0
				default:
					zero(e)
				}
			}
		case []any:
			for _, e := range x {
				zero(e)
			}
		}
	}
	zero(v)
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n"
}

// TestAllZeroExportSummary: a real run of a Data Export whose every water
// row is 0 sends nothing and says why (the dry-run's words; a code in JSON).
func TestAllZeroExportSummary(t *testing.T) {
	f := newFake(t, sandbox.Options{Seed: 30})
	for _, format := range []string{"txt", "json"} {
		t.Run(format, func(t *testing.T) {
			args := append(f.args(), "import", exports+"dataexport-zero", "--timezone", "UTC", "--state", filepath.Join(t.TempDir(), "j.jsonl"))
			if format == "json" {
				args = append(args, "--json")
			}
			r := runCLI(t, args...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if !strings.Contains(r.stdout, "62 zero amount") && !strings.Contains(r.stdout, `"zero": 62`) {
				t.Errorf("summary does not say why nothing was sent:\n%s", r.stdout)
			}
			if n := len(f.srv.Requests()); n != 0 {
				t.Errorf("%d requests reached the fake, want none", n)
			}
			golden(t, "import-dataexport-zero."+format, stable(t, r.stdout, format == "json"))
		})
	}
	dry := runCLI(t, "import", exports+"dataexport-zero", "--timezone", "UTC", "--dry-run")
	if !strings.Contains(dry.stdout, "skipped:   62 zero amount") {
		t.Errorf("the dry-run words changed:\n%s", dry.stdout)
	}
}

// TestRunSummariesGolden pins the summaries of import (fresh and resumed),
// undo and verify against the fake, each accounting for every day: a day
// Garmin already held, a zero day the plan skipped, the days written.
func TestRunSummariesGolden(t *testing.T) {
	for _, format := range []string{"txt", "json"} {
		t.Run(format, func(t *testing.T) {
			f := newFake(t, sandbox.Options{Seed: 31})
			if err := f.srv.SetTotal(f.email, "2019-06-15", 500); err != nil {
				t.Fatal(err)
			}
			journal := filepath.Join(t.TempDir(), "j.jsonl")
			export := []string{exports + "dataexport", "--types", "water", "--timezone", "America/Chicago"}
			steps := []struct {
				name string
				args []string
				code int
			}{
				{"import", append(append([]string{"import"}, export...), "--rate", "500"), exitPartial},
				{"import-again", append(append([]string{"import"}, export...), "--rate", "500"), exitPartial},
				{"verify", append(append([]string{"verify"}, export...), "--rate", "500"), 0},
				{"undo", []string{"undo", "--rate", "500"}, 0},
			}
			for _, s := range steps {
				args := append(append(f.args(), s.args...), "--state", journal)
				if format == "json" {
					args = append(args, "--json")
				}
				r := runCLI(t, args...)
				if r.code != s.code {
					t.Fatalf("%s: exit %d, want %d:\n%s%s", s.name, r.code, s.code, r.stdout, r.stderr)
				}
				golden(t, "summary-"+s.name+"."+format, stable(t, r.stdout, format == "json"))
			}
			if n := f.total("2019-06-15"); n != 500 {
				t.Errorf("the day Garmin held before now holds %v ml, want 500", n)
			}
		})
	}
}

// TestVerifyDayGolden shows one day as the fake Garmin sees it after an
// import, next to the export: its water and weigh-in, and the summary's
// steps and calories.
func TestVerifyDayGolden(t *testing.T) {
	f := newFake(t, sandbox.Options{Seed: 32})
	journal := filepath.Join(t.TempDir(), "j.jsonl")
	export := []string{exports + "weight-both", "--types", "water,weight", "--state", journal, "--rate", "500"}
	if r := runCLI(t, append(append(f.args(), "import"), export...)...); r.code != 0 {
		t.Fatalf("import exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	// Someone else drank 250 ml that day too: the view shows the difference.
	if err := f.srv.SetTotal(f.email, "2025-08-09", f.total("2025-08-09")+250); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"txt", "json"} {
		t.Run(format, func(t *testing.T) {
			args := append(append(append(f.args(), "verify"), export...), "--day", "2025-08-09")
			if format == "json" {
				args = append(args, "--json")
			}
			f.srv.ResetRequests()
			r := runCLI(t, args...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s%s", r.code, r.stdout, r.stderr)
			}
			golden(t, "verify-day."+format, r.stdout)
			paths := map[string]bool{}
			for _, q := range f.srv.Requests() {
				paths[q.Path] = true
			}
			for _, p := range []string{"/usersummary-service/usersummary/daily/user", "/usersummary-service/usersummary/hydration/daily/2025-08-09", "/weight-service/weight/dayview/2025-08-09"} {
				if !paths[p] {
					t.Errorf("no request for %s; requests: %v", p, paths)
				}
			}
		})
	}
	r := runCLI(t, append(append(append(f.args(), "verify"), export...), "--day", "2025-8-9")...)
	if r.code != exitUsage || !strings.Contains(r.stderr, "YYYY-MM-DD") {
		t.Errorf("bad --day: exit %d, %s", r.code, r.stderr)
	}
}
