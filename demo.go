package vetted

import _ "embed"

// DemoEdition is the 2021 Azerbaijan profile of the Global Organized Crime
// Index (GI-TOC), as extracted from its PDF: see testdata/README.md.
//
//go:embed testdata/azerbaijan-2021.txt
var DemoEdition []byte

// DemoClaims is the hand-written claims file for DemoEdition.
//
//go:embed testdata/demo-claims.jsonl
var DemoClaims []byte
