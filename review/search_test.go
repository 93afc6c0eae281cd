package review

import (
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// srchShape matches what SearchExpression may emit: quoted prefix words
// ("cavi*", the form FTS4 reads as a prefix), or
// a quoted phrase of words separated by single spaces. Words are runs of
// letters and digits, so no operator, column filter or quote can appear.
var srchShape = regexp.MustCompile(`^(?:"[\p{L}\p{N}]+\*"|"[\p{L}\p{N}]+(?: [\p{L}\p{N}]+)*")(?: (?:"[\p{L}\p{N}]+\*"|"[\p{L}\p{N}]+(?: [\p{L}\p{N}]+)*"))*$`)

// srchCheck fails unless out is a well-formed expression.
func srchCheck(tb testing.TB, in, out string) {
	tb.Helper()
	if !srchShape.MatchString(out) {
		tb.Fatalf("SearchExpression(%q) = %q: not only quoted terms", in, out)
	}
	for _, r := range out {
		if unicode.IsUpper(r) {
			tb.Fatalf("SearchExpression(%q) = %q: upper case left in (NEAR/AND/OR/NOT could survive)", in, out)
		}
	}
}

func TestSearchTerms(t *testing.T) {
	ok := []struct{ in, want string }{
		{"caviar", `"caviar*"`},
		{"Caviar TRADE", `"caviar*" "trade*"`},
		{`"illicit caviar"`, `"illicit caviar"`},
		{`"illicit caviar" trade`, `"illicit caviar" "trade*"`},
		{`"unbalanced phrase`, `"unbalanced phrase"`},
		{`a"b`, `"a*" "b"`},
		{"caviar*", `"caviar*"`},
		{"*", ""},
		{"AND OR NOT", `"and*" "or*" "not*"`},
		{"caviar NEAR trade", `"caviar*" "near*" "trade*"`},
		{"caviar NEAR/3 trade", `"caviar*" "near*" "3*" "trade*"`},
		{"body:caviar", `"body*" "caviar*"`},
		{"^caviar", `"caviar*"`},
		{"(caviar OR (trade", `"caviar*" "or*" "trade*"`},
		{"caviar)", `"caviar*"`},
		{"-caviar +trade", `"caviar*" "trade*"`},
		{"Cigánska", `"cigánska*"`},
		{"Азербайджан", `"азербайджан*"`},
		{"2021", `"2021*"`},
		{"\x00caviar\x00", `"caviar*"`},
		{strings.Repeat("w ", MaxSearchTerms), strings.TrimSpace(strings.Repeat(`"w*" `, MaxSearchTerms))},
	}
	for _, tt := range ok {
		t.Run("OK/"+tt.in, func(t *testing.T) {
			got, err := searchJoined(tt.in)
			if tt.want == "" {
				if ErrorCode(err) != EINVALID {
					t.Fatalf("SearchExpression(%q) = %q, %v; want EINVALID", tt.in, got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("SearchExpression(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("SearchExpression(%q) = %q, want %q", tt.in, got, tt.want)
			}
			srchCheck(t, tt.in, got)
		})
	}
	bad := []struct{ name, in string }{
		{"Empty", ""},
		{"Spaces", "   \t\n"},
		{"Quote", `"`},
		{"Quotes", `""""`},
		{"Star", "*"},
		{"Punctuation", `!@#$%^&*()_+-=[]{};':",./<>?\|`},
		{"Parens", "(((("},
		{"Caret", "^"},
		{"Colon", ":"},
		{"TooManyWords", strings.Repeat("word ", MaxSearchTerms+1)},
		{"TooLong", strings.Repeat("a", 501)},
		{"InvalidUTF8", "caviar\xff"},
		{"Surrogate", "\xed\xa0\x80"},
	}
	for _, tt := range bad {
		t.Run("ErrInvalid/"+tt.name, func(t *testing.T) {
			got, err := searchJoined(tt.in)
			if ErrorCode(err) != EINVALID || ErrorField(err) != "q" {
				t.Fatalf("SearchExpression(%q) = %q, %v; want EINVALID on field q", tt.in, got, err)
			}
			if got != "" {
				t.Errorf("an error came with an expression %q", got)
			}
		})
	}
}

func FuzzSearchTerms(f *testing.F) {
	for _, s := range []string{"caviar", `"illicit caviar" trade`, `"`, "*", "AND OR NOT", "a NEAR/2 b",
		"body:x", "^x", "((x", "", "\xff", "x\x00y", strings.Repeat("w ", 17), "İstanbul ǅ ﬁ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		out, err := searchJoined(q)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("SearchExpression(%q): %v is not EINVALID", q, err)
			}
			if out != "" {
				t.Fatalf("error with output %q", out)
			}
			return
		}
		srchCheck(t, q, out)
		if n := len(strings.Fields(strings.NewReplacer(`*"`, `"`).Replace(out))); n == 0 {
			t.Fatalf("SearchExpression(%q) = %q: no terms", q, out)
		}
	})
}

// searchJoined is SearchTerms as one expression, the shape the checks read.
func searchJoined(q string) (string, error) {
	terms, err := SearchTerms(q)
	return strings.Join(terms, " "), err
}
