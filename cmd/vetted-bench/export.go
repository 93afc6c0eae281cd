package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"

	"vetted/review"
	"vetted/store"
)

// countName is a short name for a count: 1000000 → "1m", 12000 → "12k".
func countName(n int) string {
	switch {
	case n%1_000_000 == 0:
		return strconv.Itoa(n/1_000_000) + "m"
	case n%1000 == 0:
		return strconv.Itoa(n/1000) + "k"
	}
	return strconv.Itoa(n)
}

// seededHistory returns a database in dir holding exactly n seeded events,
// reusing the one a previous run left there (vetted-bench-1m.db for a
// million) and seeding it again when it is missing or not what it should be.
// The chain is verified either way.
func seededHistory(ctx context.Context, dir string, n int, logf func(string, ...any)) (*store.DB, string, error) {
	path := filepath.Join(dir, "vetted-bench-"+countName(n)+".db")
	how := "reused from an earlier run"
	if db, err := store.Open(ctx, path); err == nil {
		h, herr := db.Head(ctx)
		c, cerr := db.CountEvents(ctx, review.EventFilter{})
		if herr == nil && cerr == nil && h.Seq == int64(n) && c == int64(n) {
			if _, err := db.VerifyChain(ctx); err == nil {
				return db, fmt.Sprintf("%s (%s), chain verified", path, how), nil
			}
		}
		db.Close()
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, "", err
		}
	}
	logf("seeding %d events into %s (once; later runs reuse it)…", n, path)
	start := time.Now()
	db, err := store.Open(ctx, path)
	if err != nil {
		return nil, "", err
	}
	if err := db.SeedEvents(ctx, n); err != nil {
		db.Close()
		return nil, "", err
	}
	how = fmt.Sprintf("seeded in this run in %.1f s", time.Since(start).Seconds())
	if _, err := db.VerifyChain(ctx); err != nil {
		db.Close()
		return nil, "", fmt.Errorf("seeded history does not verify: %w", err)
	}
	return db, fmt.Sprintf("%s (%s), chain verified", path, how), nil
}

// memSampler records the peak of the Go heap while it runs, sampling
// runtime/metrics (which, unlike runtime.ReadMemStats, does not stop the
// world) every 2 ms.
type memSampler struct {
	stop     chan struct{}
	done     sync.WaitGroup
	peakUse  uint64 // heap in use: live and dead objects and unused slots of in-use spans (MemStats.HeapInuse)
	peakLive uint64 // heap objects, live or not yet swept (MemStats.HeapAlloc)
	peakSys  uint64 // all memory the runtime mapped (MemStats.Sys)
}

var memMetrics = []string{"/memory/classes/heap/objects:bytes", "/memory/classes/heap/unused:bytes", "/memory/classes/total:bytes"}

func startMemSampler() *memSampler {
	m := &memSampler{stop: make(chan struct{})}
	samples := make([]metrics.Sample, len(memMetrics))
	for i, name := range memMetrics {
		samples[i].Name = name
	}
	read := func() {
		metrics.Read(samples)
		objects, unused, total := samples[0].Value.Uint64(), samples[1].Value.Uint64(), samples[2].Value.Uint64()
		m.peakLive = max(m.peakLive, objects)
		m.peakUse = max(m.peakUse, objects+unused)
		m.peakSys = max(m.peakSys, total)
	}
	read()
	m.done.Add(1)
	go func() {
		defer m.done.Done()
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-m.stop:
				read()
				return
			case <-t.C:
				read()
			}
		}
	}()
	return m
}

func (m *memSampler) Stop() { close(m.stop); m.done.Wait() }

// peakRSS resets the kernel's peak resident set of this process and
// returns a function that reads it again: it counts SQLite's C memory too,
// which the Go heap figures do not. Zero where /proc does not allow it.
func peakRSS() func() uint64 {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		return func() uint64 { return 0 }
	}
	return func() uint64 {
		b, err := os.ReadFile("/proc/self/status")
		if err != nil {
			return 0
		}
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				return kb << 10
			}
		}
		return 0
	}
}

// measureExport measures the JSONL export of the whole history (EachEvent
// into review.JSONLWriter, to io.Discard) against store.RawScanEvents, a
// scan of the same rows into the same Go types with nothing done with them,
// and samples the Go heap during the export. Each side runs twice,
// alternating, and the faster run of each counts.
func measureExport(ctx context.Context, s sizes, cacheDir string, logf func(string, ...any)) (section, error) {
	sec := section{Title: fmt.Sprintf("JSONL history export, %s events", thousands(strconv.Itoa(s.Events)))}
	db, how, err := seededHistory(ctx, cacheDir, s.Events, logf)
	if err != nil {
		return sec, err
	}
	defer db.Close()
	var rawBest, expBest time.Duration
	var peakUse, peakLive, peakSys, rss, before uint64
	for round := 0; round < 2; round++ {
		start := time.Now()
		n, err := db.RawScanEvents(ctx)
		if err != nil {
			return sec, err
		}
		if n != s.Events {
			return sec, fmt.Errorf("raw scan read %d events, want %d", n, s.Events)
		}
		if t := time.Since(start); rawBest == 0 || t < rawBest {
			rawBest = t
		}

		runtime.GC()
		runtime.GC()
		before = heapInUse()
		readRSS := peakRSS()
		m := startMemSampler()
		start = time.Now()
		count, err := exportTo(ctx, db, io.Discard)
		t := time.Since(start)
		m.Stop()
		if err != nil {
			return sec, err
		}
		if count != int64(s.Events) {
			return sec, fmt.Errorf("exported %d events, want %d", count, s.Events)
		}
		if expBest == 0 || t < expBest {
			expBest = t
		}
		peakUse, peakLive, peakSys = max(peakUse, m.peakUse), max(peakLive, m.peakLive), max(peakSys, m.peakSys)
		rss = max(rss, readRSS())
	}
	expRate := float64(s.Events) / expBest.Seconds()
	rawRate := float64(s.Events) / rawBest.Seconds()
	r := ratio(expRate, rawRate)
	mib := func(b uint64) float64 { return float64(b) / (1 << 20) }
	sec.add("JSONL export", expRate, "rows/s")
	sec.add("raw scan (baseline)", rawRate, "rows/s")
	sec.add("ratio export / raw scan", r, "×")
	sec.add("export time", expBest.Seconds(), "s")
	sec.add("peak Go heap in use during export", mib(peakUse), "MiB")
	sec.add("peak Go heap objects during export", mib(peakLive), "MiB")
	sec.add("Go heap in use before export", mib(before), "MiB")
	sec.add("peak Go runtime memory (Sys)", mib(peakSys), "MiB")
	if rss > 0 {
		sec.add("peak resident set during export", mib(rss), "MiB")
	}
	sec.check("export / raw scan", fmt.Sprintf("%.3f", r), "≥ 0.5", r >= 0.5)

	// To a file, as 'vetted export > FILE' does, against a raw dump of the
	// same rows to a file; then 'vetted verify FILE' reading it back.
	path := filepath.Join(cacheDir, "vetted-bench-export.jsonl")
	defer os.Remove(path)
	toFile := func(write func(io.Writer) error) (time.Duration, error) {
		f, err := os.Create(path)
		if err != nil {
			return 0, err
		}
		start := time.Now()
		bw := bufio.NewWriterSize(f, 256<<10)
		err = write(bw)
		if err == nil {
			err = bw.Flush()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return time.Since(start), err
	}
	var dumpBest, fileBest, verifyBest time.Duration
	for round := 0; round < 2; round++ {
		d, err := toFile(func(w io.Writer) error { _, err := db.RawDumpEvents(ctx, w); return err })
		if err != nil {
			return sec, err
		}
		if dumpBest == 0 || d < dumpBest {
			dumpBest = d
		}
		d, err = toFile(func(w io.Writer) error { _, err := exportTo(ctx, db, w); return err })
		if err != nil {
			return sec, err
		}
		if fileBest == 0 || d < fileBest {
			fileBest = d
		}
		f, err := os.Open(path)
		if err != nil {
			return sec, err
		}
		start := time.Now()
		res, err := review.VerifyJSONL(bufio.NewReaderSize(f, 256<<10))
		d = time.Since(start)
		f.Close()
		if err != nil {
			return sec, fmt.Errorf("verify the export: %w", err)
		}
		if res.Events != int64(s.Events) {
			return sec, fmt.Errorf("verified %d events, want %d", res.Events, s.Events)
		}
		if verifyBest == 0 || d < verifyBest {
			verifyBest = d
		}
	}
	fileRate := float64(s.Events) / fileBest.Seconds()
	dumpRate := float64(s.Events) / dumpBest.Seconds()
	verifyRate := float64(s.Events) / verifyBest.Seconds()
	sec.add("JSONL export to a file", fileRate, "rows/s")
	sec.add("raw dump to a file (baseline)", dumpRate, "rows/s")
	sec.add("verify of the exported file", verifyRate, "rows/s")
	rf := ratio(fileRate, dumpRate)
	sec.check("export to a file / raw dump to a file", fmt.Sprintf("%.3f", rf), "≥ 0.5", rf >= 0.5)
	rv := ratio(verifyRate, fileRate)
	sec.check("verify / export to a file, per event", fmt.Sprintf("%.3f", rv), "≥ 1", rv >= 1)
	sec.check("export peak memory (Go heap in use)", fmt.Sprintf("%.1f MiB", mib(peakUse)), "< 64 MiB", mib(peakUse) < 64)
	sec.note("History: %s.", how)
	sec.note("To a file: a 256 KiB buffered file in the cache folder; the raw dump writes the same columns tab-separated with no escaping (store.RawDumpEvents). The verify reads the exported file back with review.VerifyJSONL, as 'vetted verify FILE' does.")
	sec.note("Peak memory is sampled from runtime/metrics every 2 ms during the export (heap in use = MemStats.HeapInuse: objects plus the unused part of in-use spans); the resident set is the kernel's VmHWM, reset before the export, and includes SQLite's page cache.")
	return sec, nil
}

func heapInUse() uint64 {
	s := []metrics.Sample{{Name: memMetrics[0]}, {Name: memMetrics[1]}}
	metrics.Read(s)
	return s[0].Value.Uint64() + s[1].Value.Uint64()
}

// exportTo is `vetted export --format jsonl`: EachEvent into a JSONLWriter.
func exportTo(ctx context.Context, db *store.DB, w io.Writer) (int64, error) {
	jw, err := review.NewJSONLWriter(w, "")
	if err != nil {
		return 0, err
	}
	var n int64
	if err := db.EachEvent(ctx, review.EventFilter{}, func(e review.Event) error {
		n++
		return jw.Write(e)
	}); err != nil {
		return n, err
	}
	return n, jw.Close()
}
