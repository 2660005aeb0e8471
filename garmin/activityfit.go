package garmin

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/muktihari/fit/encoder"
	"github.com/muktihari/fit/kit/datetime"
	"github.com/muktihari/fit/profile/factory"
	"github.com/muktihari/fit/profile/mesgdef"
	"github.com/muktihari/fit/profile/typedef"
	"github.com/muktihari/fit/profile/untyped/fieldnum"
	"github.com/muktihari/fit/profile/untyped/mesgnum"
	"github.com/muktihari/fit/proto"
)

// The FIT activity file follows garmin-api.md "The FIT file for one migrated
// activity": the FIT SDK's Activity File type, with the messages that files
// accepted by Garmin Connect carry (eshirvana/fitbit2garmin
// output/fit_activity.py, drkostas/hevy2garmin src/hevy2garmin/fit.py,
// philosowaffle/peloton-to-garmin src/Conversion/FitConverter.cs).

// FIT sports and sub-sports, the pairs Garmin devices write (garmin-api.md
// "Sport / sub_sport", from Gadgetbridge GarminSport.java). Any other FIT
// profile value may be used too.
const (
	SportGeneric          uint8 = 0
	SportRunning          uint8 = 1
	SportCycling          uint8 = 2
	SportFitnessEquipment uint8 = 4
	SportSwimming         uint8 = 5
	SportTennis           uint8 = 8
	SportTraining         uint8 = 10
	SportWalking          uint8 = 11
	SportRowing           uint8 = 15
	SportHiking           uint8 = 17

	SubSportGeneric       uint8 = 0
	SubSportTreadmill     uint8 = 1
	SubSportIndoorCycling uint8 = 6
	SubSportElliptical    uint8 = 15
	SubSportStairClimbing uint8 = 16
	SubSportLapSwimming   uint8 = 17
	SubSportOpenWater     uint8 = 18
	SubSportStrength      uint8 = 20
	SubSportCardio        uint8 = 26
	SubSportIndoorWalking uint8 = 27
	SubSportYoga          uint8 = 43
)

// ActivityFITProduct is the file_id product written when ActivityFIT.Product
// is zero. The manufacturer is always "development" (255): eshirvana and
// hevy2garmin upload such files and Garmin shows them; faking a real watch
// was declined by eshirvana (PROGRESS.md) as circumventing a device check.
const ActivityFITProduct uint16 = 1

// maxActivityName bounds the sport name written, in bytes (a FIT string
// field holds at most 255 bytes with its terminator).
const maxActivityName = 200

// ActivityFIT is one activity to encode as a FIT activity file.
type ActivityFIT struct {
	// Start is the instant the activity began; FIT keeps whole seconds, so
	// it is truncated to the second. It is also file_id.time_created: with
	// a stable Serial, the same activity always gives the same file
	// identity, which is what Garmin's duplicate check compares
	// (garmin-api.md "Duplicates": the recorded 409's externalId equals
	// time_created).
	Start time.Time
	// UTCOffset is the local wall clock minus UTC during the activity (the
	// Fitbit utc_offset). It sets activity.local_timestamp, which decides
	// the hour and day Garmin shows (hevy2garmin issue #344 and PR #348;
	// peloton-to-garmin issue #389). Whole minutes within ±14 h.
	UTCOffset time.Duration
	// Sport and SubSport are FIT profile values (Sport*, SubSport*).
	Sport, SubSport uint8
	// Name is written as sport.name; empty writes none. Longer than 200
	// bytes is cut at a character boundary.
	Name string
	// Elapsed is the wall-clock length (total_elapsed_time); at least a
	// second. The activity ends at Start + Elapsed.
	Elapsed time.Duration
	// Timer is the moving time (total_timer_time), at most Elapsed; zero
	// means Elapsed.
	Timer time.Duration
	// DistanceM is the total distance in metres; 0 writes none.
	DistanceM float64
	// Calories is the energy in kcal; 0 writes none.
	Calories int
	// Steps is the step count, written as total_strides = Steps/2
	// (eshirvana output/fit_activity.py); 0 writes none.
	Steps int
	// AvgHR and MaxHR are beats per minute; 0 writes none.
	AvgHR, MaxHR uint8
	// Serial is file_id.serial_number; it must not be 0 (0 means "none" in
	// FIT). Keep it stable for one user so that a re-run hits the 409.
	Serial uint32
	// Product is file_id.product; ActivityFITProduct when 0.
	Product uint16
	// DeviceInfo adds a device_info message naming the same device
	// (peloton-to-garmin and mobeent write one; eshirvana does not).
	DeviceInfo bool
	// Records are the samples, in time order, each within [Start, end].
	// With none, two bare records at the start and the end are written, as
	// eshirvana's accepted files have.
	Records []TrackPoint
}

// TrackPoint is one record of an activity. Nil fields are left out.
type TrackPoint struct {
	Time time.Time
	// Position is the location in degrees (WGS84).
	Position *LatLon
	// AltitudeM is metres above sea level, within [-500, 12607].
	AltitudeM *float64
	// DistanceM is the distance covered since the start, in metres.
	DistanceM *float64
	// SpeedMS is the speed in metres per second, below 65.5.
	SpeedMS *float64
	// HeartRate is beats per minute; 0 means none.
	HeartRate uint8
}

// LatLon is a position in degrees.
type LatLon struct {
	Lat, Lon float64
}

// End returns the instant the activity ends: Start (to the second) plus
// Elapsed.
func (a *ActivityFIT) End() time.Time {
	return a.Start.Truncate(time.Second).Add(a.Elapsed)
}

// EncodeActivityFIT writes a as a FIT activity file. The messages, in order:
// file_id, device_info (if asked), sport, event timer start, the records,
// event timer stop_all, lap, session, activity (garmin-api.md, "The FIT file
// for one migrated activity"). The bytes are a pure function of a.
func EncodeActivityFIT(a *ActivityFIT) ([]byte, error) {
	fit, err := activityMessages(a)
	if err != nil {
		return nil, fmt.Errorf("garmin: activity fit: %w", err)
	}
	var buf bytes.Buffer
	buf.Grow(64 + 32*len(fit.Messages))
	if err := encoder.New(&buf).Encode(&fit); err != nil {
		return nil, fmt.Errorf("garmin: activity fit: encode: %w", err)
	}
	return buf.Bytes(), nil
}

// activityMessages checks a and builds its messages.
func activityMessages(a *ActivityFIT) (proto.FIT, error) {
	if err := a.check(); err != nil {
		return proto.FIT{}, err
	}
	start := a.Start.UTC().Truncate(time.Second)
	end := a.End().UTC()
	timer := a.Timer
	if timer == 0 {
		timer = a.Elapsed
	}
	product := a.Product
	if product == 0 {
		product = ActivityFITProduct
	}
	sport, subSport := typedef.Sport(a.Sport), typedef.SubSport(a.SubSport)
	elapsedS, timerS := a.Elapsed.Seconds(), timer.Seconds()

	n := len(a.Records)
	if n == 0 {
		n = 2
	}
	msgs := make([]proto.Message, 0, n+8)
	msgs = append(msgs, mesgdef.NewFileId(nil).
		SetType(typedef.FileActivity).
		SetManufacturer(typedef.ManufacturerDevelopment).
		SetProduct(product).
		SetSerialNumber(a.Serial).
		SetTimeCreated(start).ToMesg(nil))
	if a.DeviceInfo {
		msgs = append(msgs, mesgdef.NewDeviceInfo(nil).
			SetTimestamp(start).
			SetDeviceIndex(typedef.DeviceIndexCreator).
			SetManufacturer(typedef.ManufacturerDevelopment).
			SetProduct(product).
			SetSerialNumber(a.Serial).
			SetSoftwareVersion(fitSoftwareVers).ToMesg(nil))
	}
	sp := mesgdef.NewSport(nil).SetSport(sport).SetSubSport(subSport)
	if name := cutName(a.Name); name != "" {
		sp.SetName(name)
	}
	msgs = append(msgs, sp.ToMesg(nil))
	msgs = append(msgs, mesgdef.NewEvent(nil).
		SetTimestamp(start).
		SetEvent(typedef.EventTimer).
		SetEventType(typedef.EventTypeStart).
		SetEventGroup(0).ToMesg(nil))
	if len(a.Records) == 0 {
		msgs = append(msgs,
			mesgdef.NewRecord(nil).SetTimestamp(start).ToMesg(nil),
			mesgdef.NewRecord(nil).SetTimestamp(end).ToMesg(nil))
	}
	msgs = appendRecords(msgs, a.Records)
	msgs = append(msgs, mesgdef.NewEvent(nil).
		SetTimestamp(end).
		SetEvent(typedef.EventTimer).
		SetEventType(typedef.EventTypeStopAll).
		SetEventGroup(0).ToMesg(nil))

	lap, ses := summaryMessages(a, start, end, sport, subSport, elapsedS, timerS)
	msgs = append(msgs, lap.ToMesg(nil), ses.ToMesg(nil))
	msgs = append(msgs, mesgdef.NewActivity(nil).
		SetTimestamp(end).
		SetTotalTimerTimeScaled(timerS).
		SetNumSessions(1).
		SetType(typedef.ActivityManual).
		SetEvent(typedef.EventActivity).
		SetEventType(typedef.EventTypeStop).
		SetLocalTimestamp(end.Add(a.UTCOffset)).ToMesg(nil))
	return proto.FIT{Messages: msgs}, nil
}

// summaryMessages builds the activity's one lap and its session, which
// carry the same totals: times, distance and average speed, calories,
// strides (steps / 2), heart rate.
func summaryMessages(a *ActivityFIT, start, end time.Time, sport typedef.Sport, subSport typedef.SubSport, elapsedS, timerS float64) (*mesgdef.Lap, *mesgdef.Session) {
	lap := mesgdef.NewLap(nil).
		SetTimestamp(end).
		SetStartTime(start).
		SetEvent(typedef.EventLap).
		SetEventType(typedef.EventTypeStop).
		SetTotalElapsedTimeScaled(elapsedS).
		SetTotalTimerTimeScaled(timerS).
		SetSport(sport).
		SetSubSport(subSport)
	ses := mesgdef.NewSession(nil).
		SetTimestamp(end).
		SetStartTime(start).
		SetEvent(typedef.EventSession).
		SetEventType(typedef.EventTypeStop).
		SetTotalElapsedTimeScaled(elapsedS).
		SetTotalTimerTimeScaled(timerS).
		SetSport(sport).
		SetSubSport(subSport).
		SetFirstLapIndex(0).
		SetNumLaps(1)
	if a.DistanceM > 0 {
		lap.SetTotalDistanceScaled(a.DistanceM)
		ses.SetTotalDistanceScaled(a.DistanceM)
		if v := a.DistanceM / timerS; v < maxSpeedMS {
			lap.SetAvgSpeedScaled(v)
			ses.SetAvgSpeedScaled(v)
		}
	}
	if a.Calories > 0 {
		lap.SetTotalCalories(uint16(a.Calories))
		ses.SetTotalCalories(uint16(a.Calories))
	}
	if a.Steps > 1 {
		lap.SetTotalCycles(uint32(a.Steps / 2))
		ses.SetTotalCycles(uint32(a.Steps / 2))
	}
	if a.AvgHR != 0 {
		lap.SetAvgHeartRate(a.AvgHR)
		ses.SetAvgHeartRate(a.AvgHR)
	}
	if a.MaxHR != 0 {
		lap.SetMaxHeartRate(a.MaxHR)
		ses.SetMaxHeartRate(a.MaxHR)
	}
	return lap, ses
}

// Record fields, built directly rather than through mesgdef.Record.ToMesg,
// which reserves room for all 84 record fields per message: for a 2-hour
// 1 Hz track that is tens of megabytes of garbage.
var (
	fieldRecordTimestamp = factory.CreateField(mesgnum.Record, fieldnum.RecordTimestamp)
	fieldRecordLat       = factory.CreateField(mesgnum.Record, fieldnum.RecordPositionLat)
	fieldRecordLon       = factory.CreateField(mesgnum.Record, fieldnum.RecordPositionLong)
	fieldRecordAltitude  = factory.CreateField(mesgnum.Record, fieldnum.RecordAltitude)
	fieldRecordHR        = factory.CreateField(mesgnum.Record, fieldnum.RecordHeartRate)
	fieldRecordDistance  = factory.CreateField(mesgnum.Record, fieldnum.RecordDistance)
	fieldRecordSpeed     = factory.CreateField(mesgnum.Record, fieldnum.RecordSpeed)
)

// recordFields is the most fields one record gets.
const recordFields = 7

// appendRecords appends one record message per point; all their fields
// share one backing array.
func appendRecords(msgs []proto.Message, pts []TrackPoint) []proto.Message {
	backing := make([]proto.Field, 0, len(pts)*recordFields)
	for i := range pts {
		p := &pts[i]
		from := len(backing)
		f := fieldRecordTimestamp
		f.Value = proto.Uint32(fitSeconds(p.Time))
		backing = append(backing, f)
		if p.Position != nil {
			f = fieldRecordLat
			f.Value = proto.Int32(toSemicircles(p.Position.Lat))
			backing = append(backing, f)
			f = fieldRecordLon
			f.Value = proto.Int32(toSemicircles(p.Position.Lon))
			backing = append(backing, f)
		}
		if p.AltitudeM != nil {
			f = fieldRecordAltitude
			f.Value = proto.Uint16(uint16(math.Round((*p.AltitudeM + 500) * 5)))
			backing = append(backing, f)
		}
		if p.HeartRate != 0 {
			f = fieldRecordHR
			f.Value = proto.Uint8(p.HeartRate)
			backing = append(backing, f)
		}
		if p.DistanceM != nil {
			f = fieldRecordDistance
			f.Value = proto.Uint32(uint32(math.Round(*p.DistanceM * 100)))
			backing = append(backing, f)
		}
		if p.SpeedMS != nil {
			f = fieldRecordSpeed
			f.Value = proto.Uint16(uint16(math.Round(*p.SpeedMS * 1000)))
			backing = append(backing, f)
		}
		msgs = append(msgs, proto.Message{Num: mesgnum.Record, Fields: backing[from:len(backing):len(backing)]})
	}
	return msgs
}

// fitSeconds is t as FIT seconds since 1989-12-31T00:00:00Z (checked to be
// in range by ActivityFIT.check).
func fitSeconds(t time.Time) uint32 {
	return uint32(t.Unix() - datetime.Epoch().Unix())
}

// toSemicircles converts degrees to FIT semicircles (deg × 2³¹/180).
func toSemicircles(deg float64) int32 {
	v := math.Round(deg * (1 << 31) / 180)
	return int32(min(max(v, math.MinInt32+1), math.MaxInt32-1)) // MaxInt32 means none
}

// FIT field limits of the scaled values written.
const (
	maxSpeedMS     = 65.535                   // record.speed, lap/session avg_speed: uint16 / 1000
	minAltitudeM   = -500.0                   // record.altitude: uint16 / 5 - 500
	maxAltitudeM   = 12606.0                  // (0xFFFE / 5 - 500, 0xFFFF is "none")
	maxDistanceM   = 42949672.0               // uint32 / 100
	maxCalories    = math.MaxUint16 - 1       // session.total_calories
	maxSteps       = 2 * (math.MaxUint32 - 1) // total_strides
	maxElapsedSecs = 0xFFFFFFFE / 1000        // total_elapsed_time: uint32 / 1000
)

// check validates a against what a FIT file can hold and what Garmin
// needs; every message names the field.
func (a *ActivityFIT) check() error {
	if a.Start.IsZero() {
		return errors.New("no start time")
	}
	start := a.Start.UTC().Truncate(time.Second)
	fitTimeMin, fitTimeEnd := fitTimes()
	if start.Before(fitTimeMin) || !a.End().Before(fitTimeEnd) {
		return fmt.Errorf("start %s: a FIT file holds times from %s to %s",
			start.Format(time.RFC3339), fitTimeMin.Format(dateLayout), fitTimeEnd.Format(dateLayout))
	}
	if a.UTCOffset < -maxZoneOffset || a.UTCOffset > maxZoneOffset || a.UTCOffset%time.Minute != 0 {
		return fmt.Errorf("utc offset %s: want whole minutes within ±14h", a.UTCOffset)
	}
	if a.Elapsed < time.Second || a.Elapsed.Seconds() > maxElapsedSecs {
		return fmt.Errorf("elapsed time %s: want at least 1s and at most %ds", a.Elapsed, maxElapsedSecs)
	}
	if a.Timer < 0 || a.Timer > a.Elapsed {
		return fmt.Errorf("timer time %s: want 0 (same as elapsed) up to the elapsed time %s", a.Timer, a.Elapsed)
	}
	if bad(a.DistanceM) || a.DistanceM < 0 || a.DistanceM > maxDistanceM {
		return fmt.Errorf("distance %v m: want 0 up to %v", a.DistanceM, maxDistanceM)
	}
	if a.Calories < 0 || a.Calories > maxCalories {
		return fmt.Errorf("calories %d kcal: want 0 up to %d", a.Calories, maxCalories)
	}
	if a.Steps < 0 || a.Steps > maxSteps {
		return fmt.Errorf("steps %d: want 0 up to %d", a.Steps, maxSteps)
	}
	if a.AvgHR == math.MaxUint8 || a.MaxHR == math.MaxUint8 {
		return errors.New("heart rate 255: that value means none in FIT")
	}
	if a.Serial == 0 {
		return errors.New("serial number 0: FIT reads it as none; give a stable non-zero serial")
	}
	if a.Product == math.MaxUint16 {
		return errors.New("product 65535: that value means none in FIT")
	}
	end := a.End()
	var prev time.Time
	for i := range a.Records {
		if err := a.Records[i].check(start, end, prev); err != nil {
			return fmt.Errorf("record %d: %w", i, err)
		}
		prev = a.Records[i].Time.Truncate(time.Second)
	}
	return nil
}

func (p *TrackPoint) check(start, end, prev time.Time) error {
	t := p.Time.Truncate(time.Second)
	// A stray early or late timestamp can move an activity to another day
	// (dvmarinoff/Auuki issue #282): refuse it rather than send it.
	if t.Before(start) || t.After(end) {
		return fmt.Errorf("time %s outside the activity (%s to %s)",
			t.UTC().Format(time.RFC3339), start.Format(time.RFC3339), end.UTC().Format(time.RFC3339))
	}
	if t.Before(prev) {
		return fmt.Errorf("time %s before the previous record", t.UTC().Format(time.RFC3339))
	}
	if pos := p.Position; pos != nil {
		if bad(pos.Lat) || bad(pos.Lon) || pos.Lat < -90 || pos.Lat > 90 || pos.Lon < -180 || pos.Lon > 180 {
			return fmt.Errorf("position %v,%v: want latitude in [-90, 90] and longitude in [-180, 180]", pos.Lat, pos.Lon)
		}
	}
	if v := p.AltitudeM; v != nil && (bad(*v) || *v < minAltitudeM || *v > maxAltitudeM) {
		return fmt.Errorf("altitude %v m: want %v up to %v", *v, minAltitudeM, maxAltitudeM)
	}
	if v := p.DistanceM; v != nil && (bad(*v) || *v < 0 || *v > maxDistanceM) {
		return fmt.Errorf("distance %v m: want 0 up to %v", *v, maxDistanceM)
	}
	if v := p.SpeedMS; v != nil && (bad(*v) || *v < 0 || *v >= maxSpeedMS) {
		return fmt.Errorf("speed %v m/s: want 0 up to %v", *v, maxSpeedMS)
	}
	if p.HeartRate == math.MaxUint8 {
		return errors.New("heart rate 255: that value means none in FIT")
	}
	return nil
}

func bad(f float64) bool { return math.IsNaN(f) || math.IsInf(f, 0) }

// cutName returns name cut to maxActivityName bytes at a character
// boundary, with invalid UTF-8 replaced.
func cutName(name string) string {
	name = strings.ToValidUTF8(name, "\uFFFD")
	if len(name) <= maxActivityName {
		return name
	}
	cut := maxActivityName
	for cut > 0 && !utf8.RuneStart(name[cut]) {
		cut--
	}
	return name[:cut]
}
