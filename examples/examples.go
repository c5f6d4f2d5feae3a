// Package examples holds example rules documents for the scoring core (see
// docs/rules.md); the demo loads jiangxi-yanglao-provincial.json from Files.
package examples

import "embed"

// Files holds every example rules document (*.json).
//
//go:embed *.json
var Files embed.FS
