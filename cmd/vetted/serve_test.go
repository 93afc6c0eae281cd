package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSessionKeyFile(t *testing.T) {
	dir := t.TempDir()
	t.Run("OKCreated", func(t *testing.T) {
		path := filepath.Join(dir, "new.keys")
		keys, err := loadSessionKeys(path)
		if err != nil || len(keys) != 2 {
			t.Fatalf("keys %d, %v", len(keys), err)
		}
		st, err := os.Stat(path)
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("key file mode %v, %v; want 0600", st.Mode(), err)
		}
		again, err := loadSessionKeys(path)
		if err != nil || string(again[0]) != string(keys[0]) {
			t.Errorf("reloading gave other keys: %v", err)
		}
	})
	for _, tc := range []struct{ name, content, want string }{
		{"ErrOneKey", "c2VjcmV0\n", "two base64 keys"},
		{"ErrBadBase64", "!!! ###\n", "must be base64"},
		{"ErrShortKeys", "c2VjcmV0 c2VjcmV0\n", "32+ bytes"},
		{"ErrEmpty", "# only a comment\n", "holds no session keys"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			os.WriteFile(path, []byte(tc.content), 0o600)
			_, err := loadSessionKeys(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
	t.Run("ErrBadFlags", func(t *testing.T) {
		for _, args := range [][]string{
			{"serve", "--addr", "nonsense"},
			{"serve", "--base-url", "javascript:alert(1)"},
			{"serve", "--bogus"},
		} {
			if code, _, errOut := runCLI(t, "", args...); code != exitUsage || !strings.Contains(errOut, "serve") {
				t.Errorf("%v: exit %d %q, want 2", args, code, errOut)
			}
		}
	})
}

// TestMistypedDB: read commands refuse a database that does not exist
// instead of creating an empty one.
func TestMistypedDB(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "typo.db")
	for _, args := range [][]string{
		{"claims", "list", "--db", missing, "--report", "azerbaijan"},
		{"head", "--db", missing},
		{"export", "--db", missing},
		{"user", "list", "--db", missing},
		{"backup", "--db", missing, missing + ".copy"},
	} {
		code, _, errOut := runCLI(t, "", args...)
		if code != exitFail || !strings.Contains(errOut, "no database at") {
			t.Errorf("%v: exit %d %q, want 1 and 'no database at'", args, code, errOut)
		}
		if _, err := os.Stat(missing); err == nil {
			t.Fatalf("%v created %s", args, missing)
		}
	}
}
