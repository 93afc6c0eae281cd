package review_test

import (
	"strings"
	"testing"

	"vetted/review"
)

func TestCanonicalUserName(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{in: "adam", want: "adam"},
		{in: "Adam", want: "adam"},
		{in: "ＡＤＡＭ", want: "adam"}, // full width
		{in: "José", want: "josé"},
		{in: "Jose\u0301", want: "josé"}, // NFD in, NFC out
		{in: "eda.k-2_x", want: "eda.k-2_x"},
		{in: "", err: "required"},
		{in: "two words", err: "only letters"},
		{in: "a\u200bb", err: "only letters"}, // zero-width space
		{in: "adam\u202e", err: "only letters"},
		{in: "a@b", err: "only letters"},
		{in: strings.Repeat("a", 65), err: "at most 64"},
		{in: strings.Repeat("a", 10000), err: "at most 64"},
		{in: "\xff\xfe", err: "only letters"},
	} {
		got, err := review.CanonicalUserName(tc.in)
		switch {
		case tc.err != "":
			if review.ErrorCode(err) != review.EINVALID || !strings.Contains(review.ErrorMessage(err), tc.err) || review.ErrorField(err) != "name" {
				t.Errorf("CanonicalUserName(%q) = %q, %v; want EINVALID on name with %q", tc.in, got, err, tc.err)
			}
		case err != nil || got != tc.want:
			t.Errorf("CanonicalUserName(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestUserNameSkeleton(t *testing.T) {
	for _, pair := range [][2]string{
		{"adam", "\u0430dam"}, // Cyrillic а
		{"rosa", "r\u043esa"}, // Cyrillic о
		{"eda", "\u0435da"},   // Cyrillic е
		{"adam", "adarn"},     // rn and m
		{"bob1", "bobl"},
	} {
		if review.UserNameSkeleton(pair[0]) != review.UserNameSkeleton(pair[1]) {
			t.Errorf("%q and %q have different skeletons, want the same", pair[0], pair[1])
		}
	}
	for _, pair := range [][2]string{{"adam", "eda"}, {"rey", "rex"}} {
		if review.UserNameSkeleton(pair[0]) == review.UserNameSkeleton(pair[1]) {
			t.Errorf("%q and %q share a skeleton", pair[0], pair[1])
		}
	}
}
