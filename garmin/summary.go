package garmin

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// DailySummary is the part of Garmin's daily user summary (the "My Day"
// page) this tool shows. Fields are nil when Garmin leaves them out or null
// (a day without a device has no steps).
//
// Fields as read by cyberjunky/python-garminconnect
// (garminconnect/__init__.py get_user_summary) and clients printing
// totalSteps, totalKilocalories, activeKilocalories, bmrKilocalories,
// dailyStepGoal and totalDistanceMeters from it.
type DailySummary struct {
	CalendarDate        string   `json:"calendarDate"`
	TotalSteps          *int64   `json:"totalSteps"`
	DailyStepGoal       *int64   `json:"dailyStepGoal"`
	TotalKilocalories   *float64 `json:"totalKilocalories"`
	ActiveKilocalories  *float64 `json:"activeKilocalories"`
	BMRKilocalories     *float64 `json:"bmrKilocalories"`
	TotalDistanceMeters *float64 `json:"totalDistanceMeters"`
}

// DailySummary calls GET /usersummary-service/usersummary/daily/{displayName}?calendarDate={date}:
// Garmin's summary of one day for the account whose displayName (from
// SocialProfile) is given (python-garminconnect get_user_summary; the web
// notes in garmin-api.md call the same path with the profile's GUID).
func (c *Client) DailySummary(ctx context.Context, displayName, date string) (*DailySummary, error) {
	if err := checkDate(date); err != nil {
		return nil, fmt.Errorf("garmin: daily summary: %w", err)
	}
	if displayName == "" {
		return nil, fmt.Errorf("garmin: daily summary: no display name (read it with SocialProfile)")
	}
	s := DailySummary{CalendarDate: date}
	path := pathDailySummary + url.PathEscape(displayName) + "?calendarDate=" + date
	if err := c.do(ctx, call{method: http.MethodGet, path: path}, &s); err != nil {
		return nil, err
	}
	return &s, nil
}
