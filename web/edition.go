package web

import "net/http"

// Placeholder until the reader lands (being written now).
func (s *Server) handleReader(w http.ResponseWriter, r *http.Request)  { s.notFound(w, r) }
func (s *Server) handleImport(w http.ResponseWriter, r *http.Request)  { s.notFound(w, r) }
func (s *Server) handleCompare(w http.ResponseWriter, r *http.Request) { s.notFound(w, r) }
