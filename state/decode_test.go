package state

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFastDecoderTakesWhatAppendWrites(t *testing.T) {
	_, data := writeJournal(t)
	dc := newDecoder()
	for i, line := range bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n")) {
		got, ok := dc.fast(line)
		if !ok {
			// The err event holds quotes, which are escaped: encoding/json's job.
			if bytes.Contains(line, []byte(`\"`)) {
				continue
			}
			t.Errorf("line %d: fast path declined %s", i+1, line)
			continue
		}
		var want Event
		if err := json.Unmarshal(line, &want); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("line %d (-json +fast):\n%s", i+1, diff)
		}
	}
}

func TestFastDecoderAgreesOrDeclines(t *testing.T) {
	tests := []struct {
		line string
		fast bool // whether the fast path should take it
	}{
		{`{"t":"sent","op":"a"}`, true},
		{` { "t" : "done" , "total" : -1.5e3 , "op":"é" } `, true},
		{"{\"t\":\"done\",\r\n\t\"total\":0}", true},
		{`{"t":"begin","ops":[]}`, true},
		{`{"t":"begin","ops":[{}]}`, true},
		{`{"t":"conflict","want":[]}`, true},
		{`{"t":"conflict","want":[1,2.5,-0]}`, true},
		{`{"t":"header","v":1}`, true},
		{`{"t":"header","v":-0}`, true},
		{`{}`, true},
		{`{"t":"begin","ops":[{"id":"a","amount":1,"fat":null}]}`, false},
		{`{"t":"sent","op":"a\"b"}`, false},
		{`{"t":"sent","op":"a\u00e9"}`, false},
		{"{\"t\":\"sent\",\"op\":\"\xff\"}", false},
		{`{"T":"sent"}`, false},
		{`{"t":"sent","t":"done"}`, false},
		{`{"t":"sent","extra":1}`, false},
		{`{"t":"sent","total":null}`, false},
		{`{"t":"header","v":1.0}`, false},
		{`{"t":"header","v":1e2}`, false},
		{`{"t":"done","total":1e999}`, false},
		{`{"t":"done","total":01}`, false},
		{`{"t":"done","total":+1}`, false},
		{`{"t":"done","total":.5}`, false},
		{`{"t":"done","total":1.}`, false},
		{`{"t":"done","total":"1"}`, false},
		{`{"t":"sent"} x`, false},
		{`{"t":"sent",}`, false},
		{`{"t":"sent"`, false},
		{`[]`, false},
		{`{"t":"conflict","want":[1,]}`, false},
		{`{"t":"begin","ops":[{"id":"a","id":"b"}]}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			dc := newDecoder()
			got, ok := dc.fast([]byte(tt.line))
			if ok != tt.fast {
				t.Errorf("fast path took it = %v, want %v", ok, tt.fast)
			}
			if ok {
				checkAgrees(t, []byte(tt.line), got)
			}
		})
	}
}

// checkAgrees fails unless encoding/json decodes line to exactly ev (nil and
// empty slices differ).
func checkAgrees(t *testing.T, line []byte, ev Event) {
	t.Helper()
	var want Event
	if err := json.Unmarshal(line, &want); err != nil {
		t.Fatalf("fast path took %q, which encoding/json rejects: %v", line, err)
	}
	if !reflect.DeepEqual(want, ev) {
		t.Fatalf("fast path and encoding/json differ on %q:\n%s", line, cmp.Diff(want, ev))
	}
}

func FuzzDecodeLine(f *testing.F) {
	for _, ev := range append(sampleEvents(), wantHeader()) {
		b, err := json.Marshal(ev)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		`{"t":"begin","ops":[{"id":"a","amount":1e-3,"fat":0}],"want":[]}`,
		`{"t":"header","v":9223372036854775807}`,
		` {"t" :"x", "base":-0.0E+1}`,
		`{"t":"sent","op":"\ud800"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		dc := newDecoder()
		if ev, ok := dc.fast(line); ok {
			checkAgrees(t, line, ev)
		}
		// decode never panics, and its errors are encoding/json's.
		ev, err := dc.decode(line)
		var want Event
		jerr := json.Unmarshal(line, &want)
		if (err == nil) != (jerr == nil) {
			t.Fatalf("decode error %v, encoding/json %v", err, jerr)
		}
		if err == nil && !reflect.DeepEqual(want, ev) {
			t.Fatalf("decode and encoding/json differ on %q:\n%s", line, cmp.Diff(want, ev))
		}
	})
}

// FuzzOpen feeds arbitrary files to Open: it either fails or keeps exactly
// the whole lines, and an Append after it lands on a clean line.
func FuzzOpen(f *testing.F) {
	f.Add([]byte("{\"t\":\"sent\",\"op\":\"a\"}\n{\"t\":\"do"))
	f.Add([]byte("\n\n{\"t\":\"x\"}"))
	f.Add([]byte("{\"t\":\"header\",\"v\":1}\n\x00\x00"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "j.jsonl")
		os.Remove(path)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		j, err := Open(context.Background(), path, testOptions())
		if err != nil {
			return
		}
		n := len(j.Events())
		keep := bytes.LastIndexByte(data, '\n') + 1
		if j.TornBytes() != int64(len(data)-keep) {
			t.Fatalf("TornBytes() = %d, want %d", j.TornBytes(), len(data)-keep)
		}
		if err := j.Append(Event{T: TypeSkip}); err != nil {
			t.Fatal(err)
		}
		closeT(t, j)
		j = openT(t, path, testOptions())
		defer closeT(t, j)
		if got := len(j.Events()); got != n+1 {
			t.Fatalf("after one Append: %d events, want %d", got, n+1)
		}
	})
}

// FuzzParsePieces checks that cutting a journal into pieces for parallel
// decoding changes nothing: the same events, or the same failing line.
func FuzzParsePieces(f *testing.F) {
	f.Add([]byte("{\"t\":\"sent\",\"op\":\"a\"}\n\n{\"t\":\"done\",\"op\":\"a\"}\n{\"t\":\"x\"}\n{\"t"), uint8(2))
	f.Add([]byte("\n\n\n{\"t\":\"x\"}\nbad\n"), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, parts uint8) {
		ctx := context.Background()
		want, wantKeep, wantErr := parseIn(ctx, data, 1)
		got, keep, err := parseIn(ctx, data, int(parts%16)+1)
		if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
			t.Fatalf("error %v, in one piece %v", err, wantErr)
		}
		if keep != wantKeep || !reflect.DeepEqual(want, got) {
			t.Fatalf("pieces differ from one piece:\n%s", cmp.Diff(want, got))
		}
	})
}
