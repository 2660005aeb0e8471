package sandbox

import (
	"hash/fnv"
	"net/http"
)

// dailySummary serves GET /usersummary-service/usersummary/daily/{displayName}?calendarDate=YYYY-MM-DD,
// with the fields python-garminconnect's get_user_summary callers read
// (totalSteps, dailyStepGoal, totalKilocalories, activeKilocalories,
// bmrKilocalories, totalDistanceMeters). The fake records no steps or
// calories, so it answers plausible values fixed by the date. Hydration and
// weigh-ins are not in it: no public client reads them from this answer;
// they have their own endpoints (hydration.go, weight.go). Another
// account's display name is refused (403; Garmin's answer is not on record).
func (s *Server) dailySummary(c *call) reply {
	if c.r.PathValue("name") != c.acct.DisplayName {
		return jsonError(http.StatusForbidden, "not your summary")
	}
	date := c.r.URL.Query().Get("calendarDate")
	if _, err := parseDate(date); err != nil {
		return jsonError(http.StatusBadRequest, "calendarDate: "+err.Error())
	}
	h := fnv.New32a()
	h.Write([]byte(date))
	n := int64(h.Sum32() % 1000)
	steps := 6000 + 4*n
	active := 300.0 + float64(n)/4
	bmr := 1700.0
	return reply{status: http.StatusOK, body: map[string]any{
		"userProfileId":       c.acct.ProfileID,
		"calendarDate":        date,
		"totalSteps":          steps,
		"dailyStepGoal":       8000,
		"totalDistanceMeters": float64(steps) * 0.75,
		"activeKilocalories":  active,
		"bmrKilocalories":     bmr,
		"totalKilocalories":   active + bmr,
	}}
}
