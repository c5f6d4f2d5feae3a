package main

import (
	"context"
	"strconv"

	"skillscore"
	"skillscore/store"
)

// openExisting opens a database that must already exist. Only serve, demo,
// migrate and restore set a database up; any other command creating a
// missing SQLite file would answer a typo in --db from a new empty file.
func openExisting(ctx context.Context, dbURL string) (*store.Store, error) {
	return store.Open(ctx, dbURL, store.Options{MustExist: true})
}

// openEvent opens the database and finds the event a subcommand works on,
// by its code or its numeric id; the caller closes the store.
func openEvent(ctx context.Context, dbURL, event string) (*store.Store, store.Event, error) {
	st, err := openExisting(ctx, dbURL)
	if err != nil {
		return nil, store.Event{}, err
	}
	ev, err := eventByIDOrCode(ctx, st, event)
	if err != nil {
		st.Close()
		return nil, store.Event{}, err
	}
	return st, ev, nil
}

// eventByIDOrCode finds an event by its code, or by its number.
func eventByIDOrCode(ctx context.Context, st *store.Store, s string) (store.Event, error) {
	ev, err := st.EventByCode(ctx, s)
	if skillscore.ErrorCode(err) == skillscore.ENotFound {
		if id, perr := strconv.ParseInt(s, 10, 64); perr == nil {
			return st.Event(ctx, id)
		}
	}
	return ev, err
}
