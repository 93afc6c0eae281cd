package review

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
)

// CSVCell neutralises a cell that a spreadsheet would run as a formula (it
// begins with =, +, -, @, a tab or a carriage return) by putting a single
// quote in front, as OWASP advises. Quoting itself is encoding/csv's, which
// follows RFC 4180.
func CSVCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// CSVWriter writes rows of neutralised cells.
type CSVWriter struct {
	w *csv.Writer
}

// NewCSVWriter starts a CSV file with a header row. Lines end in CRLF, as
// RFC 4180 specifies.
func NewCSVWriter(w io.Writer, header ...string) (*CSVWriter, error) {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	x := &CSVWriter{w: cw}
	return x, x.Row(header...)
}

// Row writes one row.
func (x *CSVWriter) Row(cells ...string) error {
	safe := make([]string, len(cells))
	for i, c := range cells {
		safe[i] = CSVCell(c)
	}
	return x.w.Write(safe)
}

// Close flushes and reports any write error.
func (x *CSVWriter) Close() error {
	x.w.Flush()
	return x.w.Error()
}

// EventCSVHeader is the header row of a history CSV.
var EventCSVHeader = []string{"seq", "time", "actor", "actor_role", "action", "entity_type", "entity_id",
	"before", "after", "reason", "prev_hash", "hash"}

// EventCSVRow is one event as a CSV row, in EventCSVHeader's order.
func EventCSVRow(e Event) []string {
	return []string{strconv.FormatInt(e.Seq, 10), e.Time, e.Actor, e.ActorRole, e.Action, e.EntityType, e.EntityID,
		e.Before, e.After, e.Reason, e.PrevHash, e.Hash}
}
