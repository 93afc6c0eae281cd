package review

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// CSVCell neutralises a cell that a spreadsheet would run as a formula (it
// begins with =, +, -, @, a tab or a carriage return) by putting a single
// quote in front, as OWASP advises. A cell that begins with a single quote
// gets one more too, so the guard is recognisable and undone exactly: a
// cell that begins with ' had one added; remove that one character to get
// the value back (UnCSVCell). docs/HISTORY.md and docs/API.md say so.
func CSVCell(s string) string {
	if s != "" && strings.ContainsRune(csvGuarded, rune(s[0])) {
		return "'" + s
	}
	return s
}

// csvGuarded are the first characters that get the guard.
const csvGuarded = "=+-@\t\r'"

// UnCSVCell undoes CSVCell.
func UnCSVCell(s string) string { return strings.TrimPrefix(s, "'") }

// CSVWriter writes rows of neutralised cells as RFC 4180 CSV: records end
// in CRLF, and a field holding a comma, a quote, a CR or an LF is quoted,
// its quotes doubled and every other byte, line breaks included, kept as
// written. (encoding/csv's writer turns a line break inside a value into
// CRLF, and drops a lone CR, so values would not come back as they are in
// the history.)
type CSVWriter struct {
	w   *bufio.Writer
	err error
}

// NewCSVWriter starts a CSV file with a header row.
func NewCSVWriter(w io.Writer, header ...string) (*CSVWriter, error) {
	x := &CSVWriter{w: bufio.NewWriter(w)}
	return x, x.Row(header...)
}

// Row writes one row.
func (x *CSVWriter) Row(cells ...string) error {
	if x.err != nil {
		return x.err
	}
	for i, c := range cells {
		if i > 0 {
			x.w.WriteByte(',')
		}
		c = CSVCell(c)
		if strings.ContainsAny(c, ",\"\r\n") || c == "" && len(cells) == 1 {
			x.w.WriteByte('"')
			x.w.WriteString(strings.ReplaceAll(c, `"`, `""`))
			x.w.WriteByte('"')
		} else {
			x.w.WriteString(c)
		}
	}
	_, x.err = x.w.WriteString("\r\n")
	return x.err
}

// Close flushes and reports any write error.
func (x *CSVWriter) Close() error {
	if x.err != nil {
		return x.err
	}
	return x.w.Flush()
}

// EventCSVHeader is the header row of a history CSV.
var EventCSVHeader = []string{"seq", "time", "actor", "actor_role", "action", "entity_type", "entity_id",
	"before", "after", "reason", "prev_hash", "hash"}

// EventCSVRow is one event as a CSV row, in EventCSVHeader's order.
func EventCSVRow(e Event) []string {
	return []string{strconv.FormatInt(e.Seq, 10), e.Time, e.Actor, e.ActorRole, e.Action, e.EntityType, e.EntityID,
		e.Before, e.After, e.Reason, e.PrevHash, e.Hash}
}
