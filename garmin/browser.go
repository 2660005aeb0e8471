package garmin

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"

	fhttp "github.com/bogdanfinn/fhttp"
	tlsclient "github.com/bogdanfinn/tls-client"
	"github.com/bogdanfinn/tls-client/profiles"
)

// Fingerprint names the TLS ClientHello a sign-in request presents.
//
// Cloudflare in front of Garmin's SSO host blocks programmatic logins by
// their TLS fingerprint: python-garminconnect (garminconnect/client.py,
// Aug 2026, module docstring and _mobile_login_cffi) logs in through
// curl_cffi impersonating a browser, and plain clients get 403 or 429
// (pe-st/garmin-connect-export PR #132; python-garminconnect #337, #344).
// Go's crypto/tls sends no GREASE values and a ClientHello no browser sends,
// so every sign-in request (login, MFA, ticket exchange, DI refresh) goes
// through a browser fingerprint from github.com/bogdanfinn/tls-client.
type Fingerprint string

// The fingerprints sign-in rotates through. The names follow curl_cffi's
// impersonation targets the evidence uses.
const (
	// FingerprintSafariIOS is Safari on iOS 18: first for the mobile flow,
	// which claims to be the iOS app (MOBILE_IMPERSONATIONS[0]).
	FingerprintSafariIOS Fingerprint = "safari_ios"
	// FingerprintSafari is desktop Safari 16: first for the form flows
	// (PORTAL_IMPERSONATIONS[0]).
	FingerprintSafari Fingerprint = "safari"
	// FingerprintChrome120 is Chrome 120 (curl_cffi "chrome120").
	FingerprintChrome120 Fingerprint = "chrome120"
	// FingerprintChrome is a current Chrome (133; curl_cffi "chrome").
	FingerprintChrome Fingerprint = "chrome"
	// FingerprintGo is Go's own crypto/tls: the plain-client strategies
	// (python-garminconnect's "+requests" ones) and every data call.
	FingerprintGo Fingerprint = "go"
)

// mobileFingerprints and formFingerprints are the rotation orders of
// python-garminconnect's MOBILE_IMPERSONATIONS and PORTAL_IMPERSONATIONS.
// Its "edge101" has no tls-client profile; Edge is Chromium, and the two
// Chrome profiles stand for it.
func mobileFingerprints() []Fingerprint {
	return []Fingerprint{FingerprintSafariIOS, FingerprintSafari, FingerprintChrome120}
}

func formFingerprints() []Fingerprint {
	return []Fingerprint{FingerprintSafari, FingerprintSafariIOS, FingerprintChrome120, FingerprintChrome}
}

// profile maps a fingerprint to its tls-client profile.
func (f Fingerprint) profile() (profiles.ClientProfile, bool) {
	switch f {
	case FingerprintSafariIOS:
		return profiles.Safari_IOS_18_0, true
	case FingerprintSafari:
		return profiles.Safari_16_0, true
	case FingerprintChrome120:
		return profiles.Chrome_120, true
	case FingerprintChrome:
		return profiles.Chrome_133, true
	}
	return profiles.ClientProfile{}, false
}

// TransportOptions configure the transports the client builds itself.
type TransportOptions struct {
	// RootCAs are the authorities every connection trusts; nil means the
	// system's. RootCAs(os.Getenv) adds SSL_CERT_FILE's.
	RootCAs *x509.CertPool
	// Proxy picks a proxy for a request; nil means none.
	// http.ProxyFromEnvironment honours HTTPS_PROXY and NO_PROXY.
	Proxy func(*http.Request) (*url.URL, error)
	// Timeout bounds one request (a minute if zero).
	Timeout time.Duration
}

func (o TransportOptions) timeout() time.Duration {
	if o.Timeout <= 0 {
		return time.Minute
	}
	return o.Timeout
}

// NewStdTransport returns Go's standard transport trusting o.RootCAs: the
// data calls' transport. The evidence says Garmin's API host does not check
// fingerprints (python-garminconnect #369 reads data with plain requests
// after an impersonated login), so data calls keep the standard library.
func NewStdTransport(o TransportOptions) http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = o.Proxy
	if o.RootCAs != nil {
		t.TLSClientConfig = &tls.Config{RootCAs: o.RootCAs, MinVersion: tls.VersionTLS12}
	}
	return t
}

// NewBrowserTransport returns an http.RoundTripper whose connections present
// fp's browser TLS fingerprint (and its HTTP/2 settings). It follows no
// redirects and keeps no cookies itself: the http.Client around it does both,
// as it would for the standard transport.
func NewBrowserTransport(fp Fingerprint, o TransportOptions) (http.RoundTripper, error) {
	if fp == FingerprintGo {
		return NewStdTransport(o), nil
	}
	prof, ok := fp.profile()
	if !ok {
		return nil, fmt.Errorf("garmin: unknown TLS fingerprint %q", fp)
	}
	hc, err := tlsclient.NewHttpClient(tlsclient.NewNoopLogger(),
		tlsclient.WithClientProfile(prof),
		tlsclient.WithNotFollowRedirects(),
		tlsclient.WithDisableHttp3(),
		tlsclient.WithTimeoutSeconds(int(o.timeout()/time.Second)),
		tlsclient.WithTransportOptions(&tlsclient.TransportOptions{RootCAs: o.RootCAs}),
	)
	if err != nil {
		return nil, fmt.Errorf("garmin: TLS fingerprint %s: %w", fp, err)
	}
	return &browserTransport{fp: fp, client: hc, proxy: o.Proxy}, nil
}

// browserTransport adapts a tls-client HttpClient (which speaks
// bogdanfinn/fhttp, a fork of net/http) to net/http.
type browserTransport struct {
	fp     Fingerprint
	client tlsclient.HttpClient
	proxy  func(*http.Request) (*url.URL, error)

	mu       sync.Mutex
	proxySet bool
}

// RoundTrip implements http.RoundTripper.
func (b *browserTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := b.setProxy(r); err != nil {
		return nil, err
	}
	fr, err := fhttp.NewRequestWithContext(r.Context(), r.Method, r.URL.String(), r.Body)
	if err != nil {
		return nil, err
	}
	fr.Header = make(fhttp.Header, len(r.Header))
	for k, v := range r.Header {
		fr.Header[k] = v
	}
	fr.ContentLength = r.ContentLength
	fr.Host = r.Host
	resp, err := b.client.Do(fr)
	if err != nil {
		return nil, err
	}
	return &http.Response{
		Status:        resp.Status,
		StatusCode:    resp.StatusCode,
		Proto:         resp.Proto,
		ProtoMajor:    resp.ProtoMajor,
		ProtoMinor:    resp.ProtoMinor,
		Header:        http.Header(resp.Header),
		Body:          resp.Body,
		ContentLength: resp.ContentLength,
		Request:       r,
	}, nil
}

// setProxy gives the tls-client its proxy on the first request: tls-client
// takes one proxy per client, not one per request.
func (b *browserTransport) setProxy(r *http.Request) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.proxySet || b.proxy == nil {
		return nil
	}
	b.proxySet = true
	u, err := b.proxy(r)
	if err != nil || u == nil {
		return err
	}
	return b.client.SetProxy(u.String())
}

// RootCAs returns the system's certificate authorities plus those of the PEM
// file the SSL_CERT_FILE variable names (read through getenv), the Go and
// OpenSSL convention that users behind a corporate TLS proxy rely on. Go
// honours SSL_CERT_FILE by itself only on Unix-like systems; adding it here
// makes it work for every connection on every system, browser fingerprint
// or not. A file that cannot be read or holds no certificate is an error
// naming it.
func RootCAs(getenv func(string) string) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	file := getenv("SSL_CERT_FILE")
	if file == "" {
		return pool, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("SSL_CERT_FILE: %w", err)
	}
	if !appendPEM(pool, b) {
		return nil, fmt.Errorf("SSL_CERT_FILE=%s: no PEM certificate in it (want -----BEGIN CERTIFICATE----- blocks)", file)
	}
	return pool, nil
}

// appendPEM adds every certificate of a PEM bundle; false if there was none.
func appendPEM(pool *x509.CertPool, b []byte) bool {
	n := 0
	for len(b) > 0 {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			continue
		}
		pool.AddCert(c)
		n++
	}
	return n > 0
}

// ErrChallenged is a sign-in request Cloudflare refused with its challenge
// page (a 403 with HTML): the fingerprint or the strategy is blocked, not
// the account. The next fingerprint or strategy is tried.
var ErrChallenged = errors.New("garmin: sign-in refused by Cloudflare's bot check (403 challenge page)")
