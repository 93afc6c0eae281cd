package review

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

const expEvents = 20

// expExport writes es as a JSONL export and returns its lines, each without
// its newline.
func expExport(tb testing.TB, es []Event, filter string) []string {
	tb.Helper()
	var buf bytes.Buffer
	w, err := NewJSONLWriter(&buf, filter)
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range es {
		if err := w.Write(e); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	s := buf.String()
	if !strings.HasSuffix(s, "\n") {
		tb.Fatalf("export does not end in a newline: %q", s[max(0, len(s)-40):])
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

func expJoin(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}

// expFail runs VerifyJSONL on text and checks that it fails at line want.
func expFail(t *testing.T, what, text string, want int) {
	t.Helper()
	res, err := VerifyJSONL(strings.NewReader(text))
	var ve *VerifyError
	if !errors.As(err, &ve) {
		t.Errorf("%s: err = %v (result %+v), want a *VerifyError", what, err, res)
		return
	}
	if ve.Line != want {
		t.Errorf("%s: failed at line %d, want line %d: %v", what, ve.Line, want, err)
	}
}

func TestVerifyJSONL(t *testing.T) {
	es := histChain(expEvents)
	lines := expExport(t, es, "")
	if got, want := len(lines), expEvents+2; got != want {
		t.Fatalf("export has %d lines, want %d (header, events, trailer)", got, want)
	}
	last := len(lines) // 1-based number of the trailer line

	t.Run("OK", func(t *testing.T) {
		head := ChainHead{Seq: es[9].Seq, Hash: es[9].Hash}
		res, err := VerifyJSONL(strings.NewReader(expJoin(lines)), head, ChainHead{Seq: 3, Hash: es[9].Hash})
		if err != nil {
			t.Fatal(err)
		}
		if res.Events != expEvents || !res.Continuity || res.Head.Seq != expEvents || res.Head.Hash != es[expEvents-1].Hash {
			t.Errorf("result %+v, want %d events, continuity, head %s", res, expEvents, es[expEvents-1].Hash)
		}
		if !res.Contains[es[9].Hash] {
			t.Error("Contains: the head of seq 10 was not found")
		}
	})
	t.Run("OK/RoundTrip", func(t *testing.T) {
		// Every event reads back byte for byte from its line.
		for i, e := range es {
			var got Event
			if err := json.Unmarshal([]byte(lines[i+1]), &got); err != nil {
				t.Fatal(err)
			}
			if got != e {
				t.Errorf("line %d reads back as %+v, want %+v", i+2, got, e)
			}
		}
	})
	t.Run("ErrNoFinalNewline", func(t *testing.T) {
		expFail(t, "no final newline", strings.Join(lines, "\n"), len(lines))
	})
	t.Run("OK/Empty", func(t *testing.T) {
		res, err := VerifyJSONL(strings.NewReader(expJoin(expExport(t, nil, ""))))
		if err != nil || res.Events != 0 {
			t.Errorf("empty history: %+v, %v", res, err)
		}
	})
	t.Run("ErrFieldChanged", func(t *testing.T) {
		fields := reflect.TypeOf(Event{}).NumField()
		for i := range es {
			ln := i + 2
			for fi := range fields {
				var e Event
				if err := json.Unmarshal([]byte(lines[ln-1]), &e); err != nil {
					t.Fatal(err)
				}
				name := histMutate(&e, fi)
				b, err := json.Marshal(e)
				if err != nil {
					t.Fatal(err)
				}
				mod := append([]string{}, lines...)
				mod[ln-1] = string(b)
				expFail(t, "line "+itoaTest(ln)+" field "+name, expJoin(mod), ln)
			}
		}
	})
	t.Run("ErrRawByteFlipped", func(t *testing.T) {
		// Flip each byte of one event line in turn: whatever it does to the
		// JSON, the file must not verify, and the error names that line.
		ln := 7
		for j := range len(lines[ln-1]) {
			mod := append([]string{}, lines...)
			b := []byte(mod[ln-1])
			b[j] ^= 0x01
			mod[ln-1] = string(b)
			expFail(t, "byte "+itoaTest(j)+" of line 7", expJoin(mod), ln)
		}
	})
	t.Run("ErrLineDropped", func(t *testing.T) {
		for drop := 1; drop <= last; drop++ {
			mod := append(append([]string{}, lines[:drop-1]...), lines[drop:]...)
			want := drop // the line that took its place
			switch drop {
			case last - 1: // the last event: only the trailer tells
				want = last - 1
			case last: // the trailer: the file ends one line early
				want = last
			}
			expFail(t, "line "+itoaTest(drop)+" dropped", expJoin(mod), want)
		}
	})
	t.Run("ErrPairSwapped", func(t *testing.T) {
		for i := 1; i < last; i++ {
			mod := append([]string{}, lines...)
			mod[i-1], mod[i] = mod[i], mod[i-1]
			want := i
			if i == last-1 { // event after the trailer
				want = last
			}
			expFail(t, "lines "+itoaTest(i)+" and "+itoaTest(i+1)+" swapped", expJoin(mod), want)
		}
	})
	t.Run("ErrTruncatedAtLine", func(t *testing.T) {
		for keep := 0; keep < last; keep++ {
			want := keep + 1
			expFail(t, "truncated after "+itoaTest(keep)+" lines", expJoin(lines[:keep]), want)
		}
	})
	t.Run("ErrTruncatedMidLine", func(t *testing.T) {
		for ln := 1; ln <= last; ln++ {
			l := lines[ln-1]
			for _, cut := range []int{1, len(l) / 2, len(l) - 1} {
				text := expJoin(lines[:ln-1]) + l[:cut]
				expFail(t, "line "+itoaTest(ln)+" cut at byte "+itoaTest(cut), text, ln)
			}
		}
	})
	t.Run("ErrTrailerDeleted", func(t *testing.T) {
		expFail(t, "trailer deleted", expJoin(lines[:last-1]), last)
	})
	t.Run("ErrTrailerWrong", func(t *testing.T) {
		mod := append([]string{}, lines...)
		mod[last-1] = strings.Replace(mod[last-1], `"events":20`, `"events":21`, 1)
		if mod[last-1] == lines[last-1] {
			t.Fatalf("trailer %q has no events count to change", lines[last-1])
		}
		expFail(t, "trailer count changed", expJoin(mod), last)
	})
	t.Run("ErrHeaderDuplicated", func(t *testing.T) {
		mod := append([]string{lines[0]}, lines...)
		expFail(t, "header duplicated", expJoin(mod), 2)
	})
	t.Run("ErrHeaderMissing", func(t *testing.T) {
		expFail(t, "header missing", expJoin(lines[1:]), 1)
	})
	t.Run("ErrTextAfterTrailer", func(t *testing.T) {
		expFail(t, "blank line after trailer", expJoin(append(append([]string{}, lines...), "")), last+1)
		expFail(t, "trailer repeated", expJoin(append(append([]string{}, lines...), lines[last-1])), last+1)
	})
	t.Run("ErrBadLines", func(t *testing.T) {
		tests := []struct {
			name, line string
		}{
			{"Blank", ""},
			{"NotJSON", "hello"},
			{"TwoValues", lines[3] + " " + lines[3]},
			{"TrailingBrace", lines[3] + "}"},
			{"TrailingBracket", lines[3] + "]"},
			{"UnknownField", strings.Replace(lines[3], `{"seq"`, `{"evil":1,"seq"`, 1)},
			{"Array", "[" + lines[3] + "]"},
			{"HeaderAndEvent", strings.Replace(lines[3], `{"seq"`, `{"header":{"format":"vetted-history-v1"},"seq"`, 1)},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				mod := append([]string{}, lines...)
				mod[3] = tt.line
				expFail(t, tt.name, expJoin(mod), 4)
			})
		}
	})
	t.Run("ErrUnknownFormat", func(t *testing.T) {
		mod := append([]string{}, lines...)
		mod[0] = `{"header":{"format":"vetted-history-v2"}}`
		expFail(t, "format v2", expJoin(mod), 1)
	})
	t.Run("ErrEmptyFile", func(t *testing.T) {
		expFail(t, "empty file", "", 1)
	})
	t.Run("ErrLongLine", func(t *testing.T) {
		text := expJoin(lines[:3]) + strings.Repeat("x", MaxExportLine+1) + "\n"
		expFail(t, "line over the limit", text, 4)
	})
}

// expFiltered writes a filtered export of es showing every third event.
func expFiltered(t *testing.T, es []Event) []string {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewJSONLWriter(&buf, "since=2026-03-01T10:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range es {
		if i%3 == 0 {
			err = w.Write(e)
		} else {
			err = w.Omit(e.Seq, e.Hash)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
}

// expCheck runs VerifyJSONL on text and checks that it fails by check.
func expCheck(t *testing.T, what, text, check string) {
	t.Helper()
	_, err := VerifyJSONL(strings.NewReader(text))
	var ve *VerifyError
	if !errors.As(err, &ve) || ve.Check != check {
		t.Errorf("%s: err = %v, want check %q", what, err, check)
	}
}

// retrail recomputes the trailer of lines (digest and counts as given), as
// a forger who knows the format would.
func retrail(lines []string, tr Trailer) []string {
	body := expJoin(lines[:len(lines)-1])
	sum := sha256.Sum256([]byte(body))
	tr.Digest = hex.EncodeToString(sum[:])
	b, _ := json.Marshal(map[string]Trailer{"trailer": tr})
	return append(append([]string{}, lines[:len(lines)-1]...), string(b))
}

func TestVerifyJSONLFiltered(t *testing.T) {
	es := histChain(expEvents)
	lines := expFiltered(t, es)
	whole := expExport(t, es, "")
	shown := int64((len(es) + 2) / 3)
	t.Run("OK", func(t *testing.T) {
		res, err := VerifyJSONL(strings.NewReader(expJoin(lines)))
		if err != nil {
			t.Fatal(err)
		}
		if !res.Continuity || !res.Filtered || res.Events != shown || res.Omitted != int64(len(es))-shown ||
			res.Filter != "since=2026-03-01T10:00:00Z" || res.Head.Hash != es[len(es)-1].Hash {
			t.Errorf("result %+v", res)
		}
		// The tree over a filtered export is the whole history's.
		full, _ := VerifyJSONL(strings.NewReader(expJoin(whole)))
		if res.Tree != full.Tree {
			t.Errorf("tree %v, the whole export's %v", res.Tree, full.Tree)
		}
	})
	t.Run("ErrFieldChanged", func(t *testing.T) {
		for i, l := range lines {
			if !strings.HasPrefix(l, `{"seq"`) {
				continue
			}
			var e Event
			if err := json.Unmarshal([]byte(l), &e); err != nil {
				t.Fatal(err)
			}
			e.After += " "
			b, _ := json.Marshal(e)
			mod := append([]string{}, lines...)
			mod[i] = string(b)
			expCheck(t, "filtered line changed", expJoin(mod), "hash")
		}
	})
	t.Run("ErrLineDropped", func(t *testing.T) {
		for i := 1; i < len(lines)-1; i++ {
			mod := append(append([]string{}, lines[:i]...), lines[i+1:]...)
			check := "seq"
			if i == len(lines)-2 {
				check = "trailer" // the last events are gone: the trailer says so
			}
			expCheck(t, "line "+itoaTest(i+1)+" dropped", expJoin(mod), check)
		}
	})
	t.Run("ErrLinesSwapped", func(t *testing.T) {
		mod := append([]string{}, lines...)
		mod[1], mod[2] = mod[2], mod[1]
		expCheck(t, "lines swapped", expJoin(mod), "seq")
	})
	t.Run("ErrEventPassedAsOmitted", func(t *testing.T) {
		// Hiding a shown event among the omitted ones (its hash kept, so
		// the chain holds) changes the file's bytes: the digest fails.
		mod := expExport(t, nil, "")
		var buf bytes.Buffer
		w, _ := NewJSONLWriter(&buf, "since=2026-03-01T10:00:00Z")
		for i, e := range es {
			if i%3 == 0 && i != 3 {
				w.Write(e)
			} else {
				w.Omit(e.Seq, e.Hash)
			}
		}
		w.Close()
		mod = strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
		// Keep the honest file's trailer.
		mod[len(mod)-1] = lines[len(lines)-1]
		expCheck(t, "event passed as omitted", expJoin(mod), "trailer")
		mod = append(mod[:len(mod)-1], retrail(lines, Trailer{Events: shown - 1, Omitted: int64(len(es)) - shown + 1,
			HeadSeq: es[len(es)-1].Seq, HeadHash: es[len(es)-1].Hash})[len(lines)-1])
		expCheck(t, "event passed as omitted, counts fixed", expJoin(mod), "digest")
	})
	t.Run("ErrRelabelled", func(t *testing.T) {
		// A whole export relabelled as filtered.
		mod := append([]string{}, whole...)
		mod[0] = `{"header":{"format":"vetted-history-v2","filtered":true,"filter":"actor=eda"}}`
		expCheck(t, "whole relabelled filtered", expJoin(mod), "digest")
		// A filtered export relabelled as whole.
		mod = append([]string{}, lines...)
		mod[0] = `{"header":{"format":"vetted-history-v2","filtered":false}}`
		expCheck(t, "filtered relabelled whole", expJoin(mod), "omitted")
		// The filter changed.
		mod = append([]string{}, lines...)
		mod[0] = strings.Replace(mod[0], "10:00", "11:00", 1)
		expCheck(t, "filter changed", expJoin(mod), "digest")
		// Relabelled as the old format, which listed nothing omitted.
		mod = append([]string{}, lines...)
		mod[0] = strings.Replace(mod[0], "v2", "v1", 1)
		expCheck(t, "filtered relabelled v1", expJoin(mod), "filtered-v1")
	})
	t.Run("ErrCountsEdited", func(t *testing.T) {
		mod := append([]string{}, lines...)
		mod[len(mod)-1] = strings.Replace(mod[len(mod)-1], `"events":`+itoaTest(int(shown)), `"events":`+itoaTest(int(shown)-1), 1)
		expCheck(t, "events count edited", expJoin(mod), "trailer")
	})
	t.Run("ErrOmittedHashChanged", func(t *testing.T) {
		mod := append([]string{}, lines...)
		// The last omitted hash before an event: the event's prev_hash no
		// longer links to it.
		end := strings.LastIndex(mod[2], `"]}}`)
		c := "0"
		if mod[2][end-1] == '0' {
			c = "1"
		}
		mod[2] = mod[2][:end-1] + c + mod[2][end:]
		expCheck(t, "omitted hash changed", expJoin(mod), "link")
		mod[2] = strings.Replace(mod[2], `"hashes":["`, `"hashes":["X`, 1)
		expCheck(t, "omitted hash not hex", expJoin(mod), "omitted")
	})
}

func itoaTest(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestCSVCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{"=1+1", "'=1+1"},
		{"+1", "'+1"},
		{"-1", "'-1"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"},
		{"a=1", "a=1"},
		{" =1", " =1"},
		{"'=1", "''=1"},
		{"'", "''"},
		{"it's", "it's"},
		{"é=1", "é=1"},
	}
	for _, tt := range tests {
		if got := CSVCell(tt.in); got != tt.want {
			t.Errorf("CSVCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if back := UnCSVCell(CSVCell(tt.in)); back != tt.in {
			t.Errorf("UnCSVCell(CSVCell(%q)) = %q", tt.in, back)
		}
	}
}

func TestCSVWriter(t *testing.T) {
	rows := [][]string{
		{"=cmd|' /C calc'!A0", "+1", "-2", "@x", "\tt", "plain"},
		{"a,b", `say "hi"`, "two\nlines", "", "ünïcode", `"=quoted"`},
		{"\"", ",", "\n", " lead", "trail ", "x"},
	}
	var buf bytes.Buffer
	w, err := NewCSVWriter(&buf, "c1", "c2", "c3", "c4", "c5", "c6")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.Row(r...); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	out := buf.String()

	t.Run("CRLF", func(t *testing.T) {
		if !strings.HasPrefix(out, "c1,c2,c3,c4,c5,c6\r\n") {
			t.Errorf("header line %q does not end in CRLF", strings.SplitN(out, "\n", 2)[0])
		}
	})
	t.Run("Quoting", func(t *testing.T) {
		for _, want := range []string{`"a,b"`, `"say ""hi"""`, "\"two\nlines\"", `"""=quoted"""`} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks RFC 4180 field %q:\n%s", want, out)
			}
		}
	})
	t.Run("ParsesBack", func(t *testing.T) {
		got, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(rows)+1 {
			t.Fatalf("read %d records, want %d", len(got), len(rows)+1)
		}
		for i, r := range rows {
			for j, cell := range r {
				if want := CSVCell(cell); got[i+1][j] != want {
					t.Errorf("row %d cell %d = %q, want %q", i+1, j+1, got[i+1][j], want)
				}
				if g := got[i+1][j]; g != "" && strings.ContainsRune("=+-@\t\r", rune(g[0])) {
					t.Errorf("row %d cell %d %q still starts with a formula character", i+1, j+1, g)
				}
			}
		}
	})
}

func TestEventCSVRow(t *testing.T) {
	e := histFixed()
	e.Reason = "=cmd|' /C calc'!A0"
	row := EventCSVRow(e)
	if len(row) != len(EventCSVHeader) {
		t.Fatalf("row has %d cells, header %d", len(row), len(EventCSVHeader))
	}
	// Each column holds the field its header names.
	var m map[string]any
	b, _ := json.Marshal(e)
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for i, h := range EventCSVHeader {
		want, ok := m[h]
		if !ok {
			t.Errorf("header %q is not an event field", h)
			continue
		}
		if s, isNum := want.(float64); isNum {
			want = itoaTest(int(s))
		}
		if row[i] != want {
			t.Errorf("column %q = %q, want %q", h, row[i], want)
		}
	}
}
