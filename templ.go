// Package vetted is the root of a web server where a team checks the claims
// that a published report makes, edition after edition.
//
// The layout, with dependencies pointing one way (cmd → web → review ← store):
//
//	review/      the domain: types, workflow rules, permissions, text
//	             normalising, anchoring, hedge detection, history hashing and
//	             verification. No database, no HTTP, no templ.
//	store/       the only package that speaks SQL (SQLite); implements
//	             review's services, applying its rules inside each write
//	             transaction.
//	migrations/  the schema as numbered .sql files, embedded.
//	web/         the only package that speaks HTTP: routes, handlers,
//	             templ components, static assets.
//	cmd/vetted/  flags, subcommands and wiring.
//
// This package holds the demo data (the seed report and its claims), so the
// binary can load it without reading files.
package vetted

//go:generate go tool templ generate
