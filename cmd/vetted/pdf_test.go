package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// minimalPDF writes a one-page PDF with one line of Helvetica text per
// line given (ASCII only), with a correct cross-reference table, so that
// pdftotext reads it as a real report page.
func minimalPDF(lines []string) []byte {
	var content bytes.Buffer
	content.WriteString("BT /F1 10 Tf 12 TL 40 800 Td\n")
	for _, l := range lines {
		esc := strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(l)
		fmt.Fprintf(&content, "(%s) Tj T*\n", esc)
	}
	content.WriteString("ET\n")
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.String()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

func TestImportPDF(t *testing.T) {
	dir := t.TempDir()
	pdf := filepath.Join(dir, "profile.pdf")
	lines := []string{
		"PEOPLE",
		"Human trafficking in Azerbaijan generally takes the form",
		"of sexual exploitation and forced labour. Women are",
		"particularly vulnerable to sexual exploitation.",
		"",
		"TRADE",
		"Although arms trafficking is reportedly extremely",
		"limited in Azerbaijan, increased legal arms imports could possibly nurture an illicit market.",
	}
	if err := os.WriteFile(pdf, minimalPDF(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "vetted.db")

	t.Run("OK", func(t *testing.T) {
		if _, err := exec.LookPath("pdftotext"); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatal("pdftotext is missing: .ci/deps installs poppler-utils")
			}
			t.Skip("pdftotext not installed")
		}
		code, out, errOut := runCLI(t, "", "import", "--db", db, "--report", "pdf-test", "--title", "PDF test",
			"--edition", "2023", pdf)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if !strings.Contains(out, "2 sections") {
			t.Errorf("output %q: want 2 sections (PEOPLE, TRADE)", out)
		}
		code, out, errOut = runCLI(t, "", "claims", "list", "--db", db, "--report", "pdf-test", "--json")
		if code != exitOK || strings.TrimSpace(out) != "[]" {
			t.Errorf("claims list: exit %d %q %q", code, out, errOut)
		}
		// The PDF's wrapped sentence is one sentence again: a claim on it anchors.
		claim := `{"report":"pdf-test","edition":"2023","quote":"Women are particularly vulnerable to sexual exploitation.","statement":"Women are most exposed"}` + "\n"
		file := filepath.Join(dir, "c.jsonl")
		os.WriteFile(file, []byte(claim), 0o644)
		if code, _, errOut := runCLI(t, "pw", "user", "add", "--db", db, "--name", "rey", "--role", "reviewer", "--password-stdin"); code != exitFail || !strings.Contains(errOut, "8") {
			t.Errorf("short password: exit %d %q", code, errOut)
		}
		runCLI(t, "a-long-password", "user", "add", "--db", db, "--name", "rey", "--role", "reviewer", "--password-stdin")
		if code, _, errOut := runCLI(t, "", "claims", "import", "--db", db, "--actor", "rey", file); code != exitOK {
			t.Errorf("claim on the PDF's text: exit %d %s", code, errOut)
		}
	})

	t.Run("ErrNoPdftotext", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		code, _, errOut := runCLI(t, "", "import", "--db", db, "--report", "pdf-test", "--title", "PDF test",
			"--edition", "2025", pdf)
		if code != exitFail || !strings.Contains(errOut, "apt-get install poppler-utils") {
			t.Errorf("exit %d %q: want 1 and how to install poppler-utils", code, errOut)
		}
	})

	t.Run("ErrNotAPDF", func(t *testing.T) {
		if _, err := exec.LookPath("pdftotext"); err != nil {
			t.Skip("pdftotext not installed")
		}
		bad := filepath.Join(dir, "bad.pdf")
		os.WriteFile(bad, []byte("this is not a PDF"), 0o644)
		code, _, errOut := runCLI(t, "", "import", "--db", db, "--report", "pdf-test", "--edition", "2026", bad)
		if code != exitFail || !strings.Contains(errOut, "pdftotext could not read") {
			t.Errorf("exit %d %q", code, errOut)
		}
	})
}
