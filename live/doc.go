// Package live streams an event's standings to spectators: the big screen in
// the hall, phones and online viewers, and the chief judge's unfrozen view.
//
// One hub per event keeps the current board of each view, numbered by the
// event's revision (store: events.revision, advanced in the same transaction
// as every score change). A viewer gets a snapshot, then updates in revision
// order, each carrying the revision it applies to ("from"); a viewer that
// reconnects or sees a gap asks for what it missed since its revision and
// gets the missing updates, or a fresh snapshot when they are gone or its
// epoch (the identity of one hub's history) is not the hub's. Each update is
// encoded once and the same bytes go to every viewer; a viewer whose queue
// is full is disconnected, never waited for, and one that sends anything but
// a well-formed resync request is dropped. The wire protocol is docs/live.md.
//
// The hook for writers: after a transaction that changed an event's scores
// (or its live state) has committed, call
//
//	svc.EventChanged(ctx, eventID, revision)
//
// It never blocks on viewers and never fails the caller's request. It tells
// this instance's hub at once and the other instances through the Broker
// (Redis pub/sub with --redis). Nothing depends on it for correctness: every
// hub with viewers also polls its event's revision each second, so a missed
// call, a write from another instance while Redis is down, or a command-line
// change still reaches every viewer.
//
// live never writes scores and never calls a hook before a commit: it only
// reads from the store, and publishes what it read.
package live
