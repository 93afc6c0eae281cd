package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"vetted/review"
	"vetted/store"
)

// Audit commands: signing keys and checkpoints of the history, verifying an
// export against a checkpoint, claim exports, and claims as of a time.

// parseMixed is parse for commands whose synopsis puts flags after the
// positional arguments too ("verify FILE --pubkey K"): the flag package
// stops at the first argument that is not a flag, so parsing resumes after
// each one. Everything after "--" is positional.
func parseMixed(fs *flag.FlagSet, args []string, minArgs, maxArgs int) error {
	var pos []string
	for {
		if err := parse(fs, args, 0, len(args)); err != nil {
			return err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
	switch {
	case len(pos) > maxArgs:
		return usagef("%s: unexpected argument %q", fs.Name(), pos[maxArgs])
	case len(pos) < minArgs:
		return usagef("%s: missing argument (see 'vetted %s -h')", fs.Name(), fs.Name())
	}
	// Leave the positional arguments where fs.Arg finds them.
	return fs.Parse(append([]string{"--"}, pos...))
}

func cmdKeygen(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "keygen", "keygen --out PREFIX --name ORIGIN")
	out := fs.String("out", "", "write the signer key to `PREFIX`.key (mode 0600) and the verifier key to PREFIX.pub")
	name := fs.String("name", "", "the log's `origin`, which names the key and starts every checkpoint, e.g. vetted.example.org/history")
	if err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	if *out == "" {
		return usagef("keygen: --out is required")
	}
	if *name == "" {
		return usagef("keygen: --name is required: the log's origin, such as vetted.example.org/history")
	}
	if err := review.ValidOrigin(*name); err != nil {
		return usagef("keygen: --name: %s", review.ErrorMessage(err))
	}
	privPath, pubPath := *out+".key", *out+".pub"
	for _, p := range []string{privPath, pubPath} {
		if _, err := os.Lstat(p); err == nil {
			return review.Errorf(review.ECONFLICT, "%s already exists: keygen never overwrites a key. Choose another --out, or move the old key away first.", p)
		}
	}
	skey, vkey, err := review.GenerateNoteKey(rand.Reader, *name)
	if err != nil {
		return err
	}
	if err := writeNew(privPath, []byte(skey+"\n"), 0o600); err != nil {
		return err
	}
	if err := writeNew(pubPath, []byte(vkey+"\n"), 0o644); err != nil {
		os.Remove(privPath) // half a pair is no use
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s (signer: keep it secret) and %s (verifier key %s: give it to auditors and witnesses)\n",
		privPath, pubPath, vkey)
	return nil
}

// writeNew creates path with data, refusing to replace anything there
// (O_EXCL also refuses a symlink planted in the way).
func writeNew(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if errors.Is(err, os.ErrExist) {
		return review.Errorf(review.ECONFLICT, "%s already exists: keygen never overwrites a key.", path)
	} else if err != nil {
		return review.Errorf(review.EINVALID, "Cannot create %s: %v", path, errors.Unwrap(err))
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
}

// readSigner reads a checkpoint signer key file.
func readSigner(e *env, path string) (note.Signer, error) {
	if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
		fmt.Fprintf(e.stderr, "vetted: warning: %s can be read by other users (mode %v): chmod 600 it\n", path, st.Mode().Perm())
	}
	data, err := readFileLimited(path, 4096)
	if err != nil {
		return nil, err
	}
	s, err := review.ParseNoteSigner(data)
	if err != nil {
		return nil, review.Errorf(review.EINVALID, "%s: %s", path, review.ErrorMessage(err))
	}
	return s, nil
}

func cmdCheckpoint(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "checkpoint", "checkpoint [--db PATH] --key PREFIX.key")
	dbPath := dbFlag(fs)
	keyPath := fs.String("key", "", "signer key `file` made by 'vetted keygen --name'")
	if err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	if *keyPath == "" {
		return usagef("checkpoint: --key is required")
	}
	signer, err := readSigner(e, *keyPath)
	if err != nil {
		return err
	}
	db, err := openExisting(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	// Sign only a chain that holds: a signature must never vouch for a
	// history that was already broken.
	head, err := db.VerifyChain(ctx)
	if err != nil {
		var ve *review.VerifyError
		if errors.As(err, &ve) {
			return review.Errorf(review.EINVALID, "The stored history does not verify (%s): refusing to sign it.", ve.Error())
		}
		return err
	}
	if head.Seq == 0 {
		return review.Errorf(review.EINVALID, "The history is empty: there is no head to sign yet.")
	}
	root, err := db.TreeHash(ctx, head.Seq)
	if err != nil {
		return err
	}
	msg, err := review.SignCheckpoint(review.TreeHead{Size: head.Seq, Hash: root}, signer)
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(msg)
	return err
}

func cmdProof(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "proof", "proof [--db PATH] --old N --new M | --seq S --size N")
	dbPath := dbFlag(fs)
	old := fs.Int64("old", 0, "consistency proof from the tree of `N` events…")
	newSize := fs.Int64("new", 0, "…to the tree of `M` events")
	seq := fs.Int64("seq", 0, "inclusion proof of event `S`…")
	size := fs.Int64("size", 0, "…in the tree of `N` events")
	if err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	tree, record := set["old"] || set["new"], set["seq"] || set["size"]
	switch {
	case tree && record:
		return usagef("proof: give --old and --new (consistency) or --seq and --size (inclusion), not both")
	case tree && !(set["old"] && set["new"]):
		return usagef("proof: --old and --new go together")
	case record && !(set["seq"] && set["size"]):
		return usagef("proof: --seq and --size go together")
	case !tree && !record:
		return usagef("proof: give --old N --new M (consistency) or --seq S --size N (inclusion)")
	}
	db, err := openExisting(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	var hs []tlog.Hash
	if tree {
		hs, err = db.ProveTree(ctx, *old, *newSize)
	} else {
		hs, err = db.ProveRecord(ctx, *seq, *size)
	}
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(review.FormatHashes(hs))
	return err
}

func cmdVerify(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "verify", "verify FILE.jsonl|- [--checkpoint FILE --pubkey FILE] | verify --db PATH [--checkpoint FILE --pubkey FILE]")
	cpPath := fs.String("checkpoint", "", "signed checkpoint `file` (from 'vetted checkpoint' or the server's /checkpoint) the export or database must agree with")
	pubPath := fs.String("pubkey", "", "verifier key `file` (PREFIX.pub) the checkpoint must be signed with")
	dbPath := fs.String("db", "", "check this database instead of an export: its chain, its tree, and its records against its history")
	if err := parseMixed(fs, args, 0, 1); err != nil {
		return err
	}
	if (*cpPath == "") != (*pubPath == "") {
		return usagef("verify: --checkpoint and --pubkey go together")
	}
	switch {
	case *dbPath != "" && fs.NArg() > 0:
		return usagef("verify: give an export file or --db, not both")
	case *dbPath == "" && fs.NArg() == 0:
		return usagef("verify: missing argument: an export file, - for standard input, or --db PATH (see 'vetted verify -h')")
	case *dbPath != "":
		return verifyDB(ctx, e, *dbPath, *cpPath, *pubPath)
	}
	path := fs.Arg(0)
	var legacy *review.Checkpoint
	var signed *review.SignedCheckpoint
	var opts review.VerifyOptions
	if *cpPath != "" {
		pub, err := readFileLimited(*pubPath, 4096)
		if err != nil {
			return err
		}
		if review.IsLegacyPublicKey(pub) {
			c, err := readLegacyCheckpoint(*cpPath, pub, *pubPath)
			if err != nil {
				return err
			}
			legacy, opts.Heads = &c, []review.ChainHead{c.Head()}
		} else {
			c, err := readSignedCheckpoint(*cpPath, pub, *pubPath)
			if err != nil {
				return err
			}
			signed, opts.TreeSizes = &c, []int64{c.Size}
		}
	}
	var in io.Reader = e.stdin
	name := "standard input"
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return review.Errorf(review.EINVALID, "Cannot read %s: %v", path, errors.Unwrap(err))
		}
		defer f.Close()
		in, name = f, path
	}
	res, err := review.VerifyJSONLWith(in, opts)
	if err != nil {
		var ve *review.VerifyError
		if errors.As(err, &ve) {
			return review.Errorf(review.EINVALID, "%s: FAILED at %s", name, ve.Error())
		}
		return err
	}
	if legacy != nil {
		if err := checkLegacy(res, legacy, name, *cpPath); err != nil {
			return err
		}
	}
	if signed != nil {
		if err := checkSigned(res, signed, name, *cpPath); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "%s: OK, %d events", name, res.Events+res.Omitted)
	if res.Events > 0 {
		fmt.Fprintf(e.stdout, ", head seq %d hash %s", res.Head.Seq, res.Head.Hash)
	}
	fmt.Fprintln(e.stdout)
	if res.Continuity && res.Tree.Size > 0 {
		fmt.Fprintf(e.stdout, "tree size %d root %s\n", res.Tree.Size, base64.StdEncoding.EncodeToString(res.Tree.Hash[:]))
	}
	if res.Filtered {
		fmt.Fprintf(e.stdout, "filtered export (%s): %d events shown, %d left out by the filter and listed by their hashes; every event from seq 1 is accounted for\n",
			res.Filter, res.Events, res.Omitted)
	}
	if legacy != nil {
		fmt.Fprintf(e.stdout, "checkpoint OK: seq %d hash %s, signed at %s by key %s, is in the export unchanged", legacy.Seq, legacy.Hash, legacy.SignedAt, legacy.KeyID)
		if res.Continuity {
			fmt.Fprintln(e.stdout, ", with every event before it")
		} else {
			fmt.Fprintln(e.stdout, "; the export is filtered, so the events before it are not proven by it")
		}
	}
	if signed != nil {
		fmt.Fprintf(e.stdout, "checkpoint OK: %s tree size %d root %s is the export's first %d events\n",
			signed.Origin, signed.Size, base64.StdEncoding.EncodeToString(signed.Hash[:]), signed.Size)
	}
	return nil
}

// verifyDB checks a database: its chain and tree, a checkpoint if given,
// and its records against its history.
func verifyDB(ctx context.Context, e *env, dbPath, cpPath, pubPath string) error {
	var legacy *review.Checkpoint
	var signed *review.SignedCheckpoint
	if cpPath != "" {
		pub, err := readFileLimited(pubPath, 4096)
		if err != nil {
			return err
		}
		if review.IsLegacyPublicKey(pub) {
			c, err := readLegacyCheckpoint(cpPath, pub, pubPath)
			if err != nil {
				return err
			}
			legacy = &c
		} else {
			c, err := readSignedCheckpoint(cpPath, pub, pubPath)
			if err != nil {
				return err
			}
			signed = &c
		}
	}
	db, err := openExisting(ctx, dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	fail := func(check, format string, args ...any) error {
		return review.Errorf(review.EINVALID, "%s: FAILED [%s]: %s", dbPath, check, fmt.Sprintf(format, args...))
	}
	head, err := db.VerifyChain(ctx)
	if err != nil {
		var ve *review.VerifyError
		if errors.As(err, &ve) {
			return review.Errorf(review.EINVALID, "%s: FAILED at %s", dbPath, ve.Error())
		}
		return err
	}
	var tree review.TreeHead
	if head.Seq > 0 {
		if tree, err = db.TreeHead(ctx); err != nil {
			return err
		}
	}
	switch {
	case signed != nil && tree.Size < signed.Size:
		return fail("checkpoint-size", "the database has %d events, fewer than the %d the checkpoint signed: events were removed after it was signed", tree.Size, signed.Size)
	case signed != nil:
		root, err := db.TreeHash(ctx, signed.Size)
		if err != nil {
			return err
		}
		if root != signed.Hash {
			return fail("checkpoint-root", "the database's first %d events do not make the tree the checkpoint signed: the history up to it was rewritten", signed.Size)
		}
	case legacy != nil && head.Seq < legacy.Seq:
		return fail("checkpoint-size", "the database has %d events, fewer than the checkpoint's seq %d: events were removed after it was signed", head.Seq, legacy.Seq)
	case legacy != nil:
		var at review.Event
		if err := db.EachEvent(ctx, review.EventFilter{After: legacy.Seq - 1, Limit: 1}, func(ev review.Event) error { at = ev; return nil }); err != nil {
			return err
		}
		if at.Hash != legacy.Hash {
			return fail("checkpoint-root", "event %d is not the one the checkpoint signed: the history up to it was rewritten", legacy.Seq)
		}
	}
	// The tree the server's history check last recorded as verified must
	// still be the stored tree's prefix.
	vt, err := db.VerifiedTree(ctx)
	if err != nil {
		return err
	}
	if vt.Size > tree.Size {
		return fail("verified-tree", "the database has %d events, fewer than the %d the server's history check verified: events were removed", tree.Size, vt.Size)
	} else if vt.Size > 0 {
		root, err := db.TreeHash(ctx, vt.Size)
		if err != nil {
			return err
		}
		if root != vt.Hash {
			return fail("verified-tree", "the database's first %d events are not the ones the server's history check verified: the history up to them was rewritten", vt.Size)
		}
	}
	ms, err := db.VerifyRecords(ctx)
	if err != nil {
		var ve *review.VerifyError
		if errors.As(err, &ve) {
			return review.Errorf(review.EINVALID, "%s: FAILED at %s", dbPath, ve.Error())
		}
		return err
	}
	if len(ms) > 0 {
		for i, m := range ms {
			if i == 50 {
				fmt.Fprintf(e.stderr, "vetted: … and %d more\n", len(ms)-i)
				break
			}
			fmt.Fprintf(e.stderr, "vetted: [records] %s\n", m)
		}
		return fail("records", "%d record(s) are not what the history says (listed above): rows were changed, added or removed without their events", len(ms))
	}
	ds, err := db.CheckDerived(ctx)
	if err != nil {
		return err
	}
	for _, m := range ds {
		fmt.Fprintf(e.stderr, "vetted: warning: [derived] %s\n", m)
	}
	if len(ds) > 0 {
		fmt.Fprintf(e.stderr, "vetted: warning: %d derived count(s) do not match the records (not a change to the records: the server's next full history check rebuilds them)\n", len(ds))
	}
	fmt.Fprintf(e.stdout, "%s: OK, %d events", dbPath, head.Seq)
	if head.Seq > 0 {
		fmt.Fprintf(e.stdout, ", head seq %d hash %s\ntree size %d root %s", head.Seq, head.Hash, tree.Size, base64.StdEncoding.EncodeToString(tree.Hash[:]))
	}
	fmt.Fprintln(e.stdout)
	fmt.Fprintln(e.stdout, "records OK: claims, revisions, evidence, appearances, notes, flags, sources, editions and users are what the history says")
	if signed != nil {
		fmt.Fprintf(e.stdout, "checkpoint OK: %s tree size %d is the database's first %d events\n", signed.Origin, signed.Size, signed.Size)
	}
	if legacy != nil {
		fmt.Fprintf(e.stdout, "checkpoint OK: seq %d hash %s is in the database unchanged\n", legacy.Seq, legacy.Hash)
	}
	if vt.Size > 0 {
		fmt.Fprintf(e.stdout, "verified tree OK: the tree of %d events the server's history check recorded is the database's first %d events\n", vt.Size, vt.Size)
	}
	return nil
}

// checkSigned checks a verified export against a signed tree checkpoint.
func checkSigned(res review.VerifyResult, cp *review.SignedCheckpoint, name, cpPath string) error {
	fail := func(check, format string, args ...any) error {
		return review.Errorf(review.EINVALID, "%s: FAILED against checkpoint %s [%s]: %s", name, cpPath, check, fmt.Sprintf(format, args...))
	}
	switch root, ok := res.Roots[cp.Size]; {
	case !res.Continuity:
		return fail("checkpoint-filtered", "a filtered export of this format cannot show that it holds the checkpoint's tree")
	case res.Tree.Size < cp.Size:
		return fail("checkpoint-size", "the export ends at seq %d, before the checkpoint's tree size %d: it is older than the checkpoint, or events after seq %d were cut off", res.Tree.Size, cp.Size, res.Tree.Size)
	case !ok || root != cp.Hash:
		return fail("checkpoint-root", "the export's first %d events do not make the tree the checkpoint signed: the history up to the checkpoint was rewritten", cp.Size)
	}
	return nil
}

// checkLegacy checks a verified export against an old JSON checkpoint.
func checkLegacy(res review.VerifyResult, cp *review.Checkpoint, name, cpPath string) error {
	if res.Contains[cp.Hash] {
		return nil
	}
	why := fmt.Sprintf("this filtered export does not contain the checkpoint's event (seq %d)", cp.Seq)
	switch {
	case res.Continuity && res.Head.Seq < cp.Seq:
		why = fmt.Sprintf("the export ends at seq %d, before the checkpoint's seq %d: it is older than the checkpoint, or events after seq %d were cut off", res.Head.Seq, cp.Seq, res.Head.Seq)
	case res.Continuity:
		why = fmt.Sprintf("the export's event %d is not the one the checkpoint signed (hash %s): the history up to the checkpoint was rewritten", cp.Seq, cp.Hash)
	}
	return review.Errorf(review.EINVALID, "%s: FAILED against checkpoint %s: %s", name, cpPath, why)
}

// readSignedCheckpoint reads a C2SP checkpoint note and checks its
// signature with the verifier key in pub.
func readSignedCheckpoint(cpPath string, pub []byte, pubPath string) (review.SignedCheckpoint, error) {
	v, err := review.ParseNoteVerifier(pub)
	if err != nil {
		return review.SignedCheckpoint{}, review.Errorf(review.EINVALID, "%s: %s", pubPath, review.ErrorMessage(err))
	}
	data, err := readFileLimited(cpPath, 64<<10)
	if err != nil {
		return review.SignedCheckpoint{}, err
	}
	if bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
		return review.SignedCheckpoint{}, review.Errorf(review.EINVALID, "%s: checkpoint REFUSED: it is an old JSON checkpoint; check it with the old public key file it was signed with.", cpPath)
	}
	cp, err := review.OpenCheckpoint(data, v)
	if err != nil {
		return review.SignedCheckpoint{}, review.Errorf(review.EINVALID, "%s: checkpoint REFUSED: %s", cpPath, review.ErrorMessage(err))
	}
	return cp, nil
}

// readLegacyCheckpoint reads an old JSON checkpoint and checks its
// signature.
func readLegacyCheckpoint(cpPath string, data []byte, pubPath string) (review.Checkpoint, error) {
	pub, err := review.ParsePublicKey(data)
	if err != nil {
		return review.Checkpoint{}, review.Errorf(review.EINVALID, "%s: %s", pubPath, review.ErrorMessage(err))
	}
	if data, err = readFileLimited(cpPath, 64<<10); err != nil {
		return review.Checkpoint{}, err
	}
	cp, err := review.ParseCheckpoint(data)
	if err == nil {
		err = review.VerifyCheckpoint(cp, pub)
	}
	if err != nil {
		return review.Checkpoint{}, review.Errorf(review.EINVALID, "%s: checkpoint REFUSED: %s", cpPath, review.ErrorMessage(err))
	}
	return cp, nil
}

func cmdExportClaims(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "export claims", "export claims [--db PATH] --format csv|annotation|claimreview [--report SLUG] [--base-url URL] [--org NAME] [--org-url URL]")
	dbPath := dbFlag(fs)
	format := fs.String("format", "csv", "csv (spreadsheets), annotation (W3C Web Annotation JSON-LD) or claimreview (schema.org JSON-LD)")
	slug := fs.String("report", "", "only this report's claims")
	baseURL := fs.String("base-url", os.Getenv("VETTED_BASE_URL"), "`URL` vetted is served at, for ids and links ($VETTED_BASE_URL); required for JSON-LD")
	org := fs.String("org", os.Getenv("VETTED_ORG"), "`name` of the organisation running vetted, the author of ClaimReviews ($VETTED_ORG)")
	orgURL := fs.String("org-url", os.Getenv("VETTED_ORG_URL"), "web `address` of the organisation, the url of the ClaimReview author ($VETTED_ORG_URL; default: the base URL)")
	if err := parseMixed(fs, args, 0, 0); err != nil {
		return err
	}
	switch *format {
	case "csv":
	case "annotation", "claimreview":
		if *baseURL == "" {
			return usagef("export claims: --format %s needs --base-url, the address vetted is served at", *format)
		}
		if *format == "claimreview" && *org == "" {
			return usagef("export claims: --format claimreview needs --org, the organisation that reviews the claims")
		}
	default:
		return usagef("export claims: --format must be csv, annotation or claimreview, not %q", *format)
	}
	db, err := openExisting(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	if *slug != "" {
		if _, err := db.FindReport(ctx, *slug); err != nil {
			return err
		}
	}
	x, err := review.NewClaimExport(ctx, db, *baseURL, *org)
	if err != nil {
		return err
	}
	x.OrgURL = *orgURL
	cw, err := review.NewClaimWriter(e.stdout, *format, x)
	if err != nil {
		return review.Errorf(review.EINVALID, "export claims: %s", review.ErrorMessage(err))
	}
	return review.ExportClaims(ctx, db, review.ClaimFilter{Report: *slug}, cw)
}

// showClaimAsOf prints a claim as it stood at t, replayed from the history.
func showClaimAsOf(ctx context.Context, db *store.DB, id int64, t time.Time, w io.Writer) error {
	st, err := db.ClaimAsOf(ctx, id, t)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(st)
}

// claimID parses a claim id argument.
func claimID(cmd, s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef("%s: %q is not a claim id", cmd, s)
	}
	return id, nil
}
