package main

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fitbit2garmin/garmin"
	"fitbit2garmin/garmin/sandbox"
	"fitbit2garmin/importer"
	"fitbit2garmin/state"
)

// TestImportSurvivesKills is the crash test: the binary is killed with
// SIGKILL at random (seeded) moments of its run, each seen mid-run and some
// with a write journaled sent but not done, while the fake drops answers
// after committing writes and fails with 5xx; each run resumes. At the end
// every day holds exactly the export's total and verify agrees.
func TestImportSurvivesKills(t *testing.T) {
	rounds := 30
	if testing.Short() {
		rounds = 8
	}
	bin := binary(t)
	f := newFake(t, sandbox.Options{Seed: 11})
	f.srv.SetFaults(sandbox.Faults{Rate: map[sandbox.Kind]float64{
		sandbox.KindDropAfterCommit: 0.08,
		sandbox.Kind503:             0.04,
		sandbox.KindReset:           0.02,
	}})
	export, want := genExport(t, 300, 3)
	journal := filepath.Join(t.TempDir(), "journal.jsonl")
	args := append(f.args(), "import", export, "--state", journal, "--group", "entry",
		"--rate", "400", "--burst", "4", "--workers", "4", "-q")
	killRounds(t, bin, args, journal, rounds, rand.New(rand.NewPCG(2026, 11)))
	// A run that is not killed finishes the job.
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("final run: %v\n%s", err, out)
	}
	t.Logf("%d requests on the fake", len(f.srv.Requests()))
	f.checkTotals(t, want)

	events, err := state.Read(context.Background(), journal)
	if err != nil {
		t.Fatal(err)
	}
	status := importer.Status(events, importer.KindWater)
	if status.DaysDone != len(want) || len(status.Uncertain) != 0 || len(status.Conflicts) != 0 {
		t.Errorf("journal status: %+v", status)
	}
	f.srv.SetFaults(sandbox.Faults{})
	r := runCLI(t, append(f.args(), "verify", export, "--state", journal, "--group", "entry", "--rate", "100")...)
	if r.code != 0 {
		t.Errorf("verify exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestImportInterruptedBySIGINT(t *testing.T) {
	bin := binary(t)
	f := newFake(t, sandbox.Options{Seed: 3})
	f.srv.SetFaults(sandbox.Faults{Latency: 20 * time.Millisecond})
	export, want := genExport(t, 60, 2)
	journal := filepath.Join(t.TempDir(), "journal.jsonl")
	args := append(f.args(), "import", export, "--state", journal, "--rate", "20", "--workers", "3", "-q")
	cmd := exec.Command(bin, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt once some writes are done, while others are in flight.
	deadline := time.Now().Add(30 * time.Second)
	for {
		b, _ := os.ReadFile(journal)
		if strings.Count(string(b), `"t":"done"`) >= 5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the import never got going")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
		t.Fatalf("exit %d (%v), want 130; stderr:\n%s", code, err, stderr.String())
	}
	events, err := state.Read(context.Background(), journal)
	if err != nil {
		t.Fatal(err)
	}
	st := importer.Status(events, importer.KindWater)
	if len(st.Uncertain) != 0 {
		t.Errorf("interrupted run left uncertain days %v: writes in flight must settle", st.Uncertain)
	}
	if st.OpsDone == 0 || st.DaysDone >= 60 {
		t.Errorf("interrupt came at a bad time (done %d days); the test proves nothing", st.DaysDone)
	}
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("resume: %v\n%s", err, out)
	}
	f.checkTotals(t, want)
}

func TestSecondProcessRefusedByLock(t *testing.T) {
	bin := binary(t)
	f := newFake(t, sandbox.Options{Seed: 4})
	export, _ := genExport(t, 40, 1)
	journal := filepath.Join(t.TempDir(), "journal.jsonl")
	args := append(f.args(), "import", export, "--state", journal, "--rate", "5", "-q")
	first := exec.Command(bin, args...)
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { first.Process.Kill(); first.Wait() }()
	// Wait for the first run to hold the journal.
	deadline := time.Now().Add(10 * time.Second)
	for {
		if b, err := os.ReadFile(journal); err == nil && strings.Contains(string(b), `"begin"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("first run never began")
		}
		time.Sleep(20 * time.Millisecond)
	}
	r := runCLI(t, append(f.args(), "import", export, "--state", journal, "-q")...)
	if r.code != exitUsage {
		t.Errorf("second run exit %d, want 2", r.code)
	}
	if pid := first.Process.Pid; !strings.Contains(r.stderr, itoa(pid)) {
		t.Errorf("message does not name the holder's pid %d:\n%s", pid, r.stderr)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestResumeAgainstAnotherAccountRefused(t *testing.T) {
	f := newFake(t, sandbox.Options{Seed: 5})
	export, _ := genExport(t, 10, 1)
	journal := filepath.Join(t.TempDir(), "journal.jsonl")
	if r := runCLI(t, append(f.args(), "import", export, "--state", journal, "--rate", "100", "--until", "2021-01-05", "-q")...); r.code != 0 {
		t.Fatalf("first import exit %d: %s", r.code, r.stderr)
	}
	f.addAccount(t, "other@example.com", 777)
	f.login(t, "other@example.com", garmin.FamilyDI)
	r := runCLI(t, append(f.args(), "import", export, "--state", journal, "--rate", "100", "-q")...)
	if r.code != exitUsage || !strings.Contains(r.stderr, "4242") || !strings.Contains(r.stderr, "777") {
		t.Errorf("exit %d, want 2 naming both accounts:\n%s", r.code, r.stderr)
	}
	if n, _ := f.srv.Total("other@example.com", "2021-01-06"); n != 0 {
		t.Errorf("refused run wrote %v ml", n)
	}
	r = runCLI(t, append(f.args(), "import", export, "--state", journal, "--rate", "100", "--force", "-q")...)
	if r.code != 0 {
		t.Errorf("--force: exit %d: %s", r.code, r.stderr)
	}
}

// TestPacing measures pacing on the fake's request log: no window of one
// second holds more than rate + burst requests.
func TestPacing(t *testing.T) {
	f := newFake(t, sandbox.Options{Seed: 6})
	export, want := genExport(t, 50, 1)
	const rate, burst = 20, 2
	start := time.Now()
	r := runCLI(t, append(f.args(), "import", export, "--rate", "20", "--burst", "2", "--workers", "4",
		"--state", filepath.Join(t.TempDir(), "j.jsonl"), "-q")...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	f.checkTotals(t, want)
	reqs := f.srv.Requests()
	lo := 0
	for hi := range reqs {
		for reqs[hi].Time.Sub(reqs[lo].Time) >= time.Second {
			lo++
		}
		if n := hi - lo + 1; n > rate+burst {
			t.Fatalf("%d requests within one second ending %v, want at most %d", n, reqs[hi].Time.Sub(start), rate+burst)
		}
	}
}

func TestImportRateLimitedLowersRate(t *testing.T) {
	tests := []struct {
		name string
		kind sandbox.Kind
	}{
		{"Retry-After", sandbox.Kind429RetryAfter},
		{"no Retry-After", sandbox.Kind429},
		{"429 in body", sandbox.Kind429Body},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, sandbox.Options{Seed: 8})
			export, want := genExport(t, 6, 1)
			f.srv.FailNext(1, tt.kind, sandbox.ScopeWrites)
			r := runCLI(t, append(f.args(), "import", export, "--rate", "50", "--json", "-v",
				"--state", filepath.Join(t.TempDir(), "j.jsonl"))...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			f.checkTotals(t, want)
			var res struct {
				FinalRate   float64 `json:"final_rate"`
				RateLowered int     `json:"rate_lowered"`
				Paused      int64   `json:"paused_ns"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
				t.Fatalf("%v: %s", err, r.stdout)
			}
			if res.RateLowered != 1 || res.FinalRate < 37.5 || res.FinalRate > 50 || res.Paused <= 0 {
				t.Errorf("rate lowered %d times, %v at the end, paused %v; want once (50 → 37.5), climbing back to at most 50, after a pause",
					res.RateLowered, res.FinalRate, time.Duration(res.Paused))
			}
			if !strings.Contains(r.stderr, "rate lowered after 429") || !strings.Contains(r.stderr, "to=37.5") {
				t.Errorf("-v does not log the change of rate:\n%s", r.stderr)
			}
		})
	}
}

func TestImportStopsWhenRateLimitPersists(t *testing.T) {
	f := newFake(t, sandbox.Options{Seed: 9})
	export, _ := genExport(t, 3, 1)
	f.srv.SetFaults(sandbox.Faults{Only: sandbox.ScopeWrites, RetryAfter: time.Millisecond, Every: map[sandbox.Kind]int{sandbox.Kind429RetryAfter: 1}})
	journal := filepath.Join(t.TempDir(), "j.jsonl")
	r := runCLI(t, append(f.args(), "import", export, "--rate", "100", "--state", journal, "-q")...)
	if r.code != exitRateLimited {
		t.Fatalf("exit %d, want 5: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "resume") {
		t.Errorf("message does not say how to resume:\n%s", r.stderr)
	}
}

// TestTokenExpiryMidRun lets access tokens die every few requests; the
// client refreshes and the rotated refresh token is saved.
func TestTokenExpiryMidRun(t *testing.T) {
	for _, family := range []garmin.Family{garmin.FamilyDI, garmin.FamilyWeb} {
		t.Run(string(family), func(t *testing.T) {
			f := newFake(t, sandbox.Options{Seed: 10, AccessMaxRequests: 7})
			before := f.login(t, f.email, family)
			export, want := genExport(t, 30, 1)
			journal := filepath.Join(t.TempDir(), "j.jsonl")
			r := runCLI(t, append(f.args(), "import", export, "--rate", "200", "--state", journal, "-v")...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			f.checkTotals(t, want)
			after, err := garmin.NewFileTokenStore(f.configDir).Load()
			if err != nil {
				t.Fatal(err)
			}
			if after.RefreshToken == before.RefreshToken || after.AccessToken == before.AccessToken {
				t.Error("tokens were not refreshed and saved")
			}
			// Neither the verbose output nor the journal holds a secret.
			j, err := os.ReadFile(journal)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(r.stderr, "hydration") {
				t.Errorf("verbose output logs no requests:\n%s", r.stderr)
			}
			for _, s := range []garmin.Secret{before.AccessToken, before.RefreshToken, before.JWTFGP, after.AccessToken, after.RefreshToken, after.JWTFGP} {
				if s == "" {
					continue
				}
				if strings.Contains(r.stdout+r.stderr, s.Reveal()) {
					t.Error("a token appears in the output")
				}
				if strings.Contains(string(j), s.Reveal()) {
					t.Error("a token appears in the journal")
				}
			}
		})
	}
}

func TestExistingPoliciesAndUndo(t *testing.T) {
	tests := []struct {
		policy importer.Policy
		code   int
		want   func(export, prior float64) float64
	}{
		{importer.ExistingSkip, exitPartial, func(e, p float64) float64 { return p }},
		{importer.ExistingAdd, 0, func(e, p float64) float64 { return e + p }},
		{importer.ExistingTopUp, 0, func(e, p float64) float64 { return max(e, p) }},
	}
	for _, tt := range tests {
		t.Run(string(tt.policy), func(t *testing.T) {
			f := newFake(t, sandbox.Options{Seed: 12})
			export, exp := genExport(t, 8, 2)
			prior := map[string]float64{"2021-01-02": 50, "2021-01-04": 5000}
			for d, v := range prior {
				if err := f.srv.SetTotal(f.email, d, v); err != nil {
					t.Fatal(err)
				}
			}
			journal := filepath.Join(t.TempDir(), "j.jsonl")
			r := runCLI(t, append(f.args(), "import", export, "--existing", string(tt.policy), "--rate", "200", "--state", journal)...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d: %s%s", r.code, tt.code, r.stdout, r.stderr)
			}
			want := map[string]float64{}
			for d, e := range exp {
				want[d] = e
				if p, ok := prior[d]; ok {
					want[d] = tt.want(e, p)
				}
			}
			f.checkTotals(t, want)

			r = runCLI(t, append(f.args(), "undo", "--state", journal, "--rate", "200")...)
			if r.code != 0 {
				t.Fatalf("undo exit %d: %s%s", r.code, r.stdout, r.stderr)
			}
			f.checkTotals(t, prior)
		})
	}
}

// TestDryRunOpensNoConnection points the tool at a listener that counts
// connections: a dry run must make none.
func TestDryRunOpensNoConnection(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var accepted atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			c.Close()
		}
	}()
	export, _ := genExport(t, 5, 1)
	r := runCLI(t, "--config-dir", t.TempDir(), "--garmin-url", "http://"+ln.Addr().String(), "import", export, "--dry-run")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	// Prove the listener works, then that the dry run did not use it.
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	deadline := time.Now().Add(2 * time.Second)
	for accepted.Load() < 1 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := accepted.Load(); n != 1 {
		t.Errorf("%d connections accepted, want exactly the test's own one", n)
	}
}

// TestSandboxRunsTheWholePipeline is the README's first command: with no
// --types, every kind the bundled sample holds is imported.
func TestSandboxRunsTheWholePipeline(t *testing.T) {
	r := runCLI(t, "--config-dir", t.TempDir(), "import", "../../testdata/exports/sample.zip", "--sandbox", "--rate", "100")
	if r.code != 0 {
		t.Fatalf("exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "now holds 2.55 L of water over 5 days, 3 weigh-ins and 3 activities") {
		t.Errorf("sandbox summary missing:\n%s", r.stderr)
	}
	for _, want := range []string{"Water import summary:", "Weight import summary:", "3 weigh-ins added", "Activities import summary:", "3 activities uploaded"} {
		if !strings.Contains(r.stdout+r.stderr, want) {
			t.Errorf("output lacks %q:\n%s%s", want, r.stdout, r.stderr)
		}
	}
}

func TestProgressLinesWhenNotATerminal(t *testing.T) {
	var buf strings.Builder
	pr := &progress{w: &buf, interval: 0, start: time.Now().Add(-10 * time.Second), last: time.Now().Add(-time.Minute)}
	pr.update(importer.Progress{OpsDone: 5, OpsTotal: 20, ML: 1500, Requests: 10})
	if got := buf.String(); !strings.Contains(got, "progress: 5/20 writes, 1.50 L") || !strings.Contains(got, "ETA") {
		t.Errorf("progress line %q", got)
	}
}
