// Package sandbox is an in-process fake of Garmin Connect: the SSO mobile
// login, the DI OAuth2 token endpoint, the web-session refresh and the data
// endpoints the importer uses, with the real API's strictness and injectable
// faults. It is stdlib only and does not import the garmin client, whose
// tests use it.
//
// One *Server serves every Garmin host's paths, so a client pointed at one
// base URL (--garmin-url) reaches all of them:
//
//	POST /mobile/api/login?clientId=..&locale=..&service=..      (sso.garmin.com)
//	POST /mobile/api/mfa/verifyCode?clientId=..&locale=..&service=..
//	POST /di-oauth2-service/oauth/token                           (diauth.garmin.com)
//	POST /services/auth/token/refresh                             (connect.garmin.com)
//	PUT  /usersummary-service/usersummary/hydration/log
//	GET  /usersummary-service/usersummary/hydration/daily/{date}
//	GET  /usersummary-service/stats/hydration/daily/{start}/{end}
//	GET  /userprofile-service/socialProfile
//	POST /weight-service/user-weight
//	GET  /weight-service/weight/dayview/{date}
//	GET  /weight-service/weight/range/{start}/{end}
//	DELETE /weight-service/weight/{date}/byversion/{samplePk}
//	POST /upload-service/upload                                   (weight FIT files)
//
// Use it as an http.Handler (httptest.NewServer(s)), or call Start for a
// loopback listener that lives as long as a context.
//
// # Login
//
// The login answers HTTP 200 with a JSON body whose responseStatus.type is
// SUCCESSFUL (with serviceTicketId), MFA_REQUIRED, INVALID_USERNAME_PASSWORD
// or CAPTCHA_REQUIRED; clients must parse the body whatever the status. An
// account configured with LoginRateLimited answers HTTP 429.
//
// The MFA step is tied to the login the way Garmin's SSO does it (and the
// way python-garminconnect follows it): the MFA_REQUIRED answer sets a
// session cookie (SessionCookie, "SESSIONID", Path=/), and the client posts
// the code to /mobile/api/mfa/verifyCode with that cookie and the same
// clientId/locale/service query. A cookie jar on the client's http.Client
// does this by itself. The MFA_REQUIRED body also carries
// customerMfaInfo.mfaLastMethodUsed ("email"), which the client echoes as
// mfaMethod. A wrong code answers 200 with type INVALID_MFA_CODE; after
// three wrong codes, or ten minutes, the session is gone (401,
// type INVALID_SESSION) and the login must start again. SUCCESSFUL gives a
// single-use service ticket valid for five minutes.
//
// # Tokens
//
// The ticket is exchanged at the DI token endpoint with Basic auth
// base64("<client_id>:"), form client_id, service_ticket, service_url (the
// login's service) and grant_type DIGrantServiceTicket. Only
// Options.DIClientIDs are accepted (401 invalid_client otherwise). Refresh
// uses grant_type=refresh_token; refresh tokens rotate, and a used, unknown
// or expired one answers 400 invalid_grant.
//
// Access tokens are HS256 JWTs signed with a per-server key, with claims
// exp, iat, jti, sub (the account's email) and client_id. The server
// remembers each token's family:
//   - DI tokens: Authorization: Bearer is all that is needed.
//   - Web tokens (IssueWeb): Bearer plus the Cookie JWT_FGP issued with the
//     token (wrong or missing: 401), and writes to the hydration log need
//     "DI-Backend: connectapi.garmin.com" (else 404, as Garmin answers).
//     Web refresh: POST /services/auth/token/refresh with the JWT_FGP cookie
//     and {"refresh_token":...}; the answer sets a new JWT_FGP cookie.
//
// An access token stops working (401) after Options.AccessTTL by
// Options.Now, or after Options.AccessMaxRequests authenticated uses.
//
// # Hydration
//
// Totals are additive per account and calendar date (float64 millilitres);
// a negative valueInML subtracts and the total may go below zero (the fake
// does not clamp, so a client bug shows). A PUT needs calendarDate
// (YYYY-MM-DD) and a numeric valueInML with |valueInML| <= 10000;
// timestampLocal, when given, must look like 2024-05-15T07:12:51.180, and
// userProfileId, when given, must be the caller's. The daily read answers
// valueInML null for a day nothing was logged to; the range read covers at
// most 28 days (400 otherwise) and lists every day of the range.
//
// # Weight
//
// Weigh-ins are entries per account, each with a samplePk increasing across
// the server; answers carry weights in grams, "date" as the local wall
// clock in epoch ms and "timestampGMT" in epoch ms. POST user-weight needs
// dateTimestamp and gmtTimestamp (2025-06-14T08:13:00.000, at most 14 h
// apart), a numeric value in unitKey kg or lbs, and answers 204. The day
// view lists the day's entries newest first; the range read has no cap on
// its span and lists days newest first. DELETE by date and samplePk
// answers 204, or 404 when no such entry is on that date.
//
// The upload takes a multipart field "file" holding a FIT file of type
// weight (decoded with github.com/muktihari/fit); anything else is a 400.
// Each weight_scale message becomes a weigh-in (weight, percent_fat) of
// source FIT_FILE, filed under the local day of the account's time zone
// (SetTimeZone; UTC by default). A file whose file_id (or, without a
// time_created, whose bytes) matches an earlier upload still stored answers
// 409. Weight writes and the upload need DI-Backend with web tokens, like
// the hydration log. WeighIns, AddWeighIn and SetTimeZone inspect and
// preload the data.
//
// # Faults
//
// SetFaults sets latency and, per Kind, a probability and/or an every-Nth
// rule, limited to a Scope (data reads and writes by default). FailNext
// queues the next n requests of a scope to fail with a given kind.
// Probabilities draw from a math/rand/v2 source seeded by Options.Seed (or
// Options.Source), one draw per request in scope, so the same seed and the
// same request sequence give the same faults. KindReset closes the
// connection before doing anything; KindDropAfterCommit applies the request
// and then closes the connection without an answer. Requests returns a log of every
// request, its status and fault, never a token.
//
// # Extending
//
// Routes live in a table built by (*Server).routeTable: each entry gives
// method, path pattern (net/http ServeMux syntax), Class (read, write,
// auth), whether it needs a bearer token and whether web tokens must send
// DI-Backend, and a handler that runs under the server's lock and returns a
// reply. Weight or upload endpoints go in their own file (weight.go) as a
// method returning []route, appended in routeTable, with their per-account
// data as fields of account.
package sandbox
