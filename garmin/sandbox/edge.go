package sandbox

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// The edge models Cloudflare in front of Garmin's sign-in hosts: it blocks
// programmatic logins by their TLS fingerprint (python-garminconnect
// garminconnect/client.py, Aug 2026; pe-st/garmin-connect-export PR #132;
// python-garminconnect #337, #344) and answers with its challenge page.
//
// Served over TLS (StartTLS), a sign-in request (SSO paths and the DI
// token endpoint) whose ClientHello carries no GREASE value (RFC 8701) in
// its cipher suites or its groups is refused: every current browser sends
// them and Go's crypto/tls never does. Data paths are not checked: the
// evidence says the API host does not fingerprint (#369).

// Hello is what the edge saw of one TLS ClientHello.
type Hello struct {
	// GREASE reports GREASE values in both the cipher suites and the
	// supported groups.
	GREASE bool
	// Key identifies the client's TLS stack: a hash of its cipher suites
	// and groups without GREASE (like a JA3 hash, shorter).
	Key string
}

// edgeState is the edge's memory.
type edgeState struct {
	hellos  map[string]Hello // by remote address
	order   []Hello          // every hello, in order
	refused map[string]bool  // Hello.Key values refused
}

// isGREASE reports an RFC 8701 GREASE value (0x0A0A, 0x1A1A, … 0xFAFA).
func isGREASE(v uint16) bool { return v&0x0f0f == 0x0a0a && v>>8 == v&0xff }

func helloOf(ci *tls.ClientHelloInfo) Hello {
	h := sha256.New()
	var suites, groups bool
	for _, c := range ci.CipherSuites {
		if isGREASE(c) {
			suites = true
			continue
		}
		fmt.Fprintf(h, "%04x,", c)
	}
	h.Write([]byte("|"))
	for _, g := range ci.SupportedCurves {
		if isGREASE(uint16(g)) {
			groups = true
			continue
		}
		fmt.Fprintf(h, "%04x,", uint16(g))
	}
	return Hello{GREASE: suites && groups, Key: hex.EncodeToString(h.Sum(nil))[:12]}
}

// Hellos returns every ClientHello the TLS server saw, in order.
func (s *Server) Hellos() []Hello {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Hello(nil), s.edge.order...)
}

// RefuseFingerprint makes the edge refuse sign-in requests from the TLS
// stack with this Hello.Key, as Cloudflare does once a fingerprint is
// flagged.
func (s *Server) RefuseFingerprint(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.edge.refused == nil {
		s.edge.refused = make(map[string]bool)
	}
	s.edge.refused[key] = true
}

func (s *Server) recordHello(ci *tls.ClientHelloInfo) {
	hl := helloOf(ci)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.edge.hellos == nil {
		s.edge.hellos = make(map[string]Hello)
	}
	s.edge.hellos[ci.Conn.RemoteAddr().String()] = hl
	s.edge.order = append(s.edge.order, hl)
}

// isSignInPath reports the paths of the sign-in hosts (sso, diauth).
func isSignInPath(p string) bool {
	return strings.HasPrefix(p, "/mobile/api/") || strings.HasPrefix(p, "/portal/") ||
		strings.HasPrefix(p, "/sso/") || p == "/di-oauth2-service/oauth/token"
}

// edgeRefuses decides whether the edge answers r itself. Callers hold s.mu.
func (s *Server) edgeRefuses(r *http.Request) bool {
	if !isSignInPath(r.URL.Path) {
		return false
	}
	for _, p := range s.opts.Challenge {
		if strings.HasPrefix(r.URL.Path, p) {
			return true
		}
	}
	if r.TLS == nil {
		return false
	}
	hl, ok := s.edge.hellos[r.RemoteAddr]
	return !ok || !hl.GREASE || s.edge.refused[hl.Key]
}

// challengePage is Cloudflare's block page, as plain clients report it
// (a 403 with an HTML body, "Attention Required! | Cloudflare").
func (s *Server) challengePage() reply {
	ray := strconv.FormatUint(s.faultRand.Uint64()>>8, 16)
	return reply{
		status: http.StatusForbidden,
		header: http.Header{"Content-Type": {"text/html; charset=UTF-8"}, "Server": {"cloudflare"}, "Cf-Ray": {ray + "-AMS"}},
		body: []byte("<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head><body>" +
			"<h1>Sorry, you have been blocked</h1><p>Cloudflare Ray ID: " + ray + "</p></body></html>"),
	}
}

// StartTLS serves s over TLS on a new 127.0.0.1 port until ctx is done,
// with a certificate from a new test authority, and returns the base URL.
// It writes that authority's certificate (PEM) to caFile (0600) for the
// client to trust, for example through SSL_CERT_FILE. Sign-in requests are
// then checked for a browser's TLS fingerprint.
func (s *Server) StartTLS(ctx context.Context, caFile string) (baseURL string, err error) {
	cert, caPEM, err := testCertificate()
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(caFile, caPEM, 0o600); err != nil {
		return "", fmt.Errorf("sandbox: write the test authority: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("sandbox listen: %w", err)
	}
	cfg := &tls.Config{
		Certificates: []tls.Certificate{cert},
		NextProtos:   []string{"h2", "http/1.1"},
		GetConfigForClient: func(ci *tls.ClientHelloInfo) (*tls.Config, error) {
			s.recordHello(ci)
			return nil, nil
		},
	}
	// A client that does not trust the test authority is a test's point,
	// not news: keep the handshake errors out of the test output.
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, TLSConfig: cfg, ErrorLog: log.New(io.Discard, "", 0)}
	go func() { _ = srv.ServeTLS(ln, "", "") }()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	return "https://" + ln.Addr().String(), nil
}

// testCertificate makes a CA and a certificate it signs for 127.0.0.1 and
// localhost.
func testCertificate() (tls.Certificate, []byte, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	now := time.Now()
	ca := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fitbit2garmin sandbox CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	cert := tls.Certificate{Certificate: [][]byte{der, caDER}, PrivateKey: key}
	return cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), nil
}
