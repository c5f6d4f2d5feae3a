package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"skillscore"
	"skillscore/certificates"
	"skillscore/demo"
	"skillscore/photos"
	"skillscore/privacy"
	"skillscore/retakes"
	"skillscore/roster"
	"skillscore/store"
	"skillscore/web"
)

// demoDBName is the SQLite file the demo keeps under --data.
const demoDBName = "skillscore-demo.db"

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg serveConfig
	cfg.bind(fs, "127.0.0.1:8080")
	data := fs.String("data", envOr("SKILLSCORE_DATA", "./demo-data"), "演示数据目录 (SQLite 文件存放处)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := cfg.check(); err != nil {
		return err
	}
	if cfg.logFormat == "json" && !flagSet(fs, "log-format") {
		cfg.logFormat = "text" // a person is watching this terminal
	}
	// The demo keeps its certificate signing key beside its database.
	if !flagSet(fs, "keys") && os.Getenv("SKILLSCORE_CERT_KEYS") == "" {
		cfg.certs.keys = filepath.Join(*data, "keys")
	}
	if !flagSet(fs, "cert-batches") && os.Getenv("SKILLSCORE_CERT_BATCHES") == "" {
		cfg.certs.batches = filepath.Join(*data, "certificate-batches")
	}
	if !flagSet(fs, "cert-assets") && os.Getenv("SKILLSCORE_CERT_ASSETS") == "" {
		cfg.certs.assets = filepath.Join(*data, "certificate-assets")
	}
	// A real body enters its 评价机构代码 and 序列码; the demo uses stand-ins
	// and says so.
	bodyNote := ""
	if cfg.certs.useDemoBody() {
		bodyNote = "\n" + cfg.certs.demoBodyNote()
	}
	// The photo store sits beside the demo's database, as serve's does.
	if cfg.certs.photos == "" {
		cfg.certs.photos = filepath.Join(*data, "photos")
	}
	// So does the evidence store (issue 16).
	cfg.evidence.dir = cmp.Or(cfg.evidence.dir, filepath.Join(*data, "evidence"))
	log, err := cfg.logger(stderr)
	if err != nil {
		return err
	}
	ln, err := listen(ctx, cfg.addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	// The key exists before the demo is built: the finished event's
	// certificates are signed with the key this server publishes.
	if err := ensureKey(cfg.certs.keys); err != nil {
		return err
	}
	// QR codes point at this demo unless told otherwise.
	base := "http://" + reachableHost(ln.Addr().String())
	if !flagSet(fs, "base-url") && os.Getenv("SKILLSCORE_BASE_URL") == "" {
		cfg.certs.baseURL = base
	}
	st, created, err := openDemo(ctx, *data, cfg.certs, *cfg.keyFile)
	if err != nil {
		return err
	}
	defer st.Close()
	ev, err := st.EventByCode(ctx, demo.EventCode)
	if err != nil {
		return err
	}
	fin, err := st.EventByCode(ctx, demo.FinishedCode)
	if err != nil {
		return err
	}
	if created {
		log.Info("demo events created", "event", ev.Code, "finished", fin.Code, "db", filepath.Join(*data, demoDBName))
	} else {
		log.Info("demo events reopened", "event", ev.Code, "finished", fin.Code, "db", filepath.Join(*data, demoDBName))
	}
	judgeLogin, err := demoJudgeLogin(ctx, st, ev.ID)
	if err != nil {
		return err
	}
	verifyLink, err := demoVerifyLink(ctx, st, cfg.certs, fin.ID)
	if err != nil {
		return err
	}
	prog, err := st.ProgrammeByCode(ctx, demo.ProgrammeCode)
	if err != nil {
		return err
	}
	// issue 14 programme: the programme's pages and its individual and team 赛项.
	progBanner := fmt.Sprintf(`
%s（大赛 / programme: 3 个赛项、5 个代表队、代表队奖牌榜与团体奖）
  总览（手机） (overview, phone): %s/programmes/%s   大屏 (big screen): %s/programmes/%s/bigscreen
  组织者 (organizer): 大赛管理 %s/programmes/%s/manage   全部大赛 %s/programmes
  奖牌榜 JSON (board API): %s/api/v1/programmes/%s/board
  个人赛项 (individual, final; 一名缺考、一名不参与评奖): 成绩流程 %s/events/%s/results   公示 %s/events/%s/published
  团体赛项 (teams of two, 公示中): 成绩流程 %s/events/%s/results   公示 %s/events/%s/published
    每名队员的证书 (certificates per member): %s/events/%s/certificates
  两轮赛项 (two rounds: 预赛前 6 名晋级决赛，预赛成绩 ×0.3 带入；决赛进行中):
    轮次与晋级 (rounds, chief) %s/events/%s/rounds   决赛实时大屏 (final, big screen) %s/events/%s/bigscreen
`, prog.Name, base, prog.Code, base, prog.Code, base, prog.Code, base, base, prog.Code,
		base, demo.ProgrammeElderCode, base, demo.ProgrammeElderCode,
		base, demo.TeamsCode, base, demo.TeamsCode, base, demo.TeamsCode, base, demo.RoundsCode, base, demo.RoundsCode)
	batchText, err := batchBanner(ctx, st, base)
	if err != nil {
		return err
	}
	overText, err := oversightBanner(ctx, st, base, fin)
	if err != nil {
		return err
	}
	progBanner = overText + progBanner + batchText + bodyNote
	return serve(ctx, ln, st, cfg, log, func(string) {
		fmt.Fprintf(stdout, `
%s 演示已就绪 (demo ready)
  大屏 / 成绩排行 (big screen, leaderboard):  %s/events/%s/leaderboard
  实时大屏 / 手机 (live big screen, phone):   %s/events/%s/bigscreen  %s/events/%s/phone
  成绩 JSON 接口 (standings API):             %s/api/v1/events/%s/standings
  赛事列表 (events):                          %s/
  健康检查 / 监控 (healthz, metrics):         %s/healthz  %s/metrics

  登录 (log in): %s/login
    组织者 organizer / demo-organizer   → %s/events/%s/judges    (裁判、登录卡、回避分配)
    裁判长 chief / demo-chief           → %s/events/%s/desk      (裁判长工作台、锁定、签字、审计)
    记分员 keeper1 / demo-keeper1, keeper2 / demo-keeper2 → %s/events/%s/paper (纸质评分表双人录入)
  裁判平板 (judge tablet, %s %s): 打开 %s/judge?t=%s
    PIN: %s   (一次性登录；每次启动演示都会重新发放 / a fresh one-time login each start)
  证书 (certificates): 组织者 → %s/events/%s/certificates   公开查询 (public verification) → %s/verify
  组织者其他页面 (organizer): 名单导入与导出 %s/events/%s/roster   抽签与解密 %s/events/%s/draw   成绩与裁判导入 %s/events/%s/imports
    赛事设置 %s/events/%s/setup   成绩流程（公示、申诉、确认） %s/events/%s/results   新建赛事 %s/events/new   统计 %s/statistics
    大屏控制（封榜、颁奖揭晓） %s/events/%s/screen
  检录 (check-in tablet, 组织者/裁判长/记分员): %s/events/%s/checkin?s=S01   场次安排 (sessions): %s/events/%s/sessions

%s（已结束的赛事 / finished event: 已评分、锁定、签字、解密、公示、申诉复评、最终确认、证书已签发）
  成绩流程 (results workflow):   %s/events/%s/results      公示 (published results): %s/events/%s/published
  申诉 (appeals, 一件驳回、一件复评): %s/events/%s/appeals    裁判长工作台 (desk): %s/events/%s/desk
  证书 (certificates):           %s/events/%s/certificates   审计 (audit): %s/events/%s/audit
  一张证书的二维码 (one certificate's QR code): %s
%s按 Ctrl+C 停止 (press Ctrl+C to stop)
`, ev.Name, base, ev.Code, base, ev.Code, base, ev.Code, base, ev.Code, base, base, base,
			base, base, ev.Code, base, ev.Code, base, ev.Code,
			judgeLogin.Judge.Code, judgeLogin.Judge.Name, base, judgeLogin.Ticket, judgeLogin.PIN, base, ev.Code, base,
			base, ev.Code, base, ev.Code, base, ev.Code,
			base, ev.Code, base, ev.Code, base, base,
			base, ev.Code,
			base, ev.Code, base, ev.Code,
			fin.Name, base, fin.Code, base, fin.Code, base, fin.Code, base, fin.Code, base, fin.Code, base, fin.Code,
			verifyLink, progBanner)
	})
}

// oversightBanner is what the demo prints of the finished event's
// oversight records (issue 16): the 复核, 仲裁, 赛场记录, evidence, archive
// and judge-report pages, the 监督's and 仲裁's logins, and the public
// 成绩单 lookup with one contestant's 证件号码 and 姓名 to try it with.
func oversightBanner(ctx context.Context, st *store.Store, base string, fin store.Event) (string, error) {
	cs, err := st.Contestants(ctx, fin.ID)
	if err != nil {
		return "", err
	}
	if len(cs) == 0 {
		return "", fmt.Errorf("demo: the finished event has no contestants")
	}
	f := base + "/events/" + fin.Code
	return fmt.Sprintf(`  监督与记录 (oversight, issue 16): 复核已签字、一件仲裁已裁决、两条赛场记录、已归档
    成绩复核 (recheck) %s/recheck   仲裁 (arbitration) %s/arbitration   赛场记录 (incidents) %s/incidents
    证据 (evidence) %s/evidence   归档 (archive, 组织者) %s/archive   裁判自评报告 (judge reports, 裁判长) %s/judges/reports
    成绩单查询 (contestant's 成绩单, public): %s/transcript   试用 (try): 证件号码 %s  姓名 %s
  登录 (log in): 监督 %s / demo-monitor → %s/recheck
                 仲裁 %s / demo-arbiter → %s/arbitration
`, f, f, f, f, f, f, f, cs[0].IDNumber, cs[0].Name,
		demo.MonitorUser, f, demo.ArbiterUsername, f), nil
}

// batchBanner is what the demo prints of its assessment batches (issue
// 15): every role's pages of the current batch and of the approved one,
// the 督导员's and 审核员's logins and a fresh one-time tablet login for the
// current batch's first 考评员.
func batchBanner(ctx context.Context, st *store.Store, base string) (string, error) {
	cur, err := st.EventByCode(ctx, demo.BatchCode)
	if err != nil {
		return "", err
	}
	prev, err := st.EventByCode(ctx, demo.EarlierBatchCode)
	if err != nil {
		return "", err
	}
	examiner, err := demoJudgeLogin(ctx, st, cur.ID)
	if err != nil {
		return "", err
	}
	c, p := base+"/events/"+cur.Code, base+"/events/"+prev.Code
	return fmt.Sprintf(`
%s（认定批次 %s / assessment batch: 养老护理员 二级/技师，考核第一天下午：理论已考完，一名缺考；一名补考沿用 %s 批次的理论；实操考评中，综合评审在明天）
  批次总览 (overview):               %s/batch
  准考证与签到表 (admission):         %s/batch/admission
  签到平板 (sign-in tablet, keeper1): %s/checkin?s=K01-skill
  核对补考 (retakes):                 %s/batch/retakes
  成绩与合格判定 (results):           %s/results
  考场督导 (督导 board):              %s/batch/supervision
  报审 (review):                      %s/batch/review
  报送数据与文书 (report, 成绩单):     %s/batch/report
  考评员平板 (examiner tablet, %s %s): %s/judge?t=%s   PIN: %s
%s（认定批次 %s：已公示 5 个工作日、报审并经审核员批准，证书已签发；一名理论合格、实操不合格）
  批次总览 %s/batch   成绩 %s/results   报审 (review) %s/batch/review
  审核 (reviewer's approval) %s/batch/approval   待审核批次 (reviews) %s/reviews
  报送数据与文书 (report) %s/batch/report   证书 (certificates) %s/certificates   公开查询 (verify) %s/verify
  登录 (log in): 督导员 supervisor / demo-supervisor → %s/batch/supervision
                 审核员 reviewer / demo-reviewer     → %s/reviews
`, cur.Name, demo.BatchNo, demo.EarlierBatchNo, c, c, c, c, c, c, c, c,
		examiner.Judge.Code, examiner.Judge.Name, base, examiner.Ticket, examiner.PIN,
		prev.Name, demo.EarlierBatchNo, p, p, p, p, base, p, p, base, c, base), nil
}

// reachableHost turns the demo's listen address into one others can open:
// a wildcard host (ADDR=0.0.0.0:8080, to serve the venue's network) becomes
// this machine's first private IPv4 address on an interface that is up (the
// venue's LAN), else its first other non-loopback IPv4 one, else 127.0.0.1;
// QR codes on the demo's certificates must open from a phone, where
// 127.0.0.1 is the phone itself.
func reachableHost(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || (host != "" && host != "0.0.0.0" && host != "::") {
		return hostForURL(addr)
	}
	var private, other string
	ifaces, _ := net.Interfaces() // none listed: fall back to 127.0.0.1
	for _, ifc := range ifaces {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, _ := ifc.Addrs()
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok || ipn.IP.To4() == nil || !ipn.IP.IsGlobalUnicast() {
				continue
			}
			switch {
			case ipn.IP.IsPrivate() && private == "":
				private = ipn.IP.String()
			case other == "":
				other = ipn.IP.String()
			}
		}
	}
	switch {
	case private != "":
		return net.JoinHostPort(private, port)
	case other != "":
		return net.JoinHostPort(other, port)
	}
	return hostForURL(addr)
}

// demoVerifyLink is the QR content of the finished event's first
// certificate: the public verification page with its token.
func demoVerifyLink(ctx context.Context, st *store.Store, cc certConfig, eventID int64) (string, error) {
	svc, err := cc.service(st, nil)
	if err != nil {
		return "", err
	}
	docs, err := svc.Documents(ctx, eventID)
	if err != nil || len(docs) == 0 {
		return "", fmt.Errorf("demo certificates: %d documents, %w", len(docs), err)
	}
	return docs[0].QRContent(), nil
}

// openDemo opens the demo database under dir, creating it with the demo
// events if it does not exist yet. A new database is built in a temporary
// file and renamed into place only when complete, so an interrupted first
// run never leaves a half-made demo behind to be reopened. The database is
// built on a demo.Clock (the finished event's steps happen at fixed past
// dates), then reopened on the real clock for serving.
func openDemo(ctx context.Context, dir string, cc certConfig, keyFile string) (*store.Store, bool, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, false, skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("无法创建演示数据目录 %s: %v", dir, err))
	}
	keys, err := demoKeys(dir, keyFile)
	if err != nil {
		return nil, false, err
	}
	path := filepath.Join(dir, demoDBName)
	target := path
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		target = path + ".building"
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(target + suffix)
		}
	} else if err != nil {
		return nil, false, skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("无法访问 %s: %v", path, err))
	}
	clock := &demo.Clock{}
	st, err := store.Open(ctx, "sqlite:"+target, store.Options{Now: clock.Now, Keys: keys})
	if err != nil {
		return nil, false, err
	}
	// The file may be a database the user pointed at without the demo.
	created, err := buildDemo(ctx, st, clock, cc)
	// Closing checkpoints the WAL into the file, so the rename moves a
	// complete database.
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if target != path {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(target + suffix)
			}
		}
		return nil, false, fmt.Errorf("创建演示赛事失败: %w", err)
	}
	if target != path {
		if err := os.Rename(target, path); err != nil {
			return nil, false, fmt.Errorf("创建演示赛事失败: %w", err)
		}
	}
	st, err = store.Open(ctx, "sqlite:"+path, store.Options{Keys: keys})
	if err == nil {
		if err = st.CheckKeys(ctx); err != nil {
			st.Close()
		}
	}
	return st, created, err
}

// demoKeyName is the personal-data key file the demo keeps under --data.
const demoKeyName = "personal.key"

// demoKeys reads the personal-data key named by --key-file or the
// environment, or else the demo's own key under dir, made on first run, so
// README's one command works on a fresh machine. A real deployment keeps
// its key away from the database (docs/privacy.md).
func demoKeys(dir, keyFile string) (*privacy.Keyring, error) {
	if keys, err := loadKeys(keyFile); keys != nil || err != nil {
		return keys, err
	}
	path := filepath.Join(dir, demoKeyName)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if err := privacy.CreateFile(path); err != nil {
			return nil, err
		}
	}
	return privacy.LoadFile(path)
}

// buildDemo makes what the demo database lacks: the staff logins, the
// finished event with its certificates (signed with the key in cc.keys), the
// programme with its three events (the team event's certificates issued)
// and the event in progress.
func buildDemo(ctx context.Context, st *store.Store, clock *demo.Clock, cc certConfig) (bool, error) {
	// The approved batch's level certificates need the body's codes: the
	// demo's stand-ins unless given (runDemo and certs --demo have set
	// and announced them already).
	cc.useDemoBody()
	if err := ensureDemoAccounts(ctx, st); err != nil {
		return false, err
	}
	chief, err := st.UserByUsername(ctx, "chief")
	if err != nil {
		return false, err
	}
	fin, finCreated, err := demo.EnsureFinished(ctx, st, clock, demo.People{Organizer: "organizer", Chief: "chief", ChiefName: chief.Name, ChiefUserID: chief.ID})
	if err != nil {
		return false, err
	}
	if finCreated {
		clock.Set(demo.CertificatesAt)
		if err := issueDemoCertificates(ctx, st, clock, cc, fin.ID); err != nil {
			return false, err
		}
		// issue 16: the finished event's signed archive, last (keep it the block's last step).
		if err := demo.ArchiveFinished(ctx, st, clock, filepath.Join(filepath.Dir(cc.keys), "archives"), demoArchiver(st, clock, cc)); err != nil {
			return false, err
		}
	}
	// issue 14: the demo programme (its own clock steps) with its three
	// 赛项: an individual event, the team event and the two-round event;
	// each member of a team gets the team's certificates.
	_, progCreated, err := demo.EnsureProgramme(ctx, st, clock, demo.People{Organizer: "organizer", Chief: "chief", ChiefName: chief.Name, ChiefUserID: chief.ID})
	if err != nil {
		return false, err
	}
	if progCreated {
		teams, err := st.EventByCode(ctx, demo.TeamsCode)
		if err != nil {
			return false, err
		}
		if err := issueDemoCertificates(ctx, st, clock, cc, teams.ID); err != nil {
			return false, err
		}
	}
	// issue 15: two assessment batches (their own clock steps), the
	// earlier one approved by the demo 审核员 and its certificates issued,
	// the current one on its first day with a 补考 carrying that batch's
	// theory.
	batchesCreated, err := demo.EnsureBatches(ctx, st, clock, demo.BatchOptions{
		People:   demo.People{Organizer: "organizer", Chief: "chief", ChiefName: chief.Name, ChiefUserID: chief.ID},
		Reviewer: "reviewer",
		NewEvent: web.NewBatchEvent,
		Photos:   cc.photos,
		Issue: func(ctx context.Context, eventID int64) error {
			return issueDemoCertificates(ctx, st, clock, cc, eventID)
		},
		ImportRoster: func(ctx context.Context, eventID int64, file string, data []byte) error {
			_, err := roster.Import(ctx, st, eventID, file, data, roster.Options{Actor: "organizer", Basis: store.BasisConsent})
			return err
		},
		ImportPhotos: func(ctx context.Context, eventID int64, zipName string, data []byte) error {
			src, err := photos.ZipBytes(ctx, zipName, data)
			if err != nil {
				return err
			}
			defer src.Close()
			rep, err := photos.New(st, cc.photos).Import(ctx, eventID, src, photos.Options{Actor: "organizer"})
			if err == nil {
				err = rep.ImportError()
			}
			return err
		},
		ApplyRetakes: func(ctx context.Context, eventID int64) (int, error) {
			rep, err := retakes.Apply(ctx, st, eventID, "organizer")
			if err != nil {
				return 0, err
			}
			return len(rep.Parts()), nil
		},
	})
	if err != nil {
		return false, err
	}
	clock.Set(time.Time{}) // the event in progress is made now
	_, created, err := demo.Ensure(ctx, st)
	if err != nil {
		return false, err
	}
	if err := scopeDemoAccounts(ctx, st); err != nil {
		return false, err
	}
	return finCreated || progCreated || batchesCreated || created, nil
}

// issueDemoCertificates issues an event's certificates at the clock's time,
// signed with the key in cc.keys.
func issueDemoCertificates(ctx context.Context, st *store.Store, clock *demo.Clock, cc certConfig, eventID int64) error {
	kr, err := certificates.LoadKeyring(cc.keys)
	if err != nil {
		return err
	}
	svc, err := certificates.New(certificates.Config{Store: st, Numbering: cc.numbering, Issuer: cc.issuer,
		AwardIssuers: strings.ReplaceAll(cc.awardIssuers, "|", "\n"), Keys: kr, Now: clock.Now})
	if err != nil {
		return err
	}
	if _, err := svc.Issue(ctx, eventID, "organizer"); err != nil {
		return fmt.Errorf("demo certificates: %w", err)
	}
	return nil
}

// flagSet reports whether a flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			found = true
		}
	})
	return found
}
