package web

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"vetted/review"
	"vetted/review/anchor"
	"vetted/review/text"

	"github.com/a-h/templ"
)

// The reader, the comparison of two editions and the import of an edition.

// maxReaderClaims bounds the claims one page of FindClaims returns; the
// handlers page through all of an edition's claims with the After cursor.
const maxReaderClaims = 500

// readerListLimit is how many claims the reader lists beside the text,
// each with its statement and badges; an edition with more lists its
// sections instead, each linking to its claims in the claims list, so the
// page carries the text and its highlights, not every claim's card twice.
const readerListLimit = 200

// sectionClaimsURL is the claims list of one section of the reader's edition.
func sectionClaimsURL(v readerView, section string) string {
	q := url.Values{"report": {v.Report.Slug}, "edition": {v.Edition.Label}, "section": {section}}
	return "/claims?" + q.Encode()
}

// editionClaims returns every claim that has an appearance in the edition,
// in id order.
func (s *Server) editionClaims(r *http.Request, slug, label string) ([]review.Claim, error) {
	var all []review.Claim
	var after int64
	for {
		p, err := s.svc.FindClaimPage(r.Context(), review.ClaimFilter{Report: slug, Edition: label, Limit: maxReaderClaims, After: after})
		if err != nil {
			return nil, err
		}
		if len(p.Claims) < maxReaderClaims {
			if all == nil {
				return p.Claims, nil // one page: no copy
			}
			return append(all, p.Claims...), nil
		}
		all = append(all, p.Claims...)
		after = p.Claims[len(p.Claims)-1].ID
	}
}

// anchored reports whether c's appearance in an edition whose text is n
// bytes long can be shown in that text.
func anchored(c review.Claim, n int) bool {
	a := c.Anchor
	return a.Match != review.OutcomeMissing && a.Start >= 0 && a.Start < a.End && a.End <= n
}

// ---- Reader ----

// readerView is everything the reader shows.
type readerView struct {
	Report   review.Report
	Edition  review.Edition
	Prev     string // the edition before this one, "" if none
	Sections []readerSection
	Claims   int // claims highlighted in the text
	Hedged   int // hedged sentences
	Groups   []claimGroup
	Missing  []*review.Claim
	Material []materialGroup
	Unplaced int // material sentences in total
	// MaterialKey names everything the new material shows but the
	// reader's permission: the edition's text and the spans its claims
	// cover (readerMaterialKey).
	MaterialKey string
	Form        claimForm
	Prefill     []string // hedges of a quote given in the address, for the form
	Hedges      string   // JSON {phrase: suggested confidence} for reader.js
	TOC         []tocEntry
	// Assignees are who an editor may assign a section's claims to.
	Assignees []string
	// Keep renders the paragraphs and the side list's items, or writes
	// what it rendered before under the same key (a fragment cache); the
	// keys are readerPara.Key and claimItemKey.
	Keep keeper
}

// keeper renders c, or writes what it rendered before under key; an empty
// key keeps nothing.
type keeper func(key string, c templ.Component) templ.Component

// renderNow is a keeper that keeps nothing.
func renderNow(_ string, c templ.Component) templ.Component { return c }

// tocEntry is a section in the reader's table of contents: a link to its
// heading's id (sec-N, from the section's order, never from its text) and
// the claims highlighted in it, its sub-sections' included.
type tocEntry struct {
	Heading  string
	ID       string
	Claims   int
	Children []tocEntry
}

// readerSection is a heading and its paragraphs; a top-level heading holds
// its sub-sections. The text before the first heading is a section with no
// heading.
type readerSection struct {
	Heading  string
	ID       string
	Level    int               // the HTML heading level, 2 to 6; 0 for the text before the first heading
	Scores   []indicatorScores // the Index's scores of the indicators the heading groups
	Paras    []readerPara
	Children []readerSection
}

// readerPara is one paragraph, cut into runs: a hedged sentence, or the
// plain text between hedged sentences.
type readerPara struct {
	Runs []textRun
	// Key names everything the paragraph shows: the edition's text, the
	// paragraph's place in it and the version of each claim in it, so a
	// paragraph rendered under one key can be written again for it. "" when
	// a claim's version is not known (nothing is kept then).
	Key string
}

type textRun struct {
	Hedges []string // non-empty for a hedged sentence
	Pieces []textPiece
}

// textPiece is text covered by the same set of claims (none for plain
// text), or, with Ref set, the reference link of a claim, placed before
// the first text it covers. Overlapping claims cut the text at every start
// and end, so a piece covered by several claims names them all.
type textPiece struct {
	Text   string
	Claims []*review.Claim
	Ref    *review.Claim
}

// claimGroup is the claims of one section, for the side panel.
type claimGroup struct {
	Section string
	ID      string // of the section in the text
	Claims  []*review.Claim
}

// materialGroup is one section's new material.
type materialGroup struct {
	Section string
	Items   []materialItem
}

// materialItem is a sentence no claim covers, with the words around it so
// that a claim made from it is anchored to this occurrence.
type materialItem struct {
	review.Sentence
	Prefix, Suffix string
	New            bool // not in the other edition's text (compare page)
}

func (s *Server) handleReader(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authorize(w, r, review.ActionRead); !ok {
		return
	}
	slug, label := r.PathValue("slug"), r.PathValue("label")
	rep, err := s.svc.FindReport(r.Context(), slug)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	ed, err := s.svc.FindEdition(r.Context(), slug, label)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	claims, err := s.editionClaims(r, slug, label)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	scores, err := s.svc.ReportScores(r.Context(), slug)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	p := s.page(r, rep.Title+" "+ed.Label)
	v := buildReader(rep, ed, s.sentences.of(ed), claims)
	sectionScores(v.Sections, review.NewScoreTable(scores), s.cfg.ScoreThreshold)
	v.Form = claimForm{Report: slug, Edition: label}
	if p.can(review.ActionAssignClaim) {
		if v.Assignees, err = s.assignees(r); err != nil {
			s.Error(w, r, err)
			return
		}
	}
	// "Claim this" links of the new material fill the form without
	// JavaScript through the address.
	q := r.URL.Query()
	if quote := q.Get("quote"); quote != "" && len(quote) <= review.MaxLongText {
		v.Form.Quote, v.Form.Prefix, v.Form.Suffix = quote, q.Get("prefix"), q.Get("suffix")
		if a, err := anchor.Locate(ed.Doc, quote, v.Form.Prefix, v.Form.Suffix); err == nil {
			v.Prefill = review.HedgesAt(s.sentences.of(ed), a.Start, a.End)
			if in, ok := review.SuggestIndicator(a.Section, quote); ok {
				v.Form.Topic = in.Name
			}
		} else {
			v.Prefill = review.HedgeWords(quote)
		}
		if sug, ok := review.SuggestConfidence(v.Prefill); ok {
			v.Form.Confidence, v.Form.Hedge = string(sug), strings.Join(v.Prefill, ", ")
		}
	}
	v.Keep = s.fragments.component
	s.render(w, r, http.StatusOK, readerPage(p, v))
}

// handleEditionText serves an edition's normalised text exactly as stored
// (text/plain, UTF-8): the source the Web Annotation export points at, so
// its TextPositionSelectors count code points in what a client fetches.
// It takes an API token as /api/ does, for tools that read the export.
func (s *Server) handleEditionText(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authorize(w, r, review.ActionRead); !ok {
		return
	}
	ed, err := s.svc.FindEdition(r.Context(), r.PathValue("slug"), r.PathValue("label"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "private, no-cache") // a draft's text may be replaced
	// ServeContent answers Range requests too, for tools that fetch a part.
	http.ServeContent(w, r, "", time.Time{}, strings.NewReader(ed.Doc.Text))
}

// sentenceCache keeps each edition's sentences with their hedges
// (review.Sentences): finding them is a third of laying out the reader,
// and they change only when the edition's text does. An edition is keyed
// by its row, its file's digest and its import's time, which a replacing
// import changes, so a kept one is never stale. Callers must not change
// what they are given.
type sentenceCache struct {
	mu   sync.Mutex
	kept map[sentenceKey][]review.Sentence
}

type sentenceKey struct {
	id       int64
	sha      string
	imported time.Time
}

// maxKeptEditions bounds the sentence cache; when full it starts again.
const maxKeptEditions = 64

func (c *sentenceCache) of(ed review.Edition) []review.Sentence {
	key := sentenceKey{ed.ID, ed.SHA256, ed.ImportedAt}
	c.mu.Lock()
	sents, ok := c.kept[key]
	c.mu.Unlock()
	if ok {
		return sents
	}
	sents = review.Sentences(ed.Doc)
	c.mu.Lock()
	if c.kept == nil || len(c.kept) >= maxKeptEditions {
		c.kept = map[sentenceKey][]review.Sentence{}
	}
	c.kept[key] = sents
	c.mu.Unlock()
	return sents
}

// buildReader lays out an edition's text with its claims and hedges; sents
// are the edition's sentences.
func buildReader(rep review.Report, ed review.Edition, sents []review.Sentence, claims []review.Claim) readerView {
	doc := ed.Doc
	v := readerView{Report: rep, Edition: ed, Hedges: hedgeTable(), Keep: renderNow}
	for i, e := range rep.Editions {
		if e.Label == ed.Label && i > 0 {
			v.Prev = rep.Editions[i-1].Label
		}
	}

	// Pointers into claims: a claim is a large struct, and the layout
	// names each several times.
	shown := make([]*review.Claim, 0, len(claims))
	for i := range claims {
		c := &claims[i]
		switch {
		case anchored(*c, len(doc.Text)):
			shown = append(shown, c)
		case c.Anchor.Match == review.OutcomeMissing:
			v.Missing = append(v.Missing, c)
		}
	}
	slices.SortStableFunc(shown, func(a, b *review.Claim) int {
		if a.Anchor.Start != b.Anchor.Start {
			return a.Anchor.Start - b.Anchor.Start
		}
		return b.Anchor.End - a.Anchor.End // the longer first: it encloses
	})
	v.Claims = len(shown)

	for _, st := range sents {
		if len(st.Hedges) > 0 {
			v.Hedged++
		}
	}
	v.Sections = layoutSections(editionKey(ed), doc, sents, shown)

	// Side panel: claims by section in the order of the text.
	ids := sectionIDs(doc)
	for _, c := range shown {
		n := len(v.Groups)
		if n == 0 || v.Groups[n-1].Section != c.Anchor.Section {
			v.Groups = append(v.Groups, claimGroup{Section: c.Anchor.Section, ID: ids[c.Anchor.Section]})
			n++
		}
		v.Groups[n-1].Claims = append(v.Groups[n-1].Claims, c)
	}
	// The table of contents counts the side panel's groups: the claims are
	// already sorted into sections, so no count is asked of the store.
	perSection := map[string]int{}
	for _, g := range v.Groups {
		perSection[g.ID] += len(g.Claims)
	}
	if slices.ContainsFunc(v.Sections, func(s readerSection) bool { return s.Heading != "" }) {
		v.TOC = tocEntries(v.Sections, perSection)
	}

	spans := make([][2]int, 0, len(shown))
	for _, c := range shown {
		spans = append(spans, [2]int{c.Anchor.Start, c.Anchor.End})
	}
	v.Material, v.Unplaced = groupMaterial(doc.Text, review.Uncovered(sents, spans), "")
	h := sha256.New()
	var b []byte
	for _, sp := range spans {
		b = binary.AppendUvarint(binary.AppendUvarint(b[:0], uint64(sp[0])), uint64(sp[1]))
		h.Write(b)
	}
	v.MaterialKey = "reader-material\x00" + editionKey(ed) + "\x00" + hex.EncodeToString(h.Sum(nil))
	return v
}

// tocEntries mirrors the reader's nesting of sections. A parent's count
// includes its sub-sections, since a heading like RESILIENCE often has no
// text of its own.
func tocEntries(secs []readerSection, perSection map[string]int) []tocEntry {
	out := make([]tocEntry, 0, len(secs))
	for _, sec := range secs {
		e := tocEntry{Heading: sectionName(sec.Heading), ID: sec.ID, Claims: perSection[sec.ID],
			Children: tocEntries(sec.Children, perSection)}
		for _, c := range e.Children {
			e.Claims += c.Claims
		}
		out = append(out, e)
	}
	return out
}

// sectionID is the element id of the i-th section's heading.
func sectionID(i int) string { return fmt.Sprintf("sec-%d", i+1) }

// sectionIDs maps headings to the ids of their first occurrence.
func sectionIDs(doc text.Document) map[string]string {
	ids := map[string]string{"": "text-start"}
	for i, sec := range doc.Sections {
		if _, ok := ids[sec.Heading]; !ok {
			ids[sec.Heading] = sectionID(i)
		}
	}
	return ids
}

// layout cuts an edition's text into sections, paragraphs, runs and
// pieces. claims are sorted by start; linked records the claims whose
// reference link is placed, so that each gets exactly one, before the
// first piece of text it covers.
type textLayout struct {
	edition string // editionKey
	text    string
	sents   []review.Sentence
	claims  []*review.Claim
	linked  map[int64]bool
}

// layoutSections cuts the text into its blocks (separated by one blank
// line), nests each section under the nearest heading before it of a
// higher level, and lays out each paragraph.
func layoutSections(edition string, doc text.Document, sents []review.Sentence, claims []*review.Claim) []readerSection {
	l := &textLayout{edition: edition, text: doc.Text, sents: sents, claims: claims, linked: map[int64]bool{}}
	headingAt := map[int]int{}
	for i, sec := range doc.Sections {
		headingAt[sec.HeadingStart] = i
	}
	// Flat first, each section with its depth; the text before the first
	// heading is depth 0.
	flat := []flatSection{{sec: readerSection{ID: "text-start"}}}
	text := doc.Text
	for pos := 0; pos < len(text); {
		end := strings.Index(text[pos:], "\n\n")
		if end < 0 {
			end = len(text)
		} else {
			end += pos
		}
		if i, ok := headingAt[pos]; ok && end-pos == len(doc.Sections[i].Heading) {
			sec := doc.Sections[i]
			depth := max(1, sec.Level)
			flat = append(flat, flatSection{sec: readerSection{Heading: sec.Heading, ID: sectionID(i), Level: min(1+depth, 6)}, depth: depth})
		} else if pos < end {
			c := &flat[len(flat)-1].sec
			c.Paras = append(c.Paras, l.para(pos, end))
		}
		pos = end + 2
	}
	out := nestSections(flat[1:])
	if len(flat[0].sec.Paras) > 0 {
		out = append([]readerSection{flat[0].sec}, out...)
	}
	return out
}

// flatSection is a section before nesting, with its depth in the outline.
type flatSection struct {
	sec   readerSection
	depth int
}

// nestSections makes each section the parent of the deeper ones after it.
func nestSections(flat []flatSection) []readerSection {
	var out []readerSection
	for i := 0; i < len(flat); {
		j := i + 1
		for j < len(flat) && flat[j].depth > flat[i].depth {
			j++
		}
		s := flat[i].sec
		s.Children = nestSections(flat[i+1 : j])
		out = append(out, s)
		i = j
	}
	return out
}

// para cuts the paragraph text[start:end] into runs at the edges of its
// hedged sentences.
func (l *textLayout) para(start, end int) readerPara {
	var p readerPara
	at := start
	for _, st := range l.sents {
		if st.End <= start || st.Start >= end || len(st.Hedges) == 0 {
			continue
		}
		s, e := max(st.Start, start), min(st.End, end)
		if at < s {
			p.Runs = append(p.Runs, textRun{Pieces: l.pieces(at, s)})
		}
		p.Runs = append(p.Runs, textRun{Hedges: st.Hedges, Pieces: l.pieces(s, e)})
		at = e
	}
	if at < end {
		p.Runs = append(p.Runs, textRun{Pieces: l.pieces(at, end)})
	}
	p.Key = l.paraKey(start, end, p)
	return p
}

// paraKey is readerPara.Key for the paragraph text[start:end] laid out as
// p. The text, its hedges and where each claim's reference link goes
// follow from the edition and the claims' anchors, and each claim's
// version covers everything shown of it (anchor, confidence, flags,
// statement).
func (l *textLayout) paraKey(start, end int, p readerPara) string {
	b := make([]byte, 0, 64)
	b = append(b, "reader-para\x00"...)
	b = append(b, l.edition...)
	b = append(b, 0)
	b = strconv.AppendInt(b, int64(start), 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, int64(end), 10)
	var seen []int64
	for _, run := range p.Runs {
		for _, pc := range run.Pieces {
			cs := pc.Claims
			if pc.Ref != nil {
				cs = []*review.Claim{pc.Ref}
			}
			for _, c := range cs {
				if slices.Contains(seen, c.ID) {
					continue
				}
				if c.Version.Claim == 0 {
					return ""
				}
				seen = append(seen, c.ID)
				b = appendClaimVersion(b, c.ID, c.Version)
			}
		}
	}
	return string(b)
}

// readerMaterialKey is the key of the reader's new material for a reader
// who may make claims from it or may not.
func readerMaterialKey(v readerView, canCreate bool) string {
	return v.MaterialKey + "\x00" + strconv.FormatBool(canCreate)
}

// claimItemKey names a claim's item in the reader's side list, "" when
// its version is not known.
func claimItemKey(ed review.Edition, c *review.Claim) string {
	if c.Version.Claim == 0 {
		return ""
	}
	b := make([]byte, 0, 48)
	b = append(b, "reader-item\x00"...)
	b = strconv.AppendInt(b, ed.ID, 10)
	return string(appendClaimVersion(b, c.ID, c.Version))
}

// appendClaimVersion appends " id:claim:global" to a key.
func appendClaimVersion(b []byte, id int64, v review.ClaimVersion) []byte {
	b = append(b, ' ')
	b = strconv.AppendInt(b, id, 10)
	b = append(b, ':')
	b = strconv.AppendInt(b, v.Claim, 10)
	b = append(b, ':')
	return strconv.AppendInt(b, v.Global, 10)
}

// editionKey names an edition's text as the sentence cache does: its row,
// its file's digest and its import's time, which a replacing import
// changes.
func editionKey(ed review.Edition) string {
	return strconv.FormatInt(ed.ID, 10) + "/" + ed.SHA256 + "/" + strconv.FormatInt(ed.ImportedAt.UnixNano(), 10)
}

// pieces cuts text[start:end] at every claim edge inside it.
func (l *textLayout) pieces(start, end int) []textPiece {
	cuts := []int{start, end}
	for _, c := range l.claims {
		if c.Anchor.Start >= end {
			break // sorted by start
		}
		for _, x := range []int{c.Anchor.Start, c.Anchor.End} {
			// An edge inside a character would split it: the anchorer
			// keeps to rune boundaries, but check rather than trust.
			if x > start && x < end && utf8.RuneStart(l.text[x]) {
				cuts = append(cuts, x)
			}
		}
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	var pieces []textPiece
	for i := 0; i+1 < len(cuts); i++ {
		a, b := cuts[i], cuts[i+1]
		pc := textPiece{Text: l.text[a:b]}
		for _, c := range l.claims {
			if c.Anchor.Start >= b {
				break
			}
			if c.Anchor.End > a {
				pc.Claims = append(pc.Claims, c)
				if !l.linked[c.ID] {
					l.linked[c.ID] = true
					pieces = append(pieces, textPiece{Ref: c})
				}
			}
		}
		pieces = append(pieces, pc)
	}
	return pieces
}

// pieceClass is a highlight's classes: the lowest confidence of the claims
// covering it (the cautious reading), whether one has an open flag, and
// whether claims overlap there.
func pieceClass(pc textPiece) []string {
	cls := []string{"claim"}
	low := pc.Claims[0].Latest.Confidence
	flagged := false
	for _, c := range pc.Claims {
		if c.Latest.Confidence.Rank() < low.Rank() {
			low = c.Latest.Confidence
		}
		flagged = flagged || len(c.Flags) > 0
	}
	cls = append(cls, "c-"+string(low))
	if flagged {
		cls = append(cls, "flagged")
	}
	if len(pc.Claims) > 1 {
		cls = append(cls, "overlap")
	}
	return cls
}

// pieceIDs is the data-claims attribute: the ids of the covering claims.
func pieceIDs(pc textPiece) string {
	ids := make([]string, len(pc.Claims))
	for i, c := range pc.Claims {
		ids[i] = itoa(c.ID)
	}
	return strings.Join(ids, " ")
}

// pieceTitle names the claims covering a piece, for the tooltip.
func pieceTitle(pc textPiece) string {
	parts := make([]string, len(pc.Claims))
	for i, c := range pc.Claims {
		parts[i] = claimLabel(*c)
	}
	return strings.Join(parts, " · ")
}

// claimLabel is a claim in a few words: number, confidence, flags, statement.
func claimLabel(c review.Claim) string {
	s := fmt.Sprintf("Claim %d (%s", c.ID, c.Latest.Confidence)
	if n := c.OpenFlags; n == 1 {
		s += ", 1 open flag"
	} else if n > 1 {
		s += fmt.Sprintf(", %d open flags", n)
	}
	return s + "): " + c.Latest.Statement
}

// hedgeTitle is a hedged sentence's tooltip.
func hedgeTitle(hs []string) string { return "hedged: " + strings.Join(hs, ", ") }

// hedgeTable is review.HedgePhrases as JSON for reader.js, each phrase with
// the confidence review.SuggestConfidence gives a sentence hedged by it
// alone; for several phrases the script takes the lowest, as
// SuggestConfidence does.
var hedgeTable = sync.OnceValue(func() string {
	m := make(map[string]string, len(review.HedgePhrases))
	for _, h := range review.HedgePhrases {
		if c, ok := review.SuggestConfidence([]string{h}); ok {
			m[h] = string(c)
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err) // a map of strings always marshals
	}
	return string(b)
})

// confidenceOrder is review.Confidences as JSON, least verified first.
func confidenceOrder() string {
	b, _ := json.Marshal(review.Confidences)
	return string(b)
}

// contextRunes is how much text either side of a sentence a "claim this"
// link carries, as review.Anchor does.
const contextRunes = 32

// groupMaterial groups sentences by section, with their context; other is
// the other edition's text ("" on the reader), to tell text that is new
// from text that merely has no claim yet.
func groupMaterial(text string, sents []review.Sentence, other string) ([]materialGroup, int) {
	var gs []materialGroup
	for _, st := range sents {
		it := materialItem{Sentence: st}
		it.Prefix, it.Suffix = textContext(text, st.Start, st.End, contextRunes)
		it.New = other != "" && !strings.Contains(other, st.Text)
		n := len(gs)
		if n == 0 || gs[n-1].Section != st.Section {
			gs = append(gs, materialGroup{Section: st.Section})
			n++
		}
		gs[n-1].Items = append(gs[n-1].Items, it)
	}
	return gs, len(sents)
}

// textContext returns up to n runes of text either side of [start,end).
func textContext(text string, start, end, n int) (prefix, suffix string) {
	p := start
	for i := 0; i < n && p > 0; i++ {
		_, size := utf8.DecodeLastRuneInString(text[:p])
		p -= size
	}
	e := end
	for i := 0; i < n && e < len(text); i++ {
		_, size := utf8.DecodeRuneInString(text[e:])
		e += size
	}
	return text[p:start], text[end:e]
}

// claimThisURL fills the reader's form with a sentence, for browsers
// without JavaScript.
func claimThisURL(slug, label string, it materialItem) string {
	q := url.Values{"quote": {it.Text}, "prefix": {it.Prefix}, "suffix": {it.Suffix}}
	return editionURL(slug, label) + "?" + q.Encode() + "#new-claim"
}

func editionURL(slug, label string) string {
	return "/reports/" + url.PathEscape(slug) + "/editions/" + url.PathEscape(label)
}

func publishURL(slug, label string) string { return editionURL(slug, label) + "/publish" }

func compareURL(slug, from, to string) string {
	return "/reports/" + url.PathEscape(slug) + "/compare?" + url.Values{"from": {from}, "to": {to}}.Encode()
}

func claimURL(id int64) string { return fmt.Sprintf("/claims/%d", id) }

func sectionName(h string) string {
	if h == "" {
		return "Before the first heading"
	}
	return h
}

// ---- Compare ----

// compareView is the comparison of two editions of a report.
type compareView struct {
	Report     review.Report
	From, To   string
	FromEd     review.Edition
	ToEd       review.Edition
	Error      string
	Counts     []outcomeCount
	Total      int
	NotCarried int // claims of From with no appearance in To
	Changed    []changedClaim
	Missing    []missingClaim
	Hedges     []hedgeChange
	Sections   []sectionDiff
	Added      int // words
	Removed    int // words
	Material   []materialGroup
	NewCount   int // material sentences not in From at all
	MatCount   int
}

type outcomeCount struct {
	Outcome review.Outcome
	N       int
}

type changedClaim struct {
	Claim      review.Claim
	Diff       []review.DiffOp
	Similarity float64
}

type missingClaim struct {
	Claim   review.Claim
	Section string // in From
	Quote   string // in From
}

type hedgeChange struct {
	Claim    review.Claim
	From, To []string
}

// sectionDiff is one section of either edition, matched by heading.
type sectionDiff struct {
	Heading string
	Level   int
	Status  string // "same", "changed", "added", "removed"
	Ops     []review.DiffOp
	Claims  []review.Claim // of To, by their appearance in To (in From if missing there)
}

// outcomes in the order they are shown.
var outcomes = []review.Outcome{review.OutcomeOriginal, review.OutcomeUnchanged, review.OutcomeChanged, review.OutcomeMissing}

func (s *Server) handleCompare(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authorize(w, r, review.ActionRead); !ok {
		return
	}
	slug := r.PathValue("slug")
	rep, err := s.svc.FindReport(r.Context(), slug)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	p := s.page(r, "Compare editions of "+rep.Title)
	v := compareView{Report: rep, From: r.URL.Query().Get("from"), To: r.URL.Query().Get("to")}
	if msg := pickEditions(rep, &v.From, &v.To); msg != "" {
		v.Error = msg
		s.render(w, r, http.StatusBadRequest, comparePage(p, v))
		return
	}
	if v.FromEd, err = s.svc.FindEdition(r.Context(), slug, v.From); err != nil {
		s.Error(w, r, err)
		return
	}
	if v.ToEd, err = s.svc.FindEdition(r.Context(), slug, v.To); err != nil {
		s.Error(w, r, err)
		return
	}
	fromClaims, err := s.editionClaims(r, slug, v.From)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	toClaims, err := s.editionClaims(r, slug, v.To)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	buildCompare(&v, fromClaims, toClaims)
	s.render(w, r, http.StatusOK, comparePage(p, v))
}

// pickEditions fills in the default editions (the two latest, or the one
// before the other given) and checks them; it returns a message for the
// user when they cannot be compared.
func pickEditions(rep review.Report, from, to *string) string {
	eds := rep.Editions
	index := func(label string) int {
		return slices.IndexFunc(eds, func(e review.Edition) bool { return e.Label == label })
	}
	if len(eds) < 2 {
		return fmt.Sprintf("Report %s has %d edition(s): import another edition to compare two.", rep.Slug, len(eds))
	}
	for _, l := range []string{*from, *to} {
		if l != "" && index(l) < 0 {
			return fmt.Sprintf("Report %s has no edition %q. Its editions are %s.", rep.Slug, l, editionLabels(eds))
		}
	}
	switch {
	case *from == "" && *to == "":
		*from, *to = eds[len(eds)-2].Label, eds[len(eds)-1].Label
	case *from == "":
		if i := index(*to); i > 0 {
			*from = eds[i-1].Label
		} else {
			*from = eds[1].Label
		}
	case *to == "":
		if i := index(*from); i < len(eds)-1 {
			*to = eds[i+1].Label
		} else {
			*to = eds[i-1].Label
		}
	}
	if *from == *to {
		return fmt.Sprintf("Choose two different editions to compare: both are %s.", *from)
	}
	return ""
}

func editionLabels(eds []review.Edition) string {
	ls := make([]string, len(eds))
	for i, e := range eds {
		ls[i] = e.Label
	}
	return strings.Join(ls, ", ")
}

func buildCompare(v *compareView, fromClaims, toClaims []review.Claim) {
	inFrom := map[int64]review.Claim{}
	for _, c := range fromClaims {
		inFrom[c.ID] = c
	}
	inTo := map[int64]bool{}
	counts := map[review.Outcome]int{}
	bySection := map[string][]review.Claim{}
	for _, c := range toClaims {
		inTo[c.ID] = true
		counts[c.Anchor.Match]++
		old, had := inFrom[c.ID]
		section := c.Anchor.Section
		switch c.Anchor.Match {
		case review.OutcomeChanged:
			cc := changedClaim{Claim: c, Diff: c.Anchor.Diff, Similarity: c.Anchor.Similarity}
			if had && old.Anchor.Match != review.OutcomeMissing {
				// From need not be the edition just before To.
				cc.Diff = review.WordDiff(old.Anchor.Exact, c.Anchor.Exact)
			}
			v.Changed = append(v.Changed, cc)
		case review.OutcomeMissing:
			mc := missingClaim{Claim: c}
			if had {
				mc.Section, mc.Quote = old.Anchor.Section, old.Anchor.Exact
				section = old.Anchor.Section
			}
			v.Missing = append(v.Missing, mc)
		}
		if had && old.Anchor.Match != review.OutcomeMissing && c.Anchor.Match != review.OutcomeMissing &&
			!slices.Equal(old.Anchor.Hedges, c.Anchor.Hedges) {
			v.Hedges = append(v.Hedges, hedgeChange{Claim: c, From: old.Anchor.Hedges, To: c.Anchor.Hedges})
		}
		bySection[section] = append(bySection[section], c)
	}
	for _, o := range outcomes {
		// Claims made on the later edition itself are "original"; show the
		// count only when there are some.
		if o != review.OutcomeOriginal || counts[o] > 0 {
			v.Counts = append(v.Counts, outcomeCount{Outcome: o, N: counts[o]})
		}
		v.Total += counts[o]
	}
	for id := range inFrom {
		if !inTo[id] {
			v.NotCarried++
		}
	}
	for h := range bySection {
		slices.SortFunc(bySection[h], func(a, b review.Claim) int { return a.Anchor.Start - b.Anchor.Start })
	}

	v.Sections = diffSections(v.FromEd.Doc, v.ToEd.Doc)
	for i := range v.Sections {
		sd := &v.Sections[i]
		if sd.Status != "removed" {
			sd.Claims = bySection[sd.Heading]
		} else {
			for _, c := range bySection[sd.Heading] {
				if c.Anchor.Match == review.OutcomeMissing {
					sd.Claims = append(sd.Claims, c)
				}
			}
		}
		for _, op := range sd.Ops {
			switch op.Op {
			case "+":
				v.Added += len(strings.Fields(op.Text))
			case "-":
				v.Removed += len(strings.Fields(op.Text))
			}
		}
	}

	var spans [][2]int
	for _, c := range toClaims {
		if anchored(c, len(v.ToEd.Doc.Text)) {
			spans = append(spans, [2]int{c.Anchor.Start, c.Anchor.End})
		}
	}
	uncovered := review.Uncovered(review.Sentences(v.ToEd.Doc), spans)
	v.Material, v.MatCount = groupMaterial(v.ToEd.Doc.Text, uncovered, v.FromEd.Doc.Text)
	for _, g := range v.Material {
		for _, it := range g.Items {
			if it.New {
				v.NewCount++
			}
		}
	}
}

// docSection is a section's heading and body, with the text before the
// first heading as a section without one.
type docSection struct {
	Heading string
	Level   int
	Body    string
}

func docSections(d text.Document) []docSection {
	var out []docSection
	first := len(d.Text)
	for _, s := range d.Sections {
		first = min(first, s.HeadingStart)
	}
	if pre := strings.TrimSpace(d.Text[:first]); pre != "" {
		out = append(out, docSection{Body: pre, Level: 2})
	}
	for _, s := range d.Sections {
		out = append(out, docSection{Heading: s.Heading, Level: min(1+max(1, s.Level), 6), Body: d.Text[s.Start:s.End]})
	}
	return out
}

// diffSections matches the sections of two documents by heading, keeping
// both orders (a longest common subsequence of the headings), and diffs
// the bodies of matched sections word by word.
func diffSections(from, to text.Document) []sectionDiff {
	a, b := docSections(from), docSections(to)
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i].Heading == b[j].Heading {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []sectionDiff
	removed := func(s docSection) {
		out = append(out, sectionDiff{Heading: s.Heading, Level: s.Level, Status: "removed", Ops: review.WordDiff(s.Body, "")})
	}
	added := func(s docSection) {
		out = append(out, sectionDiff{Heading: s.Heading, Level: s.Level, Status: "added", Ops: review.WordDiff("", s.Body)})
	}
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i].Heading == b[j].Heading:
			sd := sectionDiff{Heading: b[j].Heading, Level: b[j].Level, Status: "same", Ops: review.WordDiff(a[i].Body, b[j].Body)}
			if strings.Join(strings.Fields(a[i].Body), " ") != strings.Join(strings.Fields(b[j].Body), " ") {
				sd.Status = "changed"
			}
			out = append(out, sd)
			i++
			j++
		case lcs[i+1][j] >= lcs[i][j+1]:
			removed(a[i])
			i++
		default:
			added(b[j])
			j++
		}
	}
	for ; i < n; i++ {
		removed(a[i])
	}
	for ; j < m; j++ {
		added(b[j])
	}
	return out
}

// ---- Import ----

// importView is the import form as typed, with the message for the field
// that was wrong.
type importView struct {
	Report    review.Report
	Label     string
	Published string
	Draft     bool
	Replace   bool // replace the draft edition of the same label
	Error     string
	Field     string
	Conflict  bool
}

// handleImportForm shows the form that imports an edition of a report.
func (s *Server) handleImportForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authorize(w, r, review.ActionImportEdition); !ok {
		return
	}
	rep, err := s.svc.FindReport(r.Context(), r.PathValue("slug"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, importPage(s.page(r, "Import an edition of "+rep.Title), importView{Report: rep}))
}

// handleImport imports an edition from the import form: on success it
// shows what became of the claims (the comparison with the edition before);
// a bad form comes back with what was typed and the message.
func (s *Server) handleImport(w http.ResponseWriter, r *http.Request) {
	u, ok := s.authorize(w, r, review.ActionImportEdition)
	if !ok {
		return
	}
	slug := r.PathValue("slug")
	rep, err := s.svc.FindReport(r.Context(), slug)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if err := parseForm(r); err != nil {
		s.Error(w, r, err)
		return
	}
	v := importView{Report: rep, Label: strings.TrimSpace(r.PostForm.Get("edition")),
		Published: strings.TrimSpace(r.PostForm.Get("published")), Draft: r.PostForm.Get("draft") == "yes",
		Replace: r.PostForm.Get("replace") == "yes"}
	fail := func(status int, err error) {
		v.Error, v.Field = review.ErrorMessage(err), review.ErrorField(err)
		s.render(w, r, status, importPage(s.page(r, "Import an edition of "+rep.Title), v))
	}
	original, err := readUpload(r)
	if err == nil && bytesLookPDF(original) {
		original, err = ExtractPDF(r.Context(), original)
	}
	if err != nil {
		if review.ErrorCode(err) != review.EINVALID {
			s.Error(w, r, err)
			return
		}
		fail(http.StatusBadRequest, err)
		return
	}
	res, err := s.svc.ImportEdition(r.Context(), u, review.NewEdition{Report: rep.Slug, Title: rep.Title,
		Publisher: rep.Publisher, Label: v.Label, Published: v.Published, Original: original, Draft: v.Draft, Replace: v.Replace})
	switch code := review.ErrorCode(err); {
	case err == nil:
		s.kickCheckpoint()
	case code == review.EINVALID:
		fail(http.StatusBadRequest, err)
		return
	case code == review.ECONFLICT:
		v.Conflict = true
		fail(http.StatusConflict, err)
		return
	default:
		s.Error(w, r, err)
		return
	}
	if res.Unchanged {
		s.render(w, r, http.StatusOK, importUnchangedPage(s.page(r, "Nothing changed"), rep, res.Edition))
		return
	}
	// Show what became of the claims: the new edition against the one
	// ranked just before it (or after it, for an older edition imported
	// late); the reader when it is the report's only edition.
	rep, err = s.svc.FindReport(r.Context(), rep.Slug)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	label, eds := res.Edition.Label, rep.Editions
	switch i := slices.IndexFunc(eds, func(e review.Edition) bool { return e.Label == label }); {
	case i > 0:
		redirect(w, r, compareURL(rep.Slug, eds[i-1].Label, label)+"&msg=edition-imported")
	case i == 0 && len(eds) > 1:
		redirect(w, r, compareURL(rep.Slug, label, eds[1].Label)+"&msg=edition-imported")
	default:
		redirect(w, r, editionURL(rep.Slug, label)+"?msg=edition-imported")
	}
}

// readUpload reads the form's file, refusing what cannot be an edition's
// text or a PDF before anything is written.
func readUpload(r *http.Request) ([]byte, error) {
	f, hdr, err := r.FormFile("file")
	if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
		return nil, review.FieldErrorf("file", "Choose the edition's text file to import.")
	} else if err != nil {
		return nil, review.FieldErrorf("file", "The file could not be read: %v. Choose it again.", err)
	}
	defer f.Close()
	if hdr.Size > review.MaxEditionBytes {
		return nil, review.FieldErrorf("file", "The file is larger than %d MiB: an edition's text is usually well under 1 MiB. Check that it is the extracted text.", review.MaxEditionBytes>>20)
	}
	b, err := io.ReadAll(io.LimitReader(f, review.MaxEditionBytes+1))
	if err != nil {
		return nil, review.FieldErrorf("file", "The file could not be read: %v. Choose it again.", err)
	}
	if len(b) > review.MaxEditionBytes {
		return nil, review.FieldErrorf("file", "The file is larger than %d MiB.", review.MaxEditionBytes>>20)
	}
	if bytesLookPDF(b) {
		return b, nil // its text is extracted by ExtractPDF
	}
	if !utf8.Valid(b) {
		return nil, review.FieldErrorf("file", "The file %q is not UTF-8 text. Save it as UTF-8 (for example with iconv -t UTF-8) and import it again.", hdr.Filename)
	}
	if len(b) == 0 {
		return nil, review.FieldErrorf("file", "The file %q is empty.", hdr.Filename)
	}
	return b, nil
}

// ---- Publish ----

// handlePublish makes a draft edition final from its "Publish this edition"
// button: the web's way to do what importing the draft's file again without
// --draft does on the command line. It reads no form: the address names the
// edition, and publishing twice is a conflict, not a second event.
func (s *Server) handlePublish(w http.ResponseWriter, r *http.Request) {
	u, ok := s.authorize(w, r, review.ActionPublishEdition)
	if !ok {
		return
	}
	slug, label := r.PathValue("slug"), r.PathValue("label")
	if _, err := s.svc.PublishEdition(r.Context(), u, slug, label); err != nil {
		s.Error(w, r, err)
		return
	}
	s.kickCheckpoint()
	to := editionURL(slug, label) + "?msg=edition-published"
	if isHTMX(r) {
		// htmx would follow a 303 inside its request and swap the whole
		// reader into the button: have it load the page instead.
		w.Header().Set("HX-Redirect", to)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	redirect(w, r, to)
}
