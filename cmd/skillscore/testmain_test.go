package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"skillscore/privacy"
)

// TestMain gives every command the tests run (in process or as a child
// process) one personal-data key file, through the environment, the way an
// operator's deployment does; tests that open a store themselves read the
// same key (testenv.Keys).
func TestMain(m *testing.M) {
	os.Exit(runWithKey(m))
}

func runWithKey(m *testing.M) int {
	dir, err := os.MkdirTemp("", "skillscore-keys-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "personal.key")
	if err := privacy.CreateFile(path); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	os.Setenv(privacy.EnvKeyFile, path)
	return m.Run()
}
