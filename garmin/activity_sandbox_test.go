package garmin_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"fitbit2garmin/garmin"
	"fitbit2garmin/garmin/sandbox"
)

// sandboxRun is a 30-minute run at 07:05 in UTC-5 with two GPS records.
func sandboxRun(start time.Time) *garmin.ActivityFIT {
	d := func(v float64) *float64 { return &v }
	return &garmin.ActivityFIT{
		Start: start, UTCOffset: -5 * time.Hour, Sport: garmin.SportRunning, Name: "Morning Run",
		Elapsed: 30 * time.Minute, DistanceM: 5012.3, Calories: 310, Steps: 4800, AvgHR: 150, MaxHR: 171,
		Serial: 123456, Records: []garmin.TrackPoint{
			{Time: start, Position: &garmin.LatLon{Lat: 40.71, Lon: -74.0}, DistanceM: d(0), HeartRate: 120},
			{Time: start.Add(15 * time.Minute), Position: &garmin.LatLon{Lat: 40.72, Lon: -74.01}, DistanceM: d(2500), HeartRate: 155},
			{Time: start.Add(30 * time.Minute), DistanceM: d(5012.3)},
		},
	}
}

var runAt = time.Date(2024, 5, 14, 12, 5, 0, 0, time.UTC)

func encode(t *testing.T, a *garmin.ActivityFIT) []byte {
	t.Helper()
	b, err := garmin.EncodeActivityFIT(a)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSandboxActivityLifecycle runs upload, polling, duplicate, search,
// get, rename and delete against the fake, with both token families.
func TestSandboxActivityLifecycle(t *testing.T) {
	for _, fam := range []garmin.Family{garmin.FamilyDI, garmin.FamilyWeb} {
		t.Run(string(fam), func(t *testing.T) {
			e := sandboxEnv(t, sandbox.Options{}, sandbox.Account{}, nil)
			sandboxTokens(t, e, fam)
			e.fake.SetActivityOptions(sandbox.ActivityOptions{ProcessingDelay: 10 * time.Second, PollAfter: 250 * time.Millisecond})
			ctx := context.Background()
			fit := encode(t, sandboxRun(runAt))

			up, err := e.client.ImportActivity(ctx, "run.fit", fit)
			if err != nil {
				t.Fatal(err)
			}
			if up.Done() || up.Location == "" || up.PollAfter != 250*time.Millisecond {
				t.Fatalf("upload = %+v, want processing with a location and 250ms", up)
			}
			// While processing: the poll answers 202 and the search is empty.
			again, err := e.client.PollUpload(ctx, up.Location)
			if err != nil || again.Done() || again.Location != up.Location {
				t.Fatalf("poll while processing = %+v, %v", again, err)
			}
			if got, err := e.client.SearchActivities(ctx, "2024-05-13", "2024-05-15"); err != nil || len(got) != 0 {
				t.Fatalf("search while processing = %v, %v; want none", got, err)
			}
			// A repeat while processing is already a duplicate.
			var dup *garmin.DuplicateActivityError
			if _, err := e.client.ImportActivity(ctx, "run.fit", fit); !errors.As(err, &dup) {
				t.Fatalf("repeat while processing: %v, want duplicate", err)
			}

			e.clk.Add(10 * time.Second)
			done, err := e.client.PollUpload(ctx, up.Location)
			if err != nil || !done.Done() {
				t.Fatalf("poll after processing = %+v, %v", done, err)
			}
			if dup.ExistingID != done.ActivityID {
				t.Errorf("duplicate named %d, want the upload's %d", dup.ExistingID, done.ActivityID)
			}

			a, err := e.client.GetActivity(ctx, done.ActivityID)
			if err != nil {
				t.Fatal(err)
			}
			if !a.StartGMT.Equal(runAt) || !a.StartLocal.Equal(runAt.Add(-5*time.Hour)) || a.TypeKey != "running" ||
				a.Name != "Morning Run" || a.DistanceM != 5012.3 || a.Elapsed != 30*time.Minute || a.Steps != 4800 ||
				a.AverageHR != 150 || a.Manufacturer != "DEVELOPMENT" || a.DeviceID != 123456 || a.FileFormat != "fit" {
				t.Errorf("activity = %+v", a)
			}
			stored := e.fake.Activities(email)
			if len(stored) != 1 || stored[0].TrackPoints != 3 || stored[0].GPSPoints != 2 {
				t.Fatalf("fake holds %+v, want one activity with 3 records, 2 with GPS", stored)
			}

			if err := e.client.RenameActivity(ctx, a.ID, "Run by the river"); err != nil {
				t.Fatal(err)
			}
			found, err := e.client.SearchActivities(ctx, "2024-05-14", "2024-05-14")
			if err != nil || len(found) != 1 || found[0].ID != a.ID || found[0].Name != "Run by the river" {
				t.Fatalf("search = %+v, %v", found, err)
			}
			// The local day decides: 07:05 on the 14th local, not another day.
			if other, _ := e.client.SearchActivities(ctx, "2024-05-15", "2024-05-20"); len(other) != 0 {
				t.Errorf("found on a later day: %+v", other)
			}

			if err := e.client.DeleteActivity(ctx, a.ID); err != nil {
				t.Fatal(err)
			}
			var apiErr *garmin.APIError
			if _, err := e.client.GetActivity(ctx, a.ID); !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound {
				t.Errorf("get after delete: %v, want 404", err)
			}
			if err := e.client.DeleteActivity(ctx, a.ID); !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound {
				t.Errorf("delete after delete: %v, want 404", err)
			}
			// Deleting frees the file's identity (python-garminconnect issue #88).
			if _, err := e.client.ImportActivity(ctx, "run.fit", fit); err != nil {
				t.Errorf("upload after delete: %v", err)
			}
		})
	}
}

// TestSandboxActivityWatchAtSameStart: a watch recorded the session; the
// upload at the same start second gets 409 naming the watch's activity,
// which a caller must not take as its own (hevy2garmin issue #279).
func TestSandboxActivityWatchAtSameStart(t *testing.T) {
	e := sandboxEnv(t, sandbox.Options{}, sandbox.Account{}, nil)
	sandboxTokens(t, e, garmin.FamilyDI)
	watch, err := e.fake.SeedActivity(email, sandbox.Activity{
		StartGMT: runAt, UTCOffset: -5 * time.Hour, Sport: 1, Name: "Watch run",
		Elapsed: 31 * time.Minute, Timer: 30 * time.Minute, DistanceM: 5000, DeviceID: 3329978681,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, err = e.client.ImportActivity(ctx, "", encode(t, sandboxRun(runAt)))
	var dup *garmin.DuplicateActivityError
	if !errors.As(err, &dup) || dup.ExistingID != watch.ID {
		t.Fatalf("error = %v, want duplicate naming the watch's %d", err, watch.ID)
	}
	got, err := e.client.SearchActivities(ctx, "2024-05-13", "2024-05-15")
	if err != nil || len(got) != 1 || got[0].Manufacturer != "GARMIN" || !got[0].StartGMT.Equal(runAt) || got[0].TypeKey != "running" {
		t.Fatalf("search = %+v, %v; want the watch activity only", got, err)
	}
	// One second later is another activity.
	if _, err := e.client.ImportActivity(ctx, "", encode(t, sandboxRun(runAt.Add(time.Second)))); err != nil {
		t.Fatal(err)
	}
	if n := len(e.fake.Activities(email)); n != 2 {
		t.Errorf("%d activities, want 2", n)
	}
}

func TestSandboxActivityBadCRC(t *testing.T) {
	e := sandboxEnv(t, sandbox.Options{}, sandbox.Account{}, nil)
	sandboxTokens(t, e, garmin.FamilyDI)
	fit := encode(t, sandboxRun(runAt))
	fit[len(fit)-1] ^= 0xFF
	_, err := e.client.ImportActivity(context.Background(), "", fit)
	var rej *garmin.UploadRejectedError
	if !errors.As(err, &rej) || rej.Code != 415 || rej.Message != "The file is of a type we do not support." {
		t.Fatalf("error = %v, want rejection code 415", err)
	}
	if n := len(e.fake.Activities(email)); n != 0 {
		t.Errorf("%d activities stored from a broken file", n)
	}
}

// TestSandboxActivityFaults: a lost answer after the upload landed, 5xx and
// 429 before anything is done; the request log proves each fault hit.
func TestSandboxActivityFaults(t *testing.T) {
	tests := []struct {
		kind    sandbox.Kind
		landed  bool
		wantErr func(error) bool
	}{
		{sandbox.KindDropAfterCommit, true, func(err error) bool { return errors.Is(err, garmin.ErrOutcomeUnknown) }},
		{sandbox.Kind503, false, func(err error) bool { return errors.Is(err, garmin.ErrOutcomeUnknown) }},
		{sandbox.KindReset, false, func(err error) bool { return errors.Is(err, garmin.ErrOutcomeUnknown) }},
		{sandbox.Kind429, false, func(err error) bool { var rl *garmin.RateLimitError; return errors.As(err, &rl) }},
		{sandbox.Kind429Body, false, func(err error) bool { var rl *garmin.RateLimitError; return errors.As(err, &rl) }},
	}
	for _, tt := range tests {
		t.Run(tt.kind.String(), func(t *testing.T) {
			e := sandboxEnv(t, sandbox.Options{}, sandbox.Account{}, nil)
			sandboxTokens(t, e, garmin.FamilyDI)
			ctx := context.Background()
			e.fake.FailNext(1, tt.kind, sandbox.ScopeWrites)
			_, err := e.client.ImportActivity(ctx, "", encode(t, sandboxRun(runAt)))
			if !tt.wantErr(err) {
				t.Fatalf("error = %v", err)
			}
			reqs := e.fake.Requests()
			last := reqs[len(reqs)-1]
			if last.Path != "/upload-service/upload/.fit" || last.Fault != tt.kind || last.Applied != tt.landed || last.Class != sandbox.ClassWrite {
				t.Errorf("request log = %+v", last)
			}
			// Settled by search, as a caller must: found exactly when it landed.
			got, err := e.client.SearchActivities(ctx, "2024-05-13", "2024-05-15")
			if err != nil {
				t.Fatal(err)
			}
			if (len(got) == 1) != tt.landed || len(got) > 1 {
				t.Errorf("search found %d, landed %v", len(got), tt.landed)
			}
		})
	}
}

// TestSandboxActivitySearchPages: 250 activities are read in three pages.
func TestSandboxActivitySearchPages(t *testing.T) {
	e := sandboxEnv(t, sandbox.Options{}, sandbox.Account{}, nil)
	sandboxTokens(t, e, garmin.FamilyDI)
	first := time.Date(2023, 1, 1, 23, 30, 0, 0, time.UTC)
	for i := range 250 {
		if _, err := e.fake.SeedActivity(email, sandbox.Activity{
			StartGMT: first.Add(time.Duration(i) * 36 * time.Hour), UTCOffset: time.Hour, Sport: 11,
			Name: fmt.Sprint("walk ", i), Elapsed: time.Hour,
		}); err != nil {
			t.Fatal(err)
		}
	}
	e.fake.ResetRequests()
	got, err := e.client.SearchActivities(context.Background(), "2023-01-01", "2024-12-31")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 250 || got[0].Name != "walk 0" || got[249].Name != "walk 249" || got[0].TypeKey != "walking" {
		t.Fatalf("%d activities, first %+v", len(got), got[0])
	}
	if n := len(e.fake.Requests()); n != 3 {
		t.Errorf("%d requests, want 3 pages of %d", n, garmin.ActivitySearchPage)
	}
	// The first starts 23:30 UTC on Jan 1: 00:30 local on Jan 2.
	day, err := e.client.SearchActivities(context.Background(), "2023-01-01", "2023-01-01")
	if err != nil || len(day) != 0 {
		t.Errorf("Jan 1 local = %+v, %v; want none", day, err)
	}
}
