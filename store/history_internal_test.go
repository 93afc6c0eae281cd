package store

import (
	"context"
	"slices"
	"testing"
	"time"

	"vetted/review"
)

// TestPageByTime: a page of events within a time window is the same
// whether it is read through the time index (a narrow window) or in seq
// order (a wide one), newest or oldest first, with other filters.
func TestPageByTime(t *testing.T) {
	ctx := context.Background()
	db := openDemo(t)
	var all []review.Event
	if err := db.EachEvent(ctx, review.EventFilter{}, func(e review.Event) error { all = append(all, e); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(all) < 20 {
		t.Fatalf("%d events: too few to page", len(all))
	}
	at := func(i int) time.Time { return parseTime(all[i].Time) }
	defer func(n int) { timeWindowRows = n }(timeWindowRows)
	for _, rows := range []int{5, 1 << 20} { // wide windows walk by seq; every window through the index
		timeWindowRows = rows
		for _, f := range []review.EventFilter{
			{Since: at(len(all) / 2), Limit: 7, Newest: true},
			{Since: at(len(all) / 2), Limit: 7},
			{Until: at(len(all) / 3), Limit: 7, Newest: true},
			{Since: at(3), Until: at(len(all) - 3), Limit: 5, Newest: true},
			{Since: at(3), Until: at(6), Limit: 50},
			{Since: at(3), Actor: all[5].Actor, Limit: 4, Newest: true},
			{Since: time.Date(2999, 1, 1, 0, 0, 0, 0, time.UTC), Limit: 5},
		} {
			var want []int64
			for _, e := range all {
				tm := parseTime(e.Time)
				if (f.Since.IsZero() || !tm.Before(f.Since)) && (f.Until.IsZero() || tm.Before(f.Until)) && (f.Actor == "" || e.Actor == f.Actor) {
					want = append(want, e.Seq)
				}
			}
			if f.Newest {
				slices.Reverse(want)
			}
			want = want[:min(len(want), f.Limit)]
			var got []int64
			if err := db.EachEvent(ctx, f, func(e review.Event) error { got = append(got, e.Seq); return nil }); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("window rows %d, %+v: %v, want %v", rows, f, got, want)
			}
		}
	}
}
