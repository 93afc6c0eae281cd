package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"vetted/review"
	"vetted/review/text"
	"vetted/store"
	"vetted/web"
)

// usageError is a bad flag or argument: exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

func exitCode(stderr io.Writer, err error) int {
	var ue *usageError
	var le review.LineErrors
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "vetted: %s\n", ue.msg)
		return exitUsage
	case errors.As(err, &le):
		fmt.Fprintf(stderr, "vetted: %s\n", le.Error())
		return exitFail
	case review.ErrorCode(err) != review.EINTERNAL:
		fmt.Fprintf(stderr, "vetted: %s\n", review.ErrorMessage(err))
		return exitFail
	}
	fmt.Fprintf(stderr, "vetted: %v\n", err)
	return exitFail
}

// flags makes a command's flag set; errors are returned, not printed twice.
func flags(e *env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: vetted %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags and checks the count of positional arguments.
func parse(fs *flag.FlagSet, args []string, minArgs, maxArgs int) error {
	out := fs.Output()
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(out)
	if errors.Is(err, flag.ErrHelp) {
		fs.Usage()
		return flag.ErrHelp
	}
	if err != nil {
		return usagef("%s: %v (see 'vetted %s -h')", fs.Name(), err, fs.Name())
	}
	if n := fs.NArg(); n < minArgs || n > maxArgs {
		switch {
		case n > maxArgs && maxArgs == 0:
			return usagef("%s: unexpected argument %q (flags go before arguments)", fs.Name(), fs.Arg(0))
		case n > maxArgs:
			return usagef("%s: unexpected argument %q", fs.Name(), fs.Arg(maxArgs))
		}
		return usagef("%s: missing argument (see 'vetted %s -h')", fs.Name(), fs.Name())
	}
	return nil
}

func dbFlag(fs *flag.FlagSet) *string {
	def := os.Getenv("VETTED_DB")
	if def == "" {
		def = "vetted.db"
	}
	return fs.String("db", def, "SQLite database `path` ($VETTED_DB, else vetted.db)")
}

func openDB(ctx context.Context, path string) (*store.DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, review.Errorf(review.EINVALID, "The folder of the database %s does not exist.", path)
		}
	}
	return store.Open(ctx, path)
}

// openExisting opens a database that must already exist, so a mistyped
// --db is an error instead of a new empty database.
func openExisting(ctx context.Context, path string) (*store.DB, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, review.Errorf(review.EINVALID, "There is no database at %s: check --db (or $VETTED_DB), or create one with 'vetted migrate'.", path)
	}
	return openDB(ctx, path)
}

// resolveActor finds the user a command acts as; "" is the system actor.
func resolveActor(ctx context.Context, db *store.DB, name string) (review.User, error) {
	if name == "" {
		return review.System, nil
	}
	u, err := db.FindUserByName(ctx, name)
	if review.ErrorCode(err) == review.ENOTFOUND {
		return review.User{}, review.Errorf(review.EINVALID, "No user named %q: create one with 'vetted user add'.", name)
	} else if err != nil {
		return review.User{}, err
	}
	if u.Disabled {
		return review.User{}, review.Errorf(review.EFORBIDDEN, "User %q is disabled.", name)
	}
	return u, nil
}

func cmdMigrate(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "migrate", "migrate [--db PATH]")
	dbPath := dbFlag(fs)
	if err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	db, err := openDB(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: schema version %d\n", *dbPath, v)
	return nil
}

func cmdUser(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usagef("user: say add, list or set (see 'vetted user add -h')")
	}
	switch args[0] {
	case "add":
		return cmdUserAdd(ctx, e, args[1:])
	case "list":
		return cmdUserList(ctx, e, args[1:])
	case "set":
		return cmdUserSet(ctx, e, args[1:])
	}
	return usagef("user: unknown subcommand %q: use add, list or set", args[0])
}

func readPassword(r io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, 4096))
	if err != nil {
		return "", fmt.Errorf("reading the password from standard input: %w", err)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

func cmdUserAdd(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "user add", "user add [--db PATH] --name NAME --role ROLE --password-stdin")
	dbPath := dbFlag(fs)
	name := fs.String("name", "", "user `name` (letters, digits, '.', '-', '_')")
	role := fs.String("role", "", "reviewer, editor, auditor or admin")
	stdin := fs.Bool("password-stdin", false, "read the password from standard input (required)")
	if err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	if *name == "" {
		return usagef("user add: --name is required")
	}
	if _, err := review.ParseRole(*role); err != nil {
		return usagef("user add: --role: %s", review.ErrorMessage(err))
	}
	if !*stdin {
		return usagef("user add: --password-stdin is required: passwords are never given as arguments")
	}
	pw, err := readPassword(e.stdin)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.CreateUser(ctx, review.System, *name, review.Role(*role), pw)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "user %s (%s) created\n", u.Name, u.Role)
	return nil
}

func cmdUserList(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "user list", "user list [--db PATH]")
	dbPath := dbFlag(fs)
	if err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	db, err := openExisting(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	us, err := db.ListUsers(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROLE\tSTATUS\tCREATED")
	for _, u := range us {
		status := "active"
		if u.Disabled {
			status = "disabled"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Name, u.Role, status, u.CreatedAt.Format(time.DateOnly))
	}
	return tw.Flush()
}

func cmdUserSet(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "user set", "user set [--db PATH] --name NAME [--role ROLE] [--disabled=true|false] [--password-stdin]")
	dbPath := dbFlag(fs)
	name := fs.String("name", "", "user `name`")
	role := fs.String("role", "", "new role")
	disabled := fs.String("disabled", "", "true to disable the user (ends their sessions), false to enable")
	stdin := fs.Bool("password-stdin", false, "read a new password from standard input")
	if err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	if *name == "" {
		return usagef("user set: --name is required")
	}
	var upd review.UserUpdate
	if *role != "" {
		r, err := review.ParseRole(*role)
		if err != nil {
			return usagef("user set: --role: %s", review.ErrorMessage(err))
		}
		upd.Role = &r
	}
	if *disabled != "" {
		d, err := strconv.ParseBool(*disabled)
		if err != nil {
			return usagef("user set: --disabled must be true or false, not %q", *disabled)
		}
		upd.Disabled = &d
	}
	if *stdin {
		pw, err := readPassword(e.stdin)
		if err != nil {
			return err
		}
		upd.Password = &pw
	}
	if upd == (review.UserUpdate{}) {
		return usagef("user set: nothing to change: give --role, --disabled or --password-stdin")
	}
	db, err := openExisting(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.FindUserByName(ctx, *name)
	if err != nil {
		return err
	}
	if u, err = db.UpdateUser(ctx, review.System, u.ID, upd); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "user %s: %s, disabled=%v\n", u.Name, u.Role, u.Disabled)
	return nil
}

// pdfText reads a PDF file (at most maxPDFBytes) and extracts its text as
// the web import does.
func pdfText(ctx context.Context, path string) ([]byte, error) {
	pdf, err := readFileLimited(path, maxPDFBytes)
	if err != nil {
		return nil, err
	}
	return web.ExtractPDF(ctx, pdf)
}

// maxPDFBytes bounds a PDF read for import: report PDFs with their pictures
// run to tens of MiB.
const maxPDFBytes = 64 << 20

func cmdImport(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "import", "import [--db PATH] --report SLUG --edition LABEL [--title TEXT] [--publisher TEXT] [--published YYYY-MM-DD] [--actor NAME] [--draft] [--replace] [--score-threshold POINTS] [--stale-months N] [--json] FILE")
	dbPath := dbFlag(fs)
	slug := fs.String("report", "", "report `slug`, e.g. azerbaijan")
	label := fs.String("edition", "", "edition `label`, e.g. 2023")
	title := fs.String("title", "", "report title (required for a new report)")
	publisher := fs.String("publisher", "", "report publisher")
	published := fs.String("published", "", "publication date, YYYY-MM-DD")
	actorName := fs.String("actor", "", "user `name` the import is recorded under (default: system)")
	draft := fs.Bool("draft", false, "import as a draft edition, which may be replaced")
	replace := fs.Bool("replace", false, "replace the draft edition of the same label")
	asJSON := fs.Bool("json", false, "print the result, with every claim's outcome, as JSON")
	threshold := thresholdFlag(fs)
	staleMonths := fs.Int("stale-months", 0, "mark carried claims' evidence older than this many `months` before the edition for re-check (default: older than the edition before)")
	if err := parse(fs, args, 1, 1); err != nil {
		return err
	}
	if *staleMonths < 0 {
		return usagef("import: --stale-months must be 0 or more")
	}
	if *slug == "" || *label == "" {
		return usagef("import: --report and --edition are required")
	}
	th, err := parseThreshold(*threshold)
	if err != nil {
		return err
	}
	if *published != "" {
		if _, err := time.Parse(time.DateOnly, *published); err != nil {
			return usagef("import: --published %q is not a date: use YYYY-MM-DD", *published)
		}
	}
	path := fs.Arg(0)
	var data []byte
	if strings.EqualFold(filepath.Ext(path), ".pdf") {
		data, err = pdfText(ctx, path)
	} else {
		data, err = readFileLimited(path, review.MaxEditionBytes)
	}
	if err != nil {
		return err
	}
	db, err := openDB(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	db.ScoreThreshold, db.StaleEvidenceMonths = th, *staleMonths
	a, err := resolveActor(ctx, db, *actorName)
	if err != nil {
		return err
	}
	res, err := db.ImportEdition(ctx, a, review.NewEdition{Report: *slug, Title: *title, Publisher: *publisher,
		Label: *label, Published: *published, Original: data, Draft: *draft, Replace: *replace})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	if res.PublishedDraft {
		fmt.Fprintf(e.stdout, "%s %s: the draft is now published (same file, SHA-256 %s); it can no longer be replaced\n", *slug, *label, res.Edition.SHA256)
		return nil
	}
	if res.Unchanged {
		fmt.Fprintf(e.stdout, "%s %s: already imported from this file (SHA-256 %s); nothing changed\n", *slug, *label, res.Edition.SHA256)
		return nil
	}
	verb := "imported"
	if res.Replaced {
		verb = "replaced"
	}
	fmt.Fprintf(e.stdout, "%s %s %s: %d bytes, %d sections, SHA-256 %s\n", *slug, *label, verb, len(data),
		len(res.Edition.Doc.Sections), res.Edition.SHA256)
	printOutline(e.stdout, res.Outline)
	if len(res.Outcomes) > 0 {
		fmt.Fprintf(e.stdout, "claims: %d unchanged, %d changed (revision proposed), %d missing (flagged outdated)\n",
			res.Counts[review.OutcomeUnchanged]+res.Counts[review.OutcomeOriginal], res.Counts[review.OutcomeChanged], res.Counts[review.OutcomeMissing])
		hedged := 0
		for _, o := range res.Outcomes {
			if o.HedgeFrom != nil || o.HedgeTo != nil {
				hedged++
			}
		}
		if hedged > 0 {
			fmt.Fprintf(e.stdout, "hedging changed on %d claim(s) (flagged)\n", hedged)
		}
	}
	fmt.Fprintf(e.stdout, "new material: %d sentence(s) no claim covers\n", len(res.NewMaterial))
	if res.ScoreFlags > 0 {
		fmt.Fprintf(e.stdout, "scores: %d claim(s) queued where the Index's score and the text disagree\n", res.ScoreFlags)
	}
	return nil
}

// printOutline prints the headings an import found, indented by level, so
// that a line taken for a heading by mistake (or a heading missed) shows at
// once; a long outline is cut after outlineLines.
func printOutline(w io.Writer, secs []text.Section) {
	if len(secs) == 0 {
		fmt.Fprintln(w, "outline: no headings found (the whole text is one section)")
		return
	}
	fmt.Fprintln(w, "outline:")
	for i, s := range secs {
		if i == outlineLines {
			fmt.Fprintf(w, "  … and %d more headings\n", len(secs)-i)
			break
		}
		h := s.Heading
		if r := []rune(h); len(r) > 90 {
			h = string(r[:89]) + "…"
		}
		fmt.Fprintf(w, "  %s%s\n", strings.Repeat("  ", max(0, s.Level-1)), h)
	}
}

// outlineLines bounds the outline an import prints.
const outlineLines = 80

func readFileLimited(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, review.Errorf(review.EINVALID, "Cannot read %s: %v", path, errors.Unwrap(err))
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, review.Errorf(review.EINVALID, "%s is a folder, not a file.", path)
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if int64(len(b)) > max {
		return nil, review.Errorf(review.EINVALID, "%s is larger than %d MiB.", path, max>>20)
	}
	return b, nil
}

func cmdClaims(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usagef("claims: say import, list or show")
	}
	switch args[0] {
	case "import":
		return cmdClaimsImport(ctx, e, args[1:])
	case "list":
		return cmdClaimsList(ctx, e, args[1:])
	case "show":
		return cmdClaimsShow(ctx, e, args[1:])
	}
	return usagef("claims: unknown subcommand %q: use import, list or show", args[0])
}

func cmdClaimsImport(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "claims import", "claims import [--db PATH] --actor NAME FILE.jsonl")
	dbPath := dbFlag(fs)
	actorName := fs.String("actor", "", "user `name` the claims are proposed by (required)")
	if err := parse(fs, args, 1, 1); err != nil {
		return err
	}
	if *actorName == "" {
		return usagef("claims import: --actor is required")
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return review.Errorf(review.EINVALID, "Cannot read %s: %v", fs.Arg(0), errors.Unwrap(err))
	}
	defer f.Close()
	lines, bad := review.ReadClaimFile(f)
	db, err := openExisting(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := resolveActor(ctx, db, *actorName)
	if err != nil {
		return err
	}
	ids, err := db.ImportClaims(ctx, a, lines, bad)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d claims imported, pending review\n", len(ids))
	return nil
}

// claimJSON is the shape of 'claims list --json'.
type claimJSON struct {
	ID         int64                `json:"id"`
	Report     string               `json:"report"`
	Revision   int64                `json:"revision"`
	State      review.RevisionState `json:"state"`
	Statement  string               `json:"statement"`
	Topic      string               `json:"topic,omitempty"`
	Confidence review.Confidence    `json:"confidence"`
	Hedge      string               `json:"hedge,omitempty"`
	Current    int64                `json:"current,omitempty"`
	Flags      []flagJSON           `json:"flags"`      // the newest open flags, at most review.MaxListFlags
	OpenFlags  int                  `json:"open_flags"` // all open flags
	Anchor     anchorJSON           `json:"anchor"`
	// Indicator is the Index indicator the topic links the claim to; Score
	// is its score in the edition asked for (else the anchor's), and
	// ScoreChange how it moved from the Index's edition before.
	Indicator   string        `json:"indicator,omitempty"`
	Score       *review.Score `json:"score,omitempty"`
	ScoreChange *review.Score `json:"score_change,omitempty"`
	RetiredIn   string        `json:"retired_in,omitempty"`
	UpdatedAt   string        `json:"updated_at"`
}

type flagJSON struct {
	ID     int64           `json:"id"`
	Kind   review.FlagKind `json:"kind"`
	Reason string          `json:"reason"`
}

type anchorJSON struct {
	Edition    string         `json:"edition"`
	Match      review.Outcome `json:"match"`
	Start      int            `json:"start"`
	End        int            `json:"end"`
	Exact      string         `json:"exact"`
	Section    string         `json:"section"`
	Similarity float64        `json:"similarity"`
	Hedges     []string       `json:"hedges,omitempty"`
}

func cmdClaimsList(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "claims list", "claims list [--db PATH] --report SLUG [--edition LABEL] [--json]")
	dbPath := dbFlag(fs)
	slug := fs.String("report", "", "report `slug`")
	label := fs.String("edition", "", "show anchors in this edition (default: each claim's latest)")
	asJSON := fs.Bool("json", false, "print a JSON array")
	if err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	if *slug == "" {
		return usagef("claims list: --report is required")
	}
	db, err := openExisting(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	if *label != "" {
		if _, err := db.FindEdition(ctx, *slug, *label); err != nil {
			return err
		}
	} else if _, err := db.FindReport(ctx, *slug); err != nil {
		return err
	}
	vs, err := db.ReportScores(ctx, *slug)
	if err != nil {
		return err
	}
	scores := review.NewScoreTable(vs)
	out := []claimJSON{}
	for after := int64(0); ; {
		cs, _, err := db.FindClaims(ctx, review.ClaimFilter{Report: *slug, Edition: *label, After: after, Limit: 500})
		if err != nil {
			return err
		}
		for _, c := range cs {
			j := toClaimJSON(c)
			addScore(&j, scores, *label)
			out = append(out, j)
			after = c.ID
		}
		if len(cs) < 500 {
			break
		}
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tCONFIDENCE\tFLAGS\tEDITION\tMATCH\tSECTION\tSTATEMENT")
	for _, c := range out {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", c.ID, c.State, c.Confidence, c.OpenFlags,
			c.Anchor.Edition, c.Anchor.Match, c.Anchor.Section, truncate(c.Statement, 60))
	}
	return tw.Flush()
}

func toClaimJSON(c review.Claim) claimJSON {
	j := claimJSON{ID: c.ID, Report: c.Report, Revision: c.Latest.ID, State: c.Latest.State, Statement: c.Latest.Statement,
		Topic: c.Latest.Topic, Confidence: c.Latest.Confidence, Hedge: c.Latest.Hedge, Current: c.CurrentID,
		Flags: []flagJSON{}, OpenFlags: c.OpenFlags, RetiredIn: c.RetiredIn, UpdatedAt: review.FormatTime(c.UpdatedAt),
		Anchor: anchorJSON{Edition: c.Anchor.Edition, Match: c.Anchor.Match, Start: c.Anchor.Start, End: c.Anchor.End,
			Exact: c.Anchor.Exact, Section: c.Anchor.Section, Similarity: c.Anchor.Similarity, Hedges: c.Anchor.Hedges}}
	for _, f := range c.Flags {
		j.Flags = append(j.Flags, flagJSON{ID: f.ID, Kind: f.Kind, Reason: f.Reason})
	}
	return j
}

// addScore adds the claim's indicator and, when the indicator is scored in
// the edition (label, else the claim's anchor's), its score and change.
func addScore(j *claimJSON, scores review.ScoreTable, label string) {
	in, ok := review.IndicatorOf(j.Topic)
	if !ok {
		return
	}
	j.Indicator = in.Name
	if label == "" {
		label = j.Anchor.Edition
	}
	if s, ok := scores.Get(in.Name, label); ok {
		j.Score = &s
	}
	if d, ok := scores.Change(in.Name, label); ok {
		j.ScoreChange = &d
	}
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func cmdClaimsShow(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "claims show", "claims show [--db PATH] ID [--as-of RFC3339]")
	dbPath := dbFlag(fs)
	asOf := fs.String("as-of", "", "show the claim as it stood at this time (RFC 3339), replayed from the history")
	if err := parseMixed(fs, args, 1, 1); err != nil {
		return err
	}
	id, err := claimID("claims show", fs.Arg(0))
	if err != nil {
		return err
	}
	at, err := timeFlag("as-of", *asOf)
	if err != nil {
		return err
	}
	db, err := openExisting(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	if *asOf != "" {
		return showClaimAsOf(ctx, db, id, at, e.stdout)
	}
	c, err := db.FindClaim(ctx, id)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(c)
}

// timeFlag parses an RFC 3339 flag value.
func timeFlag(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, usagef("--%s %q is not an RFC 3339 time such as 2026-03-01T00:00:00Z", name, v)
	}
	return t, nil
}

func cmdExport(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "claims" {
		return cmdExportClaims(ctx, e, args[1:])
	}
	fs := flags(e, "export", "export [--db PATH] --format jsonl|csv [--since RFC3339] [--until RFC3339]")
	dbPath := dbFlag(fs)
	format := fs.String("format", "jsonl", "jsonl (verifiable) or csv (for spreadsheets)")
	since := fs.String("since", "", "only events at or after this time (RFC 3339)")
	until := fs.String("until", "", "only events before this time (RFC 3339)")
	if err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	var f review.EventFilter
	var err error
	if f.Since, err = timeFlag("since", *since); err != nil {
		return err
	}
	if f.Until, err = timeFlag("until", *until); err != nil {
		return err
	}
	if *format != "jsonl" && *format != "csv" {
		return usagef("export: --format must be jsonl or csv, not %q", *format)
	}
	db, err := openExisting(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	return exportHistory(ctx, db, f, *format, filterText(*since, *until), e.stdout)
}

func filterText(since, until string) string {
	var parts []string
	if since != "" {
		parts = append(parts, "since="+since)
	}
	if until != "" {
		parts = append(parts, "until="+until)
	}
	sort.Strings(parts)
	return strings.Join(parts, "&")
}

func exportHistory(ctx context.Context, db *store.DB, f review.EventFilter, format, filter string, w io.Writer) error {
	if format == "csv" {
		cw, err := review.NewCSVWriter(w, review.EventCSVHeader...)
		if err != nil {
			return err
		}
		if err := db.EachEvent(ctx, f, func(ev review.Event) error { return cw.Row(review.EventCSVRow(ev)...) }); err != nil {
			return err
		}
		return cw.Close()
	}
	return review.ExportHistory(ctx, db, f, filter, w)
}

func cmdHead(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "head", "head [--db PATH] [--json]")
	dbPath := dbFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	db, err := openExisting(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	h, err := db.Head(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(h)
	}
	fmt.Fprintf(e.stdout, "seq %d\nhash %s\ntime %s\n", h.Seq, h.Hash, h.Time)
	return nil
}

func cmdRestore(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "restore", "restore BACKUP.db [--db PATH]")
	dbPath := dbFlag(fs)
	if err := parseMixed(fs, args, 1, 1); err != nil {
		return err
	}
	r, err := store.Restore(ctx, fs.Arg(0), *dbPath)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "restored %s to %s (history head: seq %d, hash %s)\n", fs.Arg(0), *dbPath, r.Head.Seq, r.Head.Hash)
	for _, p := range r.Aside {
		fmt.Fprintf(e.stdout, "moved aside: %s\n", p)
	}
	return nil
}

func cmdBackup(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "backup", "backup [--db PATH] OUT.db")
	dbPath := dbFlag(fs)
	if err := parse(fs, args, 1, 1); err != nil {
		return err
	}
	db, err := openExisting(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	out := fs.Arg(0)
	if err := db.Backup(ctx, out); err != nil {
		return err
	}
	h, err := db.Head(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "backed up %s to %s (history head at backup time: seq %d or later)\n", *dbPath, out, h.Seq)
	return nil
}
