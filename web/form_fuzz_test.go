package web

import (
	"net/url"
	"strings"
	"testing"

	"vetted/review"
)

// Fuzz targets for the form decoders (form.go) and the list filters that
// read query parameters. Whatever is posted, a decoder must not panic, and
// whatever it decodes must pass or fail the domain's validation without
// panicking. Every refusal is a user error (EINVALID, a 400), never an
// internal one (a 500). `go test` runs the seeds; `go test -fuzz
// FuzzDecodeClaimForm ./web` (and so on) searches further.

// userError fails unless err is nil or an EINVALID error with a message
// for the user.
func userError(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if code := review.ErrorCode(err); code != review.EINVALID {
		t.Fatalf("%s: error code %q (%v), want %q: a bad form is the user's error", what, code, err, review.EINVALID)
	}
	if review.ErrorMessage(err) == "" {
		t.Fatalf("%s: error without a message", what)
	}
}

// formOf builds the urlencoded body a browser would send and parses it
// back, so the decoders see what ParseForm gives them (invalid UTF-8 and
// all).
func formOf(t *testing.T, kv ...string) url.Values {
	t.Helper()
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	back, err := url.ParseQuery(v.Encode())
	if err != nil {
		t.Fatalf("round trip of %v: %v", v, err)
	}
	return back
}

func FuzzDecodeClaimForm(f *testing.F) {
	f.Add("azerbaijan", "2021", "Limited information points towards the existence of a single mafia-style group, Cigánska mafia",
		"", "", "The Cigánska mafia exists.", "organised crime", "unverified", "allegedly", "The report hedges this.",
		"GI-TOC Index 2021", "Global Initiative", "https://ocindex.net/country/azerbaijan", "2021-09-28", "B", "2", "An excerpt.")
	f.Add("azerbaijan", "2021", "Azerbaijan hosts a large illicit caviar trade.", "country. ", " The", "Caviar is smuggled.",
		"", "high", "", "", "", "", "", "", "", "", "")
	f.Add(" ", "", "", "", "", "  ", "", "HIGH", "", "", "Title", "", "javascript:alert(1)", "yesterday", "z", "seven", "")
	f.Add("x", "y", "q", "p", "s", "st", "t", "low", "h", "r", "T", "P", "http://[::1]:namedport", "2021-13-45", "a", "-1", "\x00")
	f.Add("r", "e", "\xff\xfe", "", "", "\u202e", "", "moderate", "", "", "t", "", "", "", "F", "99999999999999999999", "")
	f.Fuzz(func(t *testing.T, report, edition, quote, prefix, suffix, statement, topic, confidence, hedge, reason,
		title, publisher, srcURL, published, reliability, credibility, excerpt string) {
		form := formOf(t, "report", report, "edition", edition, "quote", quote, "prefix", prefix, "suffix", suffix,
			"statement", statement, "topic", topic, "confidence", confidence, "hedge", hedge, "reason", reason,
			"source_title", title, "source_publisher", publisher, "source_url", srcURL, "source_published", published,
			"reliability", reliability, "credibility", credibility, "excerpt", excerpt)
		cf := readClaimForm(form)
		if cf.Statement != strings.TrimSpace(form.Get("statement")) || cf.Quote != form.Get("quote") {
			t.Fatalf("readClaimForm changed the text: %+v", cf)
		}
		n, err := decodeClaimForm(cf)
		userError(t, "decodeClaimForm", err)
		if err != nil {
			return
		}
		if n.Statement != cf.Statement || n.Report != cf.Report || n.Edition != cf.Edition {
			t.Fatalf("decoded %+v from %+v", n, cf)
		}
		if (cf.SourceTitle != "") != (len(n.Evidence) == 1) || len(n.Evidence) > 1 {
			t.Fatalf("source title %q gave %d evidence", cf.SourceTitle, len(n.Evidence))
		}
		for _, e := range n.Evidence {
			if e.Source.Reliability != strings.ToUpper(e.Source.Reliability) || e.Source.Reliability == "" {
				t.Fatalf("reliability %q not upper case", e.Source.Reliability)
			}
		}
		userError(t, "NewClaim.Validate", n.Validate())
	})
}

func FuzzDecodeRevisionForm(f *testing.F) {
	f.Add(int64(3), "Azerbaijani trafficking victims are usually women.", "human trafficking", "moderate", "", "A newer source.",
		"3", "", "", "", "", "", "", "")
	f.Add(int64(12), "Azerbaijan hosts a large illicit caviar trade.", "", "low", "allegedly", "", "12",
		"UNODC report", "UNODC", "https://www.unodc.org/", "2020-05-01", "a", "1", "The caviar trade.")
	f.Add(int64(1), "", "", "", "", "", "", "", "", "", "", "", "", "")
	f.Add(int64(-1), " s ", "t", "certain", "h", "r", "-5", "t", "", "ftp://x", "31/12/2020", "G", "0", "")
	f.Add(int64(0), "s", "", "high", "", "", "9223372036854775808", "t", "", "", "", "", "1e3", "")
	f.Add(int64(7), "s", "", "unverified", "", "", " 7 ", "T", "", "", "", "", " 2 ", "")
	f.Fuzz(func(t *testing.T, claimID int64, statement, topic, confidence, hedge, reason, base,
		title, publisher, srcURL, published, reliability, credibility, excerpt string) {
		form := formOf(t, "statement", statement, "topic", topic, "confidence", confidence, "hedge", hedge, "reason", reason,
			"base", base, "source_title", title, "source_publisher", publisher, "source_url", srcURL,
			"source_published", published, "reliability", reliability, "credibility", credibility, "excerpt", excerpt)
		rf := readRevisionForm(form)
		n, err := decodeRevisionForm(claimID, rf)
		userError(t, "decodeRevisionForm", err)
		if err != nil {
			return
		}
		if n.ClaimID != claimID || n.BaseID < 0 || n.Statement != rf.Statement {
			t.Fatalf("decoded %+v from %+v", n, rf)
		}
		switch {
		case n.Evidence != nil:
			t.Fatalf("the form never replaces the base's evidence: %+v", n.Evidence)
		case (rf.SourceTitle != "") != (len(n.AddEvidence) == 1):
			t.Fatalf("a new source must be cited on top of the base's evidence: %+v", n.AddEvidence)
		}
		userError(t, "NewRevision.Validate", n.Validate())
	})
}

func FuzzDecodeNoteForm(f *testing.F) {
	f.Add(int64(1), "The report itself says further research is needed.", "")
	f.Add(int64(17), "Agreed: UNODC treats the Caucasus route as secondary.", "3")
	f.Add(int64(1), "   ", "0")
	f.Add(int64(1), "x", "-3")
	f.Add(int64(1), "x", "abc")
	f.Add(int64(1), "x", "99999999999999999999")
	f.Add(int64(1), "\x00", "+4")
	f.Fuzz(func(t *testing.T, claimID int64, body, parent string) {
		form := formOf(t, "body", body, "parent", parent)
		n, err := decodeNoteForm(claimID, form)
		userError(t, "decodeNoteForm", err)
		if err != nil {
			return
		}
		if n.ClaimID != claimID || n.ParentID < 0 || (form.Get("parent") != "" && n.ParentID == 0) {
			t.Fatalf("decoded %+v from %v", n, form)
		}
		if n.Body != strings.TrimSpace(n.Body) {
			t.Fatalf("body %q not trimmed", n.Body)
		}
		userError(t, "NewNote.Validate", n.Validate())
	})
}

func FuzzDecodeFlagForm(f *testing.F) {
	for _, k := range review.FlagKinds {
		f.Add(int64(1), string(k), "The report itself says further research is needed.")
	}
	f.Add(int64(49), " outdated ", "Azerbaijan took full control of Nagorno-Karabakh in September 2023.")
	f.Add(int64(1), "Disputed", "")
	f.Add(int64(1), "", "no kind")
	f.Add(int64(1), "spam", "x")
	f.Fuzz(func(t *testing.T, claimID int64, kind, reason string) {
		form := formOf(t, "kind", kind, "reason", reason)
		n, err := decodeFlagForm(claimID, form)
		userError(t, "decodeFlagForm", err)
		if err != nil {
			return
		}
		if n.ClaimID != claimID {
			t.Fatalf("decoded %+v", n)
		}
		if _, err := review.ParseFlagKind(string(n.Kind)); err != nil {
			t.Fatalf("decoded an unknown kind %q", n.Kind)
		}
		userError(t, "NewFlag.Validate", n.Validate())
	})
}

func FuzzDecodeResolveForm(f *testing.F) {
	f.Add(int64(3), "Checked against the 2023 edition.", "", "", "", "")
	f.Add(int64(3), "Dropped in 2023.", "retire", "", "", "")
	f.Add(int64(6), "Re-anchored to the new wording.", "reanchor", "2023", "120", "240")
	f.Add(int64(6), "x", "reanchor", "2023", "240", "120")
	f.Add(int64(6), "x", "reanchor", "", "-1", "99999999999999999999")
	f.Add(int64(6), "", "resolve", "", "", "")
	f.Add(int64(6), "x", "delete", "", "", "")
	f.Add(int64(6), "x", "reanchor", "2023", "a", "b")
	f.Fuzz(func(t *testing.T, flagID int64, resolution, action, edition, start, end string) {
		form := formOf(t, "resolution", resolution, "action", action, "edition", edition, "start", start, "end", end)
		n, err := decodeResolveForm(flagID, form)
		userError(t, "decodeResolveForm", err)
		if err != nil {
			return
		}
		if n.FlagID != flagID || (n.Retire && n.Reanchor != nil) {
			t.Fatalf("decoded %+v from %v", n, form)
		}
		if (form.Get("action") == "reanchor") != (n.Reanchor != nil) || (form.Get("action") == "retire") != n.Retire {
			t.Fatalf("action %q decoded as %+v", form.Get("action"), n)
		}
		userError(t, "FlagResolution.Validate", n.Validate())
	})
}

// The claims list and the history read their filters from the address.

func FuzzClaimsQuery(f *testing.F) {
	f.Add("caviar", "azerbaijan", "2021", "DRUG TRAFFICKING", "pending", "low", "yes", "2")
	f.Add(`"illicit caviar" trade`, "", "", "", "approved", "high", "no", "1")
	f.Add("AND OR NOT ( ) NEAR body:x *", "", "", "", "", "", "", "")
	f.Add("", "", "", "", "lost", "certain", "maybe", "-5")
	f.Add("", "", "", "", "", "", "", "9223372036854775807")
	f.Fuzz(func(t *testing.T, q, report, edition, section, state, confidence, flagged, page string) {
		query := formOf(t, "q", q, "report", report, "edition", edition, "section", section, "state", state,
			"confidence", confidence, "flagged", flagged, "page", page)
		cq := readClaimsQuery(query)
		if cq.Page < 1 {
			t.Fatalf("page %d", cq.Page)
		}
		flt, err := cq.filter()
		userError(t, "claimsQuery.filter", err)
		if err == nil && flt.Limit != claimsPerPage {
			t.Fatalf("filter %+v from page %d", flt, cq.Page)
		}
		if err == nil && flt.Query != "" {
			if _, err := review.SearchTerms(flt.Query); err != nil {
				userError(t, "SearchTerms", err)
			}
		}
		// The pager's links keep the filters.
		u, err := url.Parse(cq.url(cq.Page + 1))
		if err != nil || u.Path != "/claims" {
			t.Fatalf("pager link %q: %v", cq.url(cq.Page+1), err)
		}
		if got := u.Query().Get("q"); got != cq.Q {
			t.Fatalf("pager link lost q: %q, want %q", got, cq.Q)
		}
	})
}

func FuzzHistoryQuery(f *testing.F) {
	f.Add("2021-09-28", "2021-10-01", "eda", "revision.approved", "12", "")
	f.Add("2021-09-28T10:00", "2021-09-28T10:00:00Z", "", "", "#12", "100")
	f.Add("yesterday", "", "", "", "", "")
	f.Add("", "2021-02-30", "", "", "-1", "-1")
	f.Add("", "", "", "", "claim 12", "x")
	f.Fuzz(func(t *testing.T, since, until, actor, action, claim, before string) {
		q := historyQuery{Since: since, Until: until, Actor: actor, Action: action, Claim: claim, Before: before}
		flt, err := q.filter()
		userError(t, "historyQuery.filter", err)
		if err != nil {
			return
		}
		if flt.Claim < 0 || flt.Before < 0 || flt.Actor != actor || flt.Action != action {
			t.Fatalf("filter %+v from %+v", flt, q)
		}
	})
}
