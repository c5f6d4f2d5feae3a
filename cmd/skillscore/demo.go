package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"skillscore"
	"skillscore/demo"
	"skillscore/store"
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
	log, err := cfg.logger(stderr)
	if err != nil {
		return err
	}
	ln, err := listen(ctx, cfg.addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	st, created, err := openDemo(ctx, *data)
	if err != nil {
		return err
	}
	defer st.Close()
	ev, err := st.EventByCode(ctx, demo.EventCode)
	if err != nil {
		return err
	}
	if created {
		log.Info("demo event created", "event", ev.Code, "db", filepath.Join(*data, demoDBName))
	} else {
		log.Info("demo event reopened", "event", ev.Code, "db", filepath.Join(*data, demoDBName))
	}
	if err := ensureDemoAccounts(ctx, st); err != nil {
		return err
	}
	judgeLogin, err := demoJudgeLogin(ctx, st, ev.ID)
	if err != nil {
		return err
	}
	if err := ensureKey(cfg.certs.keys); err != nil {
		return err
	}
	// QR codes point at this demo unless told otherwise.
	if !flagSet(fs, "base-url") && os.Getenv("SKILLSCORE_BASE_URL") == "" {
		cfg.certs.baseURL = "http://" + hostForURL(ln.Addr().String())
	}
	return serve(ctx, ln, st, cfg, log, func(base string) {
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
按 Ctrl+C 停止 (press Ctrl+C to stop)
`, ev.Name, base, ev.Code, base, ev.Code, base, ev.Code, base, ev.Code, base, base, base,
			base, base, ev.Code, base, ev.Code, base, ev.Code,
			judgeLogin.Judge.Code, judgeLogin.Judge.Name, base, judgeLogin.Ticket, judgeLogin.PIN, base, ev.Code, base,
			base, ev.Code, base, ev.Code, base, ev.Code,
			base, ev.Code, base, ev.Code, base, base,
			base, ev.Code)
	})
}

// openDemo opens the demo database under dir, creating it with the demo
// event if it does not exist yet. A new database is built in a temporary
// file and renamed into place only when complete, so an interrupted first
// run never leaves a half-made demo behind to be reopened.
func openDemo(ctx context.Context, dir string) (*store.Store, bool, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, false, skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("无法创建演示数据目录 %s: %v", dir, err))
	}
	path := filepath.Join(dir, demoDBName)
	if _, err := os.Stat(path); err == nil {
		st, err := store.Open(ctx, "sqlite:"+path, store.Options{})
		if err != nil {
			return nil, false, err
		}
		// The file may be a database the user pointed at without the demo.
		_, created, err := demo.Ensure(ctx, st)
		if err != nil {
			st.Close()
			return nil, false, err
		}
		return st, created, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, false, skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("无法访问 %s: %v", path, err))
	}
	tmp := path + ".building"
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(tmp + suffix)
	}
	st, err := store.Open(ctx, "sqlite:"+tmp, store.Options{})
	if err != nil {
		return nil, false, err
	}
	_, err = demo.Create(ctx, st)
	// Closing checkpoints the WAL into the file, so the rename moves a
	// complete database.
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(tmp + suffix)
		}
		return nil, false, fmt.Errorf("创建演示赛事失败: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, false, fmt.Errorf("创建演示赛事失败: %w", err)
	}
	st, err = store.Open(ctx, "sqlite:"+path, store.Options{})
	return st, true, err
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
