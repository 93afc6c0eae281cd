package review

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Claim exports: the claims in formats other tools already read.
//
//   - csv: one row per claim, for spreadsheets (ClaimCSVHeader).
//   - annotation: W3C Web Annotation (JSON-LD), one Annotation per
//     appearance of a claim in an edition, in an AnnotationCollection.
//   - claimreview: schema.org ClaimReview (JSON-LD), one per approved claim.
//
// The writers take claims one at a time, as FindClaim returns them (with
// revisions, appearances and flags), so an export of any size holds one
// claim in memory.

// ClaimFormats lists the claim export formats.
var ClaimFormats = []string{"csv", "annotation", "claimreview"}

// ClaimFormatContentType is the media type of each claim export format. The
// annotation type is the one the Web Annotation Protocol specifies.
var ClaimFormatContentType = map[string]string{
	"csv":         "text/csv; charset=utf-8",
	"annotation":  `application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"`,
	"claimreview": "application/ld+json",
}

// ClaimExport is what the JSON-LD claim exports need besides the claims.
type ClaimExport struct {
	// BaseURL is where vetted is served, such as https://vetted.example.org:
	// annotation ids, targets and review URLs are built on it. Required for
	// the JSON-LD formats.
	BaseURL string
	// Org is the organisation running vetted: the author of every
	// ClaimReview (required for claimreview) and the creator of every
	// annotation.
	Org string
	// OrgURL is the organisation's web address, the url of the
	// ClaimReview author (schema.org Organization.url); default BaseURL,
	// where its reviews are published.
	OrgURL string
	// Reports by slug, with their editions: titles, publishers, dates.
	Reports map[string]Report
	// Text returns an edition's normalised text (Document.Text), which
	// annotations count character positions in. Draft editions are not
	// exported, so it need not know them.
	Text func(report, edition string) (string, error)
	// CollectionID is the annotation collection's id; default
	// BaseURL/export/claims.annotations.jsonld.
	CollectionID string
}

// draft reports whether the report's edition is a draft. A draft may yet
// be replaced, so the JSON-LD exports, which others keep, leave it out.
func (x ClaimExport) draft(report, edition string) bool {
	for _, e := range x.Reports[report].Editions {
		if e.Label == edition {
			return e.Draft
		}
	}
	return false
}

// NewClaimExport reads the reports from rs, with every edition's text,
// before any claim is exported: ClaimService.EachClaim holds a read
// transaction while it hands out claims, and a text read from inside it
// would need a second connection, so enough exports at once would wait on
// each other for ever.
func NewClaimExport(ctx context.Context, rs ReportService, baseURL, org string) (ClaimExport, error) {
	x := ClaimExport{BaseURL: baseURL, Org: org, Reports: map[string]Report{}}
	reps, err := rs.ListReports(ctx)
	if err != nil {
		return x, err
	}
	texts := map[[2]string]string{}
	for _, r := range reps {
		x.Reports[r.Slug] = r
		for _, e := range r.Editions {
			if e.Draft {
				continue
			}
			ed, err := rs.FindEdition(ctx, r.Slug, e.Label)
			if err != nil {
				return x, err
			}
			texts[[2]string{r.Slug, e.Label}] = ed.Doc.Text
		}
	}
	x.Text = func(report, edition string) (string, error) {
		t, ok := texts[[2]string{report, edition}]
		if !ok {
			return "", Errorf(ENOTFOUND, "Report %q has no edition %q.", report, edition)
		}
		return t, nil
	}
	return x, nil
}

// ClaimWriter writes claims in one export format; Close finishes the
// document.
type ClaimWriter interface {
	Write(c Claim) error
	Close() error
}

// NewClaimWriter starts an export in format, one of ClaimFormats.
func NewClaimWriter(w io.Writer, format string, x ClaimExport) (ClaimWriter, error) {
	switch format {
	case "csv":
		return NewClaimCSVWriter(w)
	case "annotation":
		return NewAnnotationWriter(w, x)
	case "claimreview":
		return NewClaimReviewWriter(w, x)
	}
	return nil, FieldErrorf("format", "Unknown claim export format %q: use csv, annotation or claimreview.", format)
}

// ExportClaims writes every claim f selects to cw and closes it.
func ExportClaims(ctx context.Context, cs ClaimService, f ClaimFilter, cw ClaimWriter) error {
	if err := cs.EachClaim(ctx, f, cw.Write); err != nil {
		return err
	}
	return cw.Close()
}

// exportTime is the form of times in claim exports: RFC 3339 in UTC, to
// the second, which spreadsheets and JSON-LD's xsd:dateTime both read.
func exportTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// ClaimCSVHeader is the header row of the claims CSV.
var ClaimCSVHeader = []string{"id", "report", "edition", "section", "statement", "quote", "confidence", "hedge",
	"state", "open_flags", "sources", "last_change"}

// ClaimCSVWriter writes one row per claim: its latest revision (whatever
// its state) and its appearance in the latest edition it was carried into
// (quote and section empty when it is missing there). Open flags are
// "kind: reason", sources "title (B2)" with the Admiralty grade, and
// ", contradicts" inside the brackets for contradicting evidence; both are
// joined with "; ". Every cell goes through CSVCell.
type ClaimCSVWriter struct {
	w *CSVWriter
}

// NewClaimCSVWriter starts a claims CSV and writes its header.
func NewClaimCSVWriter(w io.Writer) (*ClaimCSVWriter, error) {
	cw, err := NewCSVWriter(w, ClaimCSVHeader...)
	return &ClaimCSVWriter{w: cw}, err
}

// ClaimCSVRow is one claim as a row, in ClaimCSVHeader's order, before
// neutralising.
func ClaimCSVRow(c Claim) []string {
	app := latestAppearance(c)
	var flags, sources []string
	for _, f := range openFlags(c) {
		flags = append(flags, string(f.Kind)+": "+f.Reason)
	}
	for _, e := range c.Latest.Evidence {
		grade := e.Grade()
		if e.Stance == StanceContradicts {
			grade += ", contradicts"
		}
		sources = append(sources, e.Source.Title+" ("+grade+")")
	}
	return []string{strconv.FormatInt(c.ID, 10), c.Report, app.Edition, app.Section, c.Latest.Statement, app.Exact,
		string(c.Latest.Confidence), c.Latest.Hedge, string(c.Latest.State), strings.Join(flags, "; "),
		strings.Join(sources, "; "), exportTime(c.UpdatedAt)}
}

// Write adds one claim.
func (x *ClaimCSVWriter) Write(c Claim) error { return x.w.Row(ClaimCSVRow(c)...) }

// Close flushes.
func (x *ClaimCSVWriter) Close() error { return x.w.Close() }

// latestAppearance is the claim's appearance in the latest edition: Anchor
// as FindClaim sets it, else the last of Appearances.
func latestAppearance(c Claim) Appearance {
	if c.Anchor.Edition == "" && len(c.Appearances) > 0 {
		return c.Appearances[len(c.Appearances)-1]
	}
	return c.Anchor
}

// openFlags are the claim's open flags, from AllFlags when it is filled.
func openFlags(c Claim) []Flag {
	if c.AllFlags == nil {
		return c.Flags
	}
	var fs []Flag
	for _, f := range c.AllFlags {
		if f.Open() {
			fs = append(fs, f)
		}
	}
	return fs
}

// checkBaseURL validates and trims the base URL the JSON-LD exports build
// their ids on.
func checkBaseURL(base string) (string, error) {
	u, err := url.Parse(base)
	if base == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", FieldErrorf("base_url", "The base URL %q must be an http or https address such as https://vetted.example.org, without query or fragment.", base)
	}
	return strings.TrimRight(base, "/"), nil
}

// EditionURL is an edition's page: BASE/reports/SLUG/editions/LABEL.
func EditionURL(base, report, edition string) string {
	return strings.TrimRight(base, "/") + "/reports/" + url.PathEscape(report) + "/editions/" + url.PathEscape(edition)
}

// EditionTextURL serves an edition's normalised text (Document.Text) as
// text/plain in UTF-8, exactly as stored: BASE/reports/SLUG/editions/LABEL/text.
// It is the source of every Web Annotation, so a client that fetches it
// finds each TextPositionSelector's code points where the export says.
func EditionTextURL(base, report, edition string) string {
	return EditionURL(base, report, edition) + "/text"
}

// ClaimURL is a claim's page: BASE/claims/ID.
func ClaimURL(base string, id int64) string {
	return strings.TrimRight(base, "/") + "/claims/" + strconv.FormatInt(id, 10)
}

// jsonItems writes a JSON array's elements as they come, indented, without
// escaping <, > and & (the output is a file, not HTML).
type jsonItems struct {
	w      io.Writer
	indent string
	n      int
	err    error
}

func (j *jsonItems) add(v any) error {
	if j.err != nil {
		return j.err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent(j.indent, "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	sep := "\n"
	if j.n > 0 {
		sep = ",\n"
	}
	j.n++
	_, j.err = io.WriteString(j.w, sep+j.indent+strings.TrimSuffix(b.String(), "\n"))
	return j.err
}

// jsonString renders s as a JSON string without HTML escaping.
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

// AnnotationContext is the JSON-LD context of the Web Annotation model.
const AnnotationContext = "http://www.w3.org/ns/anno.jsonld"

// AnnotationWriter writes a W3C Web Annotation AnnotationCollection with
// its one page embedded (the container the Web Annotation Protocol serves;
// a tool that loads a plain array of annotations takes first.items). The
// collection names its page as both first and last, and the page names
// the collection as partOf (the Web Annotation Protocol's Annotation
// Pages, from Activity Streams paging). Each appearance of a claim that is
// not missing, in an edition that is not a draft, is one Annotation:
//
//   - id BASE/claims/ID#edition-LABEL, motivation "assessing";
//   - created when the claim was anchored in the edition, modified the
//     claim's last change; creator the organisation, generator vetted;
//   - body: the statement of the claim's latest revision (purpose
//     describing) and tags "confidence:LEVEL" and "state:STATE";
//   - target: source the edition's normalised text as served at
//     EditionTextURL (not its HTML page, whose characters differ), with a
//     TextQuoteSelector (exact, prefix, suffix) and a TextPositionSelector
//     whose start and end count Unicode code points in that text, as the
//     Web Annotation Data Model's Text Position Selector requires
//     (review.Anchor counts bytes: they are converted).
type AnnotationWriter struct {
	x     ClaimExport
	base  string
	items jsonItems
	texts map[[2]string]string
}

// annotation and its parts are the Web Annotation model's shapes.
type (
	annotation struct {
		ID         string           `json:"id"`
		Type       string           `json:"type"`
		Motivation string           `json:"motivation"`
		Created    string           `json:"created"`
		Modified   string           `json:"modified"`
		Creator    *annotationAgent `json:"creator,omitempty"`
		Generator  annotationAgent  `json:"generator"`
		Body       []annotationBody `json:"body"`
		Target     annotationTarget `json:"target"`
	}
	annotationAgent struct {
		ID   string `json:"id,omitempty"`
		Type string `json:"type"`
		Name string `json:"name"`
	}
	annotationBody struct {
		Type    string `json:"type"`
		Purpose string `json:"purpose"`
		Value   string `json:"value"`
		Format  string `json:"format,omitempty"`
	}
	annotationTarget struct {
		Source   string `json:"source"`
		Selector []any  `json:"selector"`
	}
	textQuoteSelector struct {
		Type   string `json:"type"`
		Exact  string `json:"exact"`
		Prefix string `json:"prefix"`
		Suffix string `json:"suffix"`
	}
	textPositionSelector struct {
		Type  string `json:"type"`
		Start int    `json:"start"`
		End   int    `json:"end"`
	}
)

// NewAnnotationWriter starts an annotation collection on w.
func NewAnnotationWriter(w io.Writer, x ClaimExport) (*AnnotationWriter, error) {
	base, err := checkBaseURL(x.BaseURL)
	if err != nil {
		return nil, err
	}
	if x.Text == nil {
		return nil, fmt.Errorf("review: annotation export: no edition text source")
	}
	id := x.CollectionID
	if id == "" {
		id = base + "/export/claims.annotations.jsonld"
	}
	// The collection's fields are written by hand around the streamed
	// items; "total" comes last, once it is known (JSON objects are
	// unordered).
	aw := &AnnotationWriter{x: x, base: base, texts: map[[2]string]string{}}
	aw.items = jsonItems{w: w, indent: "      "}
	page := jsonString(id + "#page-1")
	_, err = fmt.Fprintf(w, "{\n  \"@context\": %s,\n  \"id\": %s,\n  \"type\": \"AnnotationCollection\",\n  \"label\": \"vetted claims\",\n  \"last\": %s,\n  \"first\": {\n    \"id\": %s,\n    \"type\": \"AnnotationPage\",\n    \"partOf\": %s,\n    \"startIndex\": 0,\n    \"items\": [",
		jsonString(AnnotationContext), jsonString(id), page, page, jsonString(id))
	return aw, err
}

// Write adds one annotation per appearance of c that is not missing, in
// an edition that is not a draft.
func (x *AnnotationWriter) Write(c Claim) error {
	for _, app := range c.Appearances {
		if app.Match == OutcomeMissing || x.x.draft(c.Report, app.Edition) {
			continue
		}
		a, err := x.annotation(c, app)
		if err != nil {
			return err
		}
		if err := x.items.add(a); err != nil {
			return err
		}
	}
	return nil
}

func (x *AnnotationWriter) annotation(c Claim, app Appearance) (annotation, error) {
	key := [2]string{c.Report, app.Edition}
	text, ok := x.texts[key]
	if !ok {
		var err error
		if text, err = x.x.Text(c.Report, app.Edition); err != nil {
			return annotation{}, err
		}
		x.texts[key] = text
	}
	start, end, err := CharOffsets(text, app.Anchor)
	if err != nil {
		return annotation{}, fmt.Errorf("review: claim %d in edition %s: %w", c.ID, app.Edition, err)
	}
	a := annotation{
		ID:         ClaimURL(x.base, c.ID) + "#edition-" + url.PathEscape(app.Edition),
		Type:       "Annotation",
		Motivation: "assessing",
		Created:    exportTime(app.CreatedAt),
		Modified:   exportTime(c.UpdatedAt),
		Generator:  annotationAgent{ID: x.base, Type: "Software", Name: "vetted"},
		Body: []annotationBody{
			{Type: "TextualBody", Purpose: "describing", Value: c.Latest.Statement, Format: "text/plain"},
			{Type: "TextualBody", Purpose: "tagging", Value: "confidence:" + string(c.Latest.Confidence)},
			{Type: "TextualBody", Purpose: "tagging", Value: "state:" + string(c.Latest.State)},
		},
		Target: annotationTarget{
			Source: EditionTextURL(x.base, c.Report, app.Edition),
			Selector: []any{
				textQuoteSelector{Type: "TextQuoteSelector", Exact: app.Exact, Prefix: app.Prefix, Suffix: app.Suffix},
				textPositionSelector{Type: "TextPositionSelector", Start: start, End: end},
			},
		},
	}
	if x.x.Org != "" {
		a.Creator = &annotationAgent{Type: "Organization", Name: x.x.Org}
	}
	return a, nil
}

// CharOffsets converts an anchor's byte offsets in text into the Unicode
// code point offsets the Web Annotation model counts, checking that the
// anchor's exact text is really there.
func CharOffsets(text string, a Anchor) (start, end int, err error) {
	if a.Start < 0 || a.Start >= a.End || a.End > len(text) || text[a.Start:a.End] != a.Exact {
		return 0, 0, fmt.Errorf("the anchor [%d,%d) does not hold its quote in the edition's text", a.Start, a.End)
	}
	if !utf8.ValidString(text[:a.End]) {
		return 0, 0, fmt.Errorf("the edition's text is not valid UTF-8 before offset %d", a.End)
	}
	start = utf8.RuneCountInString(text[:a.Start])
	return start, start + utf8.RuneCountInString(a.Exact), nil
}

// Close ends the page and the collection.
func (x *AnnotationWriter) Close() error {
	if x.items.err != nil {
		return x.items.err
	}
	closing := "\n    ]"
	if x.items.n == 0 {
		closing = "]"
	}
	_, err := fmt.Fprintf(x.items.w, "%s\n  },\n  \"total\": %d\n}\n", closing, x.items.n)
	return err
}

// ClaimReviewContext is schema.org's JSON-LD context.
const ClaimReviewContext = "https://schema.org"

// Rating maps a confidence onto the ClaimReview scale: unverified 1, low 2,
// moderate 3, high 4 (worst 1, best 4), with its name, which a ClaimReview
// gives as both the Rating's name and its alternateName (the textual
// rating Google's fact-check markup reads).
func Rating(c Confidence) (value int, name string) {
	names := []string{"Unverified", "Low confidence", "Moderate confidence", "High confidence"}
	if r := c.Rank(); r >= 0 {
		return r + 1, names[r]
	}
	return 0, ""
}

// ClaimReviewWriter writes a JSON array of schema.org ClaimReview objects,
// one per claim with an approved revision, each complete with its own
// "@context" so it can be cut out and embedded in a page as is:
//
//   - url BASE/claims/ID; claimReviewed the approved revision's statement;
//   - reviewRating: the approved confidence on the Rating scale, its name
//     as name and alternateName;
//   - itemReviewed: a Claim whose appearance lists the published editions
//     it stands in (CreativeWork: edition URL, report title and edition,
//     publication date), firstAppearance the first, datePublished that
//     edition's publication date (when known), author the report's
//     publisher; draft editions are left out, as they may be replaced;
//   - author: the organisation running vetted, with its url (OrgURL);
//     datePublished: the day the revision was approved (UTC).
type ClaimReviewWriter struct {
	x     ClaimExport
	base  string
	items jsonItems
}

type (
	claimReview struct {
		Context       string       `json:"@context"`
		Type          string       `json:"@type"`
		URL           string       `json:"url"`
		ClaimReviewed string       `json:"claimReviewed"`
		ReviewRating  schemaRating `json:"reviewRating"`
		ItemReviewed  schemaClaim  `json:"itemReviewed"`
		Author        schemaOrg    `json:"author"`
		DatePublished string       `json:"datePublished"`
	}
	schemaRating struct {
		Type          string `json:"@type"`
		RatingValue   int    `json:"ratingValue"`
		BestRating    int    `json:"bestRating"`
		WorstRating   int    `json:"worstRating"`
		Name          string `json:"name"`
		AlternateName string `json:"alternateName"`
	}
	schemaClaim struct {
		Type            string       `json:"@type"`
		Appearance      []schemaWork `json:"appearance"`
		FirstAppearance *schemaWork  `json:"firstAppearance,omitempty"`
		DatePublished   string       `json:"datePublished,omitempty"`
		Author          *schemaOrg   `json:"author,omitempty"`
	}
	schemaWork struct {
		Type          string `json:"@type"`
		URL           string `json:"url"`
		Name          string `json:"name"`
		DatePublished string `json:"datePublished,omitempty"`
	}
	schemaOrg struct {
		Type string `json:"@type"`
		Name string `json:"name"`
		URL  string `json:"url,omitempty"`
	}
)

// NewClaimReviewWriter starts a ClaimReview array on w.
func NewClaimReviewWriter(w io.Writer, x ClaimExport) (*ClaimReviewWriter, error) {
	base, err := checkBaseURL(x.BaseURL)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(x.Org) == "" {
		return nil, FieldErrorf("org", "A ClaimReview needs its author: give the name of the organisation running vetted.")
	}
	if x.OrgURL == "" {
		x.OrgURL = base
	} else if u, err := url.Parse(x.OrgURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, FieldErrorf("org_url", "The organisation's URL %q must be an http or https address.", x.OrgURL)
	}
	cw := &ClaimReviewWriter{x: x, base: base, items: jsonItems{w: w, indent: "  "}}
	_, err = io.WriteString(w, "[")
	return cw, err
}

// Write adds c's review if it has an approved revision.
func (x *ClaimReviewWriter) Write(c Claim) error {
	if c.CurrentID == 0 {
		return nil
	}
	cur := c.Current
	if cur.ID != c.CurrentID {
		for _, r := range c.Revisions {
			if r.ID == c.CurrentID {
				cur = r
			}
		}
	}
	if cur.ID != c.CurrentID || cur.State != StateApproved {
		return fmt.Errorf("review: claim %d: its approved revision %d was not loaded", c.ID, c.CurrentID)
	}
	rep, ok := x.x.Reports[c.Report]
	if !ok {
		return fmt.Errorf("review: claim %d: report %q was not loaded", c.ID, c.Report)
	}
	value, name := Rating(cur.Confidence)
	if value == 0 {
		return fmt.Errorf("review: claim %d: unknown confidence %q", c.ID, cur.Confidence)
	}
	item := schemaClaim{Type: "Claim", Appearance: []schemaWork{}}
	for _, app := range c.Appearances {
		if app.Match == OutcomeMissing || x.x.draft(c.Report, app.Edition) {
			continue
		}
		work := schemaWork{Type: "CreativeWork", URL: EditionURL(x.base, rep.Slug, app.Edition),
			Name: rep.Title + ", edition " + app.Edition}
		for _, ed := range rep.Editions {
			if ed.Label == app.Edition {
				work.DatePublished = ed.Published
			}
		}
		item.Appearance = append(item.Appearance, work)
	}
	if len(item.Appearance) > 0 {
		item.FirstAppearance = &item.Appearance[0]
		item.DatePublished = item.Appearance[0].DatePublished
	}
	if rep.Publisher != "" {
		item.Author = &schemaOrg{Type: "Organization", Name: rep.Publisher}
	}
	return x.items.add(claimReview{
		Context:       ClaimReviewContext,
		Type:          "ClaimReview",
		URL:           ClaimURL(x.base, c.ID),
		ClaimReviewed: cur.Statement,
		ReviewRating:  schemaRating{Type: "Rating", RatingValue: value, BestRating: 4, WorstRating: 1, Name: name, AlternateName: name},
		ItemReviewed:  item,
		Author:        schemaOrg{Type: "Organization", Name: x.x.Org, URL: x.x.OrgURL},
		DatePublished: cur.DecidedAt.UTC().Format(time.DateOnly),
	})
}

// Close ends the array.
func (x *ClaimReviewWriter) Close() error {
	if x.items.err != nil {
		return x.items.err
	}
	closing := "\n]\n"
	if x.items.n == 0 {
		closing = "]\n"
	}
	_, err := io.WriteString(x.items.w, closing)
	return err
}
