package sandbox

import "net/http"

// routeTable lists every endpoint the fake serves, then the web app's
// /gc-api/ copies of the data routes (gcapiRoutes). Add new ones here.
func (s *Server) routeTable() []route {
	rts := []route{
		// Mobile sign-in, the DI token exchange and refreshes (tokens.go).
		{method: http.MethodPost, path: "/mobile/api/login", class: ClassAuth, handle: (*Server).login},
		{method: http.MethodPost, path: "/mobile/api/mfa/verifyCode", class: ClassAuth, handle: (*Server).verifyMFA},
		{method: http.MethodPost, path: "/di-oauth2-service/oauth/token", class: ClassAuth, handle: (*Server).diToken},
		{method: http.MethodPost, path: "/services/auth/token/refresh", class: ClassAuth, handle: (*Server).webRefresh},
		// The SSO widget and portal forms (signin.go).
		{method: http.MethodGet, path: "/sso/embed", class: ClassAuth, handle: (*Server).widgetEmbed},
		{method: http.MethodGet, path: "/sso/signin", class: ClassAuth, handle: (*Server).widgetPage},
		{method: http.MethodPost, path: "/sso/signin", class: ClassAuth, handle: (*Server).widgetSignin},
		{method: http.MethodPost, path: "/sso/verifyMFA/loginEnterMfaCode", class: ClassAuth, handle: (*Server).widgetMFA},
		{method: http.MethodGet, path: "/portal/sso/en-US/sign-in", class: ClassAuth, handle: (*Server).portalPage},
		{method: http.MethodPost, path: "/portal/api/login", class: ClassAuth, handle: (*Server).login},
		{method: http.MethodPost, path: "/portal/api/mfa/verifyCode", class: ClassAuth, handle: (*Server).verifyMFA},
		// Hydration (hydration.go).
		{method: http.MethodPut, path: "/usersummary-service/usersummary/hydration/log", class: ClassWrite, auth: true, diBackend: true, handle: (*Server).logWater},
		{method: http.MethodGet, path: "/usersummary-service/usersummary/hydration/daily/{date}", class: ClassRead, auth: true, handle: (*Server).dailyWater},
		{method: http.MethodGet, path: "/usersummary-service/stats/hydration/daily/{start}/{end}", class: ClassRead, auth: true, handle: (*Server).rangeWater},
		// Who am I.
		{method: http.MethodGet, path: "/userprofile-service/socialProfile", class: ClassRead, auth: true, handle: (*Server).socialProfile},
		// Weigh-ins (weight.go).
		{method: http.MethodPost, path: "/weight-service/user-weight", class: ClassWrite, auth: true, diBackend: true, handle: (*Server).addWeight},
		{method: http.MethodGet, path: "/weight-service/weight/dayview/{date}", class: ClassRead, auth: true, handle: (*Server).weightDay},
		{method: http.MethodGet, path: "/weight-service/weight/range/{start}/{end}", class: ClassRead, auth: true, handle: (*Server).weightRange},
		{method: http.MethodDelete, path: "/weight-service/weight/{date}/byversion/{samplePk}", class: ClassWrite, auth: true, diBackend: true, handle: (*Server).deleteWeight},
		// The daily summary (summary.go).
		{method: http.MethodGet, path: "/usersummary-service/usersummary/daily/{name}", class: ClassRead, auth: true, handle: (*Server).dailySummary},
		// FIT uploads, weight or activity files (upload.go): the plain path
		// and the import path (python-garminconnect import_activity uses
		// /upload/fit, peloton-to-garmin /upload/.fit).
		{method: http.MethodPost, path: "/upload-service/upload", class: ClassWrite, auth: true, diBackend: true, handle: (*Server).upload},
		{method: http.MethodPost, path: "/upload-service/upload/{ext}", class: ClassWrite, auth: true, diBackend: true, handle: (*Server).upload},
		// Activities (activity.go).
		{method: http.MethodGet, path: "/activity-service/activity/status/{ms}/{uuid}", class: ClassRead, auth: true, handle: (*Server).uploadStatus},
		{method: http.MethodGet, path: "/activitylist-service/activities/search/activities", class: ClassRead, auth: true, handle: (*Server).searchActivities},
		{method: http.MethodGet, path: "/activity-service/activity/{id}", class: ClassRead, auth: true, handle: (*Server).getActivity},
		{method: http.MethodPut, path: "/activity-service/activity/{id}", class: ClassWrite, auth: true, diBackend: true, handle: (*Server).updateActivity},
		{method: http.MethodDelete, path: "/activity-service/activity/{id}", class: ClassWrite, auth: true, diBackend: true, handle: (*Server).deleteActivity},
		// The browser session's refresh (websession.go).
		{method: http.MethodPost, path: "/services/auth/token/di-oauth/refresh", class: ClassAuth, handle: (*Server).sessionRefresh},
	}
	return append(rts, gcapiRoutes(rts)...)
}
