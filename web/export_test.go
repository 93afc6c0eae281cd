package web

// SessionCookieStore lets the external tests decode cookies exactly as the
// server does.
var SessionCookieStore = cookieStore

// TakeExportSlots takes every export slot of s, as that many running
// exports would, and returns what gives them back.
func TakeExportSlots(s *Server) func() {
	for range maxExports {
		s.exports <- struct{}{}
	}
	return func() {
		for range maxExports {
			<-s.exports
		}
	}
}
