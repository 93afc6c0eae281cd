package review

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// ClaimLine is one line of a claims file (JSON Lines): a claim with its
// sources, and optionally a first note and flag.
type ClaimLine struct {
	Report     string       `json:"report"`
	Edition    string       `json:"edition"`
	Quote      string       `json:"quote"`
	Statement  string       `json:"statement"`
	Topic      string       `json:"topic"`
	Confidence string       `json:"confidence"`
	Hedge      string       `json:"hedge"`
	Prefix     string       `json:"prefix"`
	Suffix     string       `json:"suffix"`
	Sources    []LineSource `json:"sources"`
	Note       string       `json:"note"`
	Flag       *LineFlag    `json:"flag"`
}

// LineSource is a source cited on a claims-file line.
type LineSource struct {
	Title       string `json:"title"`
	Publisher   string `json:"publisher"`
	URL         string `json:"url"`
	Published   string `json:"published"`
	Accessed    string `json:"accessed"`
	Reliability string `json:"reliability"`
	Credibility int    `json:"credibility"`
	Excerpt     string `json:"excerpt"`
	Stance      string `json:"stance"`
}

// LineFlag is a flag raised on a claims-file line.
type LineFlag struct {
	Kind   string `json:"kind"`
	Reason string `json:"reason"`
}

// LineError is what is wrong with one line of a file.
type LineError struct {
	Line int `json:"line"`
	// Column names the column at fault in a sheet, when there is one.
	Column string `json:"column,omitempty"`
	Reason string `json:"reason"`
}

func (e LineError) Error() string {
	if e.Column != "" {
		return fmt.Sprintf("line %d, column %q: %s", e.Line, e.Column, e.Reason)
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
}

// LineErrors lists every bad line of a file; a file with any is imported
// not at all.
type LineErrors []LineError

func (es LineErrors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d bad line(s), nothing imported:", len(es))
	for _, e := range es {
		b.WriteString("\n  ")
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap makes LineErrors an EINVALID for ErrorCode.
func (es LineErrors) Unwrap() error { return Errorf(EINVALID, "%s", es.Error()) }

// ParsedClaim is a valid claims-file line turned into requests.
type ParsedClaim struct {
	Line  int
	Claim NewClaim
	Note  string
	Flag  *NewFlag
}

// MaxClaimLine bounds one line of a claims file.
const MaxClaimLine = 1 << 20

// ReadClaimFile reads a claims file and checks each line on its own. It
// returns every valid line and every bad one; blank lines are skipped.
// Unknown fields, a field given twice and bytes that are not UTF-8 are
// errors, so that nothing is silently dropped or changed.
func ReadClaimFile(r io.Reader) ([]ParsedClaim, LineErrors) {
	var out []ParsedClaim
	var errs LineErrors
	br := bufio.NewReaderSize(r, 64*1024)
	for n := 1; ; n++ {
		raw, read, tooLong, err := readClaimLine(br)
		if err != nil && !errors.Is(err, io.EOF) {
			errs = append(errs, LineError{Line: n, Reason: err.Error()})
			break
		}
		if !read {
			break
		}
		// An over-long line is reported and skipped, so that the lines
		// after it are still checked.
		if tooLong {
			errs = append(errs, LineError{Line: n, Reason: fmt.Sprintf("line longer than %d bytes", MaxClaimLine)})
		} else if line := bytes.TrimSpace(raw); len(line) > 0 {
			p, err := parseClaimLine(line)
			if err != nil {
				errs = append(errs, LineError{Line: n, Reason: err.Error()})
			} else {
				p.Line = n
				out = append(out, p)
			}
		}
		if err != nil {
			break
		}
	}
	if len(out) == 0 && len(errs) == 0 {
		errs = append(errs, LineError{Line: 1, Reason: "the file holds no claims"})
	}
	return out, errs
}

// readClaimLine reads one line, without its line ending, keeping at most
// MaxClaimLine bytes of it in memory: a longer line is read to its end and
// reported as tooLong. read is false at the end of the input.
func readClaimLine(br *bufio.Reader) (line []byte, read, tooLong bool, err error) {
	for {
		frag, err := br.ReadSlice('\n')
		read = read || len(frag) > 0
		if !tooLong {
			if len(line)+len(frag) > MaxClaimLine+2 { // room for "\r\n"
				tooLong, line = true, nil
			} else {
				line = append(line, frag...)
			}
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			line = bytes.TrimRight(line, "\r\n")
			if len(line) > MaxClaimLine {
				tooLong, line = true, nil
			}
			return line, read, tooLong, err
		}
	}
}

func parseClaimLine(line []byte) (ParsedClaim, error) {
	if !utf8.Valid(line) {
		i := 0
		for i < len(line) {
			r, size := utf8.DecodeRune(line[i:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			i += size
		}
		return ParsedClaim{}, fmt.Errorf("not UTF-8 text (byte %d): save the file as UTF-8", i+1)
	}
	if key, ok := duplicateKey(line); ok {
		return ParsedClaim{}, fmt.Errorf("the field %q is given twice", key)
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	var cl ClaimLine
	if err := dec.Decode(&cl); err != nil {
		return ParsedClaim{}, fmt.Errorf("not a JSON claim: %s", jsonReason(err))
	}
	// dec.More is false before a stray ']' or '}', so look at the rest.
	if len(bytes.TrimSpace(line[dec.InputOffset():])) > 0 {
		return ParsedClaim{}, errors.New("more than one JSON value on the line")
	}
	if cl.Report == "" {
		return ParsedClaim{}, errors.New(`"report" is required`)
	}
	conf, err := ParseConfidence(cl.Confidence)
	if err != nil {
		return ParsedClaim{}, errors.New(ErrorMessage(err))
	}
	n := NewClaim{Report: cl.Report, Edition: cl.Edition, Quote: cl.Quote, Prefix: cl.Prefix, Suffix: cl.Suffix,
		Statement: cl.Statement, Topic: cl.Topic, Confidence: conf, Hedge: cl.Hedge, Evidence: []NewEvidence{}}
	for i, s := range cl.Sources {
		stance := Stance(s.Stance)
		if stance == "" {
			stance = StanceSupports
		}
		rel, cred := s.Reliability, s.Credibility
		if rel == "" {
			rel = "F"
		}
		if cred == 0 {
			cred = 6
		}
		ev := NewEvidence{Source: NewSource{Title: s.Title, Publisher: s.Publisher, URL: s.URL, Published: s.Published,
			Accessed: s.Accessed, Reliability: rel}, Credibility: cred, Excerpt: s.Excerpt, Stance: stance}
		if err := ev.Validate(); err != nil {
			return ParsedClaim{}, fmt.Errorf("source %d: %s", i+1, ErrorMessage(err))
		}
		n.Evidence = append(n.Evidence, ev)
	}
	if err := n.Validate(); err != nil {
		return ParsedClaim{}, errors.New(ErrorMessage(err))
	}
	p := ParsedClaim{Claim: n, Note: cl.Note}
	if cl.Note != "" {
		if err := (NewNote{Body: cl.Note}).Validate(); err != nil {
			return ParsedClaim{}, errors.New(ErrorMessage(err))
		}
	}
	if cl.Flag != nil {
		f := NewFlag{Kind: FlagKind(cl.Flag.Kind), Reason: cl.Flag.Reason}
		if err := f.Validate(); err != nil {
			return ParsedClaim{}, fmt.Errorf("flag: %s", ErrorMessage(err))
		}
		p.Flag = &f
	}
	return p, nil
}

// duplicateKey returns the first key that an object of the JSON value in
// line names twice (encoding/json would keep the last silently); ok is
// false when there is none, or when the line is not JSON (parseClaimLine
// says why).
func duplicateKey(line []byte) (key string, ok bool) {
	type frame struct {
		object, wantKey bool
		keys            map[string]bool
	}
	var stack []frame
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		top := len(stack) - 1
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				stack = append(stack, frame{object: t == '{', wantKey: t == '{', keys: map[string]bool{}})
				continue
			case '}', ']':
				stack = stack[:top]
				top--
			}
		case string:
			if top >= 0 && stack[top].object && stack[top].wantKey {
				if stack[top].keys[t] {
					return t, true
				}
				stack[top].keys[t] = true
				stack[top].wantKey = false
				continue
			}
		}
		// A value ended: its object wants a key next.
		if top >= 0 && stack[top].object {
			stack[top].wantKey = true
		}
		if len(stack) == 0 {
			return "", false
		}
	}
}

func jsonReason(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("%s at byte %d", se.Error(), se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("field %q must be %s, not %s", te.Field, te.Type, te.Value)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the line ends before the JSON does"
	}
	return err.Error()
}
