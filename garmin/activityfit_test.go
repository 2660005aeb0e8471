package garmin

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/muktihari/fit/decoder"
	"github.com/muktihari/fit/kit/semicircles"
	"github.com/muktihari/fit/profile/basetype"
	"github.com/muktihari/fit/profile/filedef"
	"github.com/muktihari/fit/profile/typedef"
	"github.com/muktihari/fit/profile/untyped/mesgnum"
)

// runStart is the start of the test activities: 07:05:30 in UTC-05:00.
var runStart = time.Date(2023, 6, 4, 12, 5, 30, 400e6, time.UTC)

func f64(v float64) *float64 { return &v }

// testRun is a 10-minute run with three GPS records.
func testRun() *ActivityFIT {
	pt := func(sec int, lat, lon, alt, dist, speed float64, hr uint8) TrackPoint {
		return TrackPoint{
			Time: runStart.Add(time.Duration(sec) * time.Second), Position: &LatLon{lat, lon},
			AltitudeM: f64(alt), DistanceM: f64(dist), SpeedMS: f64(speed), HeartRate: hr,
		}
	}
	return &ActivityFIT{
		Start: runStart, UTCOffset: -5 * time.Hour,
		Sport: SportRunning, SubSport: SubSportGeneric, Name: "Morning Run",
		Elapsed: 10 * time.Minute, Timer: 9*time.Minute + 30*time.Second,
		DistanceM: 1609.34, Calories: 120, Steps: 1501, AvgHR: 141, MaxHR: 163,
		Serial: 3001002003, DeviceInfo: true,
		Records: []TrackPoint{
			pt(0, 40.7128, -74.0060, 10.2, 0, 0, 98),
			pt(300, 40.7180, -74.0020, 12.4, 800.5, 2.8, 150),
			{Time: runStart.Add(600 * time.Second), DistanceM: f64(1609.34)}, // GPS lost, no HR
		},
	}
}

// testWalk is a summary-only walk (no samples), with an odd name.
func testWalk() *ActivityFIT {
	return &ActivityFIT{
		Start: runStart, UTCOffset: 5*time.Hour + 30*time.Minute,
		Sport: SportWalking, Name: "Walk " + strings.Repeat("é", 150),
		Elapsed: 45*time.Minute + 500*time.Millisecond, DistanceM: 3200, Steps: 4100,
		Serial: 77,
	}
}

// encodeGolden encodes a, compares the file's hex dump with the golden
// file name, and returns the file decoded.
func encodeGolden(t *testing.T, a *ActivityFIT, name string) *filedef.Activity {
	t.Helper()
	b, err := EncodeActivityFIT(a)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, name, []byte(hex.Dump(b)))
	return decodeActivityFIT(t, b)
}

func decodeActivityFIT(t *testing.T, b []byte) *filedef.Activity {
	t.Helper()
	fit, err := decoder.New(bytes.NewReader(b)).Decode()
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	var order []typedef.MesgNum
	for _, m := range fit.Messages {
		if len(order) == 0 || order[len(order)-1] != m.Num || m.Num != mesgnum.Record {
			order = append(order, m.Num)
		}
	}
	want := []typedef.MesgNum{mesgnum.FileId, mesgnum.Sport, mesgnum.Event, mesgnum.Record, mesgnum.Event, mesgnum.Lap, mesgnum.Session, mesgnum.Activity}
	if len(order) > 1 && order[1] == mesgnum.DeviceInfo {
		want = append([]typedef.MesgNum{mesgnum.FileId, mesgnum.DeviceInfo}, want[1:]...)
	}
	if !slicesEqual(order, want) {
		t.Errorf("message order = %v, want %v", order, want)
	}
	return filedef.NewActivity(fit.Messages...)
}

func slicesEqual[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestEncodeActivityFITRun(t *testing.T) {
	a := testRun()
	f := encodeGolden(t, a, "fit/activity_run.hex")

	start := runStart.Truncate(time.Second)
	end := start.Add(10 * time.Minute)
	id := f.FileId
	if id.Type != typedef.FileActivity || id.Manufacturer != typedef.ManufacturerDevelopment ||
		id.Product != ActivityFITProduct || id.SerialNumber != 3001002003 || !id.TimeCreated.Equal(start) {
		t.Errorf("file_id = %+v", id)
	}
	if len(f.DeviceInfos) != 1 {
		t.Fatalf("device_info count = %d, want 1", len(f.DeviceInfos))
	}
	if d := f.DeviceInfos[0]; d.Manufacturer != typedef.ManufacturerDevelopment || d.SerialNumber != 3001002003 || !d.Timestamp.Equal(start) {
		t.Errorf("device_info = %+v", d)
	}
	if len(f.Sports) != 1 || f.Sports[0].Sport != typedef.SportRunning || f.Sports[0].SubSport != typedef.SubSportGeneric || f.Sports[0].Name != "Morning Run" {
		t.Errorf("sport = %+v", f.Sports)
	}
	if len(f.Events) != 2 {
		t.Fatalf("events = %d, want 2", len(f.Events))
	}
	if e := f.Events[0]; e.Event != typedef.EventTimer || e.EventType != typedef.EventTypeStart || !e.Timestamp.Equal(start) {
		t.Errorf("first event = %v %v %v", e.Event, e.EventType, e.Timestamp)
	}
	if e := f.Events[1]; e.Event != typedef.EventTimer || e.EventType != typedef.EventTypeStopAll || !e.Timestamp.Equal(end) {
		t.Errorf("last event = %v %v %v", e.Event, e.EventType, e.Timestamp)
	}

	if len(f.Records) != 3 {
		t.Fatalf("records = %d, want 3", len(f.Records))
	}
	type rec struct {
		at                  time.Time
		lat, lon            float64
		alt, dist, speed    float64
		hr                  uint8
		hasPos, hasAltSpeed bool
	}
	wants := []rec{
		{start, 40.7128, -74.0060, 10.2, 0, 0, 98, true, true},
		{start.Add(300 * time.Second), 40.7180, -74.0020, 12.4, 800.5, 2.8, 150, true, true},
		{end, 0, 0, 0, 1609.34, 0, 0, false, false},
	}
	for i, w := range wants {
		r := f.Records[i]
		if !r.Timestamp.Equal(w.at) {
			t.Errorf("record %d time = %v, want %v", i, r.Timestamp, w.at)
		}
		if w.hasPos {
			if d := semicircles.ToDegrees(r.PositionLat) - w.lat; d > 1e-6 || d < -1e-6 {
				t.Errorf("record %d lat = %v, want %v", i, semicircles.ToDegrees(r.PositionLat), w.lat)
			}
			if d := semicircles.ToDegrees(r.PositionLong) - w.lon; d > 1e-6 || d < -1e-6 {
				t.Errorf("record %d lon = %v, want %v", i, semicircles.ToDegrees(r.PositionLong), w.lon)
			}
		} else if r.PositionLat != basetype.Sint32Invalid || r.PositionLong != basetype.Sint32Invalid {
			t.Errorf("record %d has a position, want none", i)
		}
		if w.hasAltSpeed {
			if got := r.AltitudeScaled(); !near(got, w.alt, 0.2) {
				t.Errorf("record %d altitude = %v, want %v", i, got, w.alt)
			}
			if got := r.SpeedScaled(); !near(got, w.speed, 0.001) {
				t.Errorf("record %d speed = %v, want %v", i, got, w.speed)
			}
		} else if r.Altitude != basetype.Uint16Invalid || r.Speed != basetype.Uint16Invalid {
			t.Errorf("record %d altitude %d speed %d, want none", i, r.Altitude, r.Speed)
		}
		if got := r.DistanceScaled(); !near(got, w.dist, 0.01) {
			t.Errorf("record %d distance = %v, want %v", i, got, w.dist)
		}
		wantHR := w.hr
		if wantHR == 0 {
			wantHR = basetype.Uint8Invalid
		}
		if r.HeartRate != wantHR {
			t.Errorf("record %d heart rate = %d, want %d", i, r.HeartRate, wantHR)
		}
	}

	if len(f.Laps) != 1 || len(f.Sessions) != 1 {
		t.Fatalf("laps %d sessions %d, want 1 and 1", len(f.Laps), len(f.Sessions))
	}
	lap, s := f.Laps[0], f.Sessions[0]
	if !lap.StartTime.Equal(start) || !lap.Timestamp.Equal(end) || lap.TotalElapsedTimeScaled() != 600 ||
		lap.TotalTimerTimeScaled() != 570 || !near(lap.TotalDistanceScaled(), 1609.34, 0.01) ||
		lap.TotalCalories != 120 || lap.TotalCycles != 750 || lap.AvgHeartRate != 141 || lap.MaxHeartRate != 163 ||
		lap.Sport != typedef.SportRunning || lap.Event != typedef.EventLap || lap.EventType != typedef.EventTypeStop {
		t.Errorf("lap = %+v", lap)
	}
	if !s.StartTime.Equal(start) || !s.Timestamp.Equal(end) || s.TotalElapsedTimeScaled() != 600 ||
		s.TotalTimerTimeScaled() != 570 || !near(s.TotalDistanceScaled(), 1609.34, 0.01) ||
		!near(s.AvgSpeedScaled(), 1609.34/570, 0.001) ||
		s.TotalCalories != 120 || s.TotalCycles != 750 || s.AvgHeartRate != 141 || s.MaxHeartRate != 163 ||
		s.Sport != typedef.SportRunning || s.SubSport != typedef.SubSportGeneric || s.NumLaps != 1 || s.FirstLapIndex != 0 ||
		s.Event != typedef.EventSession || s.EventType != typedef.EventTypeStop {
		t.Errorf("session = %+v", s)
	}
	if name, _ := s.GetTotalCycles(); name != "total_strides" {
		t.Errorf("session total_cycles reads as %q for running, want total_strides", name)
	}
	act := f.Activity
	if act == nil {
		t.Fatal("no activity message")
	}
	if !act.Timestamp.Equal(end) || act.NumSessions != 1 || act.Type != typedef.ActivityManual ||
		act.Event != typedef.EventActivity || act.EventType != typedef.EventTypeStop || act.TotalTimerTimeScaled() != 570 {
		t.Errorf("activity = %+v", act)
	}
	// local_timestamp is the local wall clock (07:15:30 in UTC-5) as FIT seconds.
	if want := time.Date(2023, 6, 4, 7, 15, 30, 0, time.UTC); !act.LocalTimestamp.Equal(want) {
		t.Errorf("activity local_timestamp = %v, want %v", act.LocalTimestamp.UTC(), want)
	}
}

func near(a, b, tol float64) bool { return a-b <= tol && b-a <= tol }

func TestEncodeActivityFITWithoutSamples(t *testing.T) {
	a := testWalk()
	f := encodeGolden(t, a, "fit/activity_walk.hex")
	start := runStart.Truncate(time.Second)
	end := start.Add(45*time.Minute + 500*time.Millisecond)
	if len(f.DeviceInfos) != 0 {
		t.Errorf("device_info written although not asked")
	}
	if len(f.Records) != 2 || !f.Records[0].Timestamp.Equal(start) || !f.Records[1].Timestamp.Equal(end.Truncate(time.Second)) {
		t.Fatalf("records = %+v, want two bare records at start and end", f.Records)
	}
	for i, r := range f.Records {
		if r.HeartRate != basetype.Uint8Invalid || r.Distance != basetype.Uint32Invalid || r.PositionLat != basetype.Sint32Invalid {
			t.Errorf("record %d not bare: %+v", i, r)
		}
	}
	s := f.Sessions[0]
	if s.TotalElapsedTimeScaled() != 2700.5 || s.TotalTimerTimeScaled() != 2700.5 || s.TotalCycles != 2050 ||
		s.TotalCalories != basetype.Uint16Invalid || s.AvgHeartRate != basetype.Uint8Invalid || s.Sport != typedef.SportWalking {
		t.Errorf("session = %+v", s)
	}
	if f.FileId.SerialNumber != 77 || !f.FileId.TimeCreated.Equal(start) {
		t.Errorf("file_id = %+v", f.FileId)
	}
	if name := f.Sports[0].Name; len(name) > maxActivityName || !strings.HasPrefix(name, "Walk é") || strings.ContainsRune(name, '\uFFFD') {
		t.Errorf("sport name = %q (%d bytes), want it cut at a character boundary under %d bytes", name, len(name), maxActivityName)
	}
	// The end, 12:50:30.5 UTC, is 18:20:30 in UTC+05:30 (FIT keeps whole seconds).
	if want := time.Date(2023, 6, 4, 18, 20, 30, 0, time.UTC); !f.Activity.LocalTimestamp.Equal(want) {
		t.Errorf("local_timestamp = %v, want %v", f.Activity.LocalTimestamp.UTC(), want)
	}
}

func TestEncodeActivityFITIsStable(t *testing.T) {
	a, err := EncodeActivityFIT(testRun())
	if err != nil {
		t.Fatal(err)
	}
	b, err := EncodeActivityFIT(testRun())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("two encodings of the same activity differ")
	}
}

func TestEncodeActivityFITRejects(t *testing.T) {
	tests := []struct {
		name   string
		change func(a *ActivityFIT)
		want   string
	}{
		{"no start", func(a *ActivityFIT) { a.Start = time.Time{} }, "no start time"},
		{"before FIT dates", func(a *ActivityFIT) { a.Start = time.Date(1995, 1, 1, 0, 0, 0, 0, time.UTC); a.Records = nil }, "a FIT file holds times"},
		{"offset", func(a *ActivityFIT) { a.UTCOffset = 15 * time.Hour }, "utc offset"},
		{"offset seconds", func(a *ActivityFIT) { a.UTCOffset = time.Hour + time.Second }, "utc offset"},
		{"no elapsed", func(a *ActivityFIT) { a.Elapsed = 0 }, "elapsed time"},
		{"timer longer", func(a *ActivityFIT) { a.Timer = time.Hour }, "timer time"},
		{"negative distance", func(a *ActivityFIT) { a.DistanceM = -1 }, "distance -1 m"},
		{"calories", func(a *ActivityFIT) { a.Calories = 70000 }, "calories"},
		{"steps", func(a *ActivityFIT) { a.Steps = -2 }, "steps"},
		{"serial", func(a *ActivityFIT) { a.Serial = 0 }, "serial number 0"},
		{"hr", func(a *ActivityFIT) { a.MaxHR = 255 }, "heart rate 255"},
		{"record early", func(a *ActivityFIT) { a.Records[0].Time = runStart.Add(-time.Hour) }, "record 0: time 2023-06-04T11:05:30Z outside the activity"},
		{"record late", func(a *ActivityFIT) { a.Records[2].Time = runStart.Add(time.Hour) }, "record 2: time"},
		{"record order", func(a *ActivityFIT) { a.Records[1].Time = runStart.Add(700 * time.Second); a.Elapsed = time.Hour }, "record 2: time 2023-06-04T12:15:30Z before the previous record"},
		{"latitude", func(a *ActivityFIT) { a.Records[1].Position = &LatLon{91, 0} }, "record 1: position 91,0"},
		{"altitude", func(a *ActivityFIT) { a.Records[0].AltitudeM = f64(20000) }, "record 0: altitude"},
		{"speed", func(a *ActivityFIT) { a.Records[1].SpeedMS = f64(70) }, "record 1: speed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := testRun()
			tt.change(a)
			_, err := EncodeActivityFIT(a)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// twoHourTrack is a 2-hour run sampled every second: 7,200 records with
// position, altitude, distance, speed and heart rate.
func twoHourTrack() *ActivityFIT {
	const n = 7200
	pts := make([]TrackPoint, n)
	vals := make([]float64, 3*n)
	pos := make([]LatLon, n)
	for i := range pts {
		pos[i] = LatLon{48.85 + float64(i)*1e-5, 2.35 + float64(i)*1e-5}
		vals[3*i], vals[3*i+1], vals[3*i+2] = 35+float64(i%50)/10, float64(i)*2.8, 2.8
		pts[i] = TrackPoint{
			Time: runStart.Add(time.Duration(i) * time.Second), Position: &pos[i],
			AltitudeM: &vals[3*i], DistanceM: &vals[3*i+1], SpeedMS: &vals[3*i+2], HeartRate: uint8(120 + i%40),
		}
	}
	return &ActivityFIT{
		Start: runStart, UTCOffset: time.Hour, Sport: SportRunning, Name: "Long Run",
		Elapsed: 2 * time.Hour, DistanceM: 7200 * 2.8, Calories: 1500, Steps: 21000, AvgHR: 140, MaxHR: 159,
		Serial: 1, Records: pts,
	}
}

func TestEncodeActivityFITTwoHours(t *testing.T) {
	b, err := EncodeActivityFIT(twoHourTrack())
	if err != nil {
		t.Fatal(err)
	}
	f := decodeActivityFIT(t, b)
	if len(f.Records) != 7200 {
		t.Fatalf("records = %d, want 7200", len(f.Records))
	}
	last := f.Records[7199]
	if !near(last.DistanceScaled(), 7199*2.8, 0.01) || last.HeartRate != uint8(120+7199%40) {
		t.Errorf("last record = distance %v hr %d", last.DistanceScaled(), last.HeartRate)
	}
}

// BenchmarkEncodeActivityFIT measures the FIT encoding of a 2-hour 1 Hz
// track (issue 12: "FIT encoding of a 2-hour 1 Hz track").
func BenchmarkEncodeActivityFIT(b *testing.B) {
	a := twoHourTrack()
	b.ReportAllocs()
	var size int
	for b.Loop() {
		out, err := EncodeActivityFIT(a)
		if err != nil {
			b.Fatal(err)
		}
		size = len(out)
	}
	b.ReportMetric(float64(size), "bytes/file")
}
