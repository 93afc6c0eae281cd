package web

// SessionCookieStore lets the external tests decode cookies exactly as the
// server does.
var SessionCookieStore = cookieStore
