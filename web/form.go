package web

import (
	"errors"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"vetted/review"
)

// Form decoders turn a submitted form into a request for the domain. They
// check only the form's own shape (numbers are numbers, enums are known);
// the domain validates the content, so there is one rule per field.

// claimForm is the new-claim form as typed.
type claimForm struct {
	Report, Edition                   string
	Quote, Prefix, Suffix             string
	Statement, Topic, Confidence      string
	Hedge, Reason                     string
	SourceTitle, SourcePublisher      string
	SourceURL, SourcePublished        string
	Reliability, Credibility, Excerpt string
	Error, Field                      string
	// Duplicates are the claims whose quotes overlap this one's, shown
	// with a box to confirm; ConfirmDuplicate is that box, ticked.
	Duplicates       []int64
	ConfirmDuplicate bool
}

func readClaimForm(f url.Values) claimForm {
	g := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	return claimForm{Report: g("report"), Edition: g("edition"), Quote: f.Get("quote"), Prefix: f.Get("prefix"),
		Suffix: f.Get("suffix"), Statement: g("statement"), Topic: g("topic"), Confidence: g("confidence"),
		Hedge: g("hedge"), Reason: g("reason"), SourceTitle: g("source_title"), SourcePublisher: g("source_publisher"),
		SourceURL: g("source_url"), SourcePublished: g("source_published"), Reliability: g("reliability"),
		Credibility: g("credibility"), Excerpt: g("excerpt"), ConfirmDuplicate: g("confirm_duplicate") == "1"}
}

// decodeClaimForm makes a NewClaim; a source is cited when its title is
// given.
func decodeClaimForm(f claimForm) (review.NewClaim, error) {
	conf, err := review.ParseConfidence(f.Confidence)
	if err != nil {
		return review.NewClaim{}, err
	}
	n := review.NewClaim{Report: f.Report, Edition: f.Edition, Quote: f.Quote, Prefix: f.Prefix, Suffix: f.Suffix,
		Statement: f.Statement, Topic: f.Topic, Confidence: conf, Hedge: f.Hedge, Reason: f.Reason, Evidence: []review.NewEvidence{},
		ConfirmDuplicate: f.ConfirmDuplicate}
	if f.SourceTitle != "" {
		ev, err := decodeEvidence(f)
		if err != nil {
			return review.NewClaim{}, err
		}
		n.Evidence = append(n.Evidence, ev)
	}
	return n, nil
}

func decodeEvidence(f claimForm) (review.NewEvidence, error) {
	cred := 6
	if f.Credibility != "" {
		c, err := strconv.Atoi(f.Credibility)
		if err != nil {
			return review.NewEvidence{}, review.FieldErrorf("credibility", "Credibility must be a number from 1 to 6.")
		}
		cred = c
	}
	rel := f.Reliability
	if rel == "" {
		rel = "F"
	}
	return review.NewEvidence{Source: review.NewSource{Title: f.SourceTitle, Publisher: f.SourcePublisher, URL: f.SourceURL,
		Published: f.SourcePublished, Reliability: strings.ToUpper(rel)}, Credibility: cred, Excerpt: f.Excerpt,
		Stance: review.StanceSupports}, nil
}

// revisionForm is the propose-revision form as typed.
type revisionForm struct {
	Statement, Topic, Confidence, Hedge, Reason string
	Base                                        string
	SourceTitle, SourcePublisher, SourceURL     string
	SourcePublished, Reliability, Credibility   string
	Excerpt                                     string
	Error, Field                                string
}

func readRevisionForm(f url.Values) revisionForm {
	g := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	return revisionForm{Statement: g("statement"), Topic: g("topic"), Confidence: g("confidence"), Hedge: g("hedge"),
		Reason: g("reason"), Base: g("base"), SourceTitle: g("source_title"), SourcePublisher: g("source_publisher"),
		SourceURL: g("source_url"), SourcePublished: g("source_published"), Reliability: g("reliability"),
		Credibility: g("credibility"), Excerpt: g("excerpt")}
}

// decodeRevisionForm makes a NewRevision. The base is required: it is how
// a stale edit is caught. A new source is cited on top of the base's
// evidence, which the store copies.
func decodeRevisionForm(claimID int64, f revisionForm) (review.NewRevision, error) {
	base, err := strconv.ParseInt(f.Base, 10, 64)
	if err != nil || base < 0 {
		return review.NewRevision{}, review.FieldErrorf("base", "The form does not say which revision it started from; reload the claim and try again.")
	}
	conf, err := review.ParseConfidence(f.Confidence)
	if err != nil {
		return review.NewRevision{}, err
	}
	n := review.NewRevision{ClaimID: claimID, BaseID: base, Statement: f.Statement, Topic: f.Topic, Confidence: conf,
		Hedge: f.Hedge, Reason: f.Reason}
	if f.SourceTitle != "" {
		ev, err := decodeEvidence(claimForm{SourceTitle: f.SourceTitle, SourcePublisher: f.SourcePublisher, SourceURL: f.SourceURL,
			SourcePublished: f.SourcePublished, Reliability: f.Reliability, Credibility: f.Credibility, Excerpt: f.Excerpt})
		if err != nil {
			return review.NewRevision{}, err
		}
		n.AddEvidence = []review.NewEvidence{ev}
	}
	return n, nil
}

func decodeNoteForm(claimID int64, f url.Values) (review.NewNote, error) {
	n := review.NewNote{ClaimID: claimID, Body: strings.TrimSpace(f.Get("body"))}
	if p := f.Get("parent"); p != "" {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil || id <= 0 {
			return review.NewNote{}, review.FieldErrorf("parent", "The note to reply to is not valid.")
		}
		n.ParentID = id
	}
	return n, nil
}

func decodeFlagForm(claimID int64, f url.Values) (review.NewFlag, error) {
	kind, err := review.ParseFlagKind(strings.TrimSpace(f.Get("kind")))
	if err != nil {
		return review.NewFlag{}, err
	}
	return review.NewFlag{ClaimID: claimID, Kind: kind, Reason: strings.TrimSpace(f.Get("reason"))}, nil
}

// decodeResolveForm reads a flag resolution: action "resolve" (default),
// "retire" (drop the claim from later editions) or "reanchor" with an
// edition and a start/end span.
func decodeResolveForm(flagID int64, f url.Values) (review.FlagResolution, error) {
	n := review.FlagResolution{FlagID: flagID, Resolution: strings.TrimSpace(f.Get("resolution"))}
	switch f.Get("action") {
	case "", "resolve":
	case "retire":
		n.Retire = true
	case "reanchor":
		start, err1 := strconv.Atoi(f.Get("start"))
		end, err2 := strconv.Atoi(f.Get("end"))
		if err1 != nil || err2 != nil {
			return review.FlagResolution{}, review.FieldErrorf("quote", "Paste the sentence as it reads in the new edition, to anchor the claim to it.")
		}
		n.Reanchor = &review.Span{Edition: strings.TrimSpace(f.Get("edition")), Start: start, End: end}
	default:
		return review.FlagResolution{}, review.FieldErrorf("action", "Unknown resolution %q: use resolve, retire or reanchor.", f.Get("action"))
	}
	return n, nil
}

// recordForm begins a POST about one record: it checks that the user may
// perform action, reads the {id} path value and parses the form, answering
// the request itself when any of that fails.
func (s *Server) recordForm(w http.ResponseWriter, r *http.Request, action review.Action) (review.User, int64, bool) {
	u, ok := s.authorize(w, r, action)
	if !ok {
		return u, 0, false
	}
	id, err := pathID(r)
	if err == nil {
		err = parseForm(r)
	}
	if err != nil {
		s.Error(w, r, err)
		return u, 0, false
	}
	return u, id, true
}

// parseForm parses a urlencoded or multipart body within the server's
// body limit. A body over the limit is an *http.MaxBytesError, one that
// stopped arriving os.ErrDeadlineExceeded (Error answers 413 and 408);
// anything else is EINVALID.
func parseForm(r *http.Request) error {
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(MaxBody)
	} else {
		err = r.ParseForm()
	}
	var mbe *http.MaxBytesError
	switch {
	case err == nil, errors.As(err, &mbe), errors.Is(err, os.ErrDeadlineExceeded):
		return err
	case strings.Contains(err.Error(), "too large"):
		return &http.MaxBytesError{Limit: MaxBody}
	}
	return review.Errorf(review.EINVALID, "The form could not be read: %v", err)
}
