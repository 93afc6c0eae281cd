package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestAdminRefusesConfusableName: the admin form refuses a name that looks
// like an existing user's, keeping the form with the message next to the
// name, and adds no user.
func TestAdminRefusesConfusableName(t *testing.T) {
	ts := MustServer(t)
	adam := ts.Login(t, "adam")
	_, before := Get(t, adam, ts.URL+"/admin/users")
	st, _, body := Post(t, adam, ts.URL+"/admin/users", url.Values{"name": {"\u0430dam"}, "role": {"admin"}, "password": {"long-enough-pass"}})
	if st != http.StatusBadRequest || !strings.Contains(body, "mistaken for the existing user") || !strings.Contains(body, "\u0430dam") {
		t.Errorf("a confusable name: %d, want 400 with the message and the name kept:\n%s", st, body)
	}
	if _, after := Get(t, adam, ts.URL+"/admin/users"); strings.Count(after, "<tr") != strings.Count(before, "<tr") {
		t.Error("a user was added")
	}
}
