package fitbit

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"fitbit2garmin/fitbit/fitbittest"
)

// BenchmarkWaterTakeoutZip reads every water record of a synthetic 10-year
// Takeout zip with 50 MB of irrelevant members (per-day heart-rate files).
// Opening touches only the central directory, so the noise should not show
// in the time.
func BenchmarkWaterTakeoutZip(b *testing.B) {
	p := filepath.Join(b.TempDir(), "takeout.zip")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	st, err := fitbittest.WriteTakeoutZip(f, fitbittest.TakeoutConfig{Years: 10, DrinksPerDay: 8, NoiseBytes: 50 << 20, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	records := 0
	for b.Loop() {
		e, err := Open(p)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for _, err := range e.Water(loc) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		e.Close()
		if n != st.Drinks {
			b.Fatalf("read %d records, want %d", n, st.Drinks)
		}
		records += n
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}
