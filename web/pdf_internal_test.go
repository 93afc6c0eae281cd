package web

import (
	"os"
	"strings"
	"syscall"
	"testing"

	"vetted/review"
)

// TestTempFileError: a full disk says so, without the server's paths; any
// other failure to write the PDF down is the operator's (logged).
func TestTempFileError(t *testing.T) {
	full := tempFileError(&os.PathError{Op: "write", Path: "/tmp/vetted-1.pdf", Err: syscall.ENOSPC})
	if review.ErrorCode(full) != review.EUNAVAILABLE {
		t.Errorf("full disk: got %v, want EUNAVAILABLE", full)
	}
	if msg := review.ErrorMessage(full); msg == "" || strings.Contains(msg, "/tmp") {
		t.Errorf("full disk message %q: want one without the server's paths", msg)
	}
	if other := tempFileError(&os.PathError{Op: "open", Path: "/nope", Err: syscall.ENOENT}); review.ErrorCode(other) != review.EINTERNAL {
		t.Errorf("missing folder: got %v, want an internal error", other)
	}
}
