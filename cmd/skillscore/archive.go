package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"skillscore"
	"skillscore/archive"
	"skillscore/certificates"
	"skillscore/demo"
	"skillscore/evidence"
	"skillscore/exports"
	"skillscore/photos"
	batchreport "skillscore/report"
	"skillscore/sheets"
	"skillscore/store"
	"skillscore/web"
)

const archiveUsage = `用法 (usage):
  skillscore archive --event 代码 --out FILE.zip [--years 5] [--by 姓名] [--keys DIR] [--db URL]
      把赛事的成绩、申诉、签到表、证书登记、督导记录、规则和审计记录打包为一个 ZIP，
      附 manifest.json（每个文件的 SHA-256、审计链头哈希）及其证书签名密钥签名；
      记入数据库并开始保存期（默认 5 年），期满前不能删除赛事。
  skillscore archive verify (--pubkeys FILE | --keys DIR | --fingerprint HEX | --integrity-only) FILE.zip
      离线核验归档：签名者、每个文件；列出被改动、缺少、多出的文件，有问题时退出码非零。
`

// runArchive is `skillscore archive` and `skillscore archive verify`.
func runArchive(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "verify" {
		return runArchiveVerify(args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("archive", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, archiveUsage); fs.PrintDefaults() }
	db := fs.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN")
	keyFile := bindKeyFile(fs)
	var cc certConfig
	cc.bind(fs, "./keys")
	var ec evidenceConfig
	ec.bind(fs) // the evidence files the archive holds
	event := fs.String("event", "", "赛事代码或编号")
	out := fs.String("out", "", "输出的 ZIP 文件")
	years := fs.Int("years", store.DefaultArchiveYears, fmt.Sprintf("保存年限（%d–%d 年）：期满前不能删除赛事", store.MinArchiveYears, store.MaxArchiveYears))
	by := fs.String("by", envOr("USER", "cli"), "归档人（写入审计日志）")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *event == "" || *out == "" {
		return usagef("archive", "需要 --event 和 --out", "--event and --out are required")
	}
	if err := store.CheckArchiveYears(*years); err != nil {
		return err
	}
	st, ev, err := openEvent(ctx, *db, *keyFile, *event)
	if err != nil {
		return err
	}
	defer st.Close()
	a, err := newArchiver(st, cc, *db, ec.service(st, *db))
	if err != nil {
		return err
	}
	res, rec, err := a.WriteFile(ctx, ev, *out, *years, archive.Options{Actor: *by})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "已归档 %s（%s）：%s，%d 个文件，%d 字节\n", ev.Name, ev.Code, *out, len(res.Manifest.Files), res.Size)
	fmt.Fprintf(stdout, "ZIP SHA-256：%s\n清单 SHA-256：%s\n审计链头：第 %d 条 %s\n", res.ZipSHA256, res.ManifestSHA256,
		res.Manifest.AuditHead.Seq, res.Manifest.AuditHead.Hash)
	fmt.Fprintf(stdout, "签名密钥 %s，指纹 %s\n保存期限至 %s：期满前不能删除本赛事\n", rec.KeyID,
		archive.Fingerprint(a.PublicKey()), rec.RetainUntil.In(skillscore.China()).Format("2006年1月2日"))
	return nil
}

// newArchiver wires the archive builder from the certificate settings: the
// signing key, fonts, the photo store and the batch papers' body; ev is
// the evidence store (nil: an event with evidence is refused).
func newArchiver(st *store.Store, cc certConfig, db string, ev *evidence.Service) (*archive.Archiver, error) {
	kr, err := certificates.LoadKeyring(cc.keys)
	if err != nil {
		return nil, err
	}
	if kr.Signer == nil {
		return nil, skillscore.Errorf(skillscore.EUnavailable, "证书密钥目录 %s 没有启用的签名密钥：归档清单须用它签名", cc.keys)
	}
	lib := photos.New(st, cmp.Or(cc.photos, photos.DefaultDir(db)))
	return archive.New(archive.Config{Store: st, Exports: exports.New(st, cc.fontSong, cc.fontKai), Signer: kr.Signer,
		Reports: batchreport.New(batchreport.Config{Store: st, Body: cc.reportBody(), SongFont: cc.fontSong, KaiFont: cc.fontKai, Photos: lib}),
		Photo:   lib.Photo, SongFont: cc.fontSong, KaiFont: cc.fontKai, Evidence: ev,
		RecheckReport: func(ctx context.Context, e store.Event) (sheets.RecheckReport, error) {
			return web.RecheckReportFor(ctx, st, e)
		}})
}

// demoArchiver archives a demo event on the demo's clock (demo.ArchiveFinished).
func demoArchiver(st *store.Store, clock *demo.Clock, cc certConfig) demo.ArchiveWriter {
	return func(ctx context.Context, ev store.Event, path string) error {
		a, err := newArchiver(st, cc, "", nil) // the demo attaches no evidence
		if err != nil {
			return err
		}
		a = a.WithClock(clock.Now)
		_, _, err = a.WriteFile(ctx, ev, path, store.DefaultArchiveYears, archive.Options{Actor: "organizer"})
		return err
	}
}

func runArchiveVerify(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("archive verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, archiveUsage); fs.PrintDefaults() }
	pubkeys := fs.String("pubkeys", "", "公布的公钥集 JSON（/.well-known/skillscore-certificate-keys.json，或 certs 生成的 public-keys.json）")
	keys := fs.String("keys", "", "证书密钥目录（读取其中的 *.pub）")
	fingerprint := fs.String("fingerprint", "", "签名密钥的 SHA-256 指纹（64 位十六进制，归档时打印）")
	integrity := fs.Bool("integrity-only", false, "不核对签名者，只核对归档自签名以来是否被改动")
	if err := parseFlagArgs(fs, args); err != nil {
		return err
	}
	given := 0
	for _, b := range []bool{*pubkeys != "", *keys != "", *fingerprint != "", *integrity} {
		if b {
			given++
		}
	}
	if fs.NArg() != 1 || given != 1 {
		return usagef("archive verify", "需要一个归档文件，以及 --pubkeys、--keys、--fingerprint、--integrity-only 之一（内嵌公钥须与独立取得的公钥或指纹核对才有意义）",
			"one FILE and exactly one of --pubkeys, --keys, --fingerprint or --integrity-only")
	}
	var trust archive.Trust
	switch {
	case *pubkeys != "":
		data, err := os.ReadFile(*pubkeys)
		if err != nil {
			return skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("无法读取公钥文件 %s: %v", *pubkeys, err))
		}
		pub, err := certificates.ParsePublicKeys(data)
		if err != nil {
			return err
		}
		trust.Keys = &pub
	case *keys != "":
		kr, err := certificates.LoadKeyring(*keys)
		if err != nil {
			return err
		}
		trust.Keys = &kr.Public
	case *fingerprint != "":
		trust.Fingerprint = *fingerprint
	default:
		trust.IntegrityOnly = true
	}
	path := fs.Arg(0)
	f, err := os.Open(path)
	if err != nil {
		return skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("无法打开归档文件 %s: %v", path, err))
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("无法读取归档文件 %s: %v", path, err))
	}
	rep, err := archive.Verify(f, fi.Size(), trust)
	if err != nil {
		return err
	}
	if m := rep.Manifest; m != nil {
		fmt.Fprintf(stdout, "归档：%s（%s），%s 由 %s 生成，%s\n", m.Event.Name, m.Event.Code,
			m.BuiltAt.In(skillscore.China()).Format("2006-01-02 15:04:05"), m.BuiltBy, m.Software)
		fmt.Fprintf(stdout, "审计链头：第 %d 条 %s\n", m.AuditHead.Seq, m.AuditHead.Hash)
	}
	if rep.KeyID != "" {
		fmt.Fprintf(stdout, "签名密钥 %s，指纹 %s\n", rep.KeyID, rep.Fingerprint)
	}
	if rep.Trusted != "" {
		fmt.Fprintln(stdout, rep.Trusted)
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(stdout, "问题："+p)
	}
	for _, c := range rep.Changed {
		fmt.Fprintln(stdout, "已改动："+c)
	}
	for _, c := range rep.Missing {
		fmt.Fprintln(stdout, "缺少："+c)
	}
	for _, c := range rep.Extra {
		fmt.Fprintln(stdout, "多出："+c)
	}
	if !rep.OK() {
		n := len(rep.Changed) + len(rep.Missing) + len(rep.Extra) + len(rep.Problems)
		return skillscore.Errorf(skillscore.EInvalid, "归档核验未通过：%d 处问题（见上）", n)
	}
	fmt.Fprintf(stdout, "归档核验通过：签名有效，%d 个文件与清单一致\n", rep.Checked)
	return nil
}

const eventUsage = `用法 (usage):
  skillscore event delete --event 代码 --confirm 代码 [--by 姓名] [--photos DIR] [--db URL]
      删除赛事及其全部记录（审计链和归档记录保留）。已归档的赛事在保存期满前拒绝删除；
      已确认最终成绩的赛事须先归档。删除记入系统审计链，不可恢复。
`

// runEvent is `skillscore event delete`.
func runEvent(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "delete" {
		return &usageError{cmd: "event", zh: "需要子命令 delete", en: "missing subcommand", help: eventUsage}
	}
	fs := flag.NewFlagSet("event delete", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, eventUsage); fs.PrintDefaults() }
	db := fs.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN")
	keyFile := bindKeyFile(fs)
	event := fs.String("event", "", "赛事代码或编号")
	confirm := fs.String("confirm", "", "再次输入赛事代码，确认删除")
	photoDir := fs.String("photos", envOr("SKILLSCORE_PHOTOS", ""), "照片库目录 (默认 SQLite 数据库旁的 photos/)：本赛事人员的照片文件一并删除")
	by := fs.String("by", envOr("USER", "cli"), "操作人（写入审计日志）")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *event == "" {
		return usagef("event delete", "需要 --event CODE", "--event is required")
	}
	st, ev, err := openEvent(ctx, *db, *keyFile, *event)
	if err != nil {
		return err
	}
	defer st.Close()
	if strings.TrimSpace(*confirm) != ev.Code {
		return usagef("event delete", "删除不可恢复：请用 --confirm "+ev.Code+" 再次输入赛事代码", "--confirm must repeat the event's code")
	}
	del, err := st.DeleteEvent(ctx, ev.ID, *by)
	if err != nil {
		return err
	}
	left := photos.New(st, cmp.Or(*photoDir, photos.DefaultDir(*db))).Discard(del.Photos)
	fmt.Fprintf(stdout, "已删除赛事 %s（%s）及其记录；审计链与归档记录保留，删除已记入系统审计链\n", ev.Name, ev.Code)
	if left > 0 {
		fmt.Fprintf(stdout, "有 %d 个照片文件未能删除，将由 skillscore photos prune 清理\n", left)
	}
	return nil
}
