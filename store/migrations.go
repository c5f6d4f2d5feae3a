package store

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"skillscore"
)

// upgrades holds the schema steps after schema.sql, one file per step named
// NNN_what.sql; NNN is its version. A shipped file is never edited.
//
//go:embed migrations
var upgrades embed.FS

// migrations returns every schema step in order: version 1 is schema.sql,
// then the files under migrations/.
func migrations() []migration {
	out := []migration{{version: 1, name: "schema.sql", sql: skillscore.Schema}}
	entries, err := fs.ReadDir(upgrades, "migrations")
	if err != nil {
		panic(err) // embedded at build time: cannot fail at run time
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v < 2 {
			panic(fmt.Sprintf("store: migration file %s must be named NNN_name.sql with NNN ≥ 2", e.Name()))
		}
		body, err := upgrades.ReadFile("migrations/" + e.Name())
		if err != nil {
			panic(err)
		}
		out = append(out, migration{version: v, name: e.Name(), sql: string(body)})
	}
	// Steps done in Go; their versions are kept free of files.
	out = append(out, migration{version: 17, name: "017 seal personal data (Go)", run: sealPlaintext})
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			panic(fmt.Sprintf("store: two migrations with version %d", out[i].version))
		}
	}
	return out
}
