package review

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestCanTransition(t *testing.T) {
	all := []RevisionState{StateDraft, StatePending, StateApproved, StateRejected, RevisionState(""), RevisionState("archived")}
	// The only moves: a draft is submitted, a pending revision is decided.
	// Decisions are final; nothing returns to draft.
	allowed := map[[2]RevisionState]bool{
		{StateDraft, StatePending}:    true,
		{StatePending, StateApproved}: true,
		{StatePending, StateRejected}: true,
	}
	for _, from := range all {
		for _, to := range all {
			want := allowed[[2]RevisionState{from, to}]
			t.Run(string(from)+"->"+string(to), func(t *testing.T) {
				if got := CanTransition(from, to); got != want {
					t.Errorf("CanTransition(%q, %q) = %v, want %v", from, to, got, want)
				}
			})
		}
	}
}

func TestParseState(t *testing.T) {
	for _, s := range []string{"draft", "pending", "approved", "rejected"} {
		if got, err := ParseState(s); err != nil || string(got) != s {
			t.Errorf("ParseState(%q) = %q, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "Pending", "deleted", "pending "} {
		if _, err := ParseState(s); ErrorCode(err) != EINVALID {
			t.Errorf("ParseState(%q): err = %v, want EINVALID", s, err)
		}
	}
}

func TestCheckBase(t *testing.T) {
	tests := []struct {
		name       string
		head, base int64
		wantErr    bool
	}{
		{"OK/FirstRevision", 0, 0, false},
		{"OK/OnHead", 7, 7, false},
		{"ErrConflict/Stale", 9, 7, true},
		{"ErrConflict/HeadGone", 0, 7, true},
		{"ErrConflict/Future", 7, 9, true},
		{"ErrConflict/NoBaseButHead", 7, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckBase(tt.head, tt.base)
			if !tt.wantErr {
				if err != nil {
					t.Fatalf("CheckBase(%d, %d) = %v", tt.head, tt.base, err)
				}
				return
			}
			var ce *ConflictError
			if !errors.As(err, &ce) {
				t.Fatalf("CheckBase(%d, %d) = %v, want *ConflictError", tt.head, tt.base, err)
			}
			if ce.Base != tt.base || ce.Head != tt.head {
				t.Errorf("ConflictError{Base: %d, Head: %d}, want {%d, %d}", ce.Base, ce.Head, tt.base, tt.head)
			}
			if got := ErrorCode(err); got != ECONFLICT {
				t.Errorf("ErrorCode = %q, want %q", got, ECONFLICT)
			}
			// The message names both revisions, so the user can find them.
			msg := ErrorMessage(err)
			for _, id := range []int64{tt.base, tt.head} {
				if !strings.Contains(msg, " "+strconv.FormatInt(id, 10)) {
					t.Errorf("message %q does not name revision %d", msg, id)
				}
			}
		})
	}
}

// imported is r as an import proposes it: with the report's new quote.
func imported(r Revision) Revision {
	r.Quote, r.Edition = "The new wording of the report.", "2023"
	return r
}

func TestCheckDecision(t *testing.T) {
	editor := User{ID: 3, Name: "eda", Role: RoleEditor}
	editor2 := User{ID: 4, Name: "ed", Role: RoleEditor}
	reviewer := User{ID: 2, Name: "rey", Role: RoleReviewer}
	// rev builds on revision 10; its author is the reviewer.
	rev := func(state RevisionState, author, base int64) Revision {
		return Revision{ID: 11, ClaimID: 1, BaseID: base, AuthorID: author, State: state}
	}
	tests := []struct {
		name     string
		by       User
		rev      Revision
		current  int64
		approve  bool
		wantCode string
	}{
		{"OK/Approve", editor, rev(StatePending, reviewer.ID, 10), 10, true, ""},
		{"OK/Reject", editor, rev(StatePending, reviewer.ID, 10), 10, false, ""},
		{"OK/ApproveFirstRevision", editor, rev(StatePending, reviewer.ID, 0), 0, true, ""},
		{"OK/EditorApprovesOtherEditor", editor2, rev(StatePending, editor.ID, 10), 10, true, ""},
		{"OK/RejectStaleBase", editor, rev(StatePending, reviewer.ID, 10), 12, false, ""},
		{"ErrForbidden/FourEyesApprove", editor, rev(StatePending, editor.ID, 10), 10, true, EFORBIDDEN},
		{"ErrForbidden/FourEyesReject", editor, rev(StatePending, editor.ID, 10), 10, false, EFORBIDDEN},
		{"ErrForbidden/ReviewerApproves", reviewer, rev(StatePending, editor.ID, 10), 10, true, EFORBIDDEN},
		{"ErrForbidden/ReviewerRejects", reviewer, rev(StatePending, editor.ID, 10), 10, false, EFORBIDDEN},
		{"ErrForbidden/Auditor", User{ID: 5, Role: RoleAuditor}, rev(StatePending, reviewer.ID, 10), 10, true, EFORBIDDEN},
		{"ErrForbidden/Admin", User{ID: 6, Role: RoleAdmin}, rev(StatePending, reviewer.ID, 10), 10, true, EFORBIDDEN},
		{"ErrForbidden/System", System, rev(StatePending, reviewer.ID, 10), 10, true, EFORBIDDEN},
		{"ErrForbidden/DisabledEditor", User{ID: 3, Role: RoleEditor, Disabled: true}, rev(StatePending, reviewer.ID, 10), 10, true, EFORBIDDEN},
		{"ErrConflict/AlreadyApproved", editor, rev(StateApproved, reviewer.ID, 10), 11, true, ECONFLICT},
		{"ErrConflict/RejectApproved", editor, rev(StateApproved, reviewer.ID, 10), 11, false, ECONFLICT},
		{"ErrConflict/AlreadyRejected", editor, rev(StateRejected, reviewer.ID, 10), 10, true, ECONFLICT},
		{"ErrConflict/Draft", editor, rev(StateDraft, reviewer.ID, 10), 10, true, ECONFLICT},
		{"ErrConflict/ApproveStaleBase", editor, rev(StatePending, reviewer.ID, 10), 12, true, ECONFLICT},
		{"ErrConflict/ApproveOnUnapprovedBase", editor, rev(StatePending, reviewer.ID, 10), 0, true, ECONFLICT},
		// An import's "quote changed" revision is the report's wording: the
		// editor who imported it may decide it; their own writing still not.
		{"OK/ImporterApprovesImportRevision", editor, imported(rev(StatePending, editor.ID, 10)), 10, true, ""},
		{"OK/ImporterRejectsImportRevision", editor, imported(rev(StatePending, editor.ID, 10)), 10, false, ""},
		{"ErrForbidden/ReviewerImportRevision", reviewer, imported(rev(StatePending, editor.ID, 10)), 10, true, EFORBIDDEN},
		{"ErrForbidden/OwnRevisionWithEdition", editor, func() Revision { r := rev(StatePending, editor.ID, 10); r.Edition = "2023"; return r }(), 10, true, EFORBIDDEN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckDecision(tt.by, tt.rev, tt.current, tt.approve)
			if got := ErrorCode(err); got != tt.wantCode {
				t.Fatalf("CheckDecision: code %q, want %q (err %v)", got, tt.wantCode, err)
			}
			if err != nil && ErrorMessage(err) == "Internal error." {
				t.Errorf("error %v has no message a user can act on", err)
			}
		})
	}
}

func TestConfidence(t *testing.T) {
	t.Run("Rank", func(t *testing.T) {
		order := []Confidence{"unverified", "low", "moderate", "high"}
		for i, c := range order {
			if got := c.Rank(); got != i {
				t.Errorf("%q.Rank() = %d, want %d", c, got, i)
			}
		}
		for _, c := range []Confidence{"", "HIGH", "certain"} {
			if got := c.Rank(); got != -1 {
				t.Errorf("%q.Rank() = %d, want -1", c, got)
			}
		}
	})
	t.Run("Parse", func(t *testing.T) {
		tests := []struct {
			in   string
			want Confidence
			err  bool
		}{
			{"", ConfidenceUnverified, false},
			{"unverified", ConfidenceUnverified, false},
			{"low", ConfidenceLow, false},
			{"moderate", ConfidenceModerate, false},
			{"high", ConfidenceHigh, false},
			{"High", "", true},
			{"medium", "", true},
			{" low", "", true},
			{"low\x00", "", true},
			{"\xff", "", true},
		}
		for _, tt := range tests {
			got, err := ParseConfidence(tt.in)
			if tt.err {
				if ErrorCode(err) != EINVALID || ErrorField(err) != "confidence" {
					t.Errorf("ParseConfidence(%q): err %v, want EINVALID on confidence", tt.in, err)
				}
				continue
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseConfidence(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		}
	})
	t.Run("Suggest", func(t *testing.T) {
		tests := []struct {
			hedges []string
			want   Confidence
			ok     bool
		}{
			{nil, "", false},
			{[]string{}, "", false},
			{[]string{"allegedly"}, ConfidenceUnverified, true},
			{[]string{"further research is needed"}, ConfidenceUnverified, true},
			{[]string{"limited information"}, ConfidenceUnverified, true},
			{[]string{"reportedly"}, ConfidenceLow, true},
			{[]string{"reportedly", "supposedly"}, ConfidenceUnverified, true},
			{[]string{"it is believed"}, ConfidenceLow, true},
		}
		for _, tt := range tests {
			got, ok := SuggestConfidence(tt.hedges)
			if got != tt.want || ok != tt.ok {
				t.Errorf("SuggestConfidence(%q) = %q, %v; want %q, %v", tt.hedges, got, ok, tt.want, tt.ok)
			}
		}
	})
}

// validator is anything with the domain's Validate method.
type validator interface{ Validate() error }

func goodSource() NewSource {
	return NewSource{Title: "Global Organized Crime Index 2021", Publisher: "GI-TOC",
		URL: "https://ocindex.net/country/azerbaijan", Published: "2021-09-28", Accessed: "2024-01-31", Reliability: "B"}
}

func goodEvidence() NewEvidence {
	return NewEvidence{Source: goodSource(), Credibility: 2, Excerpt: "caviar", Stance: StanceSupports}
}

func goodRevision() NewRevision {
	return NewRevision{ClaimID: 1, BaseID: 1, Statement: "Azerbaijan hosts a large illicit caviar trade",
		Topic: "Fauna crimes", Confidence: ConfidenceModerate, Hedge: "", Reason: "clearer", Evidence: []NewEvidence{goodEvidence()}}
}

func goodClaim() NewClaim {
	return NewClaim{Report: "azerbaijan", Edition: "2021", Quote: "Azerbaijan hosts a large illicit caviar trade.",
		Statement: "Azerbaijan hosts a large illicit caviar trade", Confidence: ConfidenceModerate,
		Evidence: []NewEvidence{goodEvidence()}}
}

func TestValidate(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) } // runes, not bytes, are counted
	type tc struct {
		name  string
		v     validator
		field string // "" means valid
	}
	src := func(f func(*NewSource)) NewSource { s := goodSource(); f(&s); return s }
	ev := func(f func(*NewEvidence)) NewEvidence { e := goodEvidence(); f(&e); return e }
	rev := func(f func(*NewRevision)) NewRevision { r := goodRevision(); f(&r); return r }
	claim := func(f func(*NewClaim)) NewClaim { c := goodClaim(); f(&c); return c }
	tests := []tc{
		// NewSource
		{"Source/OK", goodSource(), ""},
		{"Source/OK/OnlyTitle", NewSource{Title: "t", Reliability: "F"}, ""},
		{"Source/OK/HTTPUpperCase", src(func(s *NewSource) { s.URL = "HTTP://example.org/x" }), ""},
		{"Source/OK/MaxTitle", src(func(s *NewSource) { s.Title = long(MaxShortText) }), ""},
		{"Source/ErrEmptyTitle", src(func(s *NewSource) { s.Title = "" }), "source_title"},
		{"Source/ErrBlankTitle", src(func(s *NewSource) { s.Title = " \t\n" }), "source_title"},
		{"Source/ErrLongTitle", src(func(s *NewSource) { s.Title = long(MaxShortText + 1) }), "source_title"},
		{"Source/ErrNULTitle", src(func(s *NewSource) { s.Title = "a\x00b" }), "source_title"},
		{"Source/ErrInvalidUTF8Title", src(func(s *NewSource) { s.Title = "a\xffb" }), "source_title"},
		{"Source/ErrLongPublisher", src(func(s *NewSource) { s.Publisher = long(MaxShortText + 1) }), "source_publisher"},
		{"Source/ErrNULPublisher", src(func(s *NewSource) { s.Publisher = "\x00" }), "source_publisher"},
		{"Source/ErrJavascriptURL", src(func(s *NewSource) { s.URL = "javascript:alert(1)" }), "source_url"},
		{"Source/ErrJavascriptURLMixedCase", src(func(s *NewSource) { s.URL = "JavaScript:alert(document.cookie)" }), "source_url"},
		{"Source/ErrDataURL", src(func(s *NewSource) { s.URL = "data:text/html,<script>alert(1)</script>" }), "source_url"},
		{"Source/ErrFileURL", src(func(s *NewSource) { s.URL = "file:///etc/passwd" }), "source_url"},
		{"Source/ErrFTPURL", src(func(s *NewSource) { s.URL = "ftp://example.org/" }), "source_url"},
		{"Source/ErrRelativeURL", src(func(s *NewSource) { s.URL = "/country/azerbaijan" }), "source_url"},
		{"Source/ErrSchemeRelativeURL", src(func(s *NewSource) { s.URL = "//evil.example/" }), "source_url"},
		{"Source/ErrNoHost", src(func(s *NewSource) { s.URL = "https://" }), "source_url"},
		{"Source/ErrNoHostPath", src(func(s *NewSource) { s.URL = "https:///path" }), "source_url"},
		{"Source/ErrSpaceURL", src(func(s *NewSource) { s.URL = " https://example.org" }), "source_url"},
		{"Source/ErrControlURL", src(func(s *NewSource) { s.URL = "https://example.org/\x00" }), "source_url"},
		{"Source/ErrLongURL", src(func(s *NewSource) { s.URL = "https://example.org/" + strings.Repeat("a", 2000) }), "source_url"},
		{"Source/ErrBadPublished", src(func(s *NewSource) { s.Published = "28/09/2021" }), "source_published"},
		{"Source/ErrFeb30", src(func(s *NewSource) { s.Published = "2021-02-30" }), "source_published"},
		{"Source/ErrShortDate", src(func(s *NewSource) { s.Published = "2021-9-28" }), "source_published"},
		{"Source/ErrDateTime", src(func(s *NewSource) { s.Published = "2021-09-28T00:00:00Z" }), "source_published"},
		{"Source/ErrBadAccessed", src(func(s *NewSource) { s.Accessed = "yesterday" }), "source_accessed"},
		{"Source/ErrGradeG", src(func(s *NewSource) { s.Reliability = "G" }), "reliability"},
		{"Source/ErrGradeLower", src(func(s *NewSource) { s.Reliability = "a" }), "reliability"},
		{"Source/ErrGradeEmpty", src(func(s *NewSource) { s.Reliability = "" }), "reliability"},
		{"Source/ErrGradeTwo", src(func(s *NewSource) { s.Reliability = "AB" }), "reliability"},
		{"Source/ErrGradeDigit", src(func(s *NewSource) { s.Reliability = "1" }), "reliability"},

		// NewEvidence
		{"Evidence/OK", goodEvidence(), ""},
		{"Evidence/OK/ExistingSource", NewEvidence{SourceID: 4, Credibility: 6, Stance: StanceContradicts}, ""},
		{"Evidence/ErrNegativeSource", NewEvidence{SourceID: -1, Credibility: 1, Stance: StanceSupports}, "source"},
		{"Evidence/ErrBadInlineSource", ev(func(e *NewEvidence) { e.Source.URL = "javascript:x" }), "source_url"},
		{"Evidence/ErrCredibility0", ev(func(e *NewEvidence) { e.Credibility = 0 }), "credibility"},
		{"Evidence/ErrCredibility7", ev(func(e *NewEvidence) { e.Credibility = 7 }), "credibility"},
		{"Evidence/ErrCredibilityNegative", ev(func(e *NewEvidence) { e.Credibility = -3 }), "credibility"},
		{"Evidence/ErrStance", ev(func(e *NewEvidence) { e.Stance = "neutral" }), "stance"},
		{"Evidence/ErrStanceEmpty", ev(func(e *NewEvidence) { e.Stance = "" }), "stance"},
		{"Evidence/ErrLongExcerpt", ev(func(e *NewEvidence) { e.Excerpt = long(MaxLongText + 1) }), "excerpt"},
		{"Evidence/ErrNULExcerpt", ev(func(e *NewEvidence) { e.Excerpt = "x\x00" }), "excerpt"},

		// NewRevision
		{"Revision/OK", goodRevision(), ""},
		{"Revision/OK/MaxStatement", rev(func(r *NewRevision) { r.Statement = long(MaxStatement) }), ""},
		{"Revision/ErrEmptyStatement", rev(func(r *NewRevision) { r.Statement = "" }), "statement"},
		{"Revision/ErrBlankStatement", rev(func(r *NewRevision) { r.Statement = "\u00a0 \n" }), "statement"},
		{"Revision/ErrLongStatement", rev(func(r *NewRevision) { r.Statement = long(MaxStatement + 1) }), "statement"},
		{"Revision/ErrNULStatement", rev(func(r *NewRevision) { r.Statement = "ok\x00" }), "statement"},
		{"Revision/ErrInvalidUTF8Statement", rev(func(r *NewRevision) { r.Statement = "caf\xe9" }), "statement"},
		{"Revision/ErrLongTopic", rev(func(r *NewRevision) { r.Topic = long(MaxShortText + 1) }), "topic"},
		{"Revision/ErrConfidence", rev(func(r *NewRevision) { r.Confidence = "certain" }), "confidence"},
		{"Revision/ErrEmptyConfidence", rev(func(r *NewRevision) { r.Confidence = "" }), "confidence"},
		{"Revision/ErrHedgeNUL", rev(func(r *NewRevision) { r.Hedge = "\x00" }), "hedge"},
		{"Revision/ErrLongReason", rev(func(r *NewRevision) { r.Reason = long(MaxLongText + 1) }), "reason"},
		{"Revision/ErrBadEvidence", rev(func(r *NewRevision) { r.Evidence[0].Source.Reliability = "7" }), "reliability"},

		// NewClaim
		{"Claim/OK", goodClaim(), ""},
		{"Claim/OK/NoEvidence", claim(func(c *NewClaim) { c.Evidence = nil }), ""},
		{"Claim/ErrEmptyQuote", claim(func(c *NewClaim) { c.Quote = "" }), "quote"},
		{"Claim/ErrBlankQuote", claim(func(c *NewClaim) { c.Quote = "\n\n" }), "quote"},
		{"Claim/ErrLongQuote", claim(func(c *NewClaim) { c.Quote = long(MaxLongText + 1) }), "quote"},
		{"Claim/ErrNULQuote", claim(func(c *NewClaim) { c.Quote = "Azerbaijan\x00" }), "quote"},
		{"Claim/ErrInvalidUTF8Quote", claim(func(c *NewClaim) { c.Quote = "\xc3\x28" }), "quote"},
		{"Claim/ErrLongPrefix", claim(func(c *NewClaim) { c.Prefix = long(MaxShortText + 1) }), "prefix"},
		{"Claim/ErrNULSuffix", claim(func(c *NewClaim) { c.Suffix = "\x00" }), "suffix"},
		{"Claim/ErrEmptyStatement", claim(func(c *NewClaim) { c.Statement = "" }), "statement"},
		{"Claim/ErrConfidence", claim(func(c *NewClaim) { c.Confidence = "G" }), "confidence"},
		{"Claim/ErrSourceURL", claim(func(c *NewClaim) { c.Evidence[0].Source.URL = "javascript:alert(1)" }), "source_url"},
		{"Claim/ErrSourceDate", claim(func(c *NewClaim) { c.Evidence[0].Source.Published = "2021-13-01" }), "source_published"},
		{"Claim/ErrCredibility", claim(func(c *NewClaim) { c.Evidence[0].Credibility = 0 }), "credibility"},

		// NewNote
		{"Note/OK", NewNote{ClaimID: 1, Body: "Check CITES data."}, ""},
		{"Note/ErrEmpty", NewNote{ClaimID: 1}, "body"},
		{"Note/ErrBlank", NewNote{ClaimID: 1, Body: " \r\n\t"}, "body"},
		{"Note/ErrLong", NewNote{ClaimID: 1, Body: long(MaxLongText + 1)}, "body"},
		{"Note/ErrNUL", NewNote{ClaimID: 1, Body: "a\x00"}, "body"},
		{"Note/ErrInvalidUTF8", NewNote{ClaimID: 1, Body: "\xed\xa0\x80"}, "body"}, // a UTF-16 surrogate

		// NewFlag
		{"Flag/OK", NewFlag{ClaimID: 1, Kind: FlagDisputed, Reason: "OCCRP says otherwise"}, ""},
		{"Flag/ErrKind", NewFlag{ClaimID: 1, Kind: "wrong", Reason: "r"}, "kind"},
		{"Flag/ErrKindEmpty", NewFlag{ClaimID: 1, Reason: "r"}, "kind"},
		{"Flag/ErrKindCase", NewFlag{ClaimID: 1, Kind: "Disputed", Reason: "r"}, "kind"},
		{"Flag/ErrNoReason", NewFlag{ClaimID: 1, Kind: FlagOther}, "reason"},
		{"Flag/ErrLongReason", NewFlag{ClaimID: 1, Kind: FlagOther, Reason: long(MaxLongText + 1)}, "reason"},
		{"Flag/ErrNULReason", NewFlag{ClaimID: 1, Kind: FlagOther, Reason: "\x00"}, "reason"},

		// FlagResolution
		{"Resolution/OK", FlagResolution{FlagID: 1, Resolution: "done"}, ""},
		{"Resolution/ErrEmpty", FlagResolution{FlagID: 1}, "resolution"},
		{"Resolution/ErrRetireAndReanchor", FlagResolution{FlagID: 1, Resolution: "x", Retire: true, Reanchor: &Span{Edition: "2023", Start: 0, End: 4}}, "resolution"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.v.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if got := ErrorCode(err); got != EINVALID {
				t.Fatalf("Validate(): code %q, want %q (err %v)", got, EINVALID, err)
			}
			if got := ErrorField(err); got != tt.field {
				t.Errorf("Validate(): field %q, want %q (%s)", got, tt.field, ErrorMessage(err))
			}
		})
	}
}

func TestHead(t *testing.T) {
	revs := []Revision{
		{ID: 1, State: StateApproved},
		{ID: 2, State: StateRejected},
		{ID: 3, State: StatePending},
		{ID: 4, State: StateDraft},
		{ID: 5, State: StateRejected},
	}
	if got := Head(revs); got != 3 {
		t.Errorf("Head = %d, want 3", got)
	}
	if got := Head(nil); got != 0 {
		t.Errorf("Head(nil) = %d, want 0", got)
	}
	if got := Head(revs[1:2]); got != 0 {
		t.Errorf("Head(rejected only) = %d, want 0", got)
	}
}

func TestCheckDecisionReason(t *testing.T) {
	tests := []struct {
		name    string
		approve bool
		reason  string
		wantErr bool
	}{
		{"OK/ApproveWithout", true, "", false},
		{"OK/Reject", false, "The report says otherwise.", false},
		{"OK/ApproveMax", true, strings.Repeat("é", MaxLongText), false},
		{"ErrInvalid/RejectWithout", false, "", true},
		{"ErrInvalid/RejectBlank", false, " \n\t", true},
		{"ErrInvalid/TooLong", true, strings.Repeat("é", MaxLongText+1), true},
		{"ErrInvalid/NUL", true, "a\x00b", true},
		{"ErrInvalid/InvalidUTF8", false, "bad \xff byte", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckDecisionReason(tt.approve, tt.reason)
			if !tt.wantErr {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if ErrorCode(err) != EINVALID || ErrorField(err) != "reason" {
				t.Errorf("err %v, want EINVALID on reason", err)
			}
		})
	}
}
