package review

import (
	"strings"
	"testing"
)

// permAllActions lists every action the policy knows, written out here so
// that the table below is a second statement of the policy, not a copy.
var permAllActions = []Action{
	ActionRead, ActionCreateClaim, ActionProposeRev, ActionDecideRev, ActionAddNote, ActionAddSource,
	ActionRaiseFlag, ActionResolveFlag, ActionImportEdition, ActionPublishEdition, ActionReanchorClaim, ActionReadHistory,
	ActionExportHistory, ActionManageUsers, ActionManageTokens, ActionImportScores,
	ActionGradeSource, ActionCheckLinks, Action("bogus.action"), Action(""),
}

func TestCan(t *testing.T) {
	// allowed is the whole policy as the issue states it: reviewers write
	// content, editors also decide and import, auditors read everything and
	// change nothing, admins manage users; the command line's system actor
	// imports and manages users but never reviews. Anything absent is denied.
	allowed := map[Role][]Action{
		RoleReviewer: {ActionRead, ActionCreateClaim, ActionProposeRev, ActionAddNote, ActionAddSource, ActionRaiseFlag},
		RoleEditor: {ActionRead, ActionCreateClaim, ActionProposeRev, ActionAddNote, ActionAddSource, ActionRaiseFlag,
			ActionDecideRev, ActionResolveFlag, ActionImportEdition, ActionPublishEdition, ActionReanchorClaim, ActionImportScores,
			ActionGradeSource, ActionCheckLinks},
		RoleAuditor: {ActionRead, ActionReadHistory, ActionExportHistory},
		RoleAdmin:   {ActionRead, ActionReadHistory, ActionExportHistory, ActionManageUsers, ActionManageTokens},
		RoleSystem: {ActionRead, ActionReadHistory, ActionExportHistory, ActionManageUsers, ActionManageTokens,
			ActionImportEdition, ActionPublishEdition, ActionImportScores, ActionCheckLinks},
		Role(""):      nil,
		Role("root"):  nil,
		Role("Admin"): nil, // roles are case-sensitive
	}
	for role, acts := range allowed {
		for _, action := range permAllActions {
			want := false
			for _, a := range acts {
				if a == action {
					want = true
				}
			}
			t.Run(string(role)+"/"+string(action), func(t *testing.T) {
				if got := Can(role, action); got != want {
					t.Errorf("Can(%q, %q) = %v, want %v", role, action, got, want)
				}
			})
		}
	}
}

// No role that reviews content may also manage users, and no role that
// reads the history for audit may write content: the separations the policy
// exists for.
func TestCanSeparation(t *testing.T) {
	writes := []Action{ActionCreateClaim, ActionProposeRev, ActionDecideRev, ActionAddNote, ActionAddSource,
		ActionRaiseFlag, ActionResolveFlag, ActionImportEdition, ActionPublishEdition, ActionReanchorClaim, ActionImportScores, ActionGradeSource, ActionCheckLinks}
	for _, role := range []Role{RoleAuditor, RoleAdmin} {
		for _, a := range writes {
			if Can(role, a) {
				t.Errorf("%s may %s", role, a)
			}
		}
	}
	for _, role := range []Role{RoleReviewer, RoleEditor} {
		if Can(role, ActionManageUsers) {
			t.Errorf("%s may manage users", role)
		}
	}
	for _, a := range []Action{ActionCreateClaim, ActionProposeRev, ActionDecideRev, ActionAddNote, ActionRaiseFlag, ActionResolveFlag} {
		if Can(RoleSystem, a) {
			t.Errorf("the system actor may %s", a)
		}
	}
}

func TestParseRole(t *testing.T) {
	for _, s := range []string{"reviewer", "editor", "auditor", "admin"} {
		t.Run("OK/"+s, func(t *testing.T) {
			got, err := ParseRole(s)
			if err != nil || string(got) != s {
				t.Fatalf("ParseRole(%q) = %q, %v", s, got, err)
			}
		})
	}
	// The system role is not one a person can be given.
	for _, s := range []string{"", "system", "Editor", "root", "editor ", "editor\x00"} {
		t.Run("ErrInvalid/"+s, func(t *testing.T) {
			_, err := ParseRole(s)
			if ErrorCode(err) != EINVALID || ErrorField(err) != "role" {
				t.Fatalf("ParseRole(%q): err = %v, want EINVALID on field role", s, err)
			}
		})
	}
}

func TestAuthorize(t *testing.T) {
	tests := []struct {
		name    string
		user    User
		action  Action
		wantErr bool
		// the message must contain each of these
		want []string
	}{
		{"OK/EditorDecides", User{ID: 3, Name: "eda", Role: RoleEditor}, ActionDecideRev, false, nil},
		{"OK/ReviewerNotes", User{ID: 2, Name: "rey", Role: RoleReviewer}, ActionAddNote, false, nil},
		{"OK/AdminManages", User{ID: 5, Name: "adam", Role: RoleAdmin}, ActionManageUsers, false, nil},
		{"ErrForbidden/ReviewerDecides", User{ID: 2, Role: RoleReviewer}, ActionDecideRev, true,
			[]string{"Approving or rejecting a revision", "needs the editor role", "you are a reviewer"}},
		{"ErrForbidden/AuditorImports", User{ID: 4, Role: RoleAuditor}, ActionImportEdition, true,
			[]string{"Importing an edition", "needs the editor role", "you are an auditor"}},
		{"ErrForbidden/ReviewerPublishes", User{ID: 2, Role: RoleReviewer}, ActionPublishEdition, true,
			[]string{"Publishing an edition", "needs the editor role", "you are a reviewer"}},
		{"ErrForbidden/EditorManagesUsers", User{ID: 3, Role: RoleEditor}, ActionManageUsers, true,
			[]string{"Managing users", "needs the admin role", "you are an editor"}},
		{"ErrForbidden/AdminAddsNote", User{ID: 5, Role: RoleAdmin}, ActionAddNote, true,
			[]string{"Adding a note", "needs the reviewer or editor role", "you are an admin"}},
		{"ErrForbidden/ReviewerReadsHistory", User{ID: 2, Role: RoleReviewer}, ActionReadHistory, true,
			[]string{"needs the auditor or admin role"}},
		{"ErrForbidden/UnknownAction", User{ID: 3, Role: RoleEditor}, Action("claim.delete"), true,
			[]string{`"claim.delete"`, "needs the no role"}},
		{"ErrForbidden/UnknownRole", User{ID: 9, Role: Role("root")}, ActionRead, true, []string{"you are a root"}},
		{"ErrForbidden/ZeroUser", User{}, ActionRead, true, []string{"signed in as an active user"}},
		{"ErrForbidden/NegativeID", User{ID: -1, Role: RoleEditor}, ActionRead, true, []string{"signed in"}},
		{"ErrForbidden/DisabledEditor", User{ID: 3, Role: RoleEditor, Disabled: true}, ActionRead, true, []string{"active user"}},
		{"ErrForbidden/DisabledAdmin", User{ID: 5, Role: RoleAdmin, Disabled: true}, ActionManageUsers, true, []string{"active user"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Authorize(tt.user, tt.action)
			if !tt.wantErr {
				if err != nil {
					t.Fatalf("Authorize: %v", err)
				}
				return
			}
			if got := ErrorCode(err); got != EFORBIDDEN {
				t.Fatalf("code = %q, want %q (err %v)", got, EFORBIDDEN, err)
			}
			msg := ErrorMessage(err)
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q does not contain %q", msg, w)
				}
			}
		})
	}
}

func TestRolesFor(t *testing.T) {
	tests := []struct {
		action Action
		want   string
	}{
		{ActionRead, "reviewer editor auditor admin"},
		{ActionDecideRev, "editor"},
		{ActionImportEdition, "editor"}, // the system role is not offered to people
		{ActionManageUsers, "admin"},
		{Action("nope"), ""},
	}
	for _, tt := range tests {
		var got []string
		for _, r := range RolesFor(tt.action) {
			got = append(got, string(r))
		}
		if g := strings.Join(got, " "); g != tt.want {
			t.Errorf("RolesFor(%q) = %q, want %q", tt.action, g, tt.want)
		}
	}
}
