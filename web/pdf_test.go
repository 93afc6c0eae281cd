package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"vetted/review"
	"vetted/review/text"
	"vetted/web"
)

// testPDF builds a PDF of pages, each a list of columns (x offset and
// lines of Helvetica text, ASCII), with a correct cross-reference table, so
// that pdftotext reads it as a real report.
func testPDF(pages [][]pdfColumn) []byte {
	var objs []string
	objs = append(objs, "<< /Type /Catalog /Pages 2 0 R >>", "") // 2 is filled in below
	font := 3
	objs = append(objs, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	var kids []string
	for _, cols := range pages {
		var content bytes.Buffer
		for _, col := range cols {
			fmt.Fprintf(&content, "BT /F1 10 Tf 12 TL %d %d Td\n", col.x, col.y)
			for _, l := range col.lines {
				esc := strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(l)
				fmt.Fprintf(&content, "(%s) Tj T*\n", esc)
			}
			content.WriteString("ET\n")
		}
		objs = append(objs, fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.String()))
		contents := len(objs)
		objs = append(objs, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R /Resources << /Font << /F1 %d 0 R >> >> >>", contents, font))
		kids = append(kids, fmt.Sprintf("%d 0 R", len(objs)))
	}
	objs[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(kids))
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

type pdfColumn struct {
	x, y  int
	lines []string
}

// reportPDF is three pages of a report set in two columns, with a running
// header and a page number on every page and a sentence that runs over a
// page break.
func reportPDF() []byte {
	header := func(n int) []pdfColumn {
		return []pdfColumn{
			{40, 815, []string{"GLOBAL ORGANIZED CRIME INDEX 2023"}},
			{290, 30, []string{fmt.Sprint(n)}},
		}
	}
	p1 := append(header(1),
		pdfColumn{40, 760, []string{"HUMAN SMUGGLING", "Human smuggling dynamics in", "Azerbaijan are such that the country", "is mostly a source and transit point."}},
		pdfColumn{320, 760, []string{"ARMS TRAFFICKING", "Azerbaijan is a transit country", "for arms moving north.", "Seizures at the border remain rare", "and most of the arms are traced to"}},
	)
	p2 := append(header(2),
		pdfColumn{40, 760, []string{"depots left over from the war.", "Officials deny any role in it."}},
		pdfColumn{320, 760, []string{"DRUGS", "Heroin enters through the south."}},
	)
	p3 := append(header(3),
		pdfColumn{40, 760, []string{"CRIMINAL ACTORS", "A mafia-style group allegedly", "has a large membership."}},
	)
	return testPDF([][]pdfColumn{p1, p2, p3})
}

func needPDFTools(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "" {
			t.Skip("pdftotext not installed")
		}
		t.Fatal("pdftotext is missing: .ci/deps installs poppler-utils")
	}
}

func TestExtractPDF(t *testing.T) {
	needPDFTools(t)
	ctx := context.Background()
	t.Run("ReadingOrderAndFurniture", func(t *testing.T) {
		raw, err := web.ExtractPDF(ctx, reportPDF())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(raw, []byte("\f")) {
			t.Errorf("no page breaks in %q", raw)
		}
		d := text.Normalize(string(raw))
		for _, want := range []string{
			"Human smuggling dynamics in Azerbaijan are such that the country is mostly a source and transit point.",
			"Seizures at the border remain rare and most of the arms are traced to depots left over from the war.",
			"A mafia-style group allegedly has a large membership.",
		} {
			if !strings.Contains(d.Text, want) {
				t.Errorf("text lacks %q:\n%s", want, d.Text)
			}
		}
		for _, furniture := range []string{"GLOBAL ORGANIZED", "\n1\n", "\n2\n", "\n3"} {
			if strings.Contains(d.Text, furniture) {
				t.Errorf("page furniture %q left in:\n%s", furniture, d.Text)
			}
		}
		var headings []string
		for _, s := range d.Sections {
			headings = append(headings, s.Heading)
		}
		if got, want := strings.Join(headings, "|"), "HUMAN SMUGGLING|ARMS TRAFFICKING|DRUGS|CRIMINAL ACTORS"; got != want {
			t.Errorf("headings %q, want %q", got, want)
		}
	})
	for _, tt := range []struct {
		name string
		pdf  []byte
		want string
	}{
		{"Broken", []byte("%PDF-1.7\nnot really"), "could not read the PDF"},
		{"NoText", testPDF([][]pdfColumn{{}}), "no text layer"},
		{"Empty", nil, "could not read the PDF"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := web.ExtractPDF(ctx, tt.pdf)
			if review.ErrorCode(err) != review.EINVALID || review.ErrorField(err) != "file" || !strings.Contains(review.ErrorMessage(err), tt.want) {
				t.Errorf("got %v, want EINVALID on file saying %q", err, tt.want)
			}
		})
	}
	t.Run("NoTemporaryFolder", func(t *testing.T) {
		t.Setenv("TMPDIR", t.TempDir()+"/missing")
		_, err := web.ExtractPDF(ctx, reportPDF())
		if err == nil || review.ErrorCode(err) != review.EINTERNAL {
			t.Errorf("got %v, want an internal error (for the operator's log)", err)
		}
	})
	t.Run("Cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := web.ExtractPDF(ctx, reportPDF()); err == nil {
			t.Error("a cancelled import went on")
		}
	})
}

func TestImportPDFFromWeb(t *testing.T) {
	needPDFTools(t)
	ts := MustServer(t)
	c := ts.Login(t, "eda")
	status, loc, body := postImport(t, c, ts.URL, map[string]string{"edition": "2023"}, "profile-2023.pdf", reportPDF())
	if status != http.StatusSeeOther {
		t.Fatalf("status %d, want 303: %s", status, body)
	}
	if !strings.Contains(loc, "2023") {
		t.Errorf("redirected to %q", loc)
	}
	ed, err := ts.DB.FindEdition(context.Background(), "azerbaijan", "2023")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ed.Doc.Text, "traced to depots left over from the war.") || strings.Contains(ed.Doc.Text, "GLOBAL ORGANIZED") {
		t.Errorf("stored text:\n%s", ed.Doc.Text)
	}
}
