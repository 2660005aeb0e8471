package main

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"fitbit2garmin/state"
)

// killStats is what a kill loop proved.
type killStats struct {
	rounds int // children killed by SIGKILL while running
	midOp  int // rounds whose kill left an op journaled sent but not done
}

// killRounds runs the binary with args rounds times and kills each child
// with SIGKILL once it is seen mid-run: after it has appended a random
// number of events to journal since it started, and in half the rounds
// (drawn at random) at the moment the last one is a write's "sent", where
// that comes within a short wait. Each round fails the test unless the
// child was still running when the signal came (its exit status says it
// died by SIGKILL, not that it exited). After each kill the journal is
// read: a round counts as mid-op when an op this round journaled as sent
// has no answer after it (done, not sent, failed): uncertain, for the next
// run to reconcile. The test fails unless at least one kill was mid-op.
func killRounds(t *testing.T, bin string, args []string, journal string, rounds int, rng *rand.Rand) {
	t.Helper()
	var st killStats
	for round := range rounds {
		before := journalLines(journal)
		seen := len(readEvents(t, journal))
		preferSent := rng.IntN(2) == 0
		cmd := exec.Command(bin, args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		want := before + 1 + rng.IntN(60)
		deadline := time.Now().Add(30 * time.Second)
		var seenAt time.Time
	watch:
		for {
			select {
			case err := <-exited:
				t.Fatalf("round %d: the child exited (%v) before it was killed; it proves nothing:\n%s", round, err, stderr.String())
			default:
			}
			n, lastSent := journalTail(journal)
			switch {
			case n >= want && (lastSent || !preferSent):
				break watch
			case n >= want && seenAt.IsZero():
				seenAt = time.Now()
			case n >= want && time.Since(seenAt) > 30*time.Millisecond:
				break watch // no write in flight just now: kill between writes
			case time.Now().After(deadline):
				t.Fatalf("round %d: the child appended %d of %d events in 30 s:\n%s", round, n-before, want-before, stderr.String())
			}
			time.Sleep(500 * time.Microsecond)
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatalf("round %d: signal: %v", round, err)
		}
		<-exited
		ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
		if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("round %d: the child was not killed mid-run: %v\n%s", round, cmd.ProcessState, stderr.String())
		}
		st.rounds++
		inFlight := map[string]bool{}
		for _, ev := range readEvents(t, journal)[seen:] {
			switch ev.T {
			case state.TypeSent:
				inFlight[ev.Op] = true
			case state.TypeDone, state.TypeNotSent, state.TypeFailed:
				delete(inFlight, ev.Op)
			}
		}
		if len(inFlight) > 0 {
			st.midOp++
		}
	}
	if st.midOp == 0 {
		t.Errorf("none of %d kills left a write sent but not done: the test proved nothing about resuming one", st.rounds)
	}
	t.Logf("%d runs killed mid-run, %d of them with a write in flight", st.rounds, st.midOp)
}

// readEvents reads the journal (nothing if it does not exist yet).
func readEvents(t *testing.T, path string) []state.Event {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		return nil
	}
	events, err := state.Read(context.Background(), path)
	if err != nil {
		t.Fatalf("read the journal: %v", err)
	}
	return events
}

// journalLines counts the complete lines of the journal (0 if none yet).
func journalLines(path string) int {
	n, _ := journalTail(path)
	return n
}

// journalTail counts the journal's complete lines and says whether the last
// one is a "sent" event.
func journalTail(path string) (int, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	b = b[:bytes.LastIndexByte(b, '\n')+1]
	n := bytes.Count(b, []byte{'\n'})
	if n == 0 {
		return 0, false
	}
	last := b[:len(b)-1]
	last = last[bytes.LastIndexByte(last, '\n')+1:]
	return n, strings.Contains(string(last), `"t":"sent"`)
}

// runUntilSettled runs the command until it exits 0; exit 3 (uploads
// Garmin does not show yet) is run again a second later, up to 8 times.
func runUntilSettled(t *testing.T, bin string, args []string) {
	t.Helper()
	for try := 1; ; try++ {
		out, err := exec.Command(bin, args...).CombinedOutput()
		if err == nil {
			return
		}
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 3 || try == 8 {
			t.Fatalf("final run %d: %v\n%s", try, err, out)
		}
		time.Sleep(time.Second)
	}
}
