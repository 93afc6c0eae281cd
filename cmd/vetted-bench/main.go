// Command vetted-bench measures vetted on this machine and writes
// docs/PERFORMANCE.md (`make bench`). Each figure is measured against a
// baseline in the same run, so that the ratios, not the raw numbers, are
// what carry from one machine to another:
//
//   - claim page requests/s (signed in, a claim with 50 revisions, 16
//     clients) against a trivial handler on the same server;
//   - audited note writes/s against raw single-row INSERT transactions on
//     the same database;
//   - JSONL history export rows/s of 1,000,000 events, and its peak memory,
//     against a raw scan of the same rows;
//   - re-anchoring claims/s onto a new edition against strings.Index of
//     every quote;
//   - latency, throughput and errors of 64 clients mixing reads and writes.
//
// It is a program, not a timed test: timing never decides whether a test
// passes. main_test.go runs each measurement in -quick mode to prove that
// it works.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "vetted-bench:", err)
		}
		os.Exit(1)
	}
}

// config is what the flags set.
type config struct {
	sizes
	out        string
	cpuprofile string
	only       []string
	cacheDir   string // where the seeded history database is kept between runs
	log        io.Writer
}

// sizes are the durations and counts of the measurements; -quick shrinks
// them for a smoke run.
type sizes struct {
	PageDuration  time.Duration // per side (claim page, trivial handler)
	PageClients   int
	Revisions     int           // of the claim whose page is measured
	NoteDuration  time.Duration // per side (audited, raw)
	Events        int           // in the exported history
	Claims        int           // re-anchored
	AnchorTime    time.Duration // per side (Reanchor, strings.Index)
	MixedDuration time.Duration
	MixedClients  int
	SigninClients int // concurrent anonymous sign-ins
	SigninRounds  int
	ScaleReports  []int // generated reports at each size of the scale scenario
	ScaleRequests int   // per page and size
}

var fullSizes = sizes{
	PageDuration: 5 * time.Second, PageClients: 16, Revisions: 50,
	NoteDuration: 3 * time.Second,
	Events:       1_000_000,
	Claims:       1000, AnchorTime: 2 * time.Second,
	MixedDuration: 30 * time.Second, MixedClients: 64,
	SigninClients: 32, SigninRounds: 4,
	ScaleReports: []int{1, 10, 100, 1000}, ScaleRequests: 15,
}

var quickSizes = sizes{
	PageDuration: 100 * time.Millisecond, PageClients: 4, Revisions: 6,
	NoteDuration: 100 * time.Millisecond,
	Events:       12_000,
	Claims:       200, AnchorTime: 50 * time.Millisecond,
	MixedDuration: 300 * time.Millisecond, MixedClients: 8,
	SigninClients: 8, SigninRounds: 1,
	ScaleReports: []int{1, 2}, ScaleRequests: 2,
}

// benches names the measurements, in the order they run.
var benches = []string{"page", "notes", "export", "anchor", "mixed", "signin", "scale"}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("vetted-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	duration := fs.Duration("duration", 0, "length of the mixed-load run (default 30s; 300ms with -quick)")
	quick := fs.Bool("quick", false, "small sizes and short runs, for a smoke run (figures mean little)")
	out := fs.String("out", "docs/PERFORMANCE.md", "where to write the report (\"\" or - for none)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to `file` (go tool pprof)")
	only := fs.String("only", "", "comma-separated subset of "+strings.Join(benches, ",")+" to run")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: vetted-bench [-quick] [-duration 30s] [-out docs/PERFORMANCE.md] [-cpuprofile FILE] [-only page,notes,export,anchor,mixed,signin,scale]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := config{sizes: fullSizes, out: *out, cpuprofile: *cpuprofile, cacheDir: os.TempDir(), log: stderr}
	if *quick {
		cfg.sizes = quickSizes
	}
	if *duration > 0 {
		cfg.MixedDuration = *duration
	}
	if *only != "" {
		for _, b := range strings.Split(*only, ",") {
			if !slices.Contains(benches, b) {
				return fmt.Errorf("-only: unknown measurement %q (want some of %s)", b, strings.Join(benches, ","))
			}
			cfg.only = append(cfg.only, b)
		}
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	rep, err := measureAll(ctx, cfg, *quick)
	if err != nil {
		return err
	}
	rep.printTable(stdout)
	if cfg.out != "" && cfg.out != "-" {
		if err := os.MkdirAll(filepath.Dir(cfg.out), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(cfg.out, []byte(rep.markdown()), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\nwrote %s\n", cfg.out)
	}
	return nil
}

// measureAll runs the chosen measurements in a temporary folder.
func measureAll(ctx context.Context, cfg config, quick bool) (*report, error) {
	dir, err := os.MkdirTemp("", "vetted-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	rep := newReport(cfg, quick)
	want := func(name string) bool { return len(cfg.only) == 0 || slices.Contains(cfg.only, name) }
	logf := func(format string, args ...any) { fmt.Fprintf(cfg.log, format+"\n", args...) }

	var tmpl string // a demo database that each web and store measurement copies
	needDemo := want("page") || want("notes") || want("mixed") || want("signin")
	if needDemo {
		logf("loading the demo…")
		if tmpl, err = demoTemplate(ctx, dir); err != nil {
			return nil, err
		}
	}
	steps := []struct {
		name string
		run  func() (section, error)
	}{
		{"page", func() (section, error) { return measureClaimPage(ctx, cfg.sizes, tmpl, dir) }},
		{"notes", func() (section, error) { return measureNotes(ctx, cfg.sizes, tmpl, dir) }},
		{"export", func() (section, error) { return measureExport(ctx, cfg.sizes, cfg.cacheDir, logf) }},
		{"anchor", func() (section, error) { return measureReanchor(ctx, cfg.sizes) }},
		{"mixed", func() (section, error) { return measureMixed(ctx, cfg.sizes, tmpl, dir) }},
		{"signin", func() (section, error) { return measureSignin(ctx, cfg.sizes, tmpl, dir) }},
		{"scale", func() (section, error) { return measureScale(ctx, cfg.sizes, cfg.cacheDir, logf) }},
	}
	for _, s := range steps {
		if !want(s.name) {
			continue
		}
		logf("measuring %s…", s.name)
		settle()
		sec, err := s.run()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
		rep.sections = append(rep.sections, sec)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	rep.loadAfter = loadAvg()
	return rep, nil
}

// settle flushes the writes earlier work left in the kernel's page cache
// and lets the machine go quiet, so that they are not written back (and do
// not slow each fsync) while the next measurement runs: the audited writes
// write more pages than their baseline and would pay for it more.
func settle() {
	syscall.Sync()
	runtime.GC()
	time.Sleep(2 * time.Second)
}
