package state

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The helper process: the test binary run again with these variables set.
const (
	envHelper = "F2G_STATE_TEST_HELPER" // "hold" or "exit"
	envPath   = "F2G_STATE_TEST_PATH"
)

// TestHelperProcess is not a test: it is the child the lock tests start.
// With "hold" it opens the journal, appends an event, says "ready" and
// keeps the journal until its stdin closes.
func TestHelperProcess(t *testing.T) {
	switch os.Getenv(envHelper) {
	case "":
		t.Skip("helper process for the lock tests")
	case "exit":
		os.Exit(0)
	case "hold":
		j, err := Open(context.Background(), os.Getenv(envPath), Options{})
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		if err := j.Append(Event{T: TypeSent, Op: "child"}); err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println("ready")
		io.Copy(io.Discard, os.Stdin)
		if err := j.Close(); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
}

type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
}

// startHolder starts a child that holds the journal at path.
func startHolder(t *testing.T, path string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), envHelper+"=hold", envPath+"="+path)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, stdin: stdin}
	t.Cleanup(func() {
		c.stdin.Close()
		c.cmd.Process.Kill()
		c.cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if strings.TrimSpace(line) != "ready" {
		t.Fatalf("helper said %q (%v)", line, err)
	}
	return c
}

// deadPID returns the pid of a process that has exited.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), envHelper+"=exit")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	if processAlive(pid) {
		t.Skipf("pid %d already reused", pid)
	}
	return pid
}

func wantLocked(t *testing.T, err error, pid int) *LockedError {
	t.Helper()
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("Open = %v, want a *LockedError", err)
	}
	if le.PID != pid {
		t.Errorf("LockedError.PID = %d, want %d", le.PID, pid)
	}
	host, _ := os.Hostname()
	want := fmt.Sprintf("is in use by pid %d on host %s since ", pid, host)
	if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "if that process is gone, delete "+le.Path+".lock") {
		t.Errorf("message %q lacks %q and the hint", err, want)
	}
	return le
}

func TestSecondOpenInSameProcessIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.jsonl")
	j := openT(t, path, testOptions())
	_, err := Open(context.Background(), path, Options{})
	le := wantLocked(t, err, os.Getpid())
	if !le.Since.Equal(testNow) {
		t.Errorf("Since = %v, want %v", le.Since, testNow)
	}
	if le.Path != path {
		t.Errorf("Path = %q, want %q", le.Path, path)
	}
	closeT(t, j)
	// Released: a new Open works.
	j = openT(t, path, testOptions())
	closeT(t, j)
}

func TestOpenHeldByAnotherProcessIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.jsonl")
	c := startHolder(t, path)
	_, err := Open(context.Background(), path, Options{})
	wantLocked(t, err, c.cmd.Process.Pid)

	// The child closes the journal and exits: ours now, with its event.
	c.stdin.Close()
	if err := c.cmd.Wait(); err != nil {
		t.Fatalf("helper: %v", err)
	}
	j := openT(t, path, Options{})
	defer closeT(t, j)
	if diff := cmp.Diff([]Event{{T: TypeSent, Op: "child"}}, j.Events()); diff != "" {
		t.Errorf("Events() (-want +got):\n%s", diff)
	}
}

func TestLockOfKilledProcessIsTakenOver(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.jsonl")
	c := startHolder(t, path)
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	c.cmd.Wait()
	if _, err := os.Stat(path + lockSuffix); err != nil {
		t.Fatalf("killed holder left no lock file: %v", err)
	}
	j := openT(t, path, testOptions())
	defer closeT(t, j)
	if diff := cmp.Diff([]Event{{T: TypeSent, Op: "child"}}, j.Events()); diff != "" {
		t.Errorf("Events() (-want +got):\n%s", diff)
	}
	got := readLockFile(t, path)
	if got.PID != os.Getpid() {
		t.Errorf("lock file names pid %d after takeover, want ours (%d)", got.PID, os.Getpid())
	}
}

func readLockFile(t *testing.T, path string) lockInfo {
	t.Helper()
	b, err := os.ReadFile(path + lockSuffix)
	if err != nil {
		t.Fatal(err)
	}
	var info lockInfo
	if err := json.Unmarshal(b, &info); err != nil {
		t.Fatalf("lock file %q: %v", b, err)
	}
	return info
}

// TestLeftoverLockFiles writes lock files as a crashed run (or another
// machine) leaves them, with no flock held.
func TestLeftoverLockFiles(t *testing.T) {
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	since := time.Date(2024, 2, 1, 8, 0, 0, 0, time.UTC)
	dead := deadPID(t)
	tests := []struct {
		name     string
		content  string
		takeOver bool
		wantPID  int // of the LockedError
	}{
		{name: "dead pid on this host", content: lockJSON(dead, host, since), takeOver: true},
		{name: "our own pid from a previous life", content: lockJSON(os.Getpid(), host, since), takeOver: true},
		{name: "empty file", content: "", takeOver: true},
		{name: "garbled", content: `{"pid":`, takeOver: true},
		{name: "live pid on this host", content: lockJSON(os.Getppid(), host, since), wantPID: os.Getppid()},
		{name: "other host", content: lockJSON(dead, "elsewhere", since), wantPID: dead},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "j.jsonl")
			if err := os.WriteFile(path+lockSuffix, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			j, err := Open(context.Background(), path, testOptions())
			if tt.takeOver {
				if err != nil {
					t.Fatalf("Open = %v, want the stale lock taken over", err)
				}
				got := readLockFile(t, path)
				want := lockInfo{PID: os.Getpid(), Host: host, Time: testNow}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("lock file (-want +got):\n%s", diff)
				}
				closeT(t, j)
				return
			}
			if err == nil {
				j.Close()
				t.Fatal("Open took over a lock that is not stale")
			}
			var le *LockedError
			if !errors.As(err, &le) {
				t.Fatalf("Open = %v, want a *LockedError", err)
			}
			if le.PID != tt.wantPID || !le.Since.Equal(since) {
				t.Errorf("LockedError = %+v, want pid %d since %v", le, tt.wantPID, since)
			}
			if b, _ := os.ReadFile(path + lockSuffix); string(b) != tt.content {
				t.Errorf("refused Open changed the lock file to %q", b)
			}
		})
	}
}

func lockJSON(pid int, host string, since time.Time) string {
	b, _ := json.Marshal(lockInfo{PID: pid, Host: host, Time: since})
	return string(b)
}

func TestLockedErrorWithoutHolder(t *testing.T) {
	err := &LockedError{Path: "/s/j.jsonl"}
	want := "journal /s/j.jsonl is in use by another process; if that process is gone, delete /s/j.jsonl.lock"
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
}

// TestLockRace opens the same journal from many goroutines at once: exactly
// one wins each round.
func TestLockRace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.jsonl")
	for range 20 {
		const n = 8
		results := make(chan *Journal, n)
		errs := make(chan error, n)
		start := make(chan struct{})
		for range n {
			go func() {
				<-start
				j, err := Open(context.Background(), path, testOptions())
				if err != nil {
					errs <- err
					results <- nil
					return
				}
				results <- j
			}()
		}
		close(start)
		var winners []*Journal
		for range n {
			if j := <-results; j != nil {
				winners = append(winners, j)
			}
		}
		close(errs)
		for err := range errs {
			var le *LockedError
			if !errors.As(err, &le) {
				t.Errorf("loser got %v, want a *LockedError", err)
			}
		}
		if len(winners) != 1 {
			t.Fatalf("%d Opens won the lock, want 1", len(winners))
		}
		closeT(t, winners[0])
	}
}
