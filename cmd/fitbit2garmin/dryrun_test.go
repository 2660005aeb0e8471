package main

import (
	"path/filepath"
	"strings"
	"testing"

	"fitbit2garmin/garmin/sandbox"
	goldenfile "fitbit2garmin/internal/golden"
)

const exports = "../../testdata/exports/"

// golden compares got with testdata/golden/name (go test -update rewrites it).
func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", "golden", name), []byte(got))
}

func TestDryRunGolden(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"takeout-zip", []string{exports + "takeout.zip"}},
		{"takeout-folder-entry", []string{exports + "takeout", "--group", "entry"}},
		{"googlehealth", []string{exports + "takeout-googlehealth"}},
		{"split-zips", []string{exports + "split"}},
		{"dataexport", []string{exports + "dataexport", "--timezone", "America/Chicago", "--weight-unit", "lb"}},
		{"generic", []string{exports + "generic", "--timezone", "UTC"}},
		{"utc-boundary", []string{exports + "utc-boundary"}},
		{"utc-boundary-as-utc", []string{exports + "utc-boundary", "--timezone", "UTC"}},
		{"since-until", []string{exports + "dataexport", "--types", "water", "--timezone", "UTC", "--since", "2019-01-01", "--until", "2019-12-31", "--rate", "0.5"}},
		{"skip-invalid", []string{exports + "malformed/bad-rows.csv", "--timezone", "UTC", "--skip-invalid"}},
		{"sample", []string{exports + "sample.zip"}},
		{"activities", []string{"../../fitbit/testdata/exercise/takeout.zip", "--timezone", "America/Los_Angeles"}},
		{"activities-filters", []string{"../../fitbit/testdata/exercise/takeout", "--timezone", "America/Los_Angeles",
			"--activity-types", "running,Structured Workout", "--min-duration", "15m", "--skip-auto-detected"}},
		{"weight-json-lb", []string{exports + "weight-json-lb", "--types", "weight"}},
		{"weight-json-kg", []string{exports + "weight-json-kg", "--types", "weight"}},
		{"weight-csv", []string{exports + "weight-csv", "--types", "weight"}},
		{"weight-both", []string{exports + "weight-both", "--types", "water,weight"}},
		{"weight-dataexport", []string{exports + "weight-dataexport", "--types", "weight", "--weight-unit", "lb", "--timezone", "UTC"}},
	}
	for _, tt := range tests {
		for _, format := range []string{"txt", "json"} {
			t.Run(tt.name+"."+format, func(t *testing.T) {
				args := append([]string{"import"}, tt.args...)
				args = append(args, "--dry-run")
				if format == "json" {
					args = append(args, "--json")
				}
				r := runCLI(t, args...)
				if r.code != 0 {
					t.Fatalf("exit %d:\n%s", r.code, r.stderr)
				}
				golden(t, "dryrun-"+tt.name+"."+format, r.stdout)
			})
		}
	}
}

// TestBadInput pins the message and exit code for each kind of bad input:
// one clear paragraph naming the file (and zip entry and line), never a
// panic, and nothing planned.
func TestBadInput(t *testing.T) {
	empty := t.TempDir()
	tests := []struct {
		name string
		args []string
		want []string // fragments the message must hold
	}{
		{"truncated-zip", []string{exports + "malformed/truncated.zip"}, []string{"truncated.zip", "truncated"}},
		{"not-a-zip", []string{exports + "malformed/not-a-zip.zip"}, []string{"not-a-zip.zip", "web page"}},
		{"empty-folder", []string{empty}, []string{empty, "empty"}},
		{"no-water", []string{exports + "malformed/no-water"}, []string{"no-water", "none of them water"}},
		{"unknown-header", []string{exports + "malformed/unknown-header.csv"}, []string{"unknown-header.csv", "when,how much"}},
		{"bad-rows", []string{exports + "malformed/bad-rows.csv"}, []string{"bad-rows.csv:3:", "bad-rows.csv:5:", "--skip-invalid", "nothing was sent"}},
		{"bad-takeout", []string{exports + "malformed/bad-takeout"}, []string{"hydration_log", "--skip-invalid"}},
		{"bad-dataexport", []string{exports + "malformed/bad-dataexport"}, []string{"abc fl oz", "Unzen"}},
		{"missing", []string{exports + "does-not-exist"}, []string{"does-not-exist", "no such file"}},
		{"no-args", nil, []string{"no export given"}},
		{"bad-since", []string{exports + "generic", "--since", "2020-13-45"}, []string{"2020-13-45", "YYYY-MM-DD"}},
		{"bad-timezone", []string{exports + "generic", "--timezone", "Mars/Olympus"}, []string{"Mars/Olympus", "IANA"}},
		{"bad-group", []string{exports + "generic", "--group", "week"}, []string{"week", "day or entry"}},
		{"bad-types", []string{exports + "generic", "--types", "steps"}, []string{"steps", "water"}},
		{"unknown-flag", []string{exports + "generic", "--frobnicate"}, []string{"frobnicate"}},
		{"bad-rate", []string{exports + "generic", "--rate", "0"}, []string{"--rate 0", "above 0"}},
		{"bad-workers", []string{exports + "generic", "--workers", "0"}, []string{"--workers", "1 or more"}},
		{"bad-existing", []string{exports + "generic", "--existing", "maybe"}, []string{`"maybe"`, "skip, add or top-up"}},
		{"bad-weight-unit", []string{exports + "generic", "--weight-unit", "stone"}, []string{`"stone"`, "kg or lb"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, append(append([]string{"import"}, tt.args...), "--dry-run")...)
			if r.code != exitUsage {
				t.Errorf("exit %d, want 2", r.code)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("message lacks %q:\n%s", w, r.stderr)
				}
			}
			if strings.Contains(r.stderr, "goroutine") || strings.Contains(r.stderr, "panic") {
				t.Errorf("stack trace in output:\n%s", r.stderr)
			}
			if r.stdout != "" && !strings.HasPrefix(r.stdout, "NAME:") {
				t.Errorf("a plan was printed for bad input:\n%s", r.stdout)
			}
		})
	}
}

// TestHintsOnce: what to do next is said once, on the "Try:" line, by the
// command; the libraries' messages say what went wrong and name no flag
// or command of this tool.
func TestHintsOnce(t *testing.T) {
	f := newFake(t, sandbox.Options{})
	noTokens := []string{"--config-dir", t.TempDir(), "--garmin-url", f.url}
	journal := filepath.Join(t.TempDir(), "j.jsonl")
	if r := runCLI(t, append(f.args(), "import", exports+"generic", "--timezone", "UTC", "--state", journal, "--rate", "400", "-q")...); r.code != exitOK {
		t.Fatalf("first import: exit %d\n%s", r.code, r.stderr)
	}
	tests := []struct {
		name string
		args []string
		code int
		hint string // on the Try: line, and nowhere else
	}{
		{"no tokens", append(noTokens, "import", exports+"generic", "--timezone", "UTC", "--state", filepath.Join(t.TempDir(), "j.jsonl")),
			exitAuth, "auth login"},
		{"invalid records", []string{"import", exports + "malformed/bad-rows.csv", "--timezone", "UTC", "--dry-run"}, exitUsage, "--skip-invalid"},
		{"weight unit", []string{"import", exports + "weight-archive", "--types", "weight", "--timezone", "UTC", "--dry-run"}, exitUsage, "--weight-unit"},
		{"another export", append(f.args(), "import", exports+"dataexport", "--types", "water", "--timezone", "UTC", "--state", journal),
			exitUsage, "--force"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d:\n%s", r.code, tt.code, r.stderr)
			}
			if n := strings.Count(r.stderr, tt.hint); n != 1 {
				t.Errorf("%q appears %d times, want once:\n%s", tt.hint, n, r.stderr)
			}
			for _, line := range strings.Split(r.stderr, "\n") {
				if strings.Contains(line, tt.hint) && !strings.HasPrefix(line, "Try: ") {
					t.Errorf("hint outside the Try: line: %q", line)
				}
			}
		})
	}
}
