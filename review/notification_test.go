package review

import (
	"slices"
	"testing"
)

func TestMentions(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"@rey please check", []string{"rey"}},
		{"ask @Eda and @rey.", []string{"eda", "rey"}},
		{"mail eda@example.org", nil},
		{"(@rey) @rey again", []string{"rey"}},
		{"no mention here @", nil},
		{"@@rey", nil},
	} {
		if got := Mentions(tc.text); !slices.Equal(got, tc.want) {
			t.Errorf("Mentions(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}
