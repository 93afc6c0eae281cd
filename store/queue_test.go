package store_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"vetted/review"
	"vetted/store"
)

// TestFindQueue pages through the demo's queue in pages of 7 and finds
// every pending revision and open flag once, oldest first, as one large
// page has them; filters select what they say, and totals count them.
func TestFindQueue(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDemoDB(t)
	all, err := db.FindQueue(ctx, review.QueueFilter{Limit: review.MaxQueuePage})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Items) == 0 || all.Total != len(all.Items) || !all.Next.IsZero() {
		t.Fatalf("whole queue: %d items, total %d, next %v", len(all.Items), all.Total, all.Next)
	}
	kinds := map[review.QueueKind]int{}
	for i, it := range all.Items {
		kinds[it.Kind]++
		if it.Claim.ID == 0 {
			t.Errorf("item %d has no claim", i)
		}
		if it.Revision != nil && it.Revision.BaseID != 0 && (it.Base == nil || it.Base.ID != it.Revision.BaseID) {
			t.Errorf("revision %d: base %v, want revision %d", it.Revision.ID, it.Base, it.Revision.BaseID)
		}
		if i > 0 {
			a, b := all.Items[i-1].Cursor(), it.Cursor()
			if b.Time.Before(a.Time) || b.Time.Equal(a.Time) && (b.Kind.Rank() < a.Kind.Rank() || b.Kind == a.Kind && b.ID <= a.ID) {
				t.Errorf("item %d (%v) comes after %v", i, b, a)
			}
		}
	}
	if kinds[review.QueueRevision] == 0 || kinds[review.QueueFlag] == 0 {
		t.Fatalf("the demo queue has %v, want both kinds", kinds)
	}

	var paged []review.QueueItem
	f := review.QueueFilter{Limit: 7}
	for pages := 0; ; pages++ {
		if pages > len(all.Items) {
			t.Fatal("paging does not end")
		}
		p, err := db.FindQueue(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != all.Total {
			t.Errorf("page %d: total %d, want %d", pages, p.Total, all.Total)
		}
		paged = append(paged, p.Items...)
		if p.Next.IsZero() {
			break
		}
		// The cursor survives its trip through a URL.
		if f.After, err = review.ParseQueueCursor(p.Next.String()); err != nil {
			t.Fatal(err)
		}
	}
	if len(paged) != len(all.Items) {
		t.Fatalf("pages hold %d items, the whole queue %d", len(paged), len(all.Items))
	}
	// Back from the last page by Prev, page by page, to the first.
	var back []review.QueueItem
	last, err := db.FindQueue(ctx, review.QueueFilter{Limit: 7, After: paged[len(paged)-8].Cursor()})
	if err != nil {
		t.Fatal(err)
	}
	back = last.Items
	for p, pages := last, 0; !p.Prev.IsZero(); pages++ {
		if pages > len(all.Items) {
			t.Fatal("paging back does not end")
		}
		if p, err = db.FindQueue(ctx, review.QueueFilter{Limit: 7, Before: p.Prev}); err != nil {
			t.Fatal(err)
		}
		if p.Next.IsZero() {
			t.Error("a previous page has no next page")
		}
		back = append(append([]review.QueueItem(nil), p.Items...), back...)
	}
	if len(back) != len(all.Items) {
		t.Fatalf("paging back holds %d items, the whole queue %d", len(back), len(all.Items))
	}
	for i := range back {
		if back[i].Cursor() != all.Items[i].Cursor() {
			t.Errorf("back item %d: %v, whole %v", i, back[i].Cursor(), all.Items[i].Cursor())
		}
	}
	if _, err := db.FindQueue(ctx, review.QueueFilter{After: all.Items[1].Cursor(), Before: all.Items[3].Cursor()}); review.ErrorCode(err) != review.EINVALID {
		t.Errorf("after and before at once: %v, want EINVALID", err)
	}
	for i := range paged {
		if paged[i].Cursor() != all.Items[i].Cursor() {
			t.Errorf("item %d: paged %v, whole %v", i, paged[i].Cursor(), all.Items[i].Cursor())
		}
	}

	for _, tc := range []struct {
		name string
		f    review.QueueFilter
		want func(review.QueueItem) bool
	}{
		{"flags", review.QueueFilter{Kind: review.QueueFlag}, func(it review.QueueItem) bool { return it.Kind == review.QueueFlag }},
		{"revisions", review.QueueFilter{Kind: review.QueueRevision}, func(it review.QueueItem) bool { return it.Kind == review.QueueRevision }},
		{"report", review.QueueFilter{Report: "azerbaijan"}, func(review.QueueItem) bool { return true }},
		{"author", review.QueueFilter{Author: "Rey"}, func(it review.QueueItem) bool {
			return it.Revision != nil && it.Revision.Author == "rey" || it.Flag != nil && it.Flag.RaisedBy == "rey"
		}},
		{"edition and section", review.QueueFilter{Edition: "2021", Section: all.Items[0].Claim.Anchor.Section},
			func(it review.QueueItem) bool { return it.Claim.Anchor.Section == all.Items[0].Claim.Anchor.Section }},
	} {
		p, err := db.FindQueue(ctx, tc.f)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		want := 0
		for _, it := range all.Items {
			if tc.want(it) {
				want++
			}
		}
		if p.Total != want || len(p.Items) != want {
			t.Errorf("%s: %d items, total %d; want %d", tc.name, len(p.Items), p.Total, want)
		}
		for _, it := range p.Items {
			if !tc.want(it) {
				t.Errorf("%s: item %v does not match", tc.name, it.Cursor())
			}
		}
	}
	for _, f := range []review.QueueFilter{{Report: "no-such-report"}, {Author: "nobody"}, {Edition: "1999"}} {
		if p, err := db.FindQueue(ctx, f); err != nil || p.Total != 0 || len(p.Items) != 0 {
			t.Errorf("%+v: %d items, total %d, %v; want none", f, len(p.Items), p.Total, err)
		}
	}
	if _, err := db.FindQueue(ctx, review.QueueFilter{Kind: "note"}); review.ErrorCode(err) != review.EINVALID {
		t.Errorf("an unknown kind: %v, want EINVALID", err)
	}
	if _, err := db.FindQueue(ctx, review.QueueFilter{Section: "DRUGS"}); review.ErrorCode(err) != review.EINVALID {
		t.Errorf("a section without an edition: %v, want EINVALID", err)
	}
}

// TestQueueReadsDoNotGrow: a queue page costs the same statements and rows
// at 1 and at 10 generated reports (the queue ten times as long). Pages of
// 10, so that even the smaller queue has more than a page of each kind.
func TestQueueReadsDoNotGrow(t *testing.T) {
	ctx := context.Background()
	var stats []store.ReadStats
	var totals []int
	for _, n := range []int{1, 10} {
		db := mustOpenCopy(t, template(t, fmt.Sprintf("scale-%d", n), buildScale(n))).DB
		before := db.ReadStats()
		p, err := db.FindQueue(ctx, review.QueueFilter{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		stats, totals = append(stats, db.ReadStats().Sub(before)), append(totals, p.Total)
	}
	if totals[1] < 5*totals[0] {
		t.Fatalf("queues of %v items: the larger should be far larger", totals)
	}
	if stats[0] != stats[1] {
		t.Errorf("a queue page read %+v with %d items queued and %+v with %d", stats[0], totals[0], stats[1], totals[1])
	}
}

// buildScale builds the demo and n generated reports (store.SeedScale).
func buildScale(n int) func(context.Context, *store.DB) error {
	return func(ctx context.Context, db *store.DB) error {
		if err := buildDemo(ctx, db); err != nil {
			return err
		}
		text, err := os.ReadFile(seedText)
		if err != nil {
			return err
		}
		claims, err := os.ReadFile(seedClaims)
		if err != nil {
			return err
		}
		return db.SeedScale(ctx, text, claims, store.Scale{Reports: n})
	}
}
