package fitbit

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"unicode"
)

// maxLine bounds one line of a line-oriented reader, so a binary file given
// by mistake cannot make a reader allocate without limit.
const maxLine = 1 << 20

// maxProblems bounds the per-record problems reported for one file: past it
// the file is almost certainly not what its name says.
const maxProblems = 50

var errLineTooLong = errors.New("line longer than 1 MiB")

// lineReader yields the lines of r without their line endings, counting them.
type lineReader struct {
	br   *bufio.Reader
	line int
	buf  []byte
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 64<<10)}
}

// next returns the next line; io.EOF after the last one.
func (l *lineReader) next() (string, error) {
	l.buf = l.buf[:0]
	for {
		chunk, err := l.br.ReadSlice('\n')
		l.buf = append(l.buf, chunk...)
		if len(l.buf) > maxLine {
			l.line++
			// Skip the rest of the line so the caller may go on.
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = l.br.ReadSlice('\n')
			}
			return "", errLineTooLong
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && len(l.buf) == 0 {
			return "", err
		}
		l.line++
		s := strings.TrimRight(string(l.buf), "\r\n")
		if l.line == 1 {
			s = strings.TrimPrefix(s, "\ufeff")
		}
		return s, nil
	}
}

// splitCSVLine splits one CSV line into fields. It is lenient: a quote in
// the middle of an unquoted field is kept as text, and a missing closing
// quote ends the field at the end of the line.
func splitCSVLine(line string) []string {
	var fields []string
	var b strings.Builder
	i := 0
	for {
		b.Reset()
		if i < len(line) && line[i] == '"' {
			i++
			for i < len(line) {
				c := line[i]
				if c == '"' {
					if i+1 < len(line) && line[i+1] == '"' {
						b.WriteByte('"')
						i += 2
						continue
					}
					i++
					break
				}
				b.WriteByte(c)
				i++
			}
			// Text after the closing quote up to the comma belongs to the field.
			for i < len(line) && line[i] != ',' {
				b.WriteByte(line[i])
				i++
			}
		} else {
			for i < len(line) && line[i] != ',' {
				b.WriteByte(line[i])
				i++
			}
		}
		fields = append(fields, b.String())
		if i >= len(line) {
			return fields
		}
		i++ // the comma
	}
}

// normHeader lower-cases a column name and turns runs of spaces,
// underscores, dashes and brackets into one space: "Amount_(ml)" → "amount ml".
func normHeader(s string) string {
	s = strings.TrimPrefix(strings.TrimSpace(s), "\ufeff")
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
			continue
		}
		space = true
	}
	return b.String()
}

// headerUnit finds a volume unit named inside a column name, e.g.
// "amount milliliters" or "water fl oz"; "" when none.
func headerUnit(norm string) string {
	words := strings.Fields(norm)
	for i, w := range words {
		if i+1 < len(words) {
			pair := w + " " + words[i+1]
			if _, ok := volumeFactor(pair); ok && (w == "fl" || w == "fluid") {
				return pair
			}
		}
		if _, ok := volumeFactor(w); ok {
			return w
		}
	}
	return ""
}

// quoteHeader renders a header for an error message.
func quoteHeader(fields []string) string {
	return `"` + strings.Join(fields, ",") + `"`
}
