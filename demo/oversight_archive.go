package demo

import (
	"context"
	"os"
	"path/filepath"

	"skillscore/store"
)

// ArchivedAt is when the finished event was archived: after its
// certificates, once its records were complete.
var ArchivedAt = FinishedAt(30, 9)

// ArchiveWriter builds an event's signed archive into path and records it
// (the command wires package archive in: demo must not import it, since
// the certificates' tests import demo).
type ArchiveWriter func(ctx context.Context, ev store.Event, path string) error

// ArchiveFinished archives the finished event (issue 16) at ArchivedAt
// into dir as <code>-归档.zip, so the event shows a retention lock and
// `skillscore archive verify` has a file to check. It runs last in the
// finished event's build, so the archive holds everything the other steps
// added.
func ArchiveFinished(ctx context.Context, st interface {
	EventByCode(ctx context.Context, code string) (store.Event, error)
}, clock *Clock, dir string, write ArchiveWriter) error {
	ev, err := st.EventByCode(ctx, FinishedCode)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	clock.Set(ArchivedAt)
	return write(ctx, ev, filepath.Join(dir, ev.Code+"-归档.zip"))
}
