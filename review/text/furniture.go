package text

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Page furniture is what a PDF repeats on every page around the text:
// page numbers, running headers and footers. Extraction puts it between the
// words of the report, often inside a sentence that runs over a page. It is
// dropped where the text itself shows it for what it is:
//
//  1. With page breaks (form feeds, as pdftotext writes them): a line among
//     the first or last two of a page that is a page number ("12", "Page 12",
//     "12 of 40", "- 12 -"), or that recurs, digits aside, at the edges of at
//     least three pages and a third of them.
//  2. A page-number line, or a short line that recurs in the text, standing
//     alone between the two halves of a sentence (the text before it does
//     not end a sentence, the text after it starts in lower case), with the
//     short lines beside it on the way (a running header).
//  3. Page-number lines that count up through the text (at least three,
//     mostly in order, each at least minPageRunes of text from the next: a
//     number closer to another is in a list or a table), with the lines
//     next to them that recur next to them.
//
// What is dropped leaves a blank line, so that a sentence broken by a page
// is joined as any sentence broken by a blank line is.
func dropFurniture(lines []line) []line {
	drop := make([]bool, len(lines))
	edgeFurniture(lines, drop)
	sentenceFurniture(lines, drop)
	countedFurniture(lines, drop)
	out := lines[:0:0]
	for i, l := range lines {
		if drop[i] {
			l.s = ""
		}
		out = append(out, l)
	}
	return out
}

// pageNumber returns the number of a page-number line ("12", "Page 12",
// "12 of 40", "- 12 -"), ok false for any other line.
//
// A year standing alone (1900–2100) or a fraction of a small whole ("3 /
// 4", a score) is no page number unless it says "page".
func pageNumber(s string) (int, bool) {
	t := strings.TrimSpace(strings.Trim(s, "-–— "))
	low := strings.ToLower(t)
	page := false
	for _, p := range []string{"page ", "p. ", "p "} {
		if strings.HasPrefix(low, p) {
			low, page = strings.TrimPrefix(low, p), true
		}
	}
	of := ""
	if num, total, ok := strings.Cut(low, " of "); ok {
		low, of = num, total
	} else if num, total, ok := strings.Cut(low, "/"); ok {
		low, of = num, total
	}
	low, of = strings.TrimSpace(low), strings.TrimSpace(of)
	if len(low) == 0 || len(low) > 4 || !isDigits(low) {
		return 0, false
	}
	n, err := strconv.Atoi(low)
	if err != nil {
		return 0, false
	}
	if of != "" {
		total, err := strconv.Atoi(of)
		if err != nil || total < n || total < 10 && !page {
			return 0, false
		}
	}
	if n >= 1900 && n <= 2100 && !page {
		return 0, false
	}
	return n, true
}

// signature is a line with its digits and case folded away, so that
// "Report 2023 | page 4" and "Report 2023 | page 5" compare equal.
func signature(s string) string {
	var b strings.Builder
	digit := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsDigit(r) {
			if !digit {
				b.WriteByte('#')
			}
			digit = true
			continue
		}
		digit = false
		b.WriteRune(r)
	}
	return b.String()
}

// furnitureLike reports whether s could be a running header or footer: a
// short line that does not end a sentence.
func furnitureLike(s string) bool {
	return s != "" && utf8.RuneCountInString(s) <= 100 && len(strings.Fields(s)) <= 12 && !endsSentence(s)
}

// edgeFurniture marks rule 1.
func edgeFurniture(lines []line, drop []bool) {
	pages := 0
	for _, l := range lines {
		pages = max(pages, l.page)
	}
	if pages == 0 {
		return
	}
	pages++
	edges := pageEdges(lines)
	count := map[string]int{}
	for _, e := range edges {
		seen := map[string]bool{}
		for _, i := range e {
			sig := signature(lines[i].s)
			if !seen[sig] {
				seen[sig] = true
				count[sig]++
			}
		}
	}
	need := max(3, (pages+2)/3)
	for _, e := range edges {
		for _, i := range e {
			s := lines[i].s
			if _, ok := pageNumber(s); ok || furnitureLike(s) && count[signature(s)] >= need {
				drop[i] = true
			}
		}
	}
}

// pageEdges returns, for each page, the indexes of its first two and last
// two non-blank lines.
func pageEdges(lines []line) [][]int {
	var edges [][]int
	for i := 0; i < len(lines); {
		j := i
		var text []int
		for j < len(lines) && lines[j].page == lines[i].page {
			if lines[j].s != "" {
				text = append(text, j)
			}
			j++
		}
		var e []int
		for k, idx := range text {
			if k < 2 || k >= len(text)-2 {
				e = append(e, idx)
			}
		}
		edges = append(edges, e)
		i = j
	}
	return edges
}

// sentenceFurniture marks rule 2, and the same for a short line that
// recurs in the text (a running header without page breaks or numbers).
func sentenceFurniture(lines []line, drop []bool) {
	recurs := map[string]int{}
	for i, l := range lines {
		if standalone(lines, i) && furnitureLike(l.s) {
			recurs[signature(l.s)]++
		}
	}
	isFurniture := func(i int) bool {
		s := lines[i].s
		_, num := pageNumber(s)
		return standalone(lines, i) && (num || furnitureLike(s) && recurs[signature(s)] >= 2)
	}
	for i := range lines {
		if drop[i] || lines[i].s == "" || !isFurniture(i) {
			continue
		}
		// Walk back and forth over blank lines and at most two more such
		// lines to the two halves of the sentence.
		between := []int{i}
		before := -1
		for j := i - 1; j >= 0; j-- {
			if lines[j].s == "" || drop[j] {
				continue
			}
			if len(between) < 3 && isFurniture(j) {
				between = append(between, j)
				continue
			}
			before = j
			break
		}
		after := -1
		for j := i + 1; j < len(lines); j++ {
			s := lines[j].s
			if s == "" || drop[j] {
				continue
			}
			if startsLower(s) {
				after = j
				break
			}
			if _, num := pageNumber(s); len(between) < 3 && standalone(lines, j) && (num || furnitureLike(s)) {
				between = append(between, j)
				continue
			}
			break
		}
		if before < 0 || after < 0 || endsSentence(lines[before].s) {
			continue
		}
		for _, j := range between {
			drop[j] = true
		}
	}
}

// standalone reports whether lines[i] has a blank line (or a page break, or
// the text's edge) on both sides.
func standalone(lines []line, i int) bool {
	return (i == 0 || lines[i-1].s == "" || lines[i-1].page != lines[i].page) &&
		(i+1 == len(lines) || lines[i+1].s == "" || lines[i+1].page != lines[i].page)
}

// minPageRunes is the least text between two page numbers: less is a list
// or a table of numbers, not a page.
const minPageRunes = 400

// countedFurniture marks rule 3.
func countedFurniture(lines []line, drop []bool) {
	var nums []int // line indexes of page-number lines standing alone
	var vals []int
	for i, l := range lines {
		if drop[i] {
			continue
		}
		n, ok := pageNumber(l.s)
		if !ok || !standalone(lines, i) {
			continue
		}
		nums, vals = append(nums, i), append(vals, n)
	}
	// Pages hold text: a number with another less than a page away is in
	// a list or a table, not a page's number.
	upTo := make([]int, len(lines)+1) // runes of text before each line
	for j, l := range lines {
		upTo[j+1] = upTo[j] + utf8.RuneCountInString(l.s)
	}
	textBetween := func(a, b int) int { return upTo[b] - upTo[a+1] }
	var pages, pageVals []int
	for k, i := range nums {
		if k > 0 && textBetween(nums[k-1], i) < minPageRunes || k+1 < len(nums) && textBetween(i, nums[k+1]) < minPageRunes {
			continue
		}
		pages, pageVals = append(pages, i), append(pageVals, vals[k])
	}
	nums, vals = pages, pageVals
	if len(nums) < 3 {
		return
	}
	up := 0
	for k := 1; k < len(vals); k++ {
		if vals[k] > vals[k-1] && vals[k]-vals[k-1] <= 3 {
			up++
		}
	}
	if up*4 < (len(vals)-1)*3 {
		return
	}
	near := func(i int) []int {
		var out []int
		for _, step := range []int{-1, 1} {
			for j, n := i+step, 0; j >= 0 && j < len(lines) && n < 2; j += step {
				if lines[j].s == "" {
					continue
				}
				out = append(out, j)
				n++
			}
		}
		return out
	}
	count := map[string]int{}
	for _, i := range nums {
		seen := map[string]bool{}
		for _, j := range near(i) {
			if sig := signature(lines[j].s); furnitureLike(lines[j].s) && !seen[sig] {
				seen[sig] = true
				count[sig]++
			}
		}
	}
	for _, i := range nums {
		drop[i] = true
		for _, j := range near(i) {
			if furnitureLike(lines[j].s) && count[signature(lines[j].s)] >= max(2, len(nums)/3) {
				drop[j] = true
			}
		}
	}
}
