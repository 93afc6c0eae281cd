package web_test

import (
	"net/http"
	"testing"
)

func TestHealthz(t *testing.T) {
	ts := MustServer(t)
	status, body := Get(t, ts.Client(), ts.URL+"/healthz")
	if status != http.StatusOK || body != "ok\n" {
		t.Fatalf("healthz = %d %q, want 200 ok", status, body)
	}
}
