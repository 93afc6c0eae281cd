// Command vetted runs the vetted server and its maintenance commands.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// Exit codes: a usage error names the bad flag or value; a failed
// operation says what to do.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// command is one subcommand; run gets the arguments after its name.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what a command reads and writes, so tests run commands in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

func commands() []command {
	return []command{
		{"serve", "run the web server", cmdServe},
		{"migrate", "create or upgrade a database", cmdMigrate},
		{"user", "add, list or change users (user add|list|set)", cmdUser},
		{"import", "import an edition of a report (text or PDF)", cmdImport},
		{"claims", "import, list or show claims (claims import|list|show)", cmdClaims},
		{"scores", "import the Index's score sheet for an edition, or list a report's scores (scores import|list)", cmdScores},
		{"sources", "list, check the links of, regrade or archive sources (sources list|check|grade|archive)", cmdSources},
		{"export", "export the history as JSONL or CSV, or claims (export claims)", cmdExport},
		{"verify", "check a JSONL history export, and a signed checkpoint", cmdVerify},
		{"head", "print the history's head: sequence, hash, time", cmdHead},
		{"keygen", "make an Ed25519 key pair for signing checkpoints", cmdKeygen},
		{"checkpoint", "print the history's Merkle tree head as a signed C2SP checkpoint", cmdCheckpoint},
		{"proof", "print a consistency or inclusion proof of the history's tree", cmdProof},
		{"backup", "copy the database consistently while it is in use", cmdBackup},
		{"restore", "put a backup in place of a database that no server is using", cmdRestore},
		{"help", "show help for a command", nil},
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 && rest[0] != "help" {
			return run(ctx, []string{rest[0], "-h"}, stdin, stdout, stderr)
		}
		usage(stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == name && c.run != nil {
			return exitCode(stderr, c.run(ctx, e, rest))
		}
	}
	fmt.Fprintf(stderr, "vetted: unknown command %q\n\n", name)
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "vetted keeps the claims a report makes, edition after edition, with their sources and history.")
	fmt.Fprintln(w, "\nUsage: vetted COMMAND [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'vetted help COMMAND' or 'vetted COMMAND -h' for a command's flags.")
	fmt.Fprintln(w, "--db defaults to $VETTED_DB, else vetted.db.")
}
