package garmin_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"fitbit2garmin/garmin"
	"fitbit2garmin/garmin/sandbox"
)

// sandboxTokens gives the sandbox's account tokens of fam in the client's store.
func sandboxTokens(t *testing.T, e *env, fam garmin.Family) {
	t.Helper()
	var tok *garmin.Tokens
	if fam == garmin.FamilyWeb {
		web, err := e.fake.IssueWeb(email)
		if err != nil {
			t.Fatal(err)
		}
		tok = &garmin.Tokens{Family: garmin.FamilyWeb, AccessToken: garmin.Secret(web.AccessToken), RefreshToken: garmin.Secret(web.RefreshToken), JWTFGP: garmin.Secret(web.JWTFGP)}
	} else {
		di, err := e.fake.IssueDI(email)
		if err != nil {
			t.Fatal(err)
		}
		tok = &garmin.Tokens{Family: garmin.FamilyDI, AccessToken: garmin.Secret(di.AccessToken), RefreshToken: garmin.Secret(di.RefreshToken), ClientID: di.ClientID}
	}
	if err := e.store.Save(tok); err != nil {
		t.Fatal(err)
	}
}

func f64(v float64) *float64 { return &v }

// TestSandboxWeight runs every weight call against the fake, with both
// token families (web tokens need DI-Backend on the writes and the upload).
func TestSandboxWeight(t *testing.T) {
	for _, fam := range []garmin.Family{garmin.FamilyDI, garmin.FamilyWeb} {
		t.Run(string(fam), func(t *testing.T) {
			e := sandboxEnv(t, sandbox.Options{}, sandbox.Account{}, nil)
			sandboxTokens(t, e, fam)
			ctx := context.Background()
			paris := time.FixedZone("CEST", 2*3600)
			if err := e.fake.SetTimeZone(email, paris); err != nil {
				t.Fatal(err)
			}
			// Someone else's scale weighed in the day before.
			if _, err := e.fake.AddWeighIn(email, sandbox.WeighIn{
				Local: time.Date(2025, 6, 13, 7, 0, 0, 0, time.UTC), GMT: time.Date(2025, 6, 13, 5, 0, 0, 0, time.UTC),
				Kg: 60.2, FatPercent: f64(22), SourceType: "INDEX_SCALE",
			}); err != nil {
				t.Fatal(err)
			}

			morning := time.Date(2025, 6, 14, 8, 13, 0, 0, paris)
			if err := e.client.AddWeight(ctx, garmin.WeighInEntry{Local: morning, GMT: morning, Kg: 59.5}); err != nil {
				t.Fatal(err)
			}
			// 23:30 local on the 14th is 21:30 UTC: filed under the 14th.
			evening := time.Date(2025, 6, 14, 23, 30, 0, 0, paris)
			bc := garmin.BodyComposition{Local: evening, GMT: evening.UTC(), Kg: 59.8, FatPercent: f64(21.3)}
			if err := e.client.UploadBodyComposition(ctx, bc); err != nil {
				t.Fatal(err)
			}

			day, err := e.client.WeightDay(ctx, "2025-06-14")
			if err != nil {
				t.Fatal(err)
			}
			want := []garmin.WeighIn{
				{Date: "2025-06-14", Local: time.Date(2025, 6, 14, 8, 13, 0, 0, time.UTC), GMT: time.Date(2025, 6, 14, 6, 13, 0, 0, time.UTC), Kg: 59.5, SourceType: "MANUAL"},
				{Date: "2025-06-14", Local: time.Date(2025, 6, 14, 23, 30, 0, 0, time.UTC), GMT: time.Date(2025, 6, 14, 21, 30, 0, 0, time.UTC), Kg: 59.8, FatPercent: f64(21.3), SourceType: sandbox.SourceFITFile},
			}
			ignorePK := cmpopts.IgnoreFields(garmin.WeighIn{}, "SamplePK")
			if diff := cmp.Diff(want, day, ignorePK); diff != "" {
				t.Fatalf("WeightDay (-want +got):\n%s", diff)
			}

			all, err := e.client.WeightRange(ctx, "2024-06-01", "2025-06-30")
			if err != nil {
				t.Fatal(err)
			}
			if len(all) != 3 || all[0].Date != "2025-06-13" || all[0].SourceType != "INDEX_SCALE" || *all[0].FatPercent != 22 {
				t.Fatalf("WeightRange = %+v", all)
			}
			if diff := cmp.Diff(want, all[1:], ignorePK); diff != "" {
				t.Errorf("WeightRange (-want +got):\n%s", diff)
			}

			// Undo the manual weigh-in; deleting it again is a 404.
			if err := e.client.DeleteWeight(ctx, day[0].Date, day[0].SamplePK); err != nil {
				t.Fatal(err)
			}
			var apiErr *garmin.APIError
			if err := e.client.DeleteWeight(ctx, day[0].Date, day[0].SamplePK); !errors.As(err, &apiErr) || apiErr.Status != 404 {
				t.Errorf("second delete: %v, want APIError 404", err)
			}
			left := e.fake.WeighIns(email)
			if len(left) != 2 || left[1].SourceType != sandbox.SourceFITFile {
				t.Errorf("fake holds %+v", left)
			}
		})
	}
}

// TestSandboxUploadResendDuplicates: an upload whose answer is lost is NOT
// safe to resend: nothing public shows Garmin refusing a repeated weight
// file, so the fake stores it twice, and the importer must settle a lost
// upload by reading the day (importer/weight.go) rather than resend it.
func TestSandboxUploadResendDuplicates(t *testing.T) {
	e := sandboxEnv(t, sandbox.Options{}, sandbox.Account{}, nil)
	sandboxTokens(t, e, garmin.FamilyDI)
	ctx := context.Background()
	at := time.Date(2025, 6, 14, 6, 13, 0, 0, time.UTC)
	bc := garmin.BodyComposition{Local: at, GMT: at, Kg: 59.5, FatPercent: f64(21.3)}

	e.fake.FailNext(1, sandbox.KindDropAfterCommit, sandbox.ScopeWrites)
	if err := e.client.UploadBodyComposition(ctx, bc); !errors.Is(err, garmin.ErrOutcomeUnknown) {
		t.Fatalf("dropped upload: %v, want ErrOutcomeUnknown", err)
	}
	if err := e.client.UploadBodyComposition(ctx, bc); err != nil {
		t.Fatalf("resend: %v", err)
	}
	if n := len(e.fake.WeighIns(email)); n != 2 {
		t.Errorf("%d weigh-ins after a resend, want 2 (the worst case: a duplicate)", n)
	}

	// A weigh-in sent by AddWeight has no such protection: after a lost
	// answer the caller reads the day back before resending.
	e.fake.FailNext(1, sandbox.KindDropAfterCommit, sandbox.ScopeWrites)
	err := e.client.AddWeight(ctx, garmin.WeighInEntry{Local: at, GMT: at, Kg: 59.5})
	if !errors.Is(err, garmin.ErrOutcomeUnknown) {
		t.Fatalf("dropped add: %v, want ErrOutcomeUnknown", err)
	}
	day, err := e.client.WeightDay(ctx, "2025-06-14")
	if err != nil {
		t.Fatal(err)
	}
	manual := 0
	for _, w := range day {
		if w.SourceType == "MANUAL" {
			manual++
		}
	}
	if manual != 1 {
		t.Errorf("read back %d manual weigh-ins, want 1 (the dropped write landed)", manual)
	}
}

// TestSandboxWeightFaults: the fake's faults reach the weight calls as the
// typed errors of the hydration calls.
func TestSandboxWeightFaults(t *testing.T) {
	at := time.Date(2025, 6, 14, 6, 13, 0, 0, time.UTC)
	tests := []struct {
		name  string
		kind  sandbox.Kind
		scope sandbox.Scope
		run   func(*garmin.Client) error
		check func(error) bool
	}{
		{"upload 503", sandbox.Kind503, sandbox.ScopeWrites, func(c *garmin.Client) error {
			return c.UploadBodyComposition(context.Background(), garmin.BodyComposition{Local: at, GMT: at, Kg: 60})
		}, func(err error) bool { return errors.Is(err, garmin.ErrOutcomeUnknown) }},
		{"add 429", sandbox.Kind429RetryAfter, sandbox.ScopeWrites, func(c *garmin.Client) error {
			return c.AddWeight(context.Background(), garmin.WeighInEntry{Local: at, GMT: at, Kg: 60})
		}, func(err error) bool {
			var rl *garmin.RateLimitError
			return errors.As(err, &rl) && rl.RetryAfter > 0
		}},
		{"range 429 in body", sandbox.Kind429Body, sandbox.ScopeReads, func(c *garmin.Client) error {
			_, err := c.WeightRange(context.Background(), "2025-01-01", "2025-02-01")
			return err
		}, func(err error) bool {
			var rl *garmin.RateLimitError
			return errors.As(err, &rl)
		}},
		{"day reset", sandbox.KindReset, sandbox.ScopeReads, func(c *garmin.Client) error {
			_, err := c.WeightDay(context.Background(), "2025-01-01")
			return err
		}, func(err error) bool { return err != nil && !errors.Is(err, garmin.ErrOutcomeUnknown) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := sandboxEnv(t, sandbox.Options{}, sandbox.Account{}, nil)
			sandboxTokens(t, e, garmin.FamilyDI)
			e.fake.FailNext(1, tt.kind, tt.scope)
			if err := tt.run(e.client); !tt.check(err) {
				t.Fatalf("error = %v", err)
			}
			if n := len(e.fake.WeighIns(email)); n != 0 {
				t.Errorf("%d weigh-ins stored", n)
			}
		})
	}
}
