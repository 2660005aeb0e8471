package state

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// decoder turns journal lines into events. A resume reads every line of the
// journal before the first request goes out, so the common shape of a line
// (the one Append writes) is decoded by hand, several times faster than
// encoding/json; any line it is not sure about (escapes, nulls, unknown or
// repeated keys, odd numbers) goes to encoding/json, whose result is the
// reference: the fast path must agree with it on every line it accepts
// (FuzzDecodeLine checks this).
//
// The decoder also shares strings that repeat from line to line (dates, op
// ids), which keeps the memory of a large journal's events small.
type decoder struct {
	last [nSlots]string
}

// Slots of the decoder's last-value cache.
const (
	slotDate = iota
	slotOp
	slotOther
	nSlots
)

func newDecoder() *decoder {
	return &decoder{}
}

// decode decodes one line (without its newline).
func (dc *decoder) decode(line []byte) (Event, error) {
	if ev, ok := dc.fast(line); ok {
		return ev, nil
	}
	var ev Event
	if err := json.Unmarshal(line, &ev); err != nil {
		return Event{}, err
	}
	return ev, nil
}

// Keys of Event, as bit positions in a seen-mask.
const (
	kT = iota
	kVersion
	kFingerprint
	kAccount
	kAccountName
	kCreated
	kRun
	kKind
	kDate
	kBase
	kMode
	kOps
	kOp
	kTotal
	kRef
	kWant
	kReason
	kErr
	kAt
)

func eventKey(k []byte) int {
	switch string(k) {
	case "t":
		return kT
	case "v":
		return kVersion
	case "fp":
		return kFingerprint
	case "account":
		return kAccount
	case "name":
		return kAccountName
	case "created":
		return kCreated
	case "run":
		return kRun
	case "kind":
		return kKind
	case "date":
		return kDate
	case "base":
		return kBase
	case "mode":
		return kMode
	case "ops":
		return kOps
	case "op":
		return kOp
	case "total":
		return kTotal
	case "ref":
		return kRef
	case "want":
		return kWant
	case "reason":
		return kReason
	case "err":
		return kErr
	case "at":
		return kAt
	}
	return -1
}

// Keys of Op.
const (
	okID = iota
	okAmount
	okTime
	okFat
	okRef
	okBMI
	okGMT
	okSport
)

func opKey(k []byte) int {
	switch string(k) {
	case "id":
		return okID
	case "amount":
		return okAmount
	case "time":
		return okTime
	case "fat":
		return okFat
	case "ref":
		return okRef
	case "bmi":
		return okBMI
	case "gmt":
		return okGMT
	case "sport":
		return okSport
	}
	return -1
}

// scanner walks one line. Every method reports false when the input is not
// what the fast path handles; the caller then falls back to encoding/json.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// eat consumes c after optional white space.
func (s *scanner) eat(c byte) bool {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// str reads a string without escapes and returns its bytes (aliasing the line).
func (s *scanner) str() ([]byte, bool) {
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, false
	}
	rest := s.b[s.i+1:]
	q := bytes.IndexByte(rest, '"')
	if q < 0 {
		return nil, false
	}
	v := rest[:q]
	var or byte
	for _, c := range v {
		if c < 0x20 || c == '\\' {
			// A backslash is an escape (and may hide the real end quote).
			return nil, false
		}
		or |= c
	}
	if or >= utf8.RuneSelf && !utf8.Valid(v) {
		// encoding/json replaces invalid UTF-8 with U+FFFD.
		return nil, false
	}
	s.i += 1 + q + 1
	return v, true
}

// number reads a JSON number and returns its text.
func (s *scanner) number() ([]byte, bool) {
	s.ws()
	b, i := s.b, s.i
	start := i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return nil, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			return nil, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			return nil, false
		}
	}
	s.i = i
	return b[start:i], true
}

func (s *scanner) float() (float64, bool) {
	n, ok := s.number()
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		return 0, false
	}
	return f, true
}

func (s *scanner) int() (int, bool) {
	n, ok := s.number()
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseInt(string(n), 10, strconv.IntSize)
	if err != nil {
		return 0, false
	}
	return int(v), true
}

// array walks a JSON array, calling elem for each element; an empty array
// yields n == 0.
func (s *scanner) array(elem func() bool) (n int, ok bool) {
	if !s.eat('[') {
		return 0, false
	}
	if s.eat(']') {
		return 0, true
	}
	for {
		if !elem() {
			return 0, false
		}
		n++
		if s.eat(',') {
			continue
		}
		if s.eat(']') {
			return n, true
		}
		return 0, false
	}
}

// object walks a JSON object, calling field for each key (the scanner is
// then at the value).
func (s *scanner) object(field func(key []byte) bool) bool {
	if !s.eat('{') {
		return false
	}
	if s.eat('}') {
		return true
	}
	for {
		k, ok := s.str()
		if !ok || !s.eat(':') || !field(k) {
			return false
		}
		if s.eat(',') {
			continue
		}
		return s.eat('}')
	}
}

// text returns a string value. Known constant values are shared, and so
// is a value equal to the last one seen in the same slot: the lines of a
// day repeat its date, and a done line repeats the op id of its sent line.
// That keeps a large journal's memory down without the cost of a map.
func (dc *decoder) text(s *scanner, slot int) (string, bool) {
	v, ok := s.str()
	if !ok {
		return "", false
	}
	switch string(v) {
	case "":
		return "", true
	case TypeHeader:
		return TypeHeader, true
	case TypeBegin:
		return TypeBegin, true
	case TypeSent:
		return TypeSent, true
	case TypeDone:
		return TypeDone, true
	case TypeNotSent:
		return TypeNotSent, true
	case TypeFailed:
		return TypeFailed, true
	case TypeSkip:
		return TypeSkip, true
	case TypeConflict:
		return TypeConflict, true
	case TypeProcessing:
		return TypeProcessing, true
	case "import":
		return "import", true
	case "undo":
		return "undo", true
	case "water":
		return "water", true
	case "weight":
		return "weight", true
	case "add":
		return "add", true
	case "top-up":
		return "top-up", true
	case "existing":
		return "existing", true
	}
	if slot < 0 {
		return string(v), true
	}
	if last := dc.last[slot]; last == string(v) {
		return last, true
	}
	t := string(v)
	dc.last[slot] = t
	return t, true
}

// fast decodes the shape Append writes; ok is false when encoding/json must
// decide.
func (dc *decoder) fast(line []byte) (ev Event, ok bool) {
	s := &scanner{b: line}
	ok = s.fields(eventKey, func(k int) bool {
		var ok bool
		switch k {
		case kT:
			ev.T, ok = dc.text(s, -1)
		case kVersion:
			ev.Version, ok = s.int()
		case kFingerprint:
			ev.Fingerprint, ok = dc.text(s, -1)
		case kAccount:
			ev.Account, ok = dc.text(s, -1)
		case kAccountName:
			ev.AccountName, ok = dc.text(s, -1)
		case kCreated:
			ev.Created, ok = dc.text(s, -1)
		case kRun:
			ev.Run, ok = dc.text(s, slotOther)
		case kKind:
			ev.Kind, ok = dc.text(s, slotOther)
		case kDate:
			ev.Date, ok = dc.text(s, slotDate)
		case kBase:
			ev.Base, ok = s.floatPtr()
		case kMode:
			ev.Mode, ok = dc.text(s, slotOther)
		case kOps:
			ev.Ops, ok = dc.ops(s)
		case kOp:
			ev.Op, ok = dc.text(s, slotOp)
		case kTotal:
			ev.Total, ok = s.floatPtr()
		case kRef:
			ev.Ref, ok = dc.text(s, -1)
		case kWant:
			ev.Want = []float64{}
			_, ok = s.array(func() bool {
				f, ok := s.float()
				ev.Want = append(ev.Want, f)
				return ok
			})
		case kReason:
			ev.Reason, ok = dc.text(s, slotOther)
		case kErr:
			ev.Err, ok = dc.text(s, -1)
		case kAt:
			ev.At, ok = dc.text(s, -1)
		}
		return ok
	})
	if !ok {
		return Event{}, false
	}
	s.ws()
	if s.i != len(line) {
		return Event{}, false
	}
	return ev, true
}

func (dc *decoder) ops(s *scanner) ([]Op, bool) {
	ops := []Op{}
	_, ok := s.array(func() bool {
		var op Op
		ok := s.fields(opKey, func(k int) bool {
			var ok bool
			switch k {
			case okID:
				op.ID, ok = dc.text(s, -1)
			case okAmount:
				op.Amount, ok = s.float()
			case okTime:
				op.Time, ok = dc.text(s, -1)
			case okFat:
				op.Fat, ok = s.floatPtr()
			case okRef:
				op.Ref, ok = dc.text(s, -1)
			case okBMI:
				op.BMI, ok = s.floatPtr()
			case okGMT:
				op.GMT, ok = dc.text(s, -1)
			case okSport:
				op.Sport, ok = dc.text(s, slotOther)
			}
			return ok
		})
		ops = append(ops, op)
		return ok
	})
	return ops, ok
}

// fields reads an object whose keys keyOf knows (a bit index, or -1),
// each at most once, handing each value to field; false on an unknown or
// repeated key, so that encoding/json decides.
func (s *scanner) fields(keyOf func([]byte) int, field func(k int) bool) bool {
	var seen uint32
	return s.object(func(key []byte) bool {
		k := keyOf(key)
		if k < 0 || seen&(1<<k) != 0 {
			return false
		}
		seen |= 1 << k
		return field(k)
	})
}

// floatPtr reads a number into a new float64.
func (s *scanner) floatPtr() (*float64, bool) {
	f, ok := s.float()
	return &f, ok
}
