package main

import (
	"context"
	"flag"
	"os"
	"strconv"

	"skillscore"
	"skillscore/privacy"
	"skillscore/store"
)

// openExisting opens a database that must already exist. Only serve, demo,
// migrate and restore set a database up; any other command creating a
// missing SQLite file would answer a typo in --db from a new empty file.
// keyFile names the personal-data key file ("" for the environment's).
func openExisting(ctx context.Context, dbURL, keyFile string) (*store.Store, error) {
	keys, err := loadKeys(keyFile)
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, dbURL, store.Options{MustExist: true, Keys: keys})
}

// bindKeyFile adds --key-file to a command that opens the database.
func bindKeyFile(fs *flag.FlagSet) *string {
	return fs.String("key-file", os.Getenv(privacy.EnvKeyFile),
		"个人信息加密密钥文件（证件号码、手机号码）；也可用环境变量 "+privacy.EnvKeyFile+" 或 "+privacy.EnvKeys)
}

// loadKeys reads the key file, or the keys the environment names; nil when
// neither names any (the store then refuses any use of personal data).
func loadKeys(keyFile string) (*privacy.Keyring, error) {
	if keyFile != "" {
		return privacy.LoadFile(keyFile)
	}
	return privacy.FromEnv()
}

// openEvent opens the database and finds the event a subcommand works on,
// by its code or its numeric id; the caller closes the store.
func openEvent(ctx context.Context, dbURL, keyFile, event string) (*store.Store, store.Event, error) {
	st, err := openExisting(ctx, dbURL, keyFile)
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
