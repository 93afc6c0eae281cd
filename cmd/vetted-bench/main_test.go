package main

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestQuick runs every measurement in -quick mode and checks that each
// produced its figures and targets and that the report was written. It
// asserts nothing about the figures themselves: timing never decides
// whether a test passes.
func TestQuick(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every measurement briefly")
	}
	dir := t.TempDir()
	// Smaller still than -quick: one client per demo user.
	sz := quickSizes
	sz.PageClients, sz.Revisions, sz.MixedClients, sz.Claims = 2, 3, 3, 100
	cfg := config{sizes: sz, cacheDir: dir, log: &bytes.Buffer{}}
	rep, err := measureAll(context.Background(), cfg, true)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(rep.sections), len(benches); got != want {
		t.Fatalf("%d sections, want %d", got, want)
	}
	checks := 0
	for _, s := range rep.sections {
		if len(s.Figures) == 0 {
			t.Errorf("%s: no figures", s.Title)
		}
		for _, f := range s.Figures {
			if math.IsNaN(f.Value) || math.IsInf(f.Value, 0) || f.Value < 0 {
				t.Errorf("%s: %s = %v", s.Title, f.Name, f.Value)
			}
		}
		checks += len(s.Checks)
	}
	if want := 11 + len(scalePages); checks != want {
		t.Errorf("%d targets checked, want %d", checks, want)
	}
	md := rep.markdown()
	for _, want := range []string{"# Performance", "CPU:", "Go: go", "## Targets", "≥ 0.35", "< 64 MiB", "What the profile shows"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// The seeded history is reused by the next run.
	if _, err := os.Stat(filepath.Join(dir, "vetted-bench-"+countName(quickSizes.Events)+".db")); err != nil {
		t.Errorf("seeded history not kept: %v", err)
	}
}

func TestFlags(t *testing.T) {
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"-only", "nonsense"}, &out, &errb); err == nil || !strings.Contains(err.Error(), "nonsense") {
		t.Errorf("-only nonsense: %v, want an error naming it", err)
	}
	if got := countName(1_000_000); got != "1m" {
		t.Errorf("countName(1e6) = %q", got)
	}
	if got := thousands("1234567"); got != "1,234,567" {
		t.Errorf("thousands = %q", got)
	}
}

// TestIDs reads the numbers a mixed-load client takes off a claim page.
func TestIDs(t *testing.T) {
	page := []byte(`<form method="post" action="/revisions/12/approve"><input type="hidden" name="base" value="40">` +
		`<form action="/revisions/13/reject"></form><form action="/revisions/x/approve"></form>` +
		`<form method="post" action="/flags/7/resolve"><form method="post" action="/flags/9/resolve">`)
	for _, tc := range []struct {
		f    [2]string
		want []int64
	}{
		{baseField, []int64{40}},
		{approveForm, []int64{12}},
		{resolveForm, []int64{7, 9}},
	} {
		if got := ids(tc.f, page); !slices.Equal(got, tc.want) {
			t.Errorf("ids(%q) = %v, want %v", tc.f, got, tc.want)
		}
	}
}
