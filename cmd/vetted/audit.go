package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

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
	fs := flags(e, "keygen", "keygen --out PREFIX")
	out := fs.String("out", "", "write the private key to `PREFIX`.key (mode 0600) and the public key to PREFIX.pub")
	if err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	if *out == "" {
		return usagef("keygen: --out is required")
	}
	privPath, pubPath := *out+".key", *out+".pub"
	for _, p := range []string{privPath, pubPath} {
		if _, err := os.Lstat(p); err == nil {
			return review.Errorf(review.ECONFLICT, "%s already exists: keygen never overwrites a key. Choose another --out, or move the old key away first.", p)
		}
	}
	pub, priv, err := review.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	if err := writeNew(privPath, review.MarshalPrivateKey(priv), 0o600); err != nil {
		return err
	}
	if err := writeNew(pubPath, review.MarshalPublicKey(pub), 0o644); err != nil {
		os.Remove(privPath) // half a pair is no use
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s (private: keep it off the server) and %s (public: give it to auditors); key id %s\n",
		privPath, pubPath, review.KeyID(pub))
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

func cmdCheckpoint(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "checkpoint", "checkpoint [--db PATH] --key FILE")
	dbPath := dbFlag(fs)
	keyPath := fs.String("key", "", "private key `file` made by 'vetted keygen'")
	if err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	if *keyPath == "" {
		return usagef("checkpoint: --key is required")
	}
	if st, err := os.Stat(*keyPath); err == nil && st.Mode().Perm()&0o077 != 0 {
		fmt.Fprintf(e.stderr, "vetted: warning: %s can be read by other users (mode %v): chmod 600 it\n", *keyPath, st.Mode().Perm())
	}
	data, err := readFileLimited(*keyPath, 4096)
	if err != nil {
		return err
	}
	priv, err := review.ParsePrivateKey(data)
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
	cp, err := review.Sign(head, priv, time.Now())
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(review.MarshalCheckpoint(cp))
	return err
}

func cmdVerify(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "verify", "verify FILE.jsonl [--checkpoint FILE --pubkey FILE]")
	cpPath := fs.String("checkpoint", "", "signed checkpoint `file` (from 'vetted checkpoint') that the export must contain unchanged")
	pubPath := fs.String("pubkey", "", "public key `file` the checkpoint must be signed with")
	if err := parseMixed(fs, args, 1, 1); err != nil {
		return err
	}
	if (*cpPath == "") != (*pubPath == "") {
		return usagef("verify: --checkpoint and --pubkey go together")
	}
	path := fs.Arg(0)
	var cp *review.Checkpoint
	var want []review.ChainHead
	if *cpPath != "" {
		c, err := readCheckpoint(*cpPath, *pubPath)
		if err != nil {
			return err
		}
		cp, want = &c, []review.ChainHead{c.Head()}
	}
	f, err := os.Open(path)
	if err != nil {
		return review.Errorf(review.EINVALID, "Cannot read %s: %v", path, errors.Unwrap(err))
	}
	defer f.Close()
	res, err := review.VerifyJSONL(f, want...)
	if err != nil {
		var ve *review.VerifyError
		if errors.As(err, &ve) {
			return review.Errorf(review.EINVALID, "%s: FAILED at %s", path, ve.Error())
		}
		return err
	}
	if cp != nil && !res.Contains[cp.Hash] {
		why := fmt.Sprintf("this filtered export does not contain the checkpoint's event (seq %d)", cp.Seq)
		switch {
		case res.Continuity && res.Head.Seq < cp.Seq:
			why = fmt.Sprintf("the export ends at seq %d, before the checkpoint's seq %d: it is older than the checkpoint, or events after seq %d were cut off", res.Head.Seq, cp.Seq, res.Head.Seq)
		case res.Continuity:
			why = fmt.Sprintf("the export's event %d is not the one the checkpoint signed (hash %s): the history up to the checkpoint was rewritten", cp.Seq, cp.Hash)
		}
		return review.Errorf(review.EINVALID, "%s: FAILED against checkpoint %s: %s", path, *cpPath, why)
	}
	fmt.Fprintf(e.stdout, "%s: OK, %d events", path, res.Events)
	if res.Events > 0 {
		fmt.Fprintf(e.stdout, ", head seq %d hash %s", res.Head.Seq, res.Head.Hash)
	}
	fmt.Fprintln(e.stdout)
	if !res.Continuity {
		fmt.Fprintf(e.stdout, "filtered export (%s): each event's hash was checked on its own; continuity of the chain was not checked\n", res.Filter)
	}
	if cp != nil {
		fmt.Fprintf(e.stdout, "checkpoint OK: seq %d hash %s, signed at %s by key %s, is in the export unchanged", cp.Seq, cp.Hash, cp.SignedAt, cp.KeyID)
		if res.Continuity {
			fmt.Fprintln(e.stdout, ", with every event before it")
		} else {
			fmt.Fprintln(e.stdout, "; the export is filtered, so the events before it are not proven by it")
		}
	}
	return nil
}

// readCheckpoint reads a checkpoint and checks its signature.
func readCheckpoint(cpPath, pubPath string) (review.Checkpoint, error) {
	data, err := readFileLimited(pubPath, 4096)
	if err != nil {
		return review.Checkpoint{}, err
	}
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
	fs := flags(e, "export claims", "export claims [--db PATH] --format csv|annotation|claimreview [--report SLUG] [--base-url URL] [--org NAME]")
	dbPath := dbFlag(fs)
	format := fs.String("format", "csv", "csv (spreadsheets), annotation (W3C Web Annotation JSON-LD) or claimreview (schema.org JSON-LD)")
	slug := fs.String("report", "", "only this report's claims")
	baseURL := fs.String("base-url", os.Getenv("VETTED_BASE_URL"), "`URL` vetted is served at, for ids and links ($VETTED_BASE_URL); required for JSON-LD")
	org := fs.String("org", os.Getenv("VETTED_ORG"), "`name` of the organisation running vetted, the author of ClaimReviews ($VETTED_ORG)")
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
