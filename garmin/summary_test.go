package garmin_test

import (
	"context"
	"errors"
	"testing"

	"fitbit2garmin/garmin"
	"fitbit2garmin/garmin/sandbox"
)

// TestDailySummaryAgainstSandbox reads a day's summary with the display
// name socialProfile gives; another name is refused, a bad date never sent.
func TestDailySummaryAgainstSandbox(t *testing.T) {
	acct := sandbox.Account{Email: email, Password: password, DisplayName: "ann.b", ProfileID: 1337}
	fake, c, _, _ := sandboxClient(t, sandbox.Options{}, acct, nil)
	ctx := context.Background()
	if _, err := c.Login(ctx, garmin.LoginRequest{Email: email, Password: password}); err != nil {
		t.Fatal(err)
	}
	p, err := c.SocialProfile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.DailySummary(ctx, p.DisplayName, "2024-04-13")
	if err != nil {
		t.Fatal(err)
	}
	if s.CalendarDate != "2024-04-13" || s.TotalSteps == nil || *s.TotalSteps <= 0 || s.TotalKilocalories == nil || *s.TotalKilocalories <= 0 {
		t.Errorf("summary %+v", s)
	}
	var apiErr *garmin.APIError
	if _, err := c.DailySummary(ctx, "someone", "2024-04-13"); !errors.As(err, &apiErr) || apiErr.Status != 403 || !errors.Is(err, garmin.ErrUnauthorized) {
		t.Errorf("another account's summary: %v, want a 403", err)
	}
	n := len(fake.Requests())
	if _, err := c.DailySummary(ctx, p.DisplayName, "2024-4-13"); err == nil {
		t.Error("a bad date was accepted")
	}
	if len(fake.Requests()) != n {
		t.Error("a bad date was sent")
	}
}
