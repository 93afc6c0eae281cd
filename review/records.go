package review

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The records (claims with their revisions, evidence, appearances, notes
// and flags; users; sources; editions) are checked against the history:
// replayed from the events alone, they must be what the tables hold. A row
// changed, added or removed without its event shows as a RecordMismatch.

// RecordMismatch names a record that is not what its history says.
type RecordMismatch struct {
	Kind string // claim, user, source, edition
	ID   int64
	What string
}

func (m RecordMismatch) String() string { return fmt.Sprintf("%s %d: %s", m.Kind, m.ID, m.What) }

// EditionRecord is what the history says of an edition.
type EditionRecord struct {
	Report    string `json:"report"`
	Label     string `json:"label"`
	Published string `json:"published"`
	SHA256    string `json:"sha256"`
	Draft     bool   `json:"draft"`
}

// StoredRecords is what the tables hold, for comparing with the history.
type StoredRecords struct {
	Claims   map[int64]Claim // as FindClaim reads them
	Users    map[int64]User  // but the system user
	Sources  map[int64]Source
	Editions map[int64]EditionRecord
	// OriginalSHA256 is the SHA-256 of each edition's stored original.
	OriginalSHA256 map[int64]string
}

// RecordsReplay rebuilds the records from the history, one event at a
// time, oldest first.
type RecordsReplay struct {
	claims   map[int64]*ClaimReplay
	users    map[int64]User
	sources  map[int64]Source
	links    map[int64]LinkCheck // the link checker's last outcome, by source
	editions map[int64]EditionRecord
	problems []RecordMismatch
}

// NewRecordsReplay starts an empty replay.
func NewRecordsReplay() *RecordsReplay {
	return &RecordsReplay{claims: map[int64]*ClaimReplay{}, users: map[int64]User{}, sources: map[int64]Source{},
		links: map[int64]LinkCheck{}, editions: map[int64]EditionRecord{}}
}

// endOfTime is the as-of time of the replay: every event.
var endOfTime = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// Add applies the next event.
func (r *RecordsReplay) Add(e Event) error {
	if ComputeHash(e) != e.Hash {
		return &VerifyError{Seq: e.Seq, Check: "hash", Reason: "hash does not match the event's fields"}
	}
	id, _ := strconv.ParseInt(e.EntityID, 10, 64)
	bad := func(format string, args ...any) error {
		return &VerifyError{Seq: e.Seq, Check: "records", Reason: fmt.Sprintf("%s cannot be replayed: %s", e.Action, fmt.Sprintf(format, args...))}
	}
	decode := func(v any) error {
		if err := json.Unmarshal([]byte(e.After), v); err != nil {
			return bad("its after document is not what this vetted expects: %v", err)
		}
		return nil
	}
	switch EventName(e.Action) {
	case EventClaimCreated:
		var a claimCreatedAfter
		if err := decode(&a); err != nil {
			return err
		}
		if r.claims[a.Claim.ID] != nil {
			return bad("claim %d was already created", a.Claim.ID)
		}
		cr := NewClaimReplay(a.Claim.ID, endOfTime)
		r.claims[a.Claim.ID] = cr
		return cr.Add(e)
	case EventRevisionProposed, EventRevisionSubmitted, EventRevisionApproved, EventRevisionRejected, EventNoteAdded, EventFlagRaised,
		EventClaimAssigned, EventReviewRequested, EventReviewGraded:
		var a struct {
			Claim int64 `json:"claim"`
		}
		if err := decode(&a); err != nil {
			return err
		}
		return r.claimEvent(a.Claim, e, bad)
	case EventFlagResolved:
		var a struct {
			Flag *struct {
				Claim int64 `json:"claim"`
			} `json:"flag"`
		}
		if err := decode(&a); err != nil {
			return err
		}
		if a.Flag == nil {
			return bad("no flag")
		}
		return r.claimEvent(a.Flag.Claim, e, bad)
	case EventClaimAnchored:
		return r.claimEvent(id, e, bad)
	case EventUserCreated, EventUserRoleChanged, EventUserDisabled, EventUserEnabled:
		var u User
		if err := decode(&u); err != nil {
			return err
		}
		if u.ID != id {
			return bad("the after document is about user %d", u.ID)
		}
		r.users[id] = u
	case EventSourceAdded:
		var s Source
		if err := decode(&s); err != nil {
			return err
		}
		r.sources[id] = s
	case EventSourceGraded, EventSourceArchived:
		var a struct {
			Source *Source `json:"source"`
		}
		if err := decode(&a); err != nil {
			return err
		}
		if a.Source == nil || a.Source.ID != id {
			return bad("the after document is not about source %d", id)
		}
		r.sources[id] = *a.Source
	case EventSourceChecked:
		var c LinkCheck
		if err := decode(&c); err != nil {
			return err
		}
		r.links[id] = c.Kept()
	case EventEditionImported, EventEditionReplaced:
		var ed EditionRecord
		if err := decode(&ed); err != nil {
			return err
		}
		r.editions[id] = ed
	case EventEditionPublished:
		ed, ok := r.editions[id]
		if !ok {
			return bad("edition %d was never imported", id)
		}
		var a EditionRecord
		if err := decode(&a); err != nil {
			return err
		}
		ed.Draft = a.Draft
		r.editions[id] = ed
	case EventUserPasswordChanged, EventTokenCreated, EventTokenRevoked, EventHistoryExported,
		EventScoresImported, EventScoresReplaced:
		// No record the check compares.
	default:
		return bad("unknown action")
	}
	return nil
}

func (r *RecordsReplay) claimEvent(claim int64, e Event, bad func(string, ...any) error) error {
	cr := r.claims[claim]
	if cr == nil {
		return bad("claim %d was never created in the history", claim)
	}
	return cr.Add(e)
}

// Compare lists the records whose tables differ from the history, each
// named, with the first difference.
func (r *RecordsReplay) Compare(s StoredRecords) ([]RecordMismatch, error) {
	var out []RecordMismatch
	add := func(kind string, id int64, format string, args ...any) {
		out = append(out, RecordMismatch{Kind: kind, ID: id, What: fmt.Sprintf(format, args...)})
	}
	// Sources come into the history by source.added, or inside the
	// evidence of the revision that first cites them.
	sources := maps.Clone(r.sources)
	states := map[int64]ClaimState{}
	for id, cr := range r.claims {
		st, err := cr.State()
		if err != nil {
			return nil, err
		}
		states[id] = st
		for _, rev := range st.Revisions {
			for _, ev := range rev.Evidence {
				if _, ok := sources[ev.Source.ID]; !ok {
					sources[ev.Source.ID] = ev.Source
				}
			}
		}
	}
	// A source regraded, archived or checked since a revision cited it
	// shows as it is now in every claim that cites it, as in the tables.
	for id, c := range r.links {
		if src, ok := sources[id]; ok {
			src.Link = c
			sources[id] = src
		}
	}
	for _, st := range states {
		for _, revs := range [][]Revision{st.Revisions, {st.Claim.Current, st.Claim.Latest}} {
			for i := range revs {
				for j, ev := range revs[i].Evidence {
					if src, ok := sources[ev.Source.ID]; ok {
						revs[i].Evidence[j].Source = src
					}
				}
			}
		}
	}
	for _, id := range unionKeys(r.claims, s.Claims) {
		cr := r.claims[id]
		stored, inTables := s.Claims[id]
		switch {
		case cr == nil:
			add("claim", id, "in the tables without its claim.created event (added outside vetted)")
			continue
		case !inTables:
			add("claim", id, "in the history, missing from the tables (removed outside vetted)")
			continue
		}
		if d := firstDiff(claimRecord(stored), claimRecord(states[id].Claim)); d != "" {
			add("claim", id, "changed without an event: %s", d)
		}
	}
	compareMap(r.users, s.Users, "user", add)
	compareMap(sources, s.Sources, "source", add)
	compareMap(r.editions, s.Editions, "edition", add)
	for id, ed := range s.Editions {
		if sum, ok := s.OriginalSHA256[id]; ok && sum != ed.SHA256 {
			add("edition", id, "its stored text is not the file whose SHA-256 the history records (changed outside vetted)")
		}
	}
	slices.SortFunc(out, func(a, b RecordMismatch) int {
		if c := strings.Compare(a.Kind, b.Kind); c != 0 {
			return c
		}
		return int(a.ID - b.ID)
	})
	return out, nil
}

func compareMap[T any](history, stored map[int64]T, kind string, add func(string, int64, string, ...any)) {
	for _, id := range unionKeys(history, stored) {
		h, inHistory := history[id]
		s, inTables := stored[id]
		switch {
		case !inHistory:
			add(kind, id, "in the tables without its event (added outside vetted)")
		case !inTables:
			add(kind, id, "in the history, missing from the tables (removed outside vetted)")
		default:
			if d := firstDiff(toAny(s), toAny(h)); d != "" {
				add(kind, id, "changed without an event: %s", d)
			}
		}
	}
}

func unionKeys[A, B any](a map[int64]A, b map[int64]B) []int64 {
	ks := slices.Collect(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			ks = append(ks, k)
		}
	}
	slices.Sort(ks)
	return ks
}

// claimRecord is a claim as the history can know it: the author's user
// id and the report's row id are not in it.
func claimRecord(c Claim) any {
	c.Current.AuthorID, c.Latest.AuthorID, c.ReportID = 0, 0, 0
	c.Revisions = slices.Clone(c.Revisions)
	for i := range c.Revisions {
		c.Revisions[i].AuthorID = 0
	}
	return toAny(struct {
		Claim
		Current Revision `json:"current_revision"`
	}{c, c.Current})
}

// toAny is v as JSON values, for comparing field by field.
func toAny(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("unmarshallable: %v", err)
	}
	var out any
	json.Unmarshal(b, &out)
	return out
}

// firstDiff names the first place where the table's value differs from
// the history's, or "".
func firstDiff(table, history any) string {
	return diffAt("", table, history)
}

func diffAt(path string, t, h any) string {
	show := func(v any) string {
		b, _ := json.Marshal(v)
		s := string(b)
		if r := []rune(s); len(r) > 80 {
			s = string(r[:79]) + "…"
		}
		return s
	}
	name := path
	if name == "" {
		name = "the record"
	}
	switch tv := t.(type) {
	case map[string]any:
		hv, ok := h.(map[string]any)
		if !ok {
			break
		}
		keys := slices.Sorted(maps.Keys(tv))
		for k := range hv {
			if _, ok := tv[k]; !ok {
				keys = append(keys, k)
			}
		}
		for _, k := range keys {
			if d := diffAt(strings.TrimPrefix(path+"."+k, "."), tv[k], hv[k]); d != "" {
				return d
			}
		}
		return ""
	case []any:
		hv, ok := h.([]any)
		if !ok {
			break
		}
		for i := 0; i < min(len(tv), len(hv)); i++ {
			if d := diffAt(fmt.Sprintf("%s[%d]", path, i), tv[i], hv[i]); d != "" {
				return d
			}
		}
		if len(tv) != len(hv) {
			return fmt.Sprintf("%s: %d in the tables, %d in the history", name, len(tv), len(hv))
		}
		return ""
	}
	if show(t) == show(h) {
		return ""
	}
	return fmt.Sprintf("%s: the tables say %s, the history %s", name, show(t), show(h))
}
