package main

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"skillscore"
	"skillscore/photos"
)

const photosUsage = `用法 (usage):
  skillscore photos import --db URL --event CODE [--photos DIR] [--by 姓名] [--dry-run] [--json] 目录|FILE.zip
      把以证件号码（或准考证号、参赛编号）命名的照片（如 360102199001011234.jpg）导入照片库，文件改以随机编号保存
      import photos named by 证件号码 or 参赛编号 into the photo store, where files are named by opaque ids
  skillscore photos prune --db URL [--photos DIR] [--dry-run]
      删除照片库中无记录、超过 1 小时的文件（中断的导入、被替换的照片）
      remove files of the photo store that no record names (older than an hour)

每个文件单独检查：按内容为 JPEG 或 PNG、不超过 2 MB、100×130 至 4000×4000 像素
（认定批次另按批次的照片要求，如 358×441 像素、100 KB 以内）、文件名是本赛事选手的
证件号码、准考证号（参赛证号）或参赛编号、每名选手只有一个文件。合格的导入，不合格的逐个列出原因。
照片库默认是 SQLite 数据库所在目录下的 photos/；MySQL 数据库须用 --photos 指定（与 serve、certs 相同）。
退出状态：0 全部合格；1 有不合格的文件（合格的已导入）或其他错误。
`

// runPhotos is `skillscore photos`: import and prune.
func runPhotos(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "import":
			return runPhotosImport(ctx, args[1:], stdout, stderr)
		case "prune":
			return runPhotosPrune(ctx, args[1:], stdout, stderr)
		}
	}
	return actionError("photos", args, photosUsage)
}

// photosDirFlag binds --photos as serve and certs do.
func photosDirFlag(fs *flag.FlagSet) *string {
	return fs.String("photos", envOr("SKILLSCORE_PHOTOS", ""),
		"照片库目录，文件以随机编号命名 (env SKILLSCORE_PHOTOS；默认 SQLite 数据库旁的 photos/，MySQL 须指定)")
}

// photoStoreDir is the photo store of a command: --photos, or the
// directory beside a SQLite database; a MySQL database needs the flag.
func photoStoreDir(cmd, flagged, dbURL string) (string, error) {
	if dir := cmp.Or(flagged, photos.DefaultDir(dbURL)); dir != "" {
		return dir, nil
	}
	return "", usagef(cmd, "使用 MySQL 数据库时须用 --photos DIR 指定照片库目录", "--photos is required with a MySQL database")
}

func runPhotosImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("photos import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, photosUsage); fs.PrintDefaults() }
	db := fs.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN")
	keyFile := bindKeyFile(fs)
	event := fs.String("event", "", "赛事代码或编号")
	dir := photosDirFlag(fs)
	dryRun := fs.Bool("dry-run", false, "只检查并列出每个文件的结果，不写入照片库")
	asJSON := fs.Bool("json", false, "以 JSON 输出每个文件的结果")
	actor := fs.String("by", "cli", "导入人（写入审计日志）")
	// The source may come before or between the flags.
	var sources []string
	for rest := args; ; {
		if err := parseFlagArgs(fs, rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		sources = append(sources, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(sources) != 1 || *event == "" {
		return usagef("photos import", "需要 --event 和一个照片目录或 ZIP 文件", "--event and one directory or ZIP file are required")
	}
	storeDir, err := photoStoreDir("photos import", *dir, *db)
	if err != nil && !*dryRun {
		return err
	}
	if same(sources[0], storeDir) {
		return usagef("photos import", "照片来源就是照片库目录：请把以证件号码命名的照片放在别处再导入",
			"the source is the photo store itself")
	}
	src, err := photos.Open(ctx, sources[0])
	if err != nil {
		return err
	}
	defer src.Close()
	st, ev, err := openEvent(ctx, *db, *keyFile, *event)
	if err != nil {
		return err
	}
	defer st.Close()
	rep, err := photos.New(st, storeDir).Import(ctx, ev.ID, src, photos.Options{DryRun: *dryRun, Actor: *actor})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(struct {
			Event string `json:"event"`
			*photos.Report
		}{ev.Code, rep}); err != nil {
			return err
		}
		return rep.ImportError()
	}
	if err := writePhotoReport(stdout, rep, storeDir); err != nil {
		return err
	}
	return rep.ImportError()
}

// same reports whether two paths name one directory.
func same(a, b string) bool {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}

// statusNames are the outcomes in Chinese; a dry run says what would be.
var statusNames = map[string][2]string{
	photos.Imported:  {"已导入", "将导入"},
	photos.Replaced:  {"已替换", "将替换"},
	photos.Unchanged: {"未变", "未变"},
	photos.Rejected:  {"不合格", "不合格"},
}

func writePhotoReport(w io.Writer, rep *photos.Report, dir string) error {
	var b strings.Builder
	rows := [][]string{{"结果", "文件", "选手", "原因"}}
	for _, f := range rep.Files {
		name := statusNames[f.Status][0]
		if rep.DryRun {
			name = statusNames[f.Status][1]
		}
		rows = append(rows, []string{name, f.File, f.Holder, f.Reason})
	}
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, f := range r[:len(r)-1] {
			widths[i] = max(widths[i], width(f))
		}
	}
	for _, r := range rows {
		var line strings.Builder
		for i, f := range r {
			line.WriteString(f)
			if i < len(r)-1 {
				line.WriteString(strings.Repeat(" ", widths[i]-width(f)+2))
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
	verb := "已"
	if rep.DryRun {
		verb = "预检：将"
	}
	fmt.Fprintf(&b, "%s导入 %d 张、替换 %d 张，未变 %d 张，不合格 %d 个文件 (imported %d, replaced %d, unchanged %d, rejected %d)\n",
		verb, rep.Imported, rep.Replaced, rep.Unchanged, rep.Rejected, rep.Imported, rep.Replaced, rep.Unchanged, rep.Rejected)
	if !rep.DryRun {
		fmt.Fprintf(&b, "照片库：%s（文件以随机编号命名；备份数据库时请一并复制此目录）\n", dir)
	}
	if n := len(rep.Missing); n > 0 {
		shown := rep.Missing[:min(n, 20)]
		more := ""
		if n > len(shown) {
			more = fmt.Sprintf(" 等 %d 人", n)
		}
		fmt.Fprintf(&b, "尚无照片的选手 %d 人：%s%s\n", n, strings.Join(shown, "、"), more)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func runPhotosPrune(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("photos prune", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, photosUsage); fs.PrintDefaults() }
	db := fs.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN")
	keyFile := bindKeyFile(fs)
	dir := photosDirFlag(fs)
	dryRun := fs.Bool("dry-run", false, "只列出，不删除")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	storeDir, err := photoStoreDir("photos prune", *dir, *db)
	if err != nil {
		return err
	}
	st, err := openExisting(ctx, *db, *keyFile)
	if err != nil {
		return err
	}
	defer st.Close()
	gone, err := photos.New(st, storeDir).Prune(ctx, time.Now(), *dryRun)
	if err != nil {
		return err
	}
	verb := "已删除"
	if *dryRun {
		verb = "将删除"
	}
	for _, f := range gone {
		fmt.Fprintln(stdout, verb, filepath.Join(storeDir, f))
	}
	fmt.Fprintf(stdout, "%s照片库 %s 中无记录的文件 %d 个 (%d orphaned files)\n", verb, storeDir, len(gone), len(gone))
	return nil
}

// photoLibrary is the photo store a server or the certs command prints
// from. It refuses the settings of the layout read before (a directory of
// <证件号码>.jpg): those files come in through photos import, and a server
// quietly printing certificates without them would be worse than one that
// does not start.
func photoLibrary(st photos.Store, dir string) (*photos.Library, error) {
	if os.Getenv("SKILLSCORE_CERT_PHOTOS") != "" {
		return nil, skillscore.Errorf(skillscore.EInvalid,
			"环境变量 SKILLSCORE_CERT_PHOTOS（以证件号码命名的照片目录）已停用：请用 skillscore photos import 把该目录导入照片库，"+
				"照片库目录用 --photos 或 SKILLSCORE_PHOTOS 指定 (SKILLSCORE_CERT_PHOTOS is no longer read)")
	}
	if n := photos.LegacyFiles(dir); n > 0 {
		return nil, skillscore.Errorf(skillscore.EInvalid,
			"照片库目录 %s 中有 %d 个以证件号码命名的照片（旧格式），不再直接读取：请把它们移到别处，用 skillscore photos import 导入 (old <ID number>.jpg layout)",
			dir, n)
	}
	return photos.New(st, dir), nil
}
