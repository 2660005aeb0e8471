package state

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	goldenfile "fitbit2garmin/internal/golden"
)

var testNow = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

func testOptions() Options {
	return Options{Now: func() time.Time { return testNow }}
}

func f64(v float64) *float64 { return &v }

// sampleEvents is one day of an import: what the importer writes.
func sampleEvents() []Event {
	return []Event{
		{T: TypeBegin, Run: "import", Kind: "water", Date: "2023-05-01", Base: f64(0), Mode: "add",
			Ops: []Op{{ID: "w-2023-05-01-a", Amount: 250, Time: "2023-05-01T08:00:00.000"}, {ID: "w-2023-05-01-b", Amount: 500}}},
		{T: TypeSent, Run: "import", Kind: "water", Date: "2023-05-01", Op: "w-2023-05-01-a"},
		{T: TypeDone, Run: "import", Kind: "water", Date: "2023-05-01", Op: "w-2023-05-01-a", Total: f64(250)},
		{T: TypeSent, Run: "import", Kind: "water", Date: "2023-05-01", Op: "w-2023-05-01-b"},
		{T: TypeDone, Run: "import", Kind: "water", Date: "2023-05-01", Op: "w-2023-05-01-b", Total: f64(750)},
		{T: TypeBegin, Run: "import", Kind: "weight", Date: "2023-05-02", Mode: "add",
			Ops: []Op{{ID: "kg-1", Amount: 71.25, Time: "2023-05-02T07:10:00.000", Fat: f64(21.5)}}},
		{T: TypeSent, Run: "import", Kind: "weight", Date: "2023-05-02", Op: "kg-1"},
		{T: TypeFailed, Run: "import", Kind: "weight", Date: "2023-05-02", Op: "kg-1", Err: `garmin said "400 <bad request>"`},
		{T: TypeSkip, Run: "import", Kind: "water", Date: "2023-05-03", Reason: "existing"},
		{T: TypeConflict, Run: "import", Kind: "water", Date: "2023-05-04", Total: f64(1300), Want: []float64{1000, 1250}},
		{T: TypeNotSent, Run: "undo", Kind: "water", Date: "2023-05-01", Op: "u-1"},
	}
}

func sampleHeader() Event {
	return Event{Fingerprint: "0123456789abcdef", Account: "12345", AccountName: "Jane"}
}

func openT(t *testing.T, path string, opts Options) *Journal {
	t.Helper()
	j, err := Open(context.Background(), path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return j
}

func closeT(t *testing.T, j *Journal) {
	t.Helper()
	if err := j.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// writeJournal writes a journal with a header and the sample events and
// returns its path and bytes.
func writeJournal(t *testing.T) (string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "j.jsonl")
	h := sampleHeader()
	opts := testOptions()
	opts.Header = &h
	j := openT(t, path, opts)
	if err := j.Append(sampleEvents()...); err != nil {
		t.Fatal(err)
	}
	closeT(t, j)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, data
}

func wantHeader() Event {
	h := sampleHeader()
	h.T, h.Version, h.Created = TypeHeader, Version, "2024-03-01T12:00:00Z"
	return h
}

func TestOpenNewWritesHeaderAndModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "fitbit2garmin")
	path := filepath.Join(dir, "journal.jsonl")
	h := sampleHeader()
	opts := testOptions()
	opts.Header = &h
	j := openT(t, path, opts)
	if got := j.Events(); len(got) != 0 {
		t.Errorf("new journal Events() = %v, want none", got)
	}
	got, ok := j.Header()
	if !ok {
		t.Fatal("Header() reports none after Open with Options.Header")
	}
	if diff := cmp.Diff(wantHeader(), got); diff != "" {
		t.Errorf("Header() (-want +got):\n%s", diff)
	}
	closeT(t, j)

	for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s mode = %v, want %v", p, fi.Mode().Perm(), want)
		}
	}
	if _, err := os.Stat(path + lockSuffix); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lock file still there after Close: %v", err)
	}

	// Reopening reads the header back and does not write a second one.
	other := Event{Fingerprint: "other", Account: "other"}
	opts.Header = &other
	j = openT(t, path, opts)
	defer closeT(t, j)
	if diff := cmp.Diff([]Event{wantHeader()}, j.Events()); diff != "" {
		t.Errorf("Events() after reopen (-want +got):\n%s", diff)
	}
}

func TestAppendedEventsReadBack(t *testing.T) {
	path, _ := writeJournal(t)
	j := openT(t, path, testOptions())
	defer closeT(t, j)
	want := append([]Event{wantHeader()}, sampleEvents()...)
	if diff := cmp.Diff(want, j.Events()); diff != "" {
		t.Errorf("Events() (-want +got):\n%s", diff)
	}
	if j.TornBytes() != 0 {
		t.Errorf("TornBytes() = %d on a whole journal", j.TornBytes())
	}
}

// TestFormatGolden pins the bytes on disk: journals outlive releases.
func TestFormatGolden(t *testing.T) {
	_, data := writeJournal(t)
	goldenfile.Check(t, filepath.Join("testdata", "journal.golden.jsonl"), data)
}

func TestAppendIsOnDiskWhenItReturns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.jsonl")
	j := openT(t, path, testOptions())
	defer closeT(t, j)
	var flushes int
	j.flush = func(f *os.File) error { flushes++; return datasync(f) }

	evs := sampleEvents()
	if err := j.Append(evs[:3]...); err != nil {
		t.Fatal(err)
	}
	if flushes != 1 {
		t.Errorf("Append of 3 events flushed %d times, want 1", flushes)
	}
	if err := j.Append(evs[3]); err != nil {
		t.Fatal(err)
	}
	if err := j.Append(evs[4]); err != nil {
		t.Fatal(err)
	}
	if flushes != 3 {
		t.Errorf("two more Appends: %d flushes in all, want 3", flushes)
	}
	// Read the file behind the open journal's back, as a crash would leave it.
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got, keep, err := parse(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	if keep != len(data) {
		t.Errorf("file ends in a partial line: %q", data[keep:])
	}
	if diff := cmp.Diff(evs[:5], got); diff != "" {
		t.Errorf("on disk (-want +got):\n%s", diff)
	}
}

func TestAppendRejectsEventWithoutType(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.jsonl")
	j := openT(t, path, testOptions())
	defer closeT(t, j)
	if err := j.Append(Event{T: TypeSent, Op: "a"}, Event{Op: "b"}); err == nil {
		t.Fatal("Append accepted an event without T")
	}
	if fi, _ := os.Stat(path); fi.Size() != 0 {
		t.Errorf("a refused Append wrote %d bytes", fi.Size())
	}
}

func TestFailedFlushPoisonsJournal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.jsonl")
	j := openT(t, path, testOptions())
	defer j.Close()
	boom := errors.New("EIO")
	j.flush = func(*os.File) error { return boom }
	if err := j.Append(sampleEvents()[1]); !errors.Is(err, boom) {
		t.Fatalf("Append with failing flush = %v, want %v", err, boom)
	}
	j.flush = datasync
	if err := j.Append(sampleEvents()[2]); !errors.Is(err, boom) {
		t.Errorf("Append after a failed flush = %v, want the flush error again", err)
	}
}

func TestClosedJournal(t *testing.T) {
	j := openT(t, filepath.Join(t.TempDir(), "j.jsonl"), testOptions())
	closeT(t, j)
	if err := j.Append(sampleEvents()[1]); !errors.Is(err, ErrClosed) {
		t.Errorf("Append after Close = %v, want ErrClosed", err)
	}
	if err := j.Close(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Close = %v, want ErrClosed", err)
	}
}

func TestTornLastLineIsCutOff(t *testing.T) {
	path, data := writeJournal(t)
	lines := bytes.SplitAfter(data, []byte("\n"))
	lines = lines[:len(lines)-1] // SplitAfter leaves an empty tail
	n := len(lines)
	lastStart := len(data) - len(lines[n-1])
	all := append([]Event{wantHeader()}, sampleEvents()...)

	tests := []struct {
		name string
		cut  int // file length after the crash
		want int // events that survive
	}{
		{"first byte of last line", lastStart + 1, n - 1},
		{"middle of last line", lastStart + len(lines[n-1])/2, n - 1},
		{"all but the newline", len(data) - 1, n - 1},
		{"middle of second to last line", lastStart - len(lines[n-2])/2, n - 2},
		{"just after the header", len(lines[0]) + 3, 1},
		{"inside the header", 5, 0},
		{"whole file", len(data), n},
		{"at a line boundary", lastStart, n - 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), filepath.Base(path))
			if err := os.WriteFile(p, data[:tt.cut], 0o600); err != nil {
				t.Fatal(err)
			}
			j := openT(t, p, testOptions())
			if diff := cmp.Diff(all[:tt.want], j.Events()); diff != "" {
				t.Errorf("Events() (-want +got):\n%s", diff)
			}
			whole := bytes.LastIndexByte(data[:tt.cut], '\n') + 1
			if got, want := j.TornBytes(), int64(tt.cut-whole); got != want {
				t.Errorf("TornBytes() = %d, want %d", got, want)
			}
			// Appends continue on a clean line.
			extra := Event{T: TypeSkip, Date: "2023-06-01", Reason: "existing"}
			if err := j.Append(extra); err != nil {
				t.Fatal(err)
			}
			closeT(t, j)
			j = openT(t, p, testOptions())
			defer closeT(t, j)
			want := append(append([]Event{}, all[:tt.want]...), extra)
			if diff := cmp.Diff(want, j.Events()); diff != "" {
				t.Errorf("after append and reopen (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTornTailOfZeros(t *testing.T) {
	// Some file systems leave the new size with zeroed data after a crash.
	_, data := writeJournal(t)
	p := filepath.Join(t.TempDir(), "j.jsonl")
	if err := os.WriteFile(p, append(bytes.Clone(data), make([]byte, 40)...), 0o600); err != nil {
		t.Fatal(err)
	}
	j := openT(t, p, testOptions())
	defer closeT(t, j)
	if got := len(j.Events()); got != 1+len(sampleEvents()) {
		t.Errorf("read %d events, want %d", got, 1+len(sampleEvents()))
	}
	if j.TornBytes() != 40 {
		t.Errorf("TornBytes() = %d, want 40", j.TornBytes())
	}
}

func TestCorruptLineIsAnError(t *testing.T) {
	_, data := writeJournal(t)
	lines := bytes.SplitAfter(data, []byte("\n"))
	replace := func(i int, s string) []byte {
		out := bytes.Clone(data[:0])
		for k, l := range lines {
			if k == i {
				l = []byte(s)
			}
			out = append(out, l...)
		}
		return out
	}
	tests := []struct {
		name    string
		data    []byte
		wantErr []string
	}{
		{"garbage in the middle", replace(3, "{\"t\":\"sent\",\"op\":\n"), []string{"line 4", "unexpected end of JSON input"}},
		{"not JSON", replace(2, "hello\n"), []string{"line 3", "invalid character"}},
		{"no type", replace(5, "{\"op\":\"x\"}\n"), []string{"line 6", "no event type"}},
		{"wrong type for a field", replace(4, "{\"t\":\"done\",\"total\":\"12\"}\n"), []string{"line 5", "cannot unmarshal string"}},
		{"corrupt last whole line", replace(len(lines)-2, "}{\n"), []string{fmt.Sprintf("line %d", len(lines)-1)}},
		{"newer format", replace(0, "{\"t\":\"header\",\"v\":99}\n"), []string{"format 99", ErrNewerVersion.Error()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "j.jsonl")
			if err := os.WriteFile(p, tt.data, 0o600); err != nil {
				t.Fatal(err)
			}
			j, err := Open(context.Background(), p, testOptions())
			if err == nil {
				j.Close()
				t.Fatal("Open succeeded on a corrupt journal")
			}
			msg := err.Error()
			for _, w := range append(tt.wantErr, p) {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
			after, _ := os.ReadFile(p)
			if !bytes.Equal(after, tt.data) {
				t.Error("Open changed a corrupt journal")
			}
			if _, err := os.Stat(p + lockSuffix); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("failed Open left its lock behind: %v", err)
			}
		})
	}
}

func TestBlankLinesAreSkipped(t *testing.T) {
	p := filepath.Join(t.TempDir(), "j.jsonl")
	if err := os.WriteFile(p, []byte("\n{\"t\":\"skip\"}\n  \r\n{\"t\":\"sent\",\"op\":\"a\"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	j := openT(t, p, testOptions())
	defer closeT(t, j)
	want := []Event{{T: TypeSkip}, {T: TypeSent, Op: "a"}}
	if diff := cmp.Diff(want, j.Events()); diff != "" {
		t.Errorf("Events() (-want +got):\n%s", diff)
	}
}

func TestConcurrentAppend(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.jsonl")
	j := openT(t, path, testOptions())
	const workers, ops = 8, 40
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range ops {
				id := fmt.Sprintf("w%d-%d", w, i)
				if err := j.Append(Event{T: TypeSent, Op: id}); err != nil {
					errs <- err
					return
				}
				if err := j.Append(Event{T: TypeSent, Op: id + "x"}, Event{T: TypeDone, Op: id + "x", Total: f64(float64(i))}); err != nil {
					errs <- err
					return
				}
				if i%10 == 0 {
					if _, ok := j.Header(); ok {
						errs <- errors.New("header appeared")
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	closeT(t, j)

	j = openT(t, path, testOptions())
	defer closeT(t, j)
	evs := j.Events()
	if len(evs) != workers*ops*3 {
		t.Fatalf("read %d events, want %d", len(evs), workers*ops*3)
	}
	next := make(map[string]int) // worker -> next op index expected
	for k := 0; k < len(evs); k++ {
		var w, i int
		if _, err := fmt.Sscanf(evs[k].Op, "w%d-%d", &w, &i); err != nil {
			t.Fatalf("event %d: op %q", k, evs[k].Op)
		}
		key := fmt.Sprint(w)
		if strings.HasSuffix(evs[k].Op, "x") {
			// A pair given to one Append stays together.
			if k+1 >= len(evs) || evs[k+1].Op != evs[k].Op || evs[k+1].T != TypeDone {
				t.Fatalf("event %d (%s %s) not followed by its done", k, evs[k].T, evs[k].Op)
			}
			if next[key] != i+1 {
				t.Fatalf("worker %d: pair %d out of order", w, i)
			}
			k++
			continue
		}
		if next[key] != i {
			t.Fatalf("worker %d: op %d, want %d", w, i, next[key])
		}
		next[key] = i + 1
	}
}

func TestSetHeaderLatestWins(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.jsonl")
	j := openT(t, path, testOptions())
	if _, ok := j.Header(); ok {
		t.Fatal("Header() on a journal opened without one")
	}
	if err := j.SetHeader(sampleHeader()); err != nil {
		t.Fatal(err)
	}
	if err := j.Append(sampleEvents()[1]); err != nil {
		t.Fatal(err)
	}
	second := Event{Fingerprint: "0123456789abcdef", Account: "999", Created: "2024-04-01T00:00:00Z"}
	if err := j.SetHeader(second); err != nil {
		t.Fatal(err)
	}
	closeT(t, j)
	j = openT(t, path, testOptions())
	defer closeT(t, j)
	got, ok := j.Header()
	want := second
	want.T, want.Version = TypeHeader, Version
	if !ok {
		t.Fatal("no header after reopen")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Header() (-want +got):\n%s", diff)
	}
}

func TestCheckHeader(t *testing.T) {
	tests := []struct {
		name               string
		header             *Event
		fingerprint, acct  string
		force              bool
		wantField, wantMsg string
	}{
		{name: "match", header: &Event{Fingerprint: "fp1", Account: "a1"}, fingerprint: "fp1", acct: "a1"},
		{name: "no header", fingerprint: "fp1", acct: "a1"},
		{name: "other account", header: &Event{Fingerprint: "fp1", Account: "a1", AccountName: "Jane"}, fingerprint: "fp1", acct: "b2",
			wantField: FieldAccount, wantMsg: "belongs to account a1 (Jane), you are logged in as b2"},
		{name: "other export", header: &Event{Fingerprint: "aaaaaaaaaaaaaaaaaaaa", Account: "a1"}, fingerprint: "bbbbbbbbbbbbbbbbbbbb", acct: "a1",
			wantField: FieldFingerprint, wantMsg: "was made for another export (fingerprint aaaaaaaaaaaa, this one is bbbbbbbbbbbb)"},
		{name: "both differ: account first", header: &Event{Fingerprint: "fp1", Account: "a1"}, fingerprint: "fp2", acct: "b2",
			wantField: FieldAccount, wantMsg: "belongs to account a1, you are logged in as b2"},
		{name: "forced", header: &Event{Fingerprint: "fp1", Account: "a1"}, fingerprint: "fp2", acct: "b2", force: true},
		{name: "account not known yet (dry run)", header: &Event{Fingerprint: "fp1", Account: "a1"}, fingerprint: "fp1"},
		{name: "header without account", header: &Event{Fingerprint: "fp1"}, fingerprint: "fp1", acct: "a1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "j.jsonl")
			opts := testOptions()
			opts.Header = tt.header
			j := openT(t, path, opts)
			defer closeT(t, j)
			err := j.CheckHeader(tt.fingerprint, tt.acct, tt.force)
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("CheckHeader = %v, want nil", err)
				}
				return
			}
			var me *MismatchError
			if !errors.As(err, &me) {
				t.Fatalf("CheckHeader = %v, want a *MismatchError", err)
			}
			if me.Field != tt.wantField {
				t.Errorf("Field = %q, want %q", me.Field, tt.wantField)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) || !strings.Contains(err.Error(), path) {
				t.Errorf("message %q lacks %q or the path", err, tt.wantMsg)
			}
		})
	}
}

func TestOpenHonoursCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	path := filepath.Join(t.TempDir(), "j.jsonl")
	if _, err := Open(ctx, path, testOptions()); !errors.Is(err, context.Canceled) {
		t.Errorf("Open with cancelled context = %v", err)
	}
}

// TestEventHoldsNoSecrets guards the journal's promise to hold no tokens:
// a field added to Event or Op with such a name fails here.
func TestEventHoldsNoSecrets(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeFor[Event](), reflect.TypeFor[Op]()} {
		for f := range typ.Fields() {
			name := strings.ToLower(f.Name + " " + f.Tag.Get("json"))
			for _, bad := range []string{"token", "password", "secret", "cookie", "auth", "jwt"} {
				if strings.Contains(name, bad) {
					t.Errorf("journal field %s.%s looks like a secret", typ.Name(), f.Name)
				}
			}
		}
	}
}

func TestConcurrentAppendsShareFlushes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.jsonl")
	j := openT(t, path, testOptions())
	defer closeT(t, j)
	var mu sync.Mutex
	flushes := 0
	j.flush = func(f *os.File) error {
		mu.Lock()
		flushes++
		mu.Unlock()
		time.Sleep(50 * time.Millisecond) // a slow disk: others queue meanwhile
		return datasync(f)
	}
	const n = 8
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			if err := j.Append(Event{T: TypeSent, Op: fmt.Sprint(i)}); err != nil {
				t.Error(err)
			}
		})
	}
	close(start)
	wg.Wait()
	if flushes >= n {
		t.Errorf("%d concurrent Appends made %d flushes, want them shared", n, flushes)
	}
	t.Logf("%d appends, %d flushes", n, flushes)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := bytes.Count(data, []byte("\n")); got != n {
		t.Errorf("%d lines on disk, want %d", got, n)
	}
}

// TestParseInPieces covers the parallel path of parse: the
// events come out in file order, blank lines anywhere are dropped, and a bad
// line in a later piece is reported with its line number in the file.
func TestParseInPieces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.jsonl")
	writeBenchJournal(t, path, 300, 3)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	lines = lines[:len(lines)-1]
	var want []Event
	for _, l := range lines {
		var ev Event
		if err := json.Unmarshal(l, &ev); err != nil {
			t.Fatal(err)
		}
		want = append(want, ev)
	}
	// Blank lines near the start, the middle and the end.
	var withBlanks []byte
	for i, l := range lines {
		if i == 1 || i == len(lines)/2 || i == len(lines)-1 {
			withBlanks = append(withBlanks, "\n"...)
		}
		withBlanks = append(withBlanks, l...)
	}
	for _, parts := range []int{1, 2, 3, 8, 1000} {
		t.Run(fmt.Sprintf("parts=%d", parts), func(t *testing.T) {
			got, keep, err := parseIn(context.Background(), withBlanks, parts)
			if err != nil {
				t.Fatal(err)
			}
			if keep != len(withBlanks) {
				t.Errorf("keep = %d, want %d", keep, len(withBlanks))
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			if len(got) != cap(got) {
				t.Errorf("returned slice has spare capacity %d: an append would write into hidden state", cap(got)-len(got))
			}

			bad := bytes.Clone(data)
			badLine := len(lines) - 10
			off := len(bytes.Join(lines[:badLine-1], nil))
			bad[off] = 'x'
			_, _, err = parseIn(context.Background(), bad, parts)
			var le *LineError
			if !errors.As(err, &le) || le.Line != badLine {
				t.Errorf("parse with line %d corrupt = %v, want a LineError for that line", badLine, err)
			}
		})
	}
}

func TestReadWhileAnotherHoldsTheJournal(t *testing.T) {
	path, data := writeJournal(t)
	torn := append(bytes.Clone(data), `{"t":"sent","op":"hal`...)
	if err := os.WriteFile(path, torn, 0o600); err != nil {
		t.Fatal(err)
	}
	// Before any Open repairs it: Read ignores the torn line and leaves it.
	got, err := Read(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]Event{wantHeader()}, sampleEvents()...)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Read (-want +got):\n%s", diff)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, torn) {
		t.Error("Read changed the file")
	}

	j := openT(t, path, testOptions())
	defer closeT(t, j)
	if err := j.Append(Event{T: TypeSkip, Date: "2023-07-01"}); err != nil {
		t.Fatal(err)
	}
	got, err = Read(context.Background(), path)
	if err != nil {
		t.Fatalf("Read of a locked journal: %v", err)
	}
	want = append(want, Event{T: TypeSkip, Date: "2023-07-01"})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Read while locked (-want +got):\n%s", diff)
	}
	if _, err := Read(context.Background(), filepath.Join(t.TempDir(), "none.jsonl")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Read of a missing journal = %v, want ErrNotExist", err)
	}
}
