package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"skillscore"
	"skillscore/certificates"
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

// eventFlags are the flags that the actions of a command printing an
// event's papers share (admission, sheets, sessions): the database and its
// key file, the event, the output file and the two fonts.
type eventFlags struct {
	fs                                 *flag.FlagSet
	db, keyFile, event, out, song, kai *string
}

// newEventFlags starts the flags of the action name, -h printing usage;
// the caller binds the action's own flags to fs.
func newEventFlags(name, usage, eventHelp, outHelp string, stderr io.Writer) eventFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	return eventFlags{fs: fs,
		db:      fs.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN"),
		keyFile: bindKeyFile(fs),
		event:   fs.String("event", "", eventHelp),
		out:     fs.String("out", "", outHelp),
		song:    fs.String("font-song", certificates.DefaultSongFont, "宋体 TrueType 字体"),
		kai:     fs.String("font-kai", certificates.DefaultKaiFont, "楷体 TrueType 字体")}
}

// parse parses the flags, which take no argument after them, and requires
// --event, and --out when the action writes a PDF.
func (f eventFlags) parse(args []string, needOut bool) error {
	if err := parseFlagArgs(f.fs, args); err != nil {
		return err
	}
	name := f.fs.Name()
	switch {
	case *f.event == "":
		return usagef(name, "需要 --event CODE", "--event is required")
	case f.fs.NArg() != 0:
		return usagef(name, "多余的参数 "+f.fs.Arg(0), "unexpected argument")
	case needOut && *f.out == "":
		return usagef(name, "需要 --out FILE.pdf", "--out is required")
	}
	return nil
}

// open opens the database and finds the event; the caller closes the store.
func (f eventFlags) open(ctx context.Context) (*store.Store, store.Event, error) {
	return openEvent(ctx, *f.db, *f.keyFile, *f.event)
}

func (f eventFlags) fonts() (certificates.Fonts, error) {
	return certificates.LoadFonts(*f.song, *f.kai)
}

// writePDF writes the PDF write makes to --out, in the fonts.
func (f eventFlags) writePDF(write func(w io.Writer, fonts certificates.Fonts) error) error {
	fonts, err := f.fonts()
	if err != nil {
		return err
	}
	return writeFileWith(*f.out, func(w io.Writer) error { return write(w, fonts) })
}
