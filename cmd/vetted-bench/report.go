package main

import (
	_ "embed"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"
)

// section is one measurement: its figures (each against its baseline where
// it has one), the targets checked, and notes that explain the figures.
type section struct {
	Title   string
	Figures []figure
	Checks  []check
	Notes   []string
}

// figure is one measured number.
type figure struct {
	Name  string
	Value float64
	Unit  string
}

// check is a target and whether this run met it.
type check struct {
	Name   string
	Got    string
	Target string
	Pass   bool
}

func (s *section) add(name string, v float64, unit string) {
	s.Figures = append(s.Figures, figure{name, v, unit})
}

func (s *section) check(name, got, target string, pass bool) {
	s.Checks = append(s.Checks, check{name, got, target, pass})
}

func (s *section) note(format string, args ...any) {
	s.Notes = append(s.Notes, fmt.Sprintf(format, args...))
}

// ratio is a/b, NaN when b is zero.
func ratio(a, b float64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return a / b
}

// report is the whole run.
type report struct {
	when     time.Time
	cpu      string
	cores    int
	procs    int
	goVer    string
	platform string
	quick    bool
	sizes    sizes
	sections []section
	// load averages of the machine before and after the run: figures from
	// a machine busy with other work are lower, and its ratios noisier.
	loadBefore, loadAfter string
}

// loadAvg reads the 1, 5 and 15 minute load averages.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func newReport(cfg config, quick bool) *report {
	return &report{when: time.Now(), cpu: cpuModel(), cores: runtime.NumCPU(), procs: runtime.GOMAXPROCS(0),
		goVer: runtime.Version(), platform: runtime.GOOS + "/" + runtime.GOARCH, quick: quick, sizes: cfg.sizes,
		loadBefore: loadAvg()}
}

// cpuModel reads the CPU's model name from /proc/cpuinfo.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown (" + runtime.GOOS + ")"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func formatValue(v float64, unit string) string {
	switch {
	case math.IsNaN(v):
		return "n/a"
	case unit == "×":
		return fmt.Sprintf("%.3f", v)
	case v >= 1000 || v == math.Trunc(v):
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// thousands puts thin separators in a whole number: 1234567 → 1,234,567.
func thousands(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if strings.ContainsAny(s, ".en/") || len(s) <= 3 {
		if neg {
			return "-" + s
		}
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func passText(ok bool) string {
	if ok {
		return "PASS"
	}
	return "MISS"
}

func (r *report) printTable(w io.Writer) {
	fmt.Fprintf(w, "vetted-bench %s · %s · %d cores (GOMAXPROCS %d) · %s %s\n",
		r.when.Format("2006-01-02 15:04 MST"), r.cpu, r.cores, r.procs, r.goVer, r.platform)
	fmt.Fprintf(w, "load average before %s, after %s\n", r.loadBefore, r.loadAfter)
	if r.quick {
		fmt.Fprintln(w, "-quick: small sizes, figures are a smoke test only")
	}
	nameW, valW := 0, 0
	for _, s := range r.sections {
		for _, f := range s.Figures {
			nameW = max(nameW, utf8.RuneCountInString(f.Name))
			valW = max(valW, len(thousands(formatValue(f.Value, f.Unit))))
		}
	}
	for _, s := range r.sections {
		fmt.Fprintf(w, "\n%s\n", s.Title)
		for _, f := range s.Figures {
			pad := strings.Repeat(" ", nameW-utf8.RuneCountInString(f.Name))
			fmt.Fprintf(w, "  %s%s  %*s  %s\n", f.Name, pad, valW, thousands(formatValue(f.Value, f.Unit)), f.Unit)
		}
	}
	fmt.Fprintln(w, "\nTargets")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, s := range r.sections {
		for _, c := range s.Checks {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", passText(c.Pass), c.Name, c.Got, c.Target)
		}
	}
	tw.Flush()
}

// profileNotes is what the CPU profiles of the full run showed, written by
// hand after reading them (go tool pprof); the report quotes it.
//
//go:embed profile.md
var profileNotes string

func (r *report) markdown() string {
	var b strings.Builder
	fmt.Fprintln(&b, "# Performance")
	fmt.Fprintln(&b)
	fmt.Fprintln(&b, "Written by `make bench` (`go run ./cmd/vetted-bench`); do not edit by hand: edit")
	fmt.Fprintln(&b, "`cmd/vetted-bench/profile.md` for the analysis and rerun. Every figure is measured")
	fmt.Fprintln(&b, "against a baseline in the same run on the same machine; the ratios are what to")
	fmt.Fprintln(&b, "compare across machines.")
	fmt.Fprintln(&b)
	fmt.Fprintf(&b, "- Date: %s\n", r.when.Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "- CPU: %s, %d cores (GOMAXPROCS %d)\n", r.cpu, r.cores, r.procs)
	fmt.Fprintf(&b, "- Go: %s %s\n", r.goVer, r.platform)
	fmt.Fprintf(&b, "- Load average (1, 5, 15 min) before the run: %s; after: %s\n", r.loadBefore, r.loadAfter)
	if r.quick {
		fmt.Fprintln(&b, "- **-quick run**: small sizes; the figures are a smoke test, not a measurement.")
	}
	s := r.sizes
	fmt.Fprintf(&b, "- Sizes: claim page %d clients × %s per side, %d revisions; notes %s per side; export %s events; "+
		"re-anchoring %d claims, %s per side; mixed load %d clients × %s\n",
		s.PageClients, s.PageDuration, s.Revisions, s.NoteDuration, thousands(fmt.Sprint(s.Events)),
		s.Claims, s.AnchorTime, s.MixedClients, s.MixedDuration)
	fmt.Fprintln(&b, "- Before each measurement the program syncs the file system, collects garbage and waits 2 s, so earlier writes are not flushed during it")
	fmt.Fprintln(&b)
	fmt.Fprintln(&b, "## Targets")
	fmt.Fprintln(&b)
	fmt.Fprintln(&b, "| | Target | Measured | Result |")
	fmt.Fprintln(&b, "|---|---|---|---|")
	for _, sec := range r.sections {
		for _, c := range sec.Checks {
			fmt.Fprintf(&b, "| %s | %s | %s | **%s** |\n", c.Name, c.Target, c.Got, passText(c.Pass))
		}
	}
	for _, sec := range r.sections {
		fmt.Fprintln(&b)
		fmt.Fprintf(&b, "## %s\n\n", sec.Title)
		fmt.Fprintln(&b, "| Figure | Value | Unit |")
		fmt.Fprintln(&b, "|---|---:|---|")
		for _, f := range sec.Figures {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", f.Name, thousands(formatValue(f.Value, f.Unit)), f.Unit)
		}
		if len(sec.Notes) > 0 {
			fmt.Fprintln(&b)
			for _, n := range sec.Notes {
				fmt.Fprintf(&b, "- %s\n", n)
			}
		}
	}
	fmt.Fprintln(&b)
	fmt.Fprintln(&b, "## The table as printed")
	fmt.Fprintln(&b)
	fmt.Fprintln(&b, "```")
	r.printTable(&b)
	fmt.Fprintln(&b, "```")
	fmt.Fprintln(&b)
	b.WriteString(strings.TrimSpace(profileNotes))
	fmt.Fprintln(&b)
	return b.String()
}
