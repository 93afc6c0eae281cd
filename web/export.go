package web

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"vetted/review"
)

// maxExports bounds the exports running at once. Each streams from one
// read transaction, holding one of the store's few read connections for as
// long as the client takes to download; more at once would leave the rest
// of the site waiting for a connection.
const maxExports = 3

// startExport takes one of the export slots, or answers 503 when none is
// free; call the returned func when the export ends.
func (s *Server) startExport(w http.ResponseWriter, r *http.Request) (func(), bool) {
	select {
	case s.exports <- struct{}{}:
		return func() { <-s.exports }, true
	default:
		w.Header().Set("Retry-After", "10")
		s.renderError(w, r, http.StatusServiceUnavailable,
			fmt.Sprintf("%d exports are running already: try again in a few seconds.", maxExports))
		return nil, false
	}
}

// handleExportHistory streams the history, or the part a filter selects,
// from one read transaction in constant memory. The export itself is
// recorded first, so the file includes the event that says who took it.
func (s *Server) handleExportHistory(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, ok := s.authorize(w, r, review.ActionExportHistory)
		if !ok {
			return
		}
		// An export is recorded in the exporter's name, so another site must
		// not be able to start one in a signed-in browser.
		if s.crossOrigin(r) {
			s.renderError(w, r, http.StatusForbidden, "Exports start from vetted's own pages: open the history and export from there.")
			return
		}
		qv := r.URL.Query()
		q := historyQuery{Since: qv.Get("since"), Until: qv.Get("until"), Actor: qv.Get("actor"), Action: qv.Get("action"), Claim: qv.Get("claim")}
		f, err := q.filter()
		if err != nil {
			s.Error(w, r, err)
			return
		}
		f.Report = qv.Get("report")
		done, ok := s.startExport(w, r)
		if !ok {
			return
		}
		defer done()
		filter := filterString(qv, "since", "until", "actor", "action", "claim", "report")
		if err := s.svc.RecordExport(r.Context(), u, "history."+format, filter); err != nil {
			s.Error(w, r, err)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		name := "vetted-history." + format
		if format == "csv" {
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
			cw, err := review.NewCSVWriter(w, review.EventCSVHeader...)
			if err == nil {
				err = s.svc.EachEvent(r.Context(), f, func(e review.Event) error { return cw.Row(review.EventCSVRow(e)...) })
			}
			if err == nil {
				err = cw.Close()
			}
			if err != nil {
				s.log.Error("export history", "err", err)
			}
			return
		}
		w.Header().Set("Content-Type", "application/x-ndjson; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
		// On a failure mid-stream the trailer is missing, so verify reports
		// the file as truncated rather than passing part of the history.
		if err := review.ExportHistory(r.Context(), s.svc, f, filter, w); err != nil {
			s.log.Error("export history", "err", err)
		}
	}
}

// crossOrigin reports whether a browser sent r from another origin, by the
// rule the cross-origin protection applies to every state change
// (net/http.CrossOriginProtection, which exempts GET, so it is asked as for
// a POST): Sec-Fetch-Site must be same-origin or none (a typed address or
// bookmark); a browser too old to send it must send no Origin or one whose
// host is the request's Host header; a request with neither is not a
// browser's. A request with an Authorization header carries a token, which
// a page on another site cannot add without a CORS preflight vetted never
// grants, so it is let through.
func (s *Server) crossOrigin(r *http.Request) bool {
	if r.Header.Get("Authorization") != "" {
		return false
	}
	asWrite := r.WithContext(r.Context()) // a shallow copy
	asWrite.Method = http.MethodPost
	return s.cop.Check(asWrite) != nil
}

// filterString describes the filter parameters given, in a stable order.
func filterString(q url.Values, keys ...string) string {
	sort.Strings(keys)
	v := url.Values{}
	for _, k := range keys {
		if s := q.Get(k); s != "" {
			v.Set(k, s)
		}
	}
	return v.Encode()
}

// handleExportClaims writes the claims in one of the claim export formats.
func (s *Server) handleExportClaims(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, ok := s.authorize(w, r, review.ActionRead); !ok {
			return
		}
		f := review.ClaimFilter{Report: r.URL.Query().Get("report")}
		if f.Report != "" {
			if _, err := s.svc.FindReport(r.Context(), f.Report); err != nil {
				s.Error(w, r, err)
				return
			}
		}
		done, ok := s.startExport(w, r)
		if !ok {
			return
		}
		defer done()
		x, err := review.NewClaimExport(r.Context(), s.svc, s.baseURL(r), s.cfg.Organisation)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		x.OrgURL = s.cfg.OrganisationURL
		ext := map[string]string{"csv": "csv", "annotation": "annotations.jsonld", "claimreview": "claimreview.jsonld"}[format]
		w.Header().Set("Content-Type", review.ClaimFormatContentType[format])
		w.Header().Set("Content-Disposition", `attachment; filename="vetted-claims.`+ext+`"`)
		w.Header().Set("Cache-Control", "no-store")
		cw, err := review.NewClaimWriter(w, format, x)
		if err == nil {
			err = review.ExportClaims(r.Context(), s.svc, f, cw)
		}
		if err != nil {
			s.log.Error("export claims", "format", format, "err", err)
		}
	}
}

// baseURL is where this server is reached, for the ids in JSON-LD
// exports: the configured one, else the request's own host.
func (s *Server) baseURL(r *http.Request) string {
	if s.cfg.BaseURL != "" {
		return strings.TrimSuffix(s.cfg.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil || s.cfg.SecureCookies {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
