package review

import (
	"bytes"
	"strconv"
	"testing"
	"time"
)

// benchExport is an export of n events shaped like vetted-bench's seeded
// history (store.SeedEvents): a note.added event with a JSON after.
func benchExport(b *testing.B, n int) []byte {
	b.Helper()
	var buf bytes.Buffer
	w, err := NewJSONLWriter(&buf, "")
	if err != nil {
		b.Fatal(err)
	}
	actors := [...]struct{ name, role string }{{"rey", "reviewer"}, {"eda", "editor"}, {"ed", "editor"}}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	prev := GenesisHash
	for seq := int64(1); seq <= int64(n); seq++ {
		a := actors[seq%int64(len(actors))]
		at := base.Add(time.Duration(seq) * time.Second)
		id := strconv.FormatInt(seq, 10)
		body := "Seeded note " + id + ": checked the source against the report's wording; the figure matches the 2021 edition."
		e := Event{
			Seq: seq, Time: FormatTime(at), Actor: a.name, ActorRole: a.role,
			Action: "note.added", EntityType: "note", EntityID: id,
			After: `{"id":` + id + `,"claim":` + strconv.FormatInt(1+seq%60, 10) + `,"author":"` + a.name +
				`","body":"` + body + `","created_at":"` + at.Format(time.RFC3339Nano) + `"}`,
			PrevHash: prev,
		}
		e.Hash = ComputeHash(e)
		prev = e.Hash
		if err := w.Write(e); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkVerifyJSONL verifies an export of 20,000 events; the figure
// to compare is ns/event.
func BenchmarkVerifyJSONL(b *testing.B) {
	const n = 20000
	data := benchExport(b, n)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := VerifyJSONL(bytes.NewReader(data))
		if err != nil || res.Events != n {
			b.Fatal(res.Events, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/event")
}
