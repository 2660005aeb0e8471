package fitbit

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// The Takeout's heart_rate_YYYY-MM-DD.csv day files (timestamp, beats per
// minute, data source; UTC) are most of an export (2.2 GB of 3.3 GB in
// one, fitbit-formats.md §1): they are found by name like every file but
// opened only by HeartRate, which a caller uses only when asked.

const expectHeartRate = "a heart_rate CSV: timestamp,beats per minute[,data source]"

// HeartRate returns the heart-rate samples of the day files within the
// activity's window (one recording device: the one with most samples), or
// nil when the export has none for it.
func (e *Export) HeartRate(a Activity) ([]TrackPoint, error) {
	if len(e.hr) == 0 || a.Duration <= 0 {
		return nil, nil
	}
	return windowSamples(e.hr, a, readHeartRate)
}

// readHeartRate reads a heart_rate day file, yielding the samples whose
// time keep accepts (nil: all); with encoding/csv directly, for the reason
// readGPS gives (a sample every few seconds all day).
func readHeartRate(r io.Reader, s *sink[gpsFix], keep func(time.Time) bool) {
	cr := newCSVReader(r)
	need, col, ok := readNamedHeader(cr, s, expectHeartRate, "timestamp", "beats per minute")
	if !ok {
		return
	}
	ti, bi := need[0], need[1]
	srcCol, hasSrc := col["data source"]
	readRows(cr, s, func(rec []string, line int) bool {
		if ti >= len(rec) || bi >= len(rec) {
			return s.problem(&Error{Source: s.at(line), Found: fmt.Sprintf("%d fields", len(rec)), Expected: expectHeartRate, Err: ErrFormat})
		}
		t, ok := fastUTC(rec[ti])
		if !ok {
			var err error
			if t, err = time.Parse(time.RFC3339Nano, strings.TrimSpace(rec[ti])); err != nil {
				return s.problem(&Error{Source: s.at(line), Found: fmt.Sprintf("timestamp %q", clip(rec[ti], 40)), Expected: `"2020-01-01T00:00:05Z"`, Err: ErrFormat})
			}
		}
		if keep != nil && !keep(t.UTC()) {
			return true
		}
		bpm, err := strconv.ParseFloat(strings.TrimSpace(rec[bi]), 64)
		if err != nil || bpm <= 0 || bpm >= 255 {
			return s.problem(&Error{Source: s.at(line), Found: fmt.Sprintf("beats per minute %q", clip(rec[bi], 20)), Expected: "a number from 1 to 254", Err: ErrFormat})
		}
		fix := gpsFix{TrackPoint: TrackPoint{Time: t.UTC(), HR: int(bpm + 0.5)}}
		if hasSrc && srcCol < len(rec) {
			fix.source = strings.TrimSpace(rec[srcCol])
		}
		return s.record(fix)
	})
}

// WithHeartRate gives each track point without heart rate the sample
// nearest in time (within 10 s); a track with no points becomes the
// samples themselves. Both are in time order.
func WithHeartRate(track, hr []TrackPoint) []TrackPoint {
	if len(hr) == 0 {
		return track
	}
	if len(track) == 0 {
		return hr
	}
	j := 0
	for i := range track {
		for j+1 < len(hr) && absDur(hr[j+1].Time.Sub(track[i].Time)) <= absDur(hr[j].Time.Sub(track[i].Time)) {
			j++
		}
		if track[i].HR == 0 && absDur(hr[j].Time.Sub(track[i].Time)) <= 10*time.Second {
			track[i].HR = hr[j].HR
		}
	}
	return track
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
