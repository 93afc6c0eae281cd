package web_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestBodyStopsArriving sends forms whose bodies stop half way: once the
// server's read timeout passes, the answer is 408 saying nothing was saved,
// not an internal error.
func TestBodyStopsArriving(t *testing.T) {
	ts := MustServer(t)
	srv := httptest.NewUnstartedServer(ts.App)
	srv.Config.ReadTimeout = 300 * time.Millisecond
	srv.Start()
	defer srv.Close()
	var cookies []string
	for _, c := range ts.Login(t, "rey").Jar.Cookies(mustParseURL(ts.URL)) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	for _, tt := range []struct {
		name, path, contentType, cookie string
		want                            int
	}{
		{"SignIn", "/login", "application/x-www-form-urlencoded", "", http.StatusRequestTimeout},
		{"Note", "/claims/1/notes", "application/x-www-form-urlencoded", strings.Join(cookies, "; "), http.StatusRequestTimeout},
		{"NoteMultipart", "/claims/1/notes", "multipart/form-data; boundary=xyz", strings.Join(cookies, "; "), http.StatusRequestTimeout},
		// Signed out: refused before the body is read.
		{"ImportSignedOut", "/reports/azerbaijan/editions", "multipart/form-data; boundary=xyz", "", http.StatusUnauthorized},
	} {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nCookie: %s\r\nContent-Length: 1000\r\n\r\nbody=a", tt.path, tt.contentType, tt.cookie)
			conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			res, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var body strings.Builder
			bufio.NewReader(res.Body).WriteTo(&body)
			if res.StatusCode != tt.want {
				t.Errorf("status %d, want %d: %.300s", res.StatusCode, tt.want, body.String())
			}
			if tt.want == http.StatusRequestTimeout && !strings.Contains(body.String(), "nothing was saved") {
				t.Errorf("the page does not say nothing was saved")
			}
		})
	}
}
