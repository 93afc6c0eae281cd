package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"vetted/review"
)

// PDFTimeout bounds one run of pdftotext: a report of a few hundred pages
// takes a second or two; a PDF built to keep it busy is stopped.
const PDFTimeout = 30 * time.Second

// ExtractPDF returns the text of a PDF as poppler's pdftotext reads it: in
// reading order (never -layout, which interleaves the lines of columns set
// side by side), UTF-8, with a form feed at every page break, from which
// review/text drops page numbers and running headers and joins the
// sentences the pages split. The text is at most review.MaxEditionBytes.
//
// Both the web import and `vetted import` use it. Errors are *review.Error
// (EINVALID, field "file") with a message that says what to do: pdftotext
// missing, the PDF unreadable, too slow (PDFTimeout) or its text too large;
// EUNAVAILABLE when the disk is too full to hold the PDF for pdftotext; any
// other error is internal.
func ExtractPDF(ctx context.Context, pdf []byte) ([]byte, error) {
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		return nil, review.FieldErrorf("file", "Importing a PDF needs poppler's pdftotext, which is not installed on the server: install poppler-utils (apt-get install poppler-utils), or import the text extracted some other way.")
	}
	// pdftotext reads a file; the PDF is written to one for it.
	f, err := os.CreateTemp("", "vetted-*.pdf")
	if err != nil {
		return nil, tempFileError(err)
	}
	defer os.Remove(f.Name())
	_, werr := f.Write(pdf)
	if cerr := f.Close(); werr != nil || cerr != nil {
		return nil, tempFileError(errors.Join(werr, cerr))
	}
	ctx, cancel := context.WithTimeout(ctx, PDFTimeout)
	defer cancel()
	out := &capped{max: review.MaxEditionBytes}
	errOut := &capped{max: 4 << 10, quiet: true}
	cmd := exec.CommandContext(ctx, bin, "-enc", "UTF-8", "-eol", "unix", f.Name(), "-")
	cmd.Stdout, cmd.Stderr = out, errOut
	cmd.WaitDelay = time.Second
	err = cmd.Run()
	switch {
	case out.over:
		return nil, review.FieldErrorf("file", "The PDF's text is larger than %d MiB: an edition is usually well under 1 MiB. Check that it is the report, or split it.", review.MaxEditionBytes>>20)
	case ctx.Err() == context.DeadlineExceeded:
		return nil, review.FieldErrorf("file", "Reading the PDF took longer than %s and was stopped. Extract its text with pdftotext on your machine and import the .txt file.", PDFTimeout)
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case err != nil:
		msg := strings.TrimSpace(errOut.buf.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, review.FieldErrorf("file", "pdftotext could not read the PDF: %s. Check that the file is a PDF that opens, not a scan without a text layer.", msg)
	}
	if len(bytes.TrimSpace(bytes.ReplaceAll(out.buf.Bytes(), []byte("\f"), nil))) == 0 {
		return nil, review.FieldErrorf("file", "The PDF has no text layer (a scan?): run it through OCR first, or import the text some other way.")
	}
	return out.buf.Bytes(), nil
}

// tempFileError is what to say when the PDF could not be put where
// pdftotext can read it: a full disk (or quota) is EUNAVAILABLE, which
// says nothing was imported and to try again once there is room; anything
// else (a missing or unwritable TMPDIR) is an internal error, logged for
// the operator.
func tempFileError(err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return review.Errorf(review.EUNAVAILABLE, "The server's disk is full, so the PDF could not be read. Nothing was imported: ask the server's operator to free some space, then import it again.")
	}
	return fmt.Errorf("web: pdf: temporary file: %w", err)
}

// capped is a writer that keeps at most max bytes and notes that more came.
// Writing past max fails, which stops the process writing, unless quiet:
// then the rest is dropped.
type capped struct {
	buf   bytes.Buffer
	max   int
	over  bool
	quiet bool
}

func (c *capped) Write(p []byte) (int, error) {
	if c.buf.Len()+len(p) > c.max {
		if c.quiet {
			c.buf.Write(p[:max(0, c.max-c.buf.Len())])
			return len(p), nil
		}
		c.over = true
		return 0, errors.New("output too large")
	}
	return c.buf.Write(p)
}

// bytesLookPDF reports whether b starts as a PDF file does.
func bytesLookPDF(b []byte) bool { return len(b) >= 5 && string(b[:5]) == "%PDF-" }
