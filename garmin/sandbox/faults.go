package sandbox

import (
	"maps"
	"math"
	"net/http"
	"strconv"
	"time"
)

// Kind is an injected fault.
type Kind int

// Fault kinds, in the order the probability draw walks them.
const (
	KindNone          Kind = iota
	Kind429RetryAfter      // 429 with a Retry-After header (seconds)
	Kind429                // 429 without Retry-After
	Kind429Body            // 200 with {"error":{"status-code":"429"}}, nothing done
	Kind500                // 500, nothing done
	Kind502                // 502, nothing done
	Kind503                // 503, nothing done
	KindReset              // connection closed before anything is done
	// KindDropAfterCommit does the request (a write is applied), then
	// closes the connection without answering.
	KindDropAfterCommit
	numKinds
)

var kindNames = [numKinds]string{
	"none", "429-retry-after", "429", "429-body", "500", "502", "503", "reset", "drop-after-commit",
}

func (k Kind) String() string {
	if k >= 0 && k < numKinds {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Scope says which requests a fault may hit.
type Scope int

// Fault scopes.
const (
	ScopeData   Scope = iota // data reads and writes (the default)
	ScopeReads               // data reads only
	ScopeWrites              // data writes only
	ScopeAuth                // login, MFA, token and refresh endpoints only
	ScopeAll                 // every request, unmatched paths included
)

func (sc Scope) String() string {
	return enumName(int(sc), "Scope", "data", "reads", "writes", "auth", "all")
}

// enumName is names[v], or typ(v) when v has no name.
func enumName(v int, typ string, names ...string) string {
	if v >= 0 && v < len(names) && names[v] != "" {
		return names[v]
	}
	return typ + "(" + strconv.Itoa(v) + ")"
}

func (sc Scope) match(c Class) bool {
	switch sc {
	case ScopeData:
		return c == ClassRead || c == ClassWrite
	case ScopeReads:
		return c == ClassRead
	case ScopeWrites:
		return c == ClassWrite
	case ScopeAuth:
		return c == ClassAuth
	case ScopeAll:
		return true
	}
	return false
}

// Faults configure injected failures. The zero value injects nothing.
type Faults struct {
	// Only limits latency, Rate and Every to one Scope.
	Only Scope
	// Latency delays every request in scope before it is handled.
	Latency time.Duration
	// RetryAfter is what Kind429RetryAfter asks for, rounded up to whole
	// seconds (1s if zero).
	RetryAfter time.Duration
	// Rate gives each kind a probability in [0,1] per request in scope.
	// One uniform draw per request picks at most one kind, walking kinds
	// in order with cumulative probabilities.
	Rate map[Kind]float64
	// Every makes every Nth request in scope (counted since SetFaults)
	// fail with the kind; it wins over Rate. With several kinds due on the
	// same request the lowest kind wins.
	Every map[Kind]int
}

type queuedFault struct {
	kind  Kind
	scope Scope
}

// SetFaults replaces the fault configuration and restarts the Every count.
func (s *Server) SetFaults(f Faults) {
	f.Rate = maps.Clone(f.Rate)
	f.Every = maps.Clone(f.Every)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
	s.inScope = 0
}

// FailNext makes the next n requests in scope fail with kind, before any
// other fault rule is consulted.
func (s *Server) FailNext(n int, kind Kind, scope Scope) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failNext = append(s.failNext, queuedFault{kind: kind, scope: scope})
	}
}

// pickFault decides the fault for a request of class c. Callers hold s.mu.
func (s *Server) pickFault(c Class) (kind Kind, latency, retryAfter time.Duration) {
	f := s.faults
	retryAfter = f.RetryAfter
	for i, q := range s.failNext {
		if q.scope.match(c) {
			s.failNext = append(s.failNext[:i:i], s.failNext[i+1:]...)
			kind = q.kind
			break
		}
	}
	if !f.Only.match(c) {
		return kind, 0, retryAfter
	}
	latency = f.Latency
	s.inScope++
	if kind != KindNone {
		return kind, latency, retryAfter
	}
	for k := Kind(1); k < numKinds; k++ {
		if n := f.Every[k]; n > 0 && s.inScope%n == 0 {
			return k, latency, retryAfter
		}
	}
	if len(f.Rate) == 0 {
		return KindNone, latency, retryAfter
	}
	u := s.faultRand.Float64()
	cum := 0.0
	for k := Kind(1); k < numKinds; k++ {
		cum += f.Rate[k]
		if u < cum {
			return k, latency, retryAfter
		}
	}
	return KindNone, latency, retryAfter
}

// faultReply is the answer of a fault that answers without doing anything.
func faultReply(k Kind, retryAfter time.Duration) (reply, bool) {
	switch k {
	case Kind429RetryAfter:
		secs := int64(math.Ceil(retryAfter.Seconds()))
		if secs < 1 {
			secs = 1
		}
		rep := jsonError(http.StatusTooManyRequests, "too many requests")
		rep.header = http.Header{"Retry-After": {strconv.FormatInt(secs, 10)}}
		return rep, true
	case Kind429:
		return jsonError(http.StatusTooManyRequests, "too many requests"), true
	case Kind429Body:
		return reply{status: http.StatusOK, body: map[string]any{"error": map[string]any{"status-code": "429"}}}, true
	case Kind500:
		return jsonError(http.StatusInternalServerError, "internal error"), true
	case Kind502:
		return reply{status: http.StatusBadGateway, body: []byte("<html><title>502 Bad Gateway</title></html>")}, true
	case Kind503:
		return jsonError(http.StatusServiceUnavailable, "service unavailable"), true
	}
	return reply{}, false
}
