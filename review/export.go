package review

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"golang.org/x/mod/sumdb/tlog"
)

// ExportFormat names the JSONL history export format in its header.
const ExportFormat = "vetted-history-v1"

// Header is the first line of a JSONL history export. A filtered export is
// checked line by line only, and verify says so.
type Header struct {
	Format   string `json:"format"`
	Filtered bool   `json:"filtered"`
	Filter   string `json:"filter,omitempty"` // the filter, for the reader
}

// Trailer is the last line of a JSONL history export. It lets verify tell a
// complete file from one cut short at a line boundary; a signed checkpoint
// (or a head hash written down elsewhere) protects against a forger who
// also rewrites the trailer.
type Trailer struct {
	Events   int64  `json:"events"`
	HeadSeq  int64  `json:"head_seq"`
	HeadHash string `json:"head_hash"`
}

// exportLine is one line of a JSONL export: header, event or trailer.
type exportLine struct {
	Event
	Header  *Header  `json:"header,omitempty"`
	Trailer *Trailer `json:"trailer,omitempty"`
}

// JSONLWriter writes a verifiable history export, one event per line.
type JSONLWriter struct {
	w   *bufio.Writer
	enc *json.Encoder
	t   Trailer
}

// NewJSONLWriter starts an export and writes its header; filter describes
// a filtered export ("" for the whole history, which verify then checks as
// one chain).
func NewJSONLWriter(w io.Writer, filter string) (*JSONLWriter, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	x := &JSONLWriter{w: bw, enc: enc}
	err := enc.Encode(map[string]Header{"header": {Format: ExportFormat, Filtered: filter != "", Filter: filter}})
	return x, err
}

// Write adds one event.
func (x *JSONLWriter) Write(e Event) error {
	x.t.Events++
	x.t.HeadSeq, x.t.HeadHash = e.Seq, e.Hash
	return x.enc.Encode(e)
}

// Close writes the trailer and flushes.
func (x *JSONLWriter) Close() error {
	if err := x.enc.Encode(map[string]Trailer{"trailer": x.t}); err != nil {
		return err
	}
	return x.w.Flush()
}

// VerifyResult is what verify established about an export.
type VerifyResult struct {
	Events int64
	Head   ChainHead
	// Continuity is true when the file is one unbroken chain from the first
	// event; false for a filtered export, whose lines were checked one by one.
	Continuity bool
	Filter     string
	// Contains reports, per hash asked for, whether an event with that hash
	// and sequence number is in the file (for checkpoints).
	Contains map[string]bool
	// Tree is the Merkle tree over the file's events, and Roots the roots
	// of the trees of the sizes asked for that the file reaches; both only
	// when the file is one chain from the first event.
	Tree  TreeHead
	Roots map[int64]tlog.Hash
}

// VerifyOptions says what else to report while verifying.
type VerifyOptions struct {
	Heads     []ChainHead // report whether the file contains these events
	TreeSizes []int64     // report the roots of the trees of these sizes
}

// MaxExportLine bounds one line of an export.
const MaxExportLine = 16 << 20

// VerifyJSONL checks an export in constant memory: every hash is
// recomputed from its line's fields; in an unfiltered export every link and
// sequence number is checked from the first event, and the trailer must
// match the last event. want lists heads (such as a signed checkpoint's)
// whose presence to report. The error names the first bad line.
func VerifyJSONL(r io.Reader, want ...ChainHead) (VerifyResult, error) {
	return VerifyJSONLWith(r, VerifyOptions{Heads: want})
}

// VerifyJSONLWith is VerifyJSONL reporting what opts asks for too.
func VerifyJSONLWith(r io.Reader, opts VerifyOptions) (VerifyResult, error) {
	want := opts.Heads
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), MaxExportLine)
	res := VerifyResult{Contains: map[string]bool{}, Roots: map[int64]tlog.Hash{}}
	var v Verifier
	var tree TreeBuilder
	var header *Header
	var trailer *Trailer
	line := 0
	fail := func(reason string, args ...any) (VerifyResult, error) {
		return VerifyResult{}, &VerifyError{Line: line, Reason: fmt.Sprintf(reason, args...)}
	}
	for sc.Scan() {
		line++
		if trailer != nil {
			return fail("text after the trailer line")
		}
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		var l exportLine
		if err := dec.Decode(&l); err != nil {
			return fail("not a valid export line: %v", err)
		}
		// dec.More is false before a stray ']' or '}', so look at the rest.
		if len(bytes.TrimSpace(sc.Bytes()[dec.InputOffset():])) > 0 {
			return fail("more than one JSON value on the line")
		}
		// JSON decoding forgives key case and escapes; the export does not:
		// each line must be exactly what vetted writes for its values, so
		// no byte of the file can change unnoticed.
		if !bytes.Equal(sc.Bytes(), canonicalLine(l)) {
			return fail("the line is not in the export's exact form (a key, escape or spacing was changed)")
		}
		switch {
		case line == 1:
			if l.Header == nil || l.Trailer != nil || l.Event != (Event{}) {
				return fail("the first line must be the export header")
			}
			if l.Header.Format != ExportFormat {
				return fail("unknown export format %q (this vetted reads %s)", l.Header.Format, ExportFormat)
			}
			header = l.Header
			v.Chain = !header.Filtered
		case l.Header != nil:
			return fail("a second header line")
		case l.Trailer != nil:
			if l.Event != (Event{}) {
				return fail("the trailer line carries event fields")
			}
			trailer = l.Trailer
		default:
			if err := v.Add(l.Event); err != nil {
				var ve *VerifyError
				if errors.As(err, &ve) {
					ve.Line = line
				}
				return VerifyResult{}, err
			}
			for _, w := range want {
				if w.Seq == l.Seq && w.Hash == l.Hash {
					res.Contains[w.Hash] = true
				}
			}
			if v.Chain {
				if err := tree.Add(l.Hash); err != nil {
					return VerifyResult{}, err
				}
				if slices.Contains(opts.TreeSizes, tree.Size()) {
					root, err := tree.Root()
					if err != nil {
						return VerifyResult{}, err
					}
					res.Roots[tree.Size()] = root
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		line++
		if errors.Is(err, bufio.ErrTooLong) {
			return fail("line longer than %d bytes", MaxExportLine)
		}
		return VerifyResult{}, err
	}
	if header == nil {
		line = 1
		return fail("the file is empty: no export header")
	}
	if trailer == nil {
		line++
		return fail("no trailer line: the file is truncated")
	}
	if trailer.Events != v.Count || trailer.HeadSeq != v.Head.Seq || trailer.HeadHash != v.Head.Hash {
		return fail("the trailer says %d events ending at seq %d, the file has %d ending at seq %d: lines were dropped or added",
			trailer.Events, trailer.HeadSeq, v.Count, v.Head.Seq)
	}
	res.Events, res.Head, res.Continuity, res.Filter = v.Count, v.Head, v.Chain, header.Filter
	if v.Chain {
		root, err := tree.Root()
		if err != nil {
			return VerifyResult{}, err
		}
		res.Tree = TreeHead{Size: tree.Size(), Hash: root}
	}
	return res, nil
}

// canonicalLine is how JSONLWriter writes l, without the newline.
func canonicalLine(l exportLine) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	var v any = l.Event
	switch {
	case l.Header != nil:
		v = map[string]Header{"header": *l.Header}
	case l.Trailer != nil:
		v = map[string]Trailer{"trailer": *l.Trailer}
	}
	if err := enc.Encode(v); err != nil {
		return nil
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}
