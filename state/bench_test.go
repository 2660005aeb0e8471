package state

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// writeBenchJournal writes, without fsyncs, a journal of ops done ops, opsPerDay
// to a begin event, as Append would have written it: a header, then per day a
// begin and a sent and a done per op.
func writeBenchJournal(tb testing.TB, path string, ops, opsPerDay int) (lines int, size int64) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	put := func(ev Event) {
		if err := enc.Encode(ev); err != nil {
			tb.Fatal(err)
		}
		lines++
	}
	put(Event{T: TypeHeader, Version: Version, Fingerprint: Fingerprint("bench"), Account: "81234567", AccountName: "Jane Doe", Created: "2024-03-01T12:00:00Z"})
	day := time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)
	for done := 0; done < ops; day = day.AddDate(0, 0, 1) {
		date := day.Format(time.DateOnly)
		n := min(opsPerDay, ops-done)
		begin := Event{T: TypeBegin, Run: "import", Kind: "water", Date: date, Base: f64(0), Mode: "add"}
		for k := range n {
			begin.Ops = append(begin.Ops, Op{
				ID:     fmt.Sprintf("water-%s-%08x", date, done+k),
				Amount: 250,
				Time:   day.Add(time.Duration(8*60+k*10) * time.Minute).Format("2006-01-02T15:04:05.000"),
			})
		}
		put(begin)
		total := 0.0
		for _, op := range begin.Ops {
			put(Event{T: TypeSent, Run: "import", Kind: "water", Date: date, Op: op.ID})
			total += op.Amount
			put(Event{T: TypeDone, Run: "import", Kind: "water", Date: date, Op: op.ID, Total: f64(total)})
		}
		done += n
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		tb.Fatal(err)
	}
	return lines, fi.Size()
}

// BenchmarkResume100k opens a journal of 100,000 done ops: lock, read, decode
// every line, close. The target is under 300 ms on two cores.
func BenchmarkResume100k(b *testing.B) {
	for _, perDay := range []int{1, 25} {
		b.Run(fmt.Sprintf("ops-per-day=%d", perDay), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "j.jsonl")
			lines, size := writeBenchJournal(b, path, 100_000, perDay)
			b.SetBytes(size)
			b.ResetTimer()
			start, cpu0 := time.Now(), cpuTime(b)
			for b.Loop() {
				j, err := Open(context.Background(), path, Options{})
				if err != nil {
					b.Fatal(err)
				}
				if got := len(j.Events()); got != lines {
					b.Fatalf("read %d events, want %d", got, lines)
				}
				if err := j.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/resume")
			// CPU time (all threads, GC included) is what the resume costs
			// even when other processes share the machine.
			b.ReportMetric(float64((cpuTime(b)-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/resume")
			b.ReportMetric(float64(lines), "lines")
		})
	}
}

// BenchmarkAppend is the journal's cost per op: a sent event and a done
// event, each its own Append and so its own fdatasync, as the importer
// writes them around a request.
func BenchmarkAppend(b *testing.B) {
	j, err := Open(context.Background(), filepath.Join(b.TempDir(), "j.jsonl"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	total := 0.0
	for i := 0; b.Loop(); i++ {
		id := fmt.Sprintf("water-2015-03-04-%08x", i)
		if err := j.Append(Event{T: TypeSent, Run: "import", Kind: "water", Date: "2015-03-04", Op: id}); err != nil {
			b.Fatal(err)
		}
		total += 250
		if err := j.Append(Event{T: TypeDone, Run: "import", Kind: "water", Date: "2015-03-04", Op: id, Total: &total}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendParallel is BenchmarkAppend from several goroutines, as
// the importer's workers call it: concurrent appends share fdatasyncs.
func BenchmarkAppendParallel(b *testing.B) {
	j, err := Open(context.Background(), filepath.Join(b.TempDir(), "j.jsonl"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		total := 0.0
		for i := 0; pb.Next(); i++ {
			id := fmt.Sprintf("water-2015-03-04-%08x", i)
			if err := j.Append(Event{T: TypeSent, Run: "import", Kind: "water", Date: "2015-03-04", Op: id}); err != nil {
				b.Error(err)
				return
			}
			total += 250
			if err := j.Append(Event{T: TypeDone, Run: "import", Kind: "water", Date: "2015-03-04", Op: id, Total: &total}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkDecodeLine compares the fast path with encoding/json on a done
// line and a begin line.
func BenchmarkDecodeLine(b *testing.B) {
	lines := map[string]string{
		"done":  `{"t":"done","run":"import","kind":"water","date":"2015-03-04","op":"water-2015-03-04-0001a2b3","total":1750}`,
		"begin": `{"t":"begin","run":"import","kind":"water","date":"2015-03-04","base":0,"mode":"add","ops":[{"id":"water-2015-03-04-0001a2b3","amount":250,"time":"2015-03-04T08:00:00.000"},{"id":"water-2015-03-04-0001a2b4","amount":500,"time":"2015-03-04T09:00:00.000"}]}`,
	}
	for name, line := range lines {
		l := []byte(line)
		b.Run(name+"/fast", func(b *testing.B) {
			dc := newDecoder()
			for b.Loop() {
				if _, ok := dc.fast(l); !ok {
					b.Fatal("declined")
				}
			}
		})
		b.Run(name+"/encoding-json", func(b *testing.B) {
			for b.Loop() {
				var ev Event
				if err := json.Unmarshal(l, &ev); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
