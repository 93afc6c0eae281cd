package review

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"slices"

	"golang.org/x/mod/sumdb/tlog"
)

// ExportFormat names the JSONL history export format in its header.
// ExportFormatV1 is the format before filtered exports listed what they
// omit and the trailer carried a digest; verify still reads whole-history
// v1 exports.
const (
	ExportFormat   = "vetted-history-v2"
	ExportFormatV1 = "vetted-history-v1"
)

// Header is the first line of a JSONL history export.
type Header struct {
	Format   string `json:"format"`
	Filtered bool   `json:"filtered"`
	Filter   string `json:"filter,omitempty"` // the filter, for the reader
}

// Omitted is a line of a filtered export standing for events the filter
// left out: their sequence numbers from From on and their hashes, so the
// chain and the tree over the whole history can still be recomputed from
// the file, and no event can be dropped without it showing.
type Omitted struct {
	From   int64    `json:"from"`
	Hashes []string `json:"hashes"`
}

// maxOmittedLine bounds the hashes on one omitted line (about 66 KB).
const maxOmittedLine = 1000

// Trailer is the last line of a JSONL history export: how many event lines
// and omitted hashes the file holds, the chain's head (the last event or
// omitted hash), and the SHA-256 of every byte before the trailer line, so
// no line (the header and its filter included) can change unnoticed. A
// signed checkpoint protects against a forger who also rewrites the
// trailer.
type Trailer struct {
	Events   int64  `json:"events"`
	Omitted  int64  `json:"omitted,omitempty"`
	HeadSeq  int64  `json:"head_seq"`
	HeadHash string `json:"head_hash"`
	Digest   string `json:"digest,omitempty"` // v2: required
}

// exportLine is one line of a JSONL export: header, event, omitted events
// or trailer.
type exportLine struct {
	Event
	Header  *Header  `json:"header,omitempty"`
	Omitted *Omitted `json:"omitted,omitempty"`
	Trailer *Trailer `json:"trailer,omitempty"`
}

// JSONLWriter writes a verifiable history export, one event per line.
type JSONLWriter struct {
	w        *bufio.Writer
	sum      hash.Hash
	enc      *json.Encoder // to w and sum
	t        Trailer
	filtered bool
	run      Omitted // omitted events not yet written
}

// NewJSONLWriter starts an export and writes its header; filter describes
// a filtered export ("" for the whole history).
func NewJSONLWriter(w io.Writer, filter string) (*JSONLWriter, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	sum := sha256.New()
	enc := json.NewEncoder(io.MultiWriter(bw, sum))
	enc.SetEscapeHTML(false)
	x := &JSONLWriter{w: bw, sum: sum, enc: enc, filtered: filter != ""}
	err := enc.Encode(map[string]Header{"header": {Format: ExportFormat, Filtered: filter != "", Filter: filter}})
	return x, err
}

// Write adds one event.
func (x *JSONLWriter) Write(e Event) error {
	if err := x.flushRun(); err != nil {
		return err
	}
	x.t.Events++
	x.t.HeadSeq, x.t.HeadHash = e.Seq, e.Hash
	return x.enc.Encode(e)
}

// Omit records an event the filter left out, by its seq and hash.
func (x *JSONLWriter) Omit(seq int64, hash string) error {
	if !x.filtered {
		return fmt.Errorf("review: export: an unfiltered export omits nothing (seq %d)", seq)
	}
	if len(x.run.Hashes) == maxOmittedLine {
		if err := x.flushRun(); err != nil {
			return err
		}
	}
	if len(x.run.Hashes) == 0 {
		x.run.From = seq
	}
	x.run.Hashes = append(x.run.Hashes, hash)
	x.t.Omitted++
	x.t.HeadSeq, x.t.HeadHash = seq, hash
	return nil
}

func (x *JSONLWriter) flushRun() error {
	if len(x.run.Hashes) == 0 {
		return nil
	}
	err := x.enc.Encode(map[string]Omitted{"omitted": x.run})
	x.run = Omitted{}
	return err
}

// Close writes the trailer and flushes.
func (x *JSONLWriter) Close() error {
	if err := x.flushRun(); err != nil {
		return err
	}
	x.t.Digest = hex.EncodeToString(x.sum.Sum(nil))
	enc := json.NewEncoder(x.w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(map[string]Trailer{"trailer": x.t}); err != nil {
		return err
	}
	return x.w.Flush()
}

// ExportHistory writes the JSONL export of the events f selects: the whole
// history when f filters nothing, else the events selected and, in their
// places, the hashes of those left out.
func ExportHistory(ctx context.Context, h HistoryService, f EventFilter, filter string, w io.Writer) error {
	if f.Filtered() && filter == "" {
		return fmt.Errorf("review: export: a filtered export must name its filter")
	}
	if !f.Filtered() {
		filter = ""
	}
	jw, err := NewJSONLWriter(w, filter)
	if err != nil {
		return err
	}
	err = h.EachExportEvent(ctx, f, func(e Event, selected bool) error {
		if selected {
			return jw.Write(e)
		}
		return jw.Omit(e.Seq, e.Hash)
	})
	if err != nil {
		return err
	}
	return jw.Close()
}

// VerifyResult is what verify established about an export.
type VerifyResult struct {
	Format string
	Events int64 // event lines
	// Omitted is how many events a filtered export left out, listed by
	// their hashes.
	Omitted int64
	Head    ChainHead // the chain's last event, shown or omitted (Time "" if omitted)
	// Continuity is true when the file accounts for every event from the
	// first, shown or omitted: always in this format; in a v1 export only
	// when it is whole.
	Continuity bool
	Filtered   bool
	Filter     string
	// Contains reports, per hash asked for, whether an event with that hash
	// and sequence number is in the file (for checkpoints).
	Contains map[string]bool
	// Tree is the Merkle tree over the file's events, and Roots the roots
	// of the trees of the sizes asked for that the file reaches.
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

// VerifyJSONL checks an export in constant memory: every line must be in
// the exact form vetted writes; every event's hash is recomputed from its
// fields; every event from seq 1 is accounted for, shown or (filtered)
// omitted by its hash, each linked to the one before; the trailer's counts
// and head match, and its digest is the SHA-256 of every byte before it.
// want lists heads (such as a signed checkpoint's) whose presence to
// report. The error names the first bad line and the check it failed.
func VerifyJSONL(r io.Reader, want ...ChainHead) (VerifyResult, error) {
	return VerifyJSONLWith(r, VerifyOptions{Heads: want})
}

// scanLines splits at "\n" only, keeping any "\r" (which no export line
// holds, so it is refused rather than forgiven), and marks a last line
// without its newline.
func scanLines(noFinalNewline *bool) bufio.SplitFunc {
	return func(data []byte, atEOF bool) (int, []byte, error) {
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			return i + 1, data[:i], nil
		}
		if atEOF && len(data) > 0 {
			*noFinalNewline = true
			return len(data), data, nil
		}
		return 0, nil, nil
	}
}

// VerifyJSONLWith is VerifyJSONL reporting what opts asks for too.
func VerifyJSONLWith(r io.Reader, opts VerifyOptions) (VerifyResult, error) {
	var noFinalNewline bool
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), MaxExportLine)
	sc.Split(scanLines(&noFinalNewline))
	res := VerifyResult{Contains: map[string]bool{}, Roots: map[int64]tlog.Hash{}}
	v := Verifier{Chain: true}
	var tree TreeBuilder
	var header *Header
	var trailer *Trailer
	sum := sha256.New()
	var digest string
	var scratch []byte // parseEventLine's
	line := 0
	fail := func(check, reason string, args ...any) (VerifyResult, error) {
		return VerifyResult{}, &VerifyError{Line: line, Check: check, Reason: fmt.Sprintf(reason, args...)}
	}
	addLeaf := func(hash string) error {
		if !v.Chain {
			return nil
		}
		if err := tree.Add(hash); err != nil {
			return err
		}
		if slices.Contains(opts.TreeSizes, tree.Size()) {
			root, err := tree.Root()
			if err != nil {
				return err
			}
			res.Roots[tree.Size()] = root
		}
		return nil
	}
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if trailer != nil {
			return fail("end", "text after the trailer line")
		}
		var l exportLine
		var ok bool
		// An event line already in the exact form takes the fast path
		// (eventline.go), which decodes it to what the general path would;
		// any other line, valid or not, takes the general path.
		if scratch, ok = parseEventLine(b, &l.Event, scratch); !ok {
			var sl exportLine // escapes: on the heap only here
			if err := decodeExportLine(b, &sl); err != nil {
				return fail("line-form", "%s", err)
			}
			l = sl
		}
		kinds := 0
		for _, is := range []bool{l.Header != nil, l.Omitted != nil, l.Trailer != nil, l.Event != (Event{})} {
			if is {
				kinds++
			}
		}
		if kinds != 1 {
			return fail("line-form", "a line must be one header, event, omitted or trailer object")
		}
		if l.Trailer == nil {
			sum.Write(b)
			sum.Write([]byte{'\n'})
		} else {
			digest = hex.EncodeToString(sum.Sum(nil))
		}
		switch {
		case line == 1:
			if l.Header == nil {
				return fail("header", "the first line must be the export header")
			}
			h := l.Header
			switch {
			case h.Format == ExportFormatV1 && h.Filtered:
				return fail("filtered-v1", "a filtered export in the old format %s does not list what it left out, so nothing shows that no event was dropped: export it again with this vetted", ExportFormatV1)
			case h.Format != ExportFormat && h.Format != ExportFormatV1:
				return fail("header", "unknown export format %q (this vetted reads %s and whole %s exports)", h.Format, ExportFormat, ExportFormatV1)
			case h.Filtered != (h.Filter != ""):
				return fail("header", "the header must say filtered exactly when it names a filter")
			}
			header = h
		case l.Header != nil:
			return fail("header", "a second header line")
		case l.Trailer != nil:
			trailer = l.Trailer
		case l.Omitted != nil:
			if !header.Filtered {
				return fail("omitted", "an unfiltered export cannot omit events")
			}
			o := l.Omitted
			if len(o.Hashes) == 0 || len(o.Hashes) > maxOmittedLine {
				return fail("omitted", "an omitted line lists 1 to %d hashes", maxOmittedLine)
			}
			if o.From != v.Head.Seq+1 {
				return fail("seq", "expected seq %d, the omitted events start at %d: events are missing or out of order", v.Head.Seq+1, o.From)
			}
			for i, h := range o.Hashes {
				if !isHex64(h) {
					return fail("omitted", "omitted hash %d is not 64 lowercase hex digits", i+1)
				}
				v.skip(o.From+int64(i), h)
				res.Omitted++
				for _, w := range opts.Heads {
					if w.Seq == o.From+int64(i) && w.Hash == h {
						res.Contains[w.Hash] = true
					}
				}
				if err := addLeaf(h); err != nil {
					return VerifyResult{}, err
				}
			}
		default:
			if err := v.Add(l.Event); err != nil {
				var ve *VerifyError
				if errors.As(err, &ve) {
					ve.Line = line
				}
				return VerifyResult{}, err
			}
			for _, w := range opts.Heads {
				if w.Seq == l.Seq && w.Hash == l.Hash {
					res.Contains[w.Hash] = true
				}
			}
			if err := addLeaf(l.Hash); err != nil {
				return VerifyResult{}, err
			}
		}
	}
	if err := sc.Err(); err != nil {
		line++
		if errors.Is(err, bufio.ErrTooLong) {
			return fail("line-form", "line longer than %d bytes", MaxExportLine)
		}
		return VerifyResult{}, err
	}
	if header == nil {
		line = 1
		return fail("header", "the file is empty: no export header")
	}
	if trailer == nil {
		line++
		return fail("trailer", "no trailer line: the file is truncated")
	}
	if noFinalNewline {
		return fail("end", "the file does not end with a newline after the trailer: it was cut or edited")
	}
	if trailer.Events != v.Count || trailer.Omitted != res.Omitted || trailer.HeadSeq != v.Head.Seq || trailer.HeadHash != v.Head.Hash {
		return fail("trailer", "the trailer says %d events and %d omitted ending at seq %d, the file has %d and %d ending at seq %d: lines were dropped or added, or the counts edited",
			trailer.Events, trailer.Omitted, trailer.HeadSeq, v.Count, res.Omitted, v.Head.Seq)
	}
	switch {
	case header.Format == ExportFormatV1 && trailer.Digest != "":
		return fail("trailer", "a %s trailer has no digest", ExportFormatV1)
	case header.Format == ExportFormat && trailer.Digest != digest:
		return fail("digest", "the trailer's digest is not the SHA-256 of the lines before it: a line (the header and its filter included) was changed, added, dropped or moved")
	}
	res.Format, res.Events, res.Head, res.Continuity, res.Filtered, res.Filter = header.Format, v.Count, v.Head, v.Chain, header.Filtered, header.Filter
	if v.Chain {
		root, err := tree.Root()
		if err != nil {
			return VerifyResult{}, err
		}
		res.Tree = TreeHead{Size: tree.Size(), Hash: root}
	}
	return res, nil
}

// decodeExportLine decodes b into l if it is a valid export line in
// exactly the form vetted writes for its values; the error says why not.
func decodeExportLine(b []byte, l *exportLine) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(l); err != nil {
		return fmt.Errorf("not a valid export line: %v", err)
	}
	// dec.More is false before a stray ']' or '}', so look at the rest.
	if len(bytes.TrimSpace(b[dec.InputOffset():])) > 0 {
		return errors.New("more than one JSON value on the line")
	}
	// JSON decoding forgives key case, order, duplicates and escapes;
	// the export does not: each line must be exactly what vetted
	// writes for its values (docs/HISTORY.md defines the form).
	if !bytes.Equal(b, canonicalLine(*l)) {
		return errors.New("the line is not in the export's exact form (a key, its order, an escape or spacing was changed)")
	}
	return nil
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
	case l.Omitted != nil:
		v = map[string]Omitted{"omitted": *l.Omitted}
	case l.Trailer != nil:
		v = map[string]Trailer{"trailer": *l.Trailer}
	}
	if err := enc.Encode(v); err != nil {
		return nil
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}
