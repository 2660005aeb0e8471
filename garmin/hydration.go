package garmin

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"sort"
	"time"
)

// MaxWaterPerLog is the largest amount one LogWater call accepts, in ml, as
// python-garminconnect enforces; split larger amounts.
const MaxWaterPerLog = 10000.0

// rangeDays is the most days one range read may cover.
const rangeDays = 28

const dateLayout = "2006-01-02"

// HydrationLog is one water entry to add to a day.
type HydrationLog struct {
	// CalendarDate is the day, YYYY-MM-DD.
	CalendarDate string `json:"calendarDate"`
	// TimestampLocal is the local wall-clock time without zone, with
	// milliseconds: 2024-05-15T07:12:51.180.
	TimestampLocal string `json:"timestampLocal"`
	// ValueInML is added to the day's total; negative subtracts.
	ValueInML float64 `json:"valueInML"`
}

// HydrationDay is a day's hydration aggregate.
type HydrationDay struct {
	UserID       int64  `json:"userId,omitempty"`
	CalendarDate string `json:"calendarDate"`
	// ValueInML is the day's total; nil when nothing is logged.
	ValueInML               *float64 `json:"valueInML"`
	GoalInML                *float64 `json:"goalInML,omitempty"`
	DailyAverageInML        *float64 `json:"dailyAverageinML,omitempty"`
	LastEntryTimestampLocal string   `json:"lastEntryTimestampLocal,omitempty"`
	SweatLossInML           *float64 `json:"sweatLossInML,omitempty"`
	ActivityIntakeInML      *float64 `json:"activityIntakeInML,omitempty"`
}

// LogWater calls PUT /usersummary-service/usersummary/hydration/log.
//
// It adds entry.ValueInML to the day's total (Garmin keeps no entries, only
// totals) and returns the updated day. A repeated call adds the water again:
// on an error matching ErrOutcomeUnknown, read the day back before resending.
// If Garmin answers 2xx with an empty body, the result holds only the date.
func (c *Client) LogWater(ctx context.Context, entry HydrationLog) (*HydrationDay, error) {
	if err := checkDate(entry.CalendarDate); err != nil {
		return nil, fmt.Errorf("garmin: log water: %w", err)
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000", entry.TimestampLocal); err != nil {
		return nil, fmt.Errorf("garmin: log water: timestampLocal %q: want YYYY-MM-DDThh:mm:ss.sss", entry.TimestampLocal)
	}
	v := entry.ValueInML
	if math.IsNaN(v) || math.IsInf(v, 0) || v == 0 || math.Abs(v) > MaxWaterPerLog {
		return nil, fmt.Errorf("garmin: log water: %v ml: want a non-zero amount of at most %v ml", v, MaxWaterPerLog)
	}
	day := HydrationDay{CalendarDate: entry.CalendarDate}
	err := c.do(ctx, call{method: http.MethodPut, path: pathHydrationLog, body: entry, write: true}, &day)
	if err != nil {
		return nil, err
	}
	return &day, nil
}

// HydrationDay calls GET /usersummary-service/usersummary/hydration/daily/{date}.
func (c *Client) HydrationDay(ctx context.Context, date string) (*HydrationDay, error) {
	if err := checkDate(date); err != nil {
		return nil, fmt.Errorf("garmin: hydration day: %w", err)
	}
	day := HydrationDay{CalendarDate: date}
	if err := c.do(ctx, call{method: http.MethodGet, path: pathHydrationDay + date}, &day); err != nil {
		return nil, err
	}
	return &day, nil
}

// HydrationRange calls GET /usersummary-service/stats/hydration/daily/{start}/{end}
// once per 28 days (the most Garmin serves per call), start and end
// included, and returns the days Garmin reports in date order. Each page
// waits on the limiter.
func (c *Client) HydrationRange(ctx context.Context, start, end string) ([]HydrationDay, error) {
	days, err := readWindows(ctx, c, "hydration range", start, end, rangeDays,
		func(from, to string) string { return pathHydrationStat + from + "/" + to },
		func(page []HydrationDay) ([]HydrationDay, error) { return page, nil })
	if err != nil {
		return nil, err
	}
	sort.SliceStable(days, func(i, j int) bool { return days[i].CalendarDate < days[j].CalendarDate })
	return days, nil
}
