package review_test

import (
	"strings"
	"testing"

	"vetted/review"
)

func TestDecideImport(t *testing.T) {
	published := &review.Edition{Label: "2023", SHA256: "aaaaaaaaaaaaaaaa"}
	draft := &review.Edition{Label: "2023", SHA256: "aaaaaaaaaaaaaaaa", Draft: true}
	for _, tc := range []struct {
		name   string
		old    *review.Edition
		digest string
		n      review.NewEdition
		want   review.ImportAction
		err    string
	}{
		{"new label", nil, "b", review.NewEdition{}, review.ImportNew, ""},
		{"same bytes, published", published, published.SHA256, review.NewEdition{}, review.ImportUnchanged, ""},
		{"same bytes, draft", draft, draft.SHA256, review.NewEdition{Draft: true}, review.ImportUnchanged, ""},
		{"same bytes, draft, replace as final", draft, draft.SHA256, review.NewEdition{Replace: true}, review.ImportPublishDraft, ""},
		{"same bytes, draft, replace as draft", draft, draft.SHA256, review.NewEdition{Replace: true, Draft: true}, review.ImportUnchanged, ""},
		{"other bytes, draft, replace", draft, "b", review.NewEdition{Replace: true}, review.ImportReplaceDraft, ""},
		{"other bytes, draft, no replace", draft, "b", review.NewEdition{}, 0, "can be replaced"},
		{"other bytes, published", published, "b", review.NewEdition{Replace: true}, 0, "cannot be replaced"},
	} {
		got, err := review.DecideImport(tc.old, tc.digest, tc.n)
		if tc.err != "" {
			if review.ErrorCode(err) != review.ECONFLICT || !strings.Contains(review.ErrorMessage(err), tc.err) || review.ErrorField(err) != "edition" {
				t.Errorf("%s: %v, %v; want ECONFLICT on edition saying %q", tc.name, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
}
