package fitbit

import (
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
	"time"
)

// TrackPoint is one sample of an activity's track.
type TrackPoint struct {
	Time time.Time
	// Lat and Lon are degrees (WGS84); HasPosition is false when the
	// sample has none (a TCX point with heart rate only).
	Lat, Lon    float64
	HasPosition bool
	// AltitudeM and DistanceM (cumulative, from the start) are nil when
	// unknown.
	AltitudeM, DistanceM *float64
	// HR is beats per minute, 0 when none.
	HR int
}

// addTrackFile files a GPS or heart-rate day file by its UTC date and a TCX
// by its logId.
func (e *Export) addTrackFile(f file) {
	base := strings.ToLower(path.Base(f.name))
	switch f.kind {
	case kindGPS:
		addDayFile(&e.gps, base, "gps_location_", f)
	case kindHeartRate:
		addDayFile(&e.hr, base, "heart_rate_", f)
	case kindTCX:
		if e.tcx == nil {
			e.tcx = map[string]file{}
		}
		e.tcx[strings.TrimSuffix(base, ".tcx")] = f
	}
}

// Track returns an activity's samples: its TCX (Activities/<logId>.tcx,
// with heart rate) when the export has one, else the fixes of the
// gps_location day files within [start, end), reading the next UTC day's
// file too when the session crosses midnight, and keeping one recording
// device when several wrote fixes (the one with most, as pathify's
// choose_source does). nil when there is no track. Only the files of that
// activity are opened.
func (e *Export) Track(a Activity) ([]TrackPoint, error) {
	return e.track(a, true)
}

// TrackSize is how many samples Track would return and whether they carry
// heart rate, reading only the fixes' times: what a plan needs, at half
// the cost.
func (e *Export) TrackSize(a Activity) (points int, hr bool, err error) {
	pts, err := e.track(a, false)
	for _, p := range pts {
		hr = hr || p.HR > 0
	}
	return len(pts), hr, err
}

func (e *Export) track(a Activity, full bool) ([]TrackPoint, error) {
	if f, ok := e.tcx[a.LogID]; ok {
		pts, err := readTCXFile(f)
		if err != nil || len(pts) > 0 {
			return pts, err
		}
		// An empty stub (a Lap with no Track): try the day files.
	}
	// Auto-detected logs never have GPS (fitbit-formats.md §5 "Log
	// types"); a CSV-only session may (the CSV has no hasGps).
	csvOnly := strings.HasPrefix(a.LogID, "csv-")
	if len(e.gps) == 0 || a.Duration <= 0 || a.LogType == "auto_detected" || (!a.HasGPS && !csvOnly) {
		return nil, nil
	}
	pts, err := windowSamples(e.gps, a, func(r io.Reader, s *sink[gpsFix], keep func(time.Time) bool) {
		readGPS(r, s, keep, full)
	})
	if err != nil || !full {
		return pts, err
	}
	return withDistance(pts), nil
}

// windowSamples reads, with read, the samples of the per-day files (by UTC
// date) within the activity's [start, end), the next day's file too when it
// crosses midnight, and keeps one recording device: the one with most
// samples (pathify's choose_source). The first problem a file has is the
// error.
func windowSamples(days map[string]file, a Activity, read func(io.Reader, *sink[gpsFix], func(time.Time) bool)) ([]TrackPoint, error) {
	bySource := map[string][]TrackPoint{}
	keep := func(t time.Time) bool { return !t.Before(a.Start) && t.Before(a.End()) }
	for d := a.Start.UTC().Truncate(24 * time.Hour); d.Before(a.End()); d = d.Add(24 * time.Hour) {
		f, ok := days[d.Format(time.DateOnly)]
		if !ok {
			continue
		}
		if err := readDayFile(f, bySource, func(r io.Reader, s *sink[gpsFix]) { read(r, s, keep) }); err != nil {
			return nil, err
		}
	}
	var best string
	for src, pts := range bySource {
		if len(pts) > len(bySource[best]) || (len(pts) == len(bySource[best]) && src < best) {
			best = src
		}
	}
	return bySource[best], nil
}

// readDayFile adds the samples read from one day file to bySource, by data
// source; the file's first problem is the error.
func readDayFile(f file, bySource map[string][]TrackPoint, read func(io.Reader, *sink[gpsFix])) error {
	rc, err := f.open()
	if err != nil {
		return &Error{Source: f.source(), Found: fmt.Sprintf("cannot open: %v", err), Err: err}
	}
	defer rc.Close()
	var first error
	s := newSink(f.source(), func(p gpsFix, err error) bool {
		if err != nil {
			first = err
			return false
		}
		bySource[p.source] = append(bySource[p.source], p.TrackPoint)
		return true
	})
	read(rc, s)
	return first
}

const expectGPS = "a gps_location CSV: timestamp,latitude,longitude,altitude[,data source]"

// addDayFile files a per-day file (prefix + YYYY-MM-DD + .csv) by its
// date, keeping the first of a date.
func addDayFile(m *map[string]file, base, prefix string, f file) {
	date := strings.TrimSuffix(strings.TrimPrefix(base, prefix), ".csv")
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return
	}
	if *m == nil {
		*m = map[string]file{}
	}
	if _, dup := (*m)[date]; !dup {
		(*m)[date] = f
	}
}

// headerIndex maps a CSV header's lower-case names to their positions.
func headerIndex(header []string) map[string]int {
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	return col
}

// readNamedHeader reads the header of a CSV whose columns are found by
// name (headerIndex): need holds the positions of the needed names, in
// order, and col every column's. A header without one of them is the
// file's problem against expected (ok false).
func readNamedHeader[R any](cr *csv.Reader, s *sink[R], expected string, names ...string) (need []int, col map[string]int, ok bool) {
	header, ok := readHeader(cr, s, expected, false)
	if !ok {
		return nil, nil, false
	}
	col = headerIndex(header)
	for _, name := range names {
		i, found := col[name]
		if !found {
			s.fail(1, "header "+quoteHeader(header), expected, ErrFormat)
			return nil, nil, false
		}
		need = append(need, i)
	}
	return need, col, true
}

// gpsFix is a fix with its recording device.
type gpsFix struct {
	TrackPoint
	source string
}

// readGPS reads a gps_location day file, yielding the fixes whose time
// keep accepts (nil: all). A day file holds every fix of the day (a phone
// records all day), so a fix outside the window is passed over as soon as
// its time is read. It reads rows with encoding/csv directly, not gocsv
// (decodeRows): a year of day files is a million rows, decoded whole
// would be held in memory, and gocsv's reflection per cell would multiply
// a dry-run's time (bench/activities.sh) to bind three fixed columns.
func readGPS(r io.Reader, s *sink[gpsFix], keep func(time.Time) bool, full bool) {
	cr := newCSVReader(r)
	need, col, ok := readNamedHeader(cr, s, expectGPS, "timestamp", "latitude", "longitude")
	if !ok {
		return
	}
	ti, la, lo := need[0], need[1], need[2]
	alt, hasAlt := col["altitude"]
	srcCol, hasSrc := col["data source"]
	readRows(cr, s, func(rec []string, line int) bool {
		if keep != nil && ti < len(rec) {
			t, ok := fastUTC(rec[ti])
			if ok && !keep(t) {
				return true
			}
			if ok && !full {
				// Counting: the time is all that is needed.
				fix := gpsFix{TrackPoint: TrackPoint{Time: t}}
				if hasSrc && srcCol < len(rec) {
					fix.source = strings.TrimSpace(rec[srcCol])
				}
				return s.record(fix)
			}
		}
		p, e := gpsFromCSV(rec, ti, la, lo, s.at(line))
		if e == nil && keep != nil && !keep(p.Time) {
			return true
		}
		if e != nil {
			return s.problem(e)
		}
		if hasAlt && alt < len(rec) {
			if v, err := strconv.ParseFloat(strings.TrimSpace(rec[alt]), 64); err == nil {
				p.AltitudeM = &v
			}
		}
		if hasSrc && srcCol < len(rec) {
			p.source = strings.TrimSpace(rec[srcCol])
		}
		return s.record(p)
	})
}

func gpsFromCSV(rec []string, ti, la, lo int, src Source) (gpsFix, *Error) {
	if ti >= len(rec) || la >= len(rec) || lo >= len(rec) {
		return gpsFix{}, &Error{Source: src, Found: fmt.Sprintf("%d fields", len(rec)), Expected: expectGPS, Err: ErrFormat}
	}
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(rec[ti]))
	if err != nil {
		return gpsFix{}, &Error{Source: src, Found: fmt.Sprintf("timestamp %q", clip(rec[ti], 40)), Expected: `"2023-04-17T17:41:19Z"`, Err: ErrFormat}
	}
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(rec[la]), 64)
	lon, err2 := strconv.ParseFloat(strings.TrimSpace(rec[lo]), 64)
	if err1 != nil || err2 != nil || math.Abs(lat) > 90 || math.Abs(lon) > 180 {
		return gpsFix{}, &Error{Source: src, Found: fmt.Sprintf("position %q,%q", clip(rec[la], 20), clip(rec[lo], 20)),
			Expected: "latitude within ±90 and longitude within ±180 degrees", Err: ErrFormat}
	}
	return gpsFix{TrackPoint: TrackPoint{Time: t.UTC(), Lat: lat, Lon: lon, HasPosition: true}}, nil
}

// withDistance sets the cumulative distance of fixes that have none.
func withDistance(pts []TrackPoint) []TrackPoint {
	total := 0.0
	for i := range pts {
		if i > 0 && pts[i].HasPosition && pts[i-1].HasPosition {
			total += haversineM(pts[i-1].Lat, pts[i-1].Lon, pts[i].Lat, pts[i].Lon)
		}
		if pts[i].DistanceM == nil {
			d := total
			pts[i].DistanceM = &d
		}
	}
	return pts
}

// haversineM is the great-circle distance in metres.
func haversineM(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371008.8
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(h)))
}

// tcxPoint is a TCX Trackpoint.
type tcxPoint struct {
	Time     string   `xml:"Time"`
	Lat      *float64 `xml:"Position>LatitudeDegrees"`
	Lon      *float64 `xml:"Position>LongitudeDegrees"`
	Altitude *float64 `xml:"AltitudeMeters"`
	Distance *float64 `xml:"DistanceMeters"`
	HR       *float64 `xml:"HeartRateBpm>Value"`
}

func readTCXFile(f file) ([]TrackPoint, error) {
	rc, err := f.open()
	if err != nil {
		return nil, &Error{Source: f.source(), Found: fmt.Sprintf("cannot open: %v", err), Err: err}
	}
	defer rc.Close()
	pts, err := readTCX(rc)
	if err != nil {
		return nil, &Error{Source: f.source(), Found: err.Error(), Expected: "a TCX file (TrainingCenterDatabase v2)", Err: fmt.Errorf("%w: %w", ErrFormat, err)}
	}
	return pts, nil
}

// readTCX reads the Trackpoints of a TCX file (Fitbit's start with a
// UTF-8 byte order mark, which encoding/xml reads).
func readTCX(r io.Reader) ([]TrackPoint, error) {
	dec := xml.NewDecoder(r)
	var pts []TrackPoint
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return pts, nil
		}
		if err != nil {
			line, _ := dec.InputPos()
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "Trackpoint" {
			continue
		}
		var tp tcxPoint
		if err := dec.DecodeElement(&tp, &se); err != nil {
			line, _ := dec.InputPos()
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		p, err := tp.point()
		if err != nil {
			line, _ := dec.InputPos()
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		pts = append(pts, p)
	}
}

func (tp tcxPoint) point() (TrackPoint, error) {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(tp.Time))
	if err != nil {
		return TrackPoint{}, fmt.Errorf("Trackpoint Time %q: want an RFC 3339 time", clip(tp.Time, 40))
	}
	p := TrackPoint{Time: t.UTC(), AltitudeM: tp.Altitude, DistanceM: tp.Distance}
	if tp.Lat != nil && tp.Lon != nil && math.Abs(*tp.Lat) <= 90 && math.Abs(*tp.Lon) <= 180 {
		p.Lat, p.Lon, p.HasPosition = *tp.Lat, *tp.Lon, true
	}
	if tp.HR != nil && *tp.HR > 0 && *tp.HR < 255 {
		p.HR = int(*tp.HR + 0.5)
	}
	return p, nil
}

// tcxOffset reads the local offset of a TCX's first <Id>
// ("2018-02-05T16:04:37.000+11:00").
func tcxOffset(f file) (time.Duration, bool) {
	rc, err := f.open()
	if err != nil {
		return 0, false
	}
	defer rc.Close()
	dec := xml.NewDecoder(rc)
	for {
		tok, err := dec.Token()
		if err != nil {
			return 0, false
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "Id" {
			var id string
			if dec.DecodeElement(&id, &se) != nil {
				return 0, false
			}
			t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(id))
			if err != nil {
				return 0, false
			}
			_, off := t.Zone()
			return time.Duration(off) * time.Second, true
		}
	}
}

// fastUTC reads the common "2006-01-02T15:04:05Z" without time.Parse; ok is
// false for any other spelling (then time.Parse decides).
func fastUTC(v string) (time.Time, bool) {
	if len(v) != 20 || v[4] != '-' || v[7] != '-' || v[10] != 'T' || v[13] != ':' || v[16] != ':' || v[19] != 'Z' {
		return time.Time{}, false
	}
	num := func(i, n int) (int, bool) {
		x := 0
		for _, c := range v[i : i+n] {
			if c < '0' || c > '9' {
				return 0, false
			}
			x = x*10 + int(c-'0')
		}
		return x, true
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 2)
	d, ok3 := num(8, 2)
	h, ok4 := num(11, 2)
	mi, ok5 := num(14, 2)
	sec, ok6 := num(17, 2)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC)
	return t, t.Day() == d // February 30 is not March 2
}
