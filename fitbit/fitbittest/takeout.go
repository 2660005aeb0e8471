// Package fitbittest writes synthetic Fitbit exports for tests and
// benchmarks: a Google Takeout zip with years of hydration logs and as much
// irrelevant data (per-day heart-rate CSVs and JSON) as asked for, so that
// readers can be measured on exports of realistic size.
package fitbittest

import (
	"archive/zip"
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"time"
)

// TakeoutConfig says what to write. Zero fields take the defaults given.
type TakeoutConfig struct {
	// Start is the first day (default 2016-01-01).
	Start time.Time
	// Years of data (default 1): 365 days each.
	Years int
	// DrinksPerDay is the mean number of drinks logged per day (default 8).
	DrinksPerDay int
	// NoiseBytes is the least number of bytes of irrelevant members
	// (default 0): per-day heart_rate_YYYY-MM-DD.csv and JSON files.
	NoiseBytes int64
	// Seed makes the output deterministic: the same config writes the same bytes.
	Seed uint64
	// TimeZone is written in Your Profile/Profile.csv (default America/New_York).
	TimeZone string
	// Root is the folder of the Fitbit data in the zip (default "Takeout/Fitbit").
	Root string
}

// TakeoutStats says what was written.
type TakeoutStats struct {
	Days       int
	Drinks     int
	WaterFiles int
	NoiseFiles int
	NoiseBytes int64
	Members    int
}

// WriteTakeoutZip writes a synthetic Takeout zip to w: one
// hydration_log_YYYY-MM-01.csv per month (header
// "timestamp,amount milliliters,data source", UTC times), its readme, a
// Profile.csv, and the noise files interleaved with them as in a real
// archive. Noise is stored uncompressed so that writing is fast and sizes are
// what they say.
func WriteTakeoutZip(w io.Writer, cfg TakeoutConfig) (TakeoutStats, error) {
	if cfg.Start.IsZero() {
		cfg.Start = time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if cfg.Years <= 0 {
		cfg.Years = 1
	}
	if cfg.DrinksPerDay <= 0 {
		cfg.DrinksPerDay = 8
	}
	if cfg.TimeZone == "" {
		cfg.TimeZone = "America/New_York"
	}
	if cfg.Root == "" {
		cfg.Root = "Takeout/Fitbit"
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	zw := zip.NewWriter(bw)
	g := &gen{zw: zw, rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)), cfg: cfg}
	if err := g.write(); err != nil {
		return g.stats, err
	}
	if err := zw.Close(); err != nil {
		return g.stats, fmt.Errorf("close zip: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return g.stats, fmt.Errorf("flush zip: %w", err)
	}
	return g.stats, nil
}

type gen struct {
	zw    *zip.Writer
	rng   *rand.Rand
	cfg   TakeoutConfig
	stats TakeoutStats
	buf   []byte
}

func (g *gen) member(name string, method uint16, body []byte) error {
	// A fixed time for every member, so that output depends on the config only.
	modified := time.Date(2026, 11, 1, 10, 10, 10, 0, time.UTC)
	w, err := g.zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: modified})
	if err != nil {
		return fmt.Errorf("add %s: %w", name, err)
	}
	if _, err := w.Write(body); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	g.stats.Members++
	return nil
}

const readme = `Hydration Log

The hydration log holds one row for each drink logged in the Fitbit app or on fitbit.com.

Columns
timestamp - the time the drink was logged, in UTC, as an ISO-8601 date and time
amount milliliters - the amount of water logged, in milliliters
data source - the app or device that recorded the entry
`

func (g *gen) write() error {
	pa := g.cfg.Root + "/Physical Activity_GoogleData/"
	ged := g.cfg.Root + "/Global Export Data/"
	profile := "id,display_name,email,gender,date_of_birth,height,weight,timezone,locale,distance_unit,weight_unit,water_unit\n" +
		"SYN123,Synthetic,synthetic@example.com,FEMALE,1985-04-12,170.0,62.4," + g.cfg.TimeZone + ",en_US,US,POUND,FL_OZ\n"
	if err := g.member(g.cfg.Root+"/Your Profile/Profile.csv", zip.Deflate, []byte(profile)); err != nil {
		return err
	}
	if err := g.member(pa+"hydration_log_readme.txt", zip.Deflate, []byte(readme)); err != nil {
		return err
	}
	days := 365 * g.cfg.Years
	g.stats.Days = days
	perDay := int64(0)
	if g.cfg.NoiseBytes > 0 {
		perDay = (g.cfg.NoiseBytes + int64(days) - 1) / int64(days)
	}
	var water []byte
	month := ""
	flush := func() error {
		if month == "" {
			return nil
		}
		g.stats.WaterFiles++
		return g.member(pa+"hydration_log_"+month+"-01.csv", zip.Deflate, water)
	}
	for d := range days {
		day := g.cfg.Start.AddDate(0, 0, d)
		if m := day.Format("2006-01"); m != month {
			if err := flush(); err != nil {
				return err
			}
			month = m
			water = append(water[:0], "timestamp,amount milliliters,data source\n"...)
		}
		water = g.drinks(water, day)
		if perDay > 0 {
			if err := g.noise(pa, ged, day, perDay); err != nil {
				return err
			}
		}
	}
	return flush()
}

// drinks appends one day's drinks, in time order, at random UTC times.
func (g *gen) drinks(b []byte, day time.Time) []byte {
	n := g.cfg.DrinksPerDay - 2 + g.rng.IntN(5)
	if n < 1 {
		n = 1
	}
	amounts := [...]int{150, 200, 250, 250, 300, 330, 500, 750}
	step := 86400 / n
	for i := range n {
		t := day.Add(time.Duration(i*step+g.rng.IntN(step)) * time.Second)
		b = t.AppendFormat(b, "2006-01-02T15:04:05Z")
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(amounts[g.rng.IntN(len(amounts))]), 10)
		b = append(b, ",Fitbit App\n"...)
		g.stats.Drinks++
	}
	return b
}

// noise writes a day's irrelevant members: about 80% of size as a heart
// rate CSV, the rest as a JSON file.
func (g *gen) noise(pa, ged string, day time.Time, size int64) error {
	date := day.Format(time.DateOnly)
	csvSize := size * 8 / 10
	b := append(g.buf[:0], "timestamp,beats per minute,data source\n"...)
	t := day
	for int64(len(b)) < csvSize {
		b = t.AppendFormat(b, "2006-01-02T15:04:05Z")
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(55+g.rng.IntN(60)), 10)
		b = append(b, ",Fitbit Charge 5\n"...)
		t = t.Add(5 * time.Second)
	}
	if err := g.member(pa+"heart_rate_"+date+".csv", zip.Store, b); err != nil {
		return err
	}
	g.stats.NoiseFiles++
	g.stats.NoiseBytes += int64(len(b))
	b = append(b[:0], '[')
	t = day
	for int64(len(b)) < size-csvSize {
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(b, `{"dateTime":"`...)
		b = t.AppendFormat(b, "01/02/06 15:04:05")
		b = append(b, `","value":{"bpm":`...)
		b = strconv.AppendInt(b, int64(55+g.rng.IntN(60)), 10)
		b = append(b, `,"confidence":2}}`...)
		t = t.Add(5 * time.Second)
	}
	b = append(b, ']')
	if err := g.member(ged+"heart_rate-"+date+".json", zip.Store, b); err != nil {
		return err
	}
	g.stats.NoiseFiles++
	g.stats.NoiseBytes += int64(len(b))
	g.buf = b
	return nil
}
