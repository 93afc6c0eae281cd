package review

import "fmt"

// Role is what a user may do. Roles are not ranked: an admin manages users
// and reads everything but reviews nothing, so that running the system and
// vouching for its content stay separate.
type Role string

const (
	RoleReviewer Role = "reviewer"
	RoleEditor   Role = "editor"
	RoleAuditor  Role = "auditor"
	RoleAdmin    Role = "admin"
	// RoleSystem is the command line's own actor: whoever runs the binary on
	// the server may import editions and manage users, but never reviews.
	RoleSystem Role = "system"
)

// Roles lists every role, in the order forms offer them.
var Roles = []Role{RoleReviewer, RoleEditor, RoleAuditor, RoleAdmin}

// ParseRole validates a role name.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", FieldErrorf("role", "Unknown role %q: use reviewer, editor, auditor or admin.", s)
}

// Action is something a user asks to do.
type Action string

const (
	ActionRead           Action = "read"         // claims, editions, sources, notes, flags
	ActionCreateClaim    Action = "claim.create" // includes its first revision
	ActionProposeRev     Action = "revision.propose"
	ActionDecideRev      Action = "revision.decide" // approve or reject
	ActionAddNote        Action = "note.add"
	ActionAddSource      Action = "source.add"
	ActionRaiseFlag      Action = "flag.raise"
	ActionResolveFlag    Action = "flag.resolve"
	ActionImportEdition  Action = "edition.import"
	ActionPublishEdition Action = "edition.publish" // make a draft edition final
	ActionReanchorClaim  Action = "claim.reanchor"
	ActionAssignClaim    Action = "claim.assign"  // hand claims to a reviewer
	ActionImportScores   Action = "scores.import" // an edition's score sheet
	ActionGradeSource    Action = "source.grade"  // regrade a shared source, attach an archived copy
	ActionCheckLinks     Action = "source.check"  // record a link check
	ActionReadHistory    Action = "history.read"
	ActionExportHistory  Action = "history.export"
	ActionManageUsers    Action = "user.manage"
	ActionManageTokens   Action = "token.manage"
)

// permissions is the whole policy on one screen. Anything not listed is
// denied.
var permissions = map[Role][]Action{
	RoleReviewer: {ActionRead, ActionCreateClaim, ActionProposeRev, ActionAddNote,
		ActionAddSource, ActionRaiseFlag},
	RoleEditor: {ActionRead, ActionCreateClaim, ActionProposeRev, ActionAddNote,
		ActionAddSource, ActionRaiseFlag, ActionDecideRev, ActionResolveFlag,
		ActionImportEdition, ActionPublishEdition, ActionReanchorClaim, ActionImportScores,
		ActionGradeSource, ActionCheckLinks, ActionAssignClaim},
	RoleAuditor: {ActionRead, ActionReadHistory, ActionExportHistory},
	RoleAdmin:   {ActionRead, ActionReadHistory, ActionExportHistory, ActionManageUsers, ActionManageTokens},
	RoleSystem: {ActionRead, ActionReadHistory, ActionExportHistory, ActionManageUsers, ActionManageTokens,
		ActionImportEdition, ActionPublishEdition, ActionImportScores, ActionCheckLinks},
}

// Can reports whether role may perform action.
func Can(role Role, action Action) bool {
	for _, a := range permissions[role] {
		if a == action {
			return true
		}
	}
	return false
}

// RolesFor lists the roles that may perform action, for "this needs the
// editor role" messages.
func RolesFor(action Action) []Role {
	var rs []Role
	for _, r := range Roles {
		if Can(r, action) {
			rs = append(rs, r)
		}
	}
	return rs
}

// Authorize returns EFORBIDDEN unless u is an enabled user whose role may
// perform action.
func Authorize(u User, action Action) error {
	if u.ID <= 0 || u.Disabled {
		return Errorf(EFORBIDDEN, "You must be signed in as an active user.")
	}
	if !Can(u.Role, action) {
		return Errorf(EFORBIDDEN, "%s needs the %s role; you are %s.", actionLabel(action), roleList(RolesFor(action)), article(u.Role))
	}
	return nil
}

var actionLabels = map[Action]string{
	ActionRead:           "Reading",
	ActionCreateClaim:    "Creating a claim",
	ActionProposeRev:     "Proposing a revision",
	ActionDecideRev:      "Approving or rejecting a revision",
	ActionAddNote:        "Adding a note",
	ActionAddSource:      "Adding a source",
	ActionRaiseFlag:      "Raising a flag",
	ActionResolveFlag:    "Resolving a flag",
	ActionImportEdition:  "Importing an edition",
	ActionPublishEdition: "Publishing an edition",
	ActionReanchorClaim:  "Re-anchoring a claim",
	ActionAssignClaim:    "Assigning claims",
	ActionImportScores:   "Importing a score sheet",
	ActionGradeSource:    "Regrading a source",
	ActionCheckLinks:     "Recording a link check",
	ActionReadHistory:    "Reading the change history",
	ActionExportHistory:  "Exporting the change history",
	ActionManageUsers:    "Managing users",
	ActionManageTokens:   "Managing API tokens",
}

func actionLabel(a Action) string {
	if l, ok := actionLabels[a]; ok {
		return l
	}
	return fmt.Sprintf("Action %q", string(a))
}

func roleList(rs []Role) string {
	switch len(rs) {
	case 0:
		return "no"
	case 1:
		return string(rs[0])
	}
	s := ""
	for i, r := range rs {
		switch {
		case i == 0:
		case i == len(rs)-1:
			s += " or "
		default:
			s += ", "
		}
		s += string(r)
	}
	return s
}

func article(r Role) string {
	switch r {
	case RoleEditor, RoleAuditor, RoleAdmin:
		return "an " + string(r)
	}
	return "a " + string(r)
}
