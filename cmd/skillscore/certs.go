package main

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"skillscore"
	"skillscore/certificates"
	"skillscore/demo"
	"skillscore/photos"
	"skillscore/store"
	"skillscore/templates"
)

// certConfig is the certificate settings serve, demo and certs share.
type certConfig struct {
	keys         string
	baseURL      string
	issuer       string
	awardIssuers string
	fontSong     string
	fontKai      string
	assets       string
	photos       string
	needPhotos   bool
	batches      string
	numbering    certificates.Numbering
}

func (c *certConfig) bind(fs *flag.FlagSet, defaultKeys string) {
	fs.StringVar(&c.keys, "keys", envOr("SKILLSCORE_CERT_KEYS", defaultKeys), "证书签名密钥目录 (env SKILLSCORE_CERT_KEYS)")
	fs.StringVar(&c.baseURL, "base-url", envOr("SKILLSCORE_BASE_URL", "http://127.0.0.1:8080"),
		"公开网址，二维码指向 BASE/verify (env SKILLSCORE_BASE_URL)")
	fs.StringVar(&c.awardIssuers, "award-issuers", envOr("SKILLSCORE_CERT_AWARD_ISSUERS", "江西省康养职业技能竞赛组委会（演示）"),
		"获奖证书颁发单位，多个用 | 分隔")
	fs.StringVar(&c.fontSong, "font-song", envOr("SKILLSCORE_FONT_SONG", certificates.DefaultSongFont), "宋体 TrueType 字体 (fonts-arphic-gbsn00lp)")
	fs.StringVar(&c.fontKai, "font-kai", envOr("SKILLSCORE_FONT_KAI", certificates.DefaultKaiFont), "楷体 TrueType 字体 (fonts-arphic-gkai00mp)")
	fs.StringVar(&c.assets, "cert-assets", envOr("SKILLSCORE_CERT_ASSETS", ""), "组织者上传的印章/底图目录 (seal.png, level-background.png, award-background.png)")
	fs.StringVar(&c.photos, "photos", envOr("SKILLSCORE_PHOTOS", ""),
		"照片库目录：持证人照片以随机编号命名，由 skillscore photos import 导入；不再读取以证件号码命名的旧目录 (env SKILLSCORE_PHOTOS；默认 SQLite 数据库旁的 photos/，MySQL 须指定)")
	fs.BoolVar(&c.needPhotos, "require-photos", envOr("SKILLSCORE_CERT_REQUIRE_PHOTOS", "") == "true",
		"等级证书须贴照片：缺照片时拒绝签发并列出人员 (env SKILLSCORE_CERT_REQUIRE_PHOTOS=true)")
	fs.StringVar(&c.batches, "cert-batches", envOr("SKILLSCORE_CERT_BATCHES", "./certificate-batches"),
		"服务端批量生成的证书文件目录 (serve/demo)")
	c.bindBody(fs)
}

// bindBody binds the 评价机构's own settings: its name and the parts of its
// certificate numbers. The report command takes these alone (its --photos
// names the ZIP it writes, not the photo store).
func (c *certConfig) bindBody(fs *flag.FlagSet) {
	def := certificates.DefaultNumbering()
	fs.StringVar(&c.issuer, "issuer", envOr("SKILLSCORE_CERT_ISSUER", "江西省康养职业技能评价中心（演示）"), "评价机构名称（等级证书）")
	fs.StringVar(&c.numbering.Letter, "cert-letter", envOr("SKILLSCORE_CERT_LETTER", def.Letter), "证书编号首字母 Y|S")
	fs.StringVar(&c.numbering.BodyCode, "cert-body", envOr("SKILLSCORE_CERT_BODY", def.BodyCode),
		"评价机构代码 (4 位，按备案填写；先向省级人社部门备案的为 0000)。无默认值：未设置时拒绝签发职业技能等级证书 (env SKILLSCORE_CERT_BODY)")
	fs.StringVar(&c.numbering.Province, "cert-province", envOr("SKILLSCORE_CERT_PROVINCE", def.Province), "省份代码 (2 位，江西 36)")
	fs.StringVar(&c.numbering.BodySerial, "cert-body-serial", envOr("SKILLSCORE_CERT_BODY_SERIAL", def.BodySerial),
		"评价机构序列码 (6 位，按备案填写)。无默认值：未设置时拒绝签发职业技能等级证书 (env SKILLSCORE_CERT_BODY_SERIAL)")
}

// useDemoBody gives the demo the stand-in 评价机构代码 and 序列码 it was
// not given, marked Demo so that the pages say 演示; it reports whether
// it did.
func (c *certConfig) useDemoBody() bool {
	if c.numbering.BodySet() {
		return false
	}
	d := certificates.DemoNumbering()
	c.numbering.BodyCode = cmp.Or(c.numbering.BodyCode, d.BodyCode)
	c.numbering.BodySerial = cmp.Or(c.numbering.BodySerial, d.BodySerial)
	c.numbering.Demo = true
	return true
}

// demoBodyNote is what the demo prints when its body codes are stand-ins.
func (c *certConfig) demoBodyNote() string {
	n := c.numbering
	return fmt.Sprintf("评价机构代码为演示值（%s %s %s %s，证书上标注“演示”）：真实证书须用 --cert-body 和 --cert-body-serial 按备案填写\n"+
		"  (the assessment body's codes are demo values; set --cert-body and --cert-body-serial for real certificates)\n",
		n.Letter, n.BodyCode, n.Province, n.BodySerial)
}

// service builds the certificate service over st; rend is nil for a
// service that verifies and revokes but does not print, and so reads no
// photos (a revocation must not wait on the photo store's settings).
func (c *certConfig) service(st *store.Store, rend *certificates.Renderer) (*certificates.Service, error) {
	var lib certificates.PhotoSource
	if rend != nil {
		l, err := photoLibrary(st, c.photos)
		if err != nil {
			return nil, err
		}
		lib = l
	}
	var kr *certificates.Keyring
	if c.keys != "" {
		var err error
		if kr, err = certificates.LoadKeyring(c.keys); err != nil {
			return nil, err
		}
	}
	return certificates.New(certificates.Config{
		Store: st, Numbering: c.numbering, Issuer: c.issuer,
		AwardIssuers: strings.ReplaceAll(c.awardIssuers, "|", "\n"),
		VerifyURL:    strings.TrimSuffix(c.baseURL, "/") + "/verify", Keys: kr, Renderer: rend, Photos: lib,
		RequirePhotos: c.needPhotos,
	})
}

// renderer loads the fonts, the layouts and the organizer's images.
func (c *certConfig) renderer() (*certificates.Renderer, error) {
	fonts, err := certificates.LoadFonts(c.fontSong, c.fontKai)
	if err != nil {
		return nil, err
	}
	layouts, err := certificates.LoadLayouts(templates.CertificateLayouts())
	if err != nil {
		return nil, err
	}
	var assets fs.FS
	if c.assets != "" {
		assets = os.DirFS(c.assets)
	}
	return certificates.NewRenderer(fonts, layouts, assets)
}

const certsUsage = `用法 (usage):
  skillscore certs --demo --out DIR [--data DIR] [--addr HOST:PORT]
                                                          已结束的演示赛事的全部证书，可在演示服务上核验
                                                          (the finished demo event's certificates, verifiable on the demo server)
  skillscore certs --db URL --event CODE --keys DIR --out DIR
                                                          签发并生成赛事证书 (issue and render an event's certificates)
  skillscore certs keygen --keys DIR                      生成新的签名密钥并启用 (new signing key, made active)
  skillscore certs revoke --db URL --number NO --reason TEXT [--by NAME]
                                                          撤销证书 (revoke a certificate)
`

func runCerts(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "keygen":
			return runCertsKeygen(args[1:], stdout, stderr)
		case "revoke":
			return runCertsRevoke(ctx, args[1:], stdout, stderr)
		}
	}
	fl := flag.NewFlagSet("certs", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() { fmt.Fprint(stderr, certsUsage); fl.PrintDefaults() }
	var cc certConfig
	cc.bind(fl, "")
	db := fl.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN")
	keyFile := bindKeyFile(fl)
	event := fl.String("event", "", "赛事代码")
	out := fl.String("out", "", "输出目录")
	demoMode := fl.Bool("demo", false, "演示赛事中已结束那场的证书：用 --data 中演示的数据库和密钥（没有时在临时目录中建立）")
	data := fl.String("data", envOr("SKILLSCORE_DATA", "./demo-data"), "演示数据目录 (--demo)")
	addr := fl.String("addr", envOr("SKILLSCORE_ADDR", "127.0.0.1:8080"), "演示服务的地址 (--demo)：二维码指向 http://ADDR/verify，除非给出 --base-url")
	actor := fl.String("by", "cli", "签发人（写入审计日志）")
	if err := parseFlags(fl, args); err != nil {
		return err
	}
	if *out == "" {
		return usagef("certs", "需要 --out DIR", "--out is required")
	}
	if *demoMode && cc.useDemoBody() {
		fmt.Fprint(stdout, cc.demoBodyNote())
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("无法创建输出目录 %s: %v", *out, err))
	}
	// Fail on a missing font before anything is issued.
	rend, err := cc.renderer()
	if err != nil {
		return err
	}
	var st *store.Store
	var eventID int64
	if *demoMode {
		var done func()
		if st, eventID, done, err = openDemoForCerts(ctx, fl, &cc, *data, *addr); err != nil {
			return err
		}
		defer done()
		*actor = "organizer"
	} else {
		if *event == "" || cc.keys == "" {
			return usagef("certs", "需要 --event CODE 和 --keys DIR（或 --demo）", "--event and --keys, or --demo, are required")
		}
		cc.photos = cmp.Or(cc.photos, photos.DefaultDir(*db))
		if st, err = openExisting(ctx, *db, *keyFile); err != nil {
			return err
		}
		defer st.Close()
		ev, err := st.EventByCode(ctx, *event)
		if err != nil {
			return err
		}
		if err := st.RequireFinal(ctx, ev.ID); err != nil {
			return err
		}
		eventID = ev.ID
	}
	svc, err := cc.service(st, rend)
	if err != nil {
		return err
	}
	// The demo's certificates were issued when its database was built.
	var res certificates.IssueResult
	if !*demoMode {
		if res, err = svc.Issue(ctx, eventID, *actor); err != nil {
			return err
		}
	}
	docs, err := svc.Documents(ctx, eventID)
	if err != nil {
		return err
	}
	if len(docs) == 0 {
		fmt.Fprintln(stdout, "没有需要发放的证书 (no certificates: no awards, promotions or passes yet)")
		return nil
	}
	// Level certificates print the holder's full 证件号码: writing them out
	// is a full view, recorded before any file exists.
	if err := recordLevelExport(ctx, st, eventID, *actor); err != nil {
		return err
	}
	start := time.Now()
	err = svc.EachSingle(ctx, docs, func(i int, pdf []byte) error {
		return os.WriteFile(filepath.Join(*out, certificates.FileName(docs[i])), pdf, 0o644)
	})
	if err != nil {
		return err
	}
	singles := time.Since(start)
	if err := writeFileWith(filepath.Join(*out, "certificates.zip"), func(w io.Writer) error {
		return svc.WriteZip(ctx, w, docs, nil)
	}); err != nil {
		return err
	}
	start = time.Now()
	if err := writeFileWith(filepath.Join(*out, "certificates-print.pdf"), func(w io.Writer) error {
		return svc.WriteCombined(w, docs, nil)
	}); err != nil {
		return err
	}
	combined := time.Since(start)
	keys, err := json.MarshalIndent(svc.PublicKeys(), "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*out, "public-keys.json"), keys, 0o644); err != nil {
		return err
	}
	award, level := 0, 0
	for _, d := range docs {
		if d.Facts.Kind == certificates.KindAward {
			award++
		} else {
			level++
		}
	}
	fmt.Fprintf(stdout, "已签发 %d 张新证书，共 %d 张：获奖证书 %d，职业技能等级证书 %d (issued %d new, %d in all)\n",
		res.New, len(docs), award, level, res.New, len(docs))
	fmt.Fprintf(stdout, "单张 PDF：%s/*.pdf（%v）\n", *out, singles.Round(time.Millisecond))
	fmt.Fprintf(stdout, "压缩包：%s\n", filepath.Join(*out, "certificates.zip"))
	fmt.Fprintf(stdout, "合并打印 PDF：%s（%v）\n", filepath.Join(*out, "certificates-print.pdf"), combined.Round(time.Millisecond))
	fmt.Fprintf(stdout, "公钥：%s（skillscore verify-cert --pubkeys 该文件 TOKEN）\n", filepath.Join(*out, "public-keys.json"))
	return nil
}

// openDemoForCerts opens the demo database of the data directory, or, when
// there is none, builds one in a temporary directory, and returns the
// finished demo event. Its certificates verify on the demo server: they are
// signed with the data directory's key when it has one, and their QR codes
// point at the server's address (--addr, or --base-url). A temporary build
// is deterministic, so with the same key it holds the same certificates.
// done closes the database and removes the temporary directory.
func openDemoForCerts(ctx context.Context, fl *flag.FlagSet, cc *certConfig, data, addr string) (_ *store.Store, _ int64, done func(), err error) {
	if !flagSet(fl, "base-url") && os.Getenv("SKILLSCORE_BASE_URL") == "" {
		cc.baseURL = "http://" + reachableHost(addr)
	}
	if cc.keys == "" {
		if kr, err := certificates.LoadKeyring(filepath.Join(data, "keys")); err == nil && kr.Signer != nil {
			cc.keys = filepath.Join(data, "keys")
		}
	}
	dir, tmp := data, ""
	defer func() {
		if err != nil && tmp != "" {
			os.RemoveAll(tmp)
		}
	}()
	if _, err := os.Stat(filepath.Join(data, demoDBName)); err != nil {
		if tmp, err = os.MkdirTemp("", "skillscore-certs-demo-"); err != nil {
			return nil, 0, nil, err
		}
		dir = tmp
		if cc.keys == "" {
			cc.keys = filepath.Join(tmp, "keys")
			if _, err := certificates.GenerateKey(cc.keys, time.Now()); err != nil {
				return nil, 0, nil, err
			}
		}
	} else if cc.keys == "" {
		return nil, 0, nil, skillscore.Errorf(skillscore.ENotFound, "演示数据目录 %s 中没有签名密钥：请先运行 skillscore demo，或给出 --keys DIR", data)
	}
	// The demo's photo store sits beside its database, as serve's does.
	cc.photos = cmp.Or(cc.photos, filepath.Join(dir, "photos"))
	st, _, err := openDemo(ctx, dir, *cc, "")
	if err != nil {
		return nil, 0, nil, err
	}
	ev, err := st.EventByCode(ctx, demo.FinishedCode)
	if err != nil {
		st.Close()
		return nil, 0, nil, err
	}
	return st, ev.ID, func() {
		st.Close()
		if tmp != "" {
			os.RemoveAll(tmp)
		}
	}, nil
}

// writeFileWith writes a file through fn, removing it again if fn fails.
func writeFileWith(path string, fn func(w io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("无法写入 %s: %v", path, err))
	}
	err = fn(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}

func runCertsKeygen(args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("certs keygen", flag.ContinueOnError)
	fl.SetOutput(stderr)
	keys := fl.String("keys", envOr("SKILLSCORE_CERT_KEYS", ""), "证书签名密钥目录 (env SKILLSCORE_CERT_KEYS)")
	if err := parseFlags(fl, args); err != nil {
		return err
	}
	if *keys == "" {
		return usagef("certs keygen", "需要 --keys DIR", "--keys is required")
	}
	kid, err := certificates.GenerateKey(*keys, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "新签名密钥 %s 已生成并启用；旧公钥保留，已发证书仍可核验 (new key %s is active)\n", kid, kid)
	return nil
}

func runCertsRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("certs revoke", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var cc certConfig
	cc.bind(fl, "")
	db := fl.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN")
	keyFile := bindKeyFile(fl)
	number := fl.String("number", "", "证书编号")
	reason := fl.String("reason", "", "撤销原因（必填，写入审计日志）")
	by := fl.String("by", envOr("USER", "cli"), "操作人")
	if err := parseFlags(fl, args); err != nil {
		return err
	}
	if *number == "" {
		return usagef("certs revoke", "需要 --number NO 和 --reason TEXT", "--number and --reason are required")
	}
	st, err := openExisting(ctx, *db, *keyFile)
	if err != nil {
		return err
	}
	defer st.Close()
	svc, err := cc.service(st, nil)
	if err != nil {
		return err
	}
	v, err := svc.Revoke(ctx, *number, *reason, *by)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "证书 %s（%s）已于 %s 撤销：%s\n", v.Facts.Number, v.Facts.Name, v.RevokedOn, v.RevokedReason)
	return nil
}

// serverService builds the certificate service a server runs. Neither a
// missing key directory nor a missing font stops the server: lookups by
// number and 证件号码 still work; QR tokens cannot be checked without keys,
// and batches report the missing font (naming its package) when started.
func (c *certConfig) serverService(st *store.Store, log *slog.Logger) (*certificates.Service, error) {
	lib, err := photoLibrary(st, c.photos)
	if err != nil {
		return nil, err
	}
	if c.photos == "" {
		log.Warn("no photo store directory (--photos): certificates print no photos", "db", st.Dialect())
	}
	kr, err := certificates.LoadKeyring(c.keys)
	if skillscore.ErrorCode(err) == skillscore.ENotFound {
		log.Warn("no certificate key directory: QR tokens cannot be verified", "keys", c.keys)
		kr, err = &certificates.Keyring{}, nil
	}
	if err != nil {
		return nil, err
	}
	rend, rendErr := c.renderer()
	if rendErr != nil {
		log.Warn("certificates cannot be printed", "err", skillscore.ErrorMessage(rendErr))
	}
	if err := c.numbering.RequireBody(); err != nil && !c.numbering.Demo {
		log.Warn("level certificates cannot be issued", "err", skillscore.ErrorMessage(err))
	}
	svc, err := certificates.New(certificates.Config{
		Store: st, Numbering: c.numbering, Issuer: c.issuer,
		AwardIssuers: strings.ReplaceAll(c.awardIssuers, "|", "\n"),
		VerifyURL:    strings.TrimSuffix(c.baseURL, "/") + "/verify", Keys: kr, Photos: lib,
		Renderer: rend, RendererErr: rendErr, AssetsDir: c.assets, RequirePhotos: c.needPhotos,
	})
	if err != nil {
		return nil, err
	}
	svc.EnableBatches(c.batches)
	return svc, nil
}

// ensureKey gives a key directory an active signing key if it has none
// (the demo's own directory).
func ensureKey(dir string) error {
	kr, err := certificates.LoadKeyring(dir)
	if err == nil && kr.Signer != nil {
		return nil
	}
	if err != nil && skillscore.ErrorCode(err) != skillscore.ENotFound {
		return err
	}
	_, err = certificates.GenerateKey(dir, time.Now())
	return err
}

// recordLevelExport audits a write of an event's level certificates (their
// holders by contestant id).
func recordLevelExport(ctx context.Context, st *store.Store, eventID int64, actor string) error {
	certs, err := st.EventCertificates(ctx, eventID)
	if err != nil {
		return err
	}
	ids := certificates.LevelHolders(certs)
	if len(ids) == 0 {
		return nil
	}
	return st.RecordPersonalAccess(ctx, store.PersonalAccess{EventID: eventID, Actor: actor, Kind: "export",
		What: "certificates-cli", Contestants: ids, Reason: "签发并导出职业技能等级证书"})
}
