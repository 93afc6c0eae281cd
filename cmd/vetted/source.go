package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"text/tabwriter"
	"time"

	"vetted/review"
	"vetted/web"
)

func cmdSources(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usagef("sources: say list, check, grade or archive")
	}
	switch args[0] {
	case "list":
		return cmdSourcesList(ctx, e, args[1:])
	case "check":
		return cmdSourcesCheck(ctx, e, args[1:])
	case "grade", "archive":
		return cmdSourcesUpdate(ctx, e, args[0], args[1:])
	}
	return usagef("sources: unknown subcommand %q: use list, check, grade or archive", args[0])
}

func printSources(e *env, ss []review.Source, asJSON bool) error {
	if asJSON {
		if ss == nil {
			ss = []review.Source{}
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(ss)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tGRADE\tLINK\tCHECKED\tURL\tTITLE")
	for _, s := range ss {
		link, checked := string(s.Link.Status), ""
		if s.Link.Location != "" {
			link += " → " + s.Link.Location
		}
		if !s.Link.CheckedAt.IsZero() {
			checked = s.Link.CheckedAt.Format(time.DateOnly)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.Reliability, link, checked, s.URL, truncate(s.Title, 50))
	}
	return tw.Flush()
}

func cmdSourcesList(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "sources list", "sources list [--db PATH] [--bad] [--json]")
	dbPath := dbFlag(fs)
	bad := fs.Bool("bad", false, "only sources whose link is dead, moved, unreachable or refused")
	asJSON := fs.Bool("json", false, "print a JSON array")
	if err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	db, err := openExisting(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	ss, err := db.ListSources(ctx)
	if err != nil {
		return err
	}
	var out []review.Source
	for _, s := range ss {
		if !*bad || s.Link.Status.Bad() {
			out = append(out, s)
		}
	}
	return printSources(e, out, *asJSON)
}

func cmdSourcesCheck(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "sources check", "sources check [--db PATH] [--id N] [--timeout DURATION] [--allow-private] [--actor NAME] [--json]")
	dbPath := dbFlag(fs)
	id := fs.Int64("id", 0, "check only this source")
	timeout := fs.Duration("timeout", 10*time.Second, "give up on a URL after this long")
	private := fs.Bool("allow-private", false, "also fetch private, loopback and link-local addresses (refused by default)")
	actorName := fs.String("actor", "", "user `name` the checks are recorded under (default: system)")
	asJSON := fs.Bool("json", false, "print the checked sources as JSON")
	if err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	db, err := openExisting(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := resolveActor(ctx, db, *actorName)
	if err != nil {
		return err
	}
	res, err := web.CheckLinks(ctx, db, web.NewLinkChecker(*private, *timeout), a, *id)
	if err != nil {
		return err
	}
	ss := make([]review.Source, len(res))
	for i, r := range res {
		ss[i] = r.Source
	}
	return printSources(e, ss, *asJSON)
}

func cmdSourcesUpdate(ctx context.Context, e *env, verb string, args []string) error {
	synopsis := "sources grade [--db PATH] --id N --reliability A-F --reason TEXT [--actor NAME]"
	if verb == "archive" {
		synopsis = "sources archive [--db PATH] --id N --url URL --reason TEXT [--actor NAME]"
	}
	fs := flags(e, "sources "+verb, synopsis)
	dbPath := dbFlag(fs)
	id := fs.Int64("id", 0, "the source's `id` (see 'vetted sources list')")
	grade := fs.String("reliability", "", "the new Admiralty grade, A to F")
	archive := fs.String("url", "", "the archived copy's URL")
	reason := fs.String("reason", "", "why (required; kept in the history)")
	actorName := fs.String("actor", "", "user `name` of the editor making the change (required)")
	if err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	if *id <= 0 || *actorName == "" || *reason == "" {
		return usagef("sources %s: --id, --reason and --actor are required", verb)
	}
	var u review.SourceUpdate
	u.Reason = *reason
	if verb == "grade" {
		if *grade == "" {
			return usagef("sources grade: --reliability is required")
		}
		u.Reliability = grade
	} else {
		if *archive == "" {
			return usagef("sources archive: --url is required")
		}
		u.ArchiveURL = archive
	}
	db, err := openExisting(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := resolveActor(ctx, db, *actorName)
	if err != nil {
		return err
	}
	s, err := db.UpdateSource(ctx, a, *id, u)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "source %s: grade %s, archived copy %q\n", strconv.FormatInt(s.ID, 10), s.Reliability, s.ArchiveURL)
	return nil
}

// checkLinksEvery runs the link checker over every source each interval
// until ctx ends, as the system actor.
func checkLinksEvery(ctx context.Context, svc review.SourceService, lc *web.LinkChecker, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		res, err := web.CheckLinks(ctx, svc, lc, review.System, 0)
		bad := 0
		for _, r := range res {
			if r.Check.Status.Bad() {
				bad++
			}
		}
		log.Info("links checked", "sources", len(res), "bad", bad, "err", err)
	}
}
