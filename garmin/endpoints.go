package garmin

import "net/http"

// Every host, path and header the client sends lives in this file, so that a
// change at Garmin is a one-line fix. Sources are listed in
// /work/shared/design/garmin-api.md.

// Real hosts. Options.BaseURL replaces all of them at once.
const (
	hostSSO        = "https://sso.garmin.com"
	hostDIAuth     = "https://diauth.garmin.com"
	hostConnectAPI = "https://connectapi.garmin.com"
	hostConnect    = "https://connect.garmin.com"
)

// Paths, unchanged when BaseURL is set.
const (
	pathLogin         = "/mobile/api/login"
	pathMFAVerify     = "/mobile/api/mfa/verifyCode"
	pathDIToken       = "/di-oauth2-service/oauth/token"
	pathWebRefresh    = "/services/auth/token/refresh"
	pathHydrationLog  = "/usersummary-service/usersummary/hydration/log"
	pathHydrationDay  = "/usersummary-service/usersummary/hydration/daily/" // + {date}
	pathHydrationStat = "/usersummary-service/stats/hydration/daily/"       // + {start}/{end}
	pathSocialProfile = "/userprofile-service/socialProfile"
	pathDailySummary  = "/usersummary-service/usersummary/daily/" // + {displayName}?calendarDate={date}
	// pathGCAPI prefixes every service path of the web app's cookie
	// session on the connect host (a 2026 Kotlin client calls
	// /gc-api/usersummary-service/usersummary/daily/{uuid}; garmin-api.md).
	pathGCAPI = "/gc-api"
	// pathSessionRefresh renews JWT_WEB with the session cookies
	// (python-garminconnect _refresh_session).
	pathSessionRefresh = "/services/auth/token/di-oauth/refresh"
	headerCSRF         = "connect-csrf-token"
)

// Login (mobile SSO flow) parameters.
const (
	loginClientID   = "GCM_IOS_DARK"
	loginLocale     = "en-US"
	loginServiceURL = "https://mobile.integration.garmin.com/gcm/ios"
	loginUserAgent  = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"
	// loginMFAMethodDefault is used when the login answer names no method.
	loginMFAMethodDefault = "email"

	// The portal (desktop web) flow: python-garminconnect
	// _do_portal_web_login (PORTAL_SSO_CLIENT_ID, PORTAL_SSO_SERVICE_URL).
	pathPortalPage      = "/portal/sso/en-US/sign-in"
	pathPortalLogin     = "/portal/api/login"
	pathPortalMFAVerify = "/portal/api/mfa/verifyCode"
	portalClientID      = "GarminConnect"
	portalServiceURL    = "https://connect.garmin.com/app"
	desktopUserAgent    = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"

	// The SSO embed widget (HTML form) flow: python-garminconnect
	// _widget_web_login and _complete_mfa_widget, garth's sso.py before it.
	pathWidgetEmbed  = "/sso/embed"
	pathWidgetSignin = "/sso/signin"
	pathWidgetMFA    = "/sso/verifyMFA/loginEnterMfaCode"

	grantServiceTicket = "https://connectapi.garmin.com/di-oauth2-service/oauth/grant/service_ticket"
	grantRefreshToken  = "refresh_token"
)

// diClientIDs are tried in this order when exchanging a service ticket.
var diClientIDs = [...]string{
	"GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2",
	"GARMIN_CONNECT_MOBILE_ANDROID_DI_2024Q4",
	"GARMIN_CONNECT_MOBILE_ANDROID_DI",
	"GARMIN_CONNECT_MOBILE_IOS_DI",
}

// Web-session constants.
const (
	cookieJWTFGP   = "JWT_FGP"
	webOrigin      = "https://connect.garmin.com"
	webReferer     = "https://connect.garmin.com/modern/"
	webDIBackend   = "connectapi.garmin.com"
	webUserAgent   = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
	headerNK       = "NK"
	headerNKValue  = "NT"
	headerDIBacked = "DI-Backend"
)

// setDIHeaders sets the headers the Android app sends with DI tokens.
func setDIHeaders(h http.Header) {
	h.Set("User-Agent", "GCM-Android-5.23")
	h.Set("X-Garmin-User-Agent", "com.garmin.android.apps.connectmobile/5.23; ; Google/sdk_gphone64_arm64/google; Android/33; Dalvik/2.1.0")
	h.Set("X-Garmin-Paired-App-Version", "10861")
	h.Set("X-App-Ver", "10861")
	h.Set("X-Garmin-Client-Platform", "Android")
	h.Set("X-Lang", "en")
	h.Set("X-GCExperience", "GC5")
	h.Set("Accept-Language", "en-US,en;q=0.9")
}

// importUserAgent is the User-Agent of the activity import with DI tokens.
const importUserAgent = "GCM-iOS-5.7.2.1"

// setImportHeaders sets the headers of the activity import with DI tokens,
// over the app's: NK: NT, Origin https://sso.garmin.com and the iOS app's
// User-Agent, as python-garminconnect's import_activity (Aug 2026,
// issue #322) and philosowaffle/peloton-to-garmin (src/Garmin/ApiClient.cs)
// send them. Both say the headers are what makes Garmin treat the upload
// as an import rather than a device sync (forwarded to linked services
// such as Strava); no capture shows it either way.
func setImportHeaders(h http.Header) {
	h.Set(headerNK, headerNKValue)
	h.Set("Origin", hostSSO)
	h.Set("User-Agent", importUserAgent)
}

// setWebHeaders sets the headers the web app sends next to a web-session
// token; the token and the JWT_FGP cookie are set by the caller.
func setWebHeaders(h http.Header) {
	h.Set("User-Agent", webUserAgent)
	h.Set(headerNK, headerNKValue)
	h.Set(headerDIBacked, webDIBackend)
	h.Set("Origin", webOrigin)
	h.Set("Referer", webReferer)
}

// setLoginHeaders sets the headers of the mobile SSO login calls.
func setLoginHeaders(h http.Header) {
	h.Set("User-Agent", loginUserAgent)
	h.Set("Accept", "application/json, text/plain, */*")
	h.Set("Origin", hostSSO)
}
