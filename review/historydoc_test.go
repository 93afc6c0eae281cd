package review_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"vetted/review"
)

// fence returns the contents of the n-th fenced block of the given language
// in doc.
func fence(t *testing.T, doc, lang string, n int) string {
	t.Helper()
	blocks := regexp.MustCompile("(?s)```"+lang+"\n(.*?)```").FindAllStringSubmatch(doc, -1)
	if len(blocks) <= n {
		t.Fatalf("docs/HISTORY.md has %d %s blocks, want at least %d", len(blocks), lang, n+1)
	}
	return blocks[n][1]
}

// TestHistoryDoc checks that the worked example in docs/HISTORY.md is what
// the code computes, so the specification cannot drift from it.
func TestHistoryDoc(t *testing.T) {
	doc := string(mustRead(t, "../docs/HISTORY.md"))
	var e review.Event
	dec := json.NewDecoder(strings.NewReader(fence(t, doc, "json", 0)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatal(err)
	}
	if got := review.ComputeHash(e); got != e.Hash {
		t.Errorf("the example's hash is %s, the code computes %s", e.Hash, got)
	}
	encoded := fence(t, doc, "text", 0)
	sum := sha256.Sum256([]byte(encoded))
	if got := hex.EncodeToString(sum[:]); got != e.Hash {
		t.Errorf("the bytes the page says are hashed hash to %s, not %s:\n%s", got, e.Hash, encoded)
	}
	if !strings.Contains(doc, "is\n`"+e.Hash+"`") {
		t.Errorf("the page does not state the hash %s", e.Hash)
	}
	if !bytes.Contains([]byte(encoded), []byte(e.After)) {
		t.Error("the hashed bytes do not hold the after field")
	}
	if want := "is " + itoa(int64(len(e.After))) + " bytes"; !strings.Contains(doc, want) {
		t.Errorf("the page should say the after field %s", want)
	}
}

// TestCheckpointDoc checks the message layout the page documents.
func TestCheckpointDoc(t *testing.T) {
	doc := string(mustRead(t, "../docs/HISTORY.md"))
	_, priv := mustKey(t, 1)
	cp, err := review.Sign(testHead, priv, testNow)
	if err != nil {
		t.Fatal(err)
	}
	layout := fence(t, doc, "text", 2)
	want := "vetted-checkpoint-v1\n<seq in decimal>\n<hash>\n<time>\n<signed_at>\n<key_id>\n"
	if layout != want {
		t.Fatalf("the page's message layout is %q", layout)
	}
	filled := strings.NewReplacer("<seq in decimal>", "42", "<hash>", cp.Hash, "<time>", cp.Time,
		"<signed_at>", cp.SignedAt, "<key_id>", cp.KeyID).Replace(layout)
	if filled != string(cp.Message()) {
		t.Errorf("documented %q, signed %q", filled, cp.Message())
	}
}
