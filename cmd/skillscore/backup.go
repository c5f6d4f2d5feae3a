package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"skillscore"
	"skillscore/store"
)

// runBackup is `skillscore backup --db URL --out FILE`: a consistent copy of
// the whole database, taken while the server keeps running.
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN")
	keyFile := bindKeyFile(fs)
	out := fs.String("out", "", "备份文件（一个 SQLite 文件）")
	force := fs.Bool("force", false, "覆盖已有的备份文件")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		fmt.Fprintln(stderr, "skillscore backup: 需要 --out FILE (--out is required)")
		fs.PrintDefaults()
		return errUsage
	}
	if dbPath, ok := strings.CutPrefix(*db, "sqlite:"); ok {
		// Open would create a missing file, and a typo would back up an
		// empty database that looks like a backup.
		if _, err := os.Stat(dbPath); err != nil {
			return skillscore.Wrap(skillscore.ENotFound, err, fmt.Sprintf("数据库文件 %s 不存在，没有可备份的内容 (database file not found)", dbPath))
		}
	}
	if fi, err := os.Stat(*out); err == nil {
		if dbPath, ok := strings.CutPrefix(*db, "sqlite:"); ok {
			if dfi, err := os.Stat(dbPath); err == nil && os.SameFile(fi, dfi) {
				return skillscore.Errorf(skillscore.EInvalid, "备份文件 %s 就是数据库本身：请换一个文件名 (--out is the database itself)", *out)
			}
		}
		if !*force {
			return skillscore.Errorf(skillscore.EConflict, "备份文件 %s 已存在：请换一个文件名，或加 --force 覆盖 (backup file exists)", *out)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("无法访问备份文件 %s: %v", *out, err))
	}
	start := time.Now()
	keys, err := loadKeys(*keyFile)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, *db, store.Options{Keys: keys})
	if err != nil {
		return err
	}
	defer st.Close()
	info, err := st.Backup(ctx, *out)
	if err != nil {
		return err
	}
	var rows int64
	for _, n := range info.Rows {
		rows += n
	}
	fmt.Fprintf(stdout, "已备份到 %s：%d 张表，%d 行，用时 %.2f 秒 (backup written)\n",
		*out, len(info.Rows), rows, time.Since(start).Seconds())
	fmt.Fprintf(stdout, "一致性时点：审计记录至第 %d 条%s (consistent as of this point)\n", info.AuditLastID, revisionList(info))
	return photoNote(ctx, st, stdout, "备份")
}

// photoNote reminds whoever backs up or restores that the photos are files
// the database only names: the backup holds the records (ids, checksums),
// not the images, which live in the photo store directory.
func photoNote(ctx context.Context, st *store.Store, stdout io.Writer, what string) error {
	if err := evidenceNote(ctx, st, stdout, what); err != nil { // issue 16 evidence
		return err
	}
	files, err := st.PhotoFiles(ctx)
	if err != nil || len(files) == 0 {
		return err
	}
	fmt.Fprintf(stdout, "注意：数据库记录了 %d 张照片，照片文件在照片库目录中（默认为 SQLite 数据库旁的 photos/，或 --photos 指定的目录），"+
		"不在%s文件内：请一并复制该目录，恢复后照片文件须放回新服务的照片库 (photo files are not in the backup: copy the photo store directory too)\n",
		len(files), what)
	return nil
}

// runRestore is `skillscore restore --db URL FILE`: a backup into an empty
// database, all or nothing, then the audit chain checked.
func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "目标数据库 sqlite:PATH 或 mysql:DSN（须为空）")
	keyFile := bindKeyFile(fs)
	in := fs.String("in", "", "备份文件（也可作为最后一个参数给出）")
	force := fs.Bool("force", false, "目标数据库不是空的也恢复：其中的全部数据被备份替换")
	if err := parseFlagArgs(fs, args); err != nil {
		return err
	}
	file := *in
	switch {
	case fs.NArg() == 1 && file == "":
		file = fs.Arg(0)
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "skillscore restore: 多余的参数 %q\n", fs.Args())
		return errUsage
	}
	if file == "" {
		fmt.Fprintln(stderr, "skillscore restore: 需要备份文件 --in FILE (a backup file is required)")
		fs.PrintDefaults()
		return errUsage
	}
	if _, err := os.Stat(file); err != nil {
		return skillscore.Wrap(skillscore.ENotFound, err, fmt.Sprintf("无法读取备份文件 %s (cannot read backup file)", file))
	}
	// A new SQLite file made for a restore that then fails is removed: a
	// failed restore leaves nothing behind that looks like a database.
	newFile := ""
	if p, ok := strings.CutPrefix(*db, "sqlite:"); ok {
		if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
			newFile = p
		}
	}
	start := time.Now()
	keys, err := loadKeys(*keyFile)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, *db, store.Options{Keys: keys})
	if err != nil {
		return err
	}
	defer st.Close()
	info, err := st.Restore(ctx, file, *force)
	if err != nil {
		if newFile != "" {
			st.Close()
			for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
				os.Remove(newFile + suffix)
			}
		}
		return err
	}
	rep, err := st.VerifyAuditChains(ctx)
	if err != nil {
		return err
	}
	n := rep.Checked
	if b := rep.Break; b != nil {
		return skillscore.Errorf(skillscore.EConflict,
			"已恢复，但备份中的审计链在第 %d 条记录处断裂：%s（已检查 %d 条）(restored, audit chain broken in the backup)", b.ID, b.Message(), n)
	}
	var rows int64
	for _, c := range info.Rows {
		rows += c
	}
	fmt.Fprintf(stdout, "已从 %s 恢复（备份于 %s，来自 %s）：%d 张表，%d 行，用时 %.2f 秒 (restored)\n",
		filepath.Base(file), info.CreatedAt.In(skillscore.China()).Format("2006-01-02 15:04:05"), info.Source,
		len(info.Rows), rows, time.Since(start).Seconds())
	fmt.Fprintf(stdout, "审计链完整：%d 条记录 (audit chain intact)\n", n)
	return photoNote(ctx, st, stdout, "备份")
}

func revisionList(info store.BackupInfo) string {
	codes := make([]string, 0, len(info.Revisions))
	for c := range info.Revisions {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	var b strings.Builder
	for _, c := range codes {
		fmt.Fprintf(&b, "；赛事 %s 修订号 %d", c, info.Revisions[c])
	}
	return b.String()
}
