// Package testenv sets up the real parts tests run against: a fresh SQLite
// store, optionally filled with the demo event.
package testenv

import (
	"context"
	"path/filepath"
	"testing"

	"skillscore/demo"
	"skillscore/privacy"
	"skillscore/store"
)

// SQLite opens a store on a fresh SQLite file, closed when the test ends.
func SQLite(tb testing.TB) *store.Store {
	tb.Helper()
	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(tb.TempDir(), "test.db"), store.Options{Keys: Keys(tb)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// Demo opens a fresh SQLite store holding the demo event.
func Demo(tb testing.TB) (*store.Store, store.Event) {
	tb.Helper()
	st := SQLite(tb)
	ev, err := demo.Create(context.Background(), st)
	if err != nil {
		tb.Fatal(err)
	}
	return st, ev
}

// Keys returns the personal-data keys a test's store uses: those of the key
// file the environment names (a package whose tests run the CLI sets one in
// TestMain, so the commands and the test's own store share it), else a
// fresh in-memory key.
func Keys(tb testing.TB) *privacy.Keyring {
	tb.Helper()
	k, err := privacy.FromEnv()
	if err == nil && k == nil {
		k, err = privacy.NewMemory()
	}
	if err != nil {
		tb.Fatal(err)
	}
	return k
}
