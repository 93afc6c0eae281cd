package web

import (
	"net/http"

	"vetted/review"
)

// routes is the whole HTTP surface on one screen. Each handler checks the
// role it needs through review's permission rules.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.HandleFunc("GET /static/{file}", handleStatic)
	mux.HandleFunc("GET /checkpoint", s.handleCheckpoint)
	mux.HandleFunc("GET /tile/{path...}", s.handleTile)

	mux.HandleFunc("GET /login", s.handleLoginPage)
	mux.HandleFunc("POST /login", s.handleLogin)
	mux.HandleFunc("POST /logout", s.handleLogout)
	mux.HandleFunc("POST /logout/everywhere", s.handleLogoutEverywhere)

	mux.HandleFunc("GET /{$}", s.handleHome)
	mux.HandleFunc("GET /reports/{slug}", s.handleReport)
	mux.HandleFunc("POST /scores", s.handleImportScores)
	mux.HandleFunc("GET /reports/{slug}/editions/{label}", s.handleReader)
	mux.HandleFunc("GET /reports/{slug}/editions/{label}/text", s.handleEditionText)
	mux.HandleFunc("GET /reports/{slug}/import", s.handleImportForm)
	mux.HandleFunc("POST /reports/{slug}/editions", s.handleImport)
	mux.HandleFunc("POST /reports/{slug}/editions/{label}/publish", s.handlePublish)
	mux.HandleFunc("GET /reports/{slug}/compare", s.handleCompare)

	mux.HandleFunc("GET /claims", s.handleClaims)
	mux.HandleFunc("POST /claims", s.handleCreateClaim)
	mux.HandleFunc("GET /claims/{id}", s.handleClaim)
	mux.HandleFunc("POST /claims/{id}/revisions", s.handleProposeRevision)
	mux.HandleFunc("POST /claims/{id}/notes", s.handleAddNote)
	mux.HandleFunc("POST /claims/{id}/flags", s.handleRaiseFlag)
	mux.HandleFunc("POST /claims/{id}/assignment", s.handleAssignClaim)
	mux.HandleFunc("POST /reports/{slug}/editions/{label}/assignment", s.handleAssignSection)
	mux.HandleFunc("POST /claims/{id}/double-review", s.handleRequestDoubleReview)
	mux.HandleFunc("POST /double-reviews/{id}/grade", s.handleGrade)
	mux.HandleFunc("GET /reviews/agreement", s.handleAgreement)
	mux.HandleFunc("GET /my", s.handleWork)
	mux.HandleFunc("GET /notifications", s.handleNotifications)
	mux.HandleFunc("POST /notifications/read", s.handleMarkRead)
	mux.HandleFunc("POST /notifications/{id}/read", s.handleMarkRead)
	mux.HandleFunc("POST /flags/{id}/resolve", s.handleResolveFlag)
	mux.HandleFunc("POST /revisions/{id}/approve", s.handleDecide(true))
	mux.HandleFunc("POST /revisions/{id}/reject", s.handleDecide(false))
	mux.HandleFunc("POST /revisions/{id}/submit", s.handleSubmitRevision)

	mux.HandleFunc("GET /sources", s.handleSources)
	mux.HandleFunc("POST /sources/{id}", s.handleUpdateSource)
	mux.HandleFunc("GET /queue", s.handleQueue)
	mux.HandleFunc("GET /history", s.handleHistory)
	mux.HandleFunc("GET /admin/users", s.handleUsers)
	mux.HandleFunc("POST /admin/users", s.handleCreateUser)
	mux.HandleFunc("POST /admin/users/{id}", s.handleUpdateUser)
	mux.HandleFunc("POST /admin/users/{id}/sessions/end", s.handleEndSessions)
	mux.HandleFunc("POST /admin/tokens", s.handleCreateToken)
	mux.HandleFunc("POST /admin/tokens/{id}/revoke", s.handleRevokeToken)

	mux.HandleFunc("GET /export/history.jsonl", s.handleExportHistory("jsonl"))
	mux.HandleFunc("GET /export/history.csv", s.handleExportHistory("csv"))
	mux.HandleFunc("GET /export/claims.csv", s.handleExportClaims("csv"))
	mux.HandleFunc("GET /export/claims.annotations.jsonld", s.handleExportClaims("annotation"))
	mux.HandleFunc("GET /export/claims.claimreview.jsonld", s.handleExportClaims("claimreview"))

	mux.HandleFunc("GET /api/claims", s.handleAPIClaims)
	mux.HandleFunc("GET /api/claims/{id}", s.handleAPIClaim)
	mux.HandleFunc("GET /api/history", s.handleAPIHistory)

	mux.HandleFunc("/", s.notFound)
	return mux
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.Health(r.Context()); err != nil {
		s.log.Error("health", "err", err)
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Retry-After", "30")
		http.Error(w, "unavailable: "+review.ErrorMessage(err), http.StatusServiceUnavailable)
		return
	}
	if why := s.Broken(); why != "" {
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, "history check failed: "+why, http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte("ok\n"))
}
