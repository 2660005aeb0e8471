// Command gentakeout writes a synthetic Google Takeout zip for benchmarks:
// years of hydration logs plus hundreds of megabytes of irrelevant per-day
// files, deterministic under -seed. With -read it times the fitbit reader
// on an existing zip instead (open, all water records, fingerprint) and
// prints the peak memory of the process. With -activities it writes an
// exercise history instead (activities.go).
//
//	go run ./bench/gentakeout -out bench/out/takeout.zip -years 10 -drinks 8 -noise-mb 500
//	go run ./bench/gentakeout -read -out bench/out/takeout.zip
//	go run ./bench/gentakeout -out bench/out/activities-10y.zip -years 10 -activities 4000 -gps-days 365
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"fitbit2garmin/fitbit"
	"fitbit2garmin/fitbit/fitbittest"
)

func main() {
	out := flag.String("out", "bench/out/takeout.zip", "zip to write (or to read with -read)")
	years := flag.Int("years", 10, "years of data, 365 days each")
	drinks := flag.Int("drinks", 8, "mean drinks per day")
	noiseMB := flag.Int64("noise-mb", 500, "megabytes of irrelevant members at least")
	seed := flag.Uint64("seed", 1, "random seed: the same flags write the same bytes")
	tz := flag.String("tz", "America/New_York", "time zone written in Profile.csv")
	read := flag.Bool("read", false, "do not write: time reading the water records of -out")
	activities := flag.Int("activities", 0, "write this many exercise logs instead of water (no noise)")
	gpsDays := flag.Int("gps-days", 365, "with -activities: days with a GPS day file (the last ones), one tracked run each")
	flag.Parse()

	var err error
	switch {
	case *read:
		err = readZip(*out)
	case *activities > 0:
		err = writeActivities(*out, *years, *activities, *gpsDays, rand.New(rand.NewPCG(*seed, 2026)))
	default:
		err = writeZip(*out, fitbittest.TakeoutConfig{Years: *years, DrinksPerDay: *drinks, NoiseBytes: *noiseMB << 20, Seed: *seed, TimeZone: *tz})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gentakeout:", err)
		os.Exit(1)
	}
}

func writeZip(out string, cfg fitbittest.TakeoutConfig) error {
	start := time.Now()
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	st, err := fitbittest.WriteTakeoutZip(f, cfg)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	fi, err := os.Stat(out)
	if err != nil {
		return err
	}
	fmt.Printf("wrote %s: %d MB, %d members, %d days, %d drinks in %d water files, %d MB noise in %d files, in %v\n",
		out, fi.Size()>>20, st.Members, st.Days, st.Drinks, st.WaterFiles, st.NoiseBytes>>20, st.NoiseFiles, time.Since(start).Round(time.Millisecond))
	return nil
}

func readZip(p string) error {
	start := time.Now()
	e, err := fitbit.Open(p)
	if err != nil {
		return err
	}
	defer e.Close()
	opened := time.Since(start)
	zone, _, ok := e.ProfileTimeZone()
	loc := time.UTC
	if ok {
		if l, err := time.LoadLocation(zone); err == nil {
			loc = l
		}
	}
	var records, problems int
	var ml float64
	for w, err := range e.Water(loc) {
		if err != nil {
			problems++
			continue
		}
		records++
		ml += w.ML
	}
	read := time.Since(start)
	fp, err := e.Fingerprint()
	if err != nil {
		return err
	}
	total := time.Since(start)
	fmt.Printf("read %s: %d records (%.0f l), %d problems, %d water files, zone %s\n", p, records, ml/1000, problems, len(e.WaterFiles()), zone)
	fmt.Printf("open %v, open+water %v (%.0f records/s), +fingerprint %v (%.12s...), peak RSS %s\n",
		opened.Round(time.Microsecond), read.Round(time.Microsecond), float64(records)/read.Seconds(), total.Round(time.Microsecond), fp, peakRSS())
	return nil
}
