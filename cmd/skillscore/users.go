package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"skillscore"
	"skillscore/demo"
	"skillscore/judges"
	"skillscore/store"
	"skillscore/web"
)

const userUsage = `用法 (usage):
  skillscore user add --username 用户名 --name 姓名 --role 角色 [--event 赛项代码 | --programme 大赛代码] [--db URL] [--password-stdin]
  skillscore user grant --username 用户名 --role 角色 [--event 赛项代码 | --programme 大赛代码] [--db URL]
  skillscore user revoke --username 用户名 --role 角色 [--event 赛项代码 | --programme 大赛代码] [--db URL]
  skillscore user list [--db URL]
  skillscore user reset-pin --username 用户名 [--db URL]   督导员忘记签名 PIN 时清除它，下次签名时由本人重新设置 (docs/supervision.md)
角色 (roles): organizer（组织者）| chief（裁判长）| scorekeeper（记分员）| observer（观察员，只读）| supervisor（督导员：只读，另可填写督导记录）| reviewer（审核员：只读，另可审核认定批次）
范围 (scope): 不指定 --event/--programme 即全站 (site-wide when neither is given); docs/roles.md
`

// runUser: skillscore user add|grant|revoke|list (docs/roles.md).
func runUser(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return actionError("user", args, userUsage)
	}
	switch args[0] {
	case "add":
		return runUserAdd(ctx, args[1:], stdin, stdout, stderr)
	case "grant", "revoke":
		return runUserGrant(ctx, args[0], args[1:], stdout, stderr)
	case "list":
		return runUserList(ctx, args[1:], stdout, stderr)
	case "reset-pin":
		return runUserResetPIN(ctx, args[1:], stdout, stderr)
	}
	return actionError("user", args, userUsage)
}

// grantFlags are the role and scope flags of add, grant and revoke.
type grantFlags struct{ role, event, programme *string }

func bindGrantFlags(fs *flag.FlagSet) grantFlags {
	return grantFlags{
		role:      fs.String("role", "", "角色 organizer（组织者）| chief（裁判长）| scorekeeper（记分员）| observer（观察员）| supervisor（督导员）| reviewer（审核员）"),
		event:     fs.String("event", "", "授权范围：一个赛项的代码"),
		programme: fs.String("programme", "", "授权范围：一个大赛的代码（其全部赛项）"),
	}
}

func (f grantFlags) grant() (store.Grant, error) {
	if _, ok := web.RoleNames[*f.role]; !ok {
		return store.Grant{}, skillscore.Errorf(skillscore.EInvalid, "角色 --role 必须是 organizer、chief、scorekeeper、observer、supervisor 或 reviewer (--role must be organizer, chief, scorekeeper, observer, supervisor or reviewer)")
	}
	if *f.event != "" && *f.programme != "" {
		return store.Grant{}, skillscore.Errorf(skillscore.EInvalid, "--event 和 --programme 只能指定一个 (give --event or --programme, not both)")
	}
	return store.Grant{Role: *f.role, EventCode: *f.event, ProgrammeCode: *f.programme}, nil
}

// scopeText names a grant's role and scope for the command's output.
func scopeText(g store.Grant) string { return web.GrantName(g) + " · " + web.ScopeLabel(g) }

func runUserAdd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN")
	keyFile := bindKeyFile(fs)
	username := fs.String("username", "", "登录用户名")
	name := fs.String("name", "", "姓名")
	gf := bindGrantFlags(fs)
	fromStdin := fs.Bool("password-stdin", false, "从标准输入读取密码（一行），否则交互输入")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	g, err := gf.grant()
	if err != nil {
		return err
	}
	*username = strings.TrimSpace(*username)
	if *username == "" || len(*username) > 64 || strings.ContainsAny(*username, " \t\r\n") {
		return skillscore.Errorf(skillscore.EInvalid, "用户名 --username 必须是 1–64 个字符，不含空格 (--username: 1-64 characters, no spaces)")
	}
	if strings.TrimSpace(*name) == "" {
		*name = *username
	}
	// Open first: a wrong --db fails before anyone types a password.
	st, err := openExisting(ctx, *db, *keyFile)
	if err != nil {
		return err
	}
	defer st.Close()
	if !*fromStdin {
		fmt.Fprint(stderr, "密码（至少 8 个字符）: ")
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && line == "" {
		return skillscore.Errorf(skillscore.EInvalid, "没有读到密码 (no password read)")
	}
	hash, err := web.HashPassword(strings.TrimRight(line, "\r\n"))
	if err != nil {
		return err
	}
	u, err := st.CreateUserWithGrant(ctx, store.User{Username: *username, Name: *name, Role: g.Role, PasswordHash: hash}, g, "cli:"+osUser())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "已创建用户 %s（%s，%s）\n", u.Username, u.Name, scopeText(g))
	return nil
}

// runUserResetPIN forgets a 督导员's signing PIN, which only they knew:
// nobody can tell it to them again, and nobody else may set it.
func runUserResetPIN(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("user reset-pin", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN")
	keyFile := bindKeyFile(fs)
	username := fs.String("username", "", "登录用户名")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	st, err := openExisting(ctx, *db, *keyFile)
	if err != nil {
		return err
	}
	defer st.Close()
	had, err := st.ResetSigningPIN(ctx, strings.TrimSpace(*username), "cli:"+osUser())
	if err != nil {
		return err
	}
	if !had {
		fmt.Fprintf(stdout, "%s 尚未设置签名 PIN，无需重置\n", *username)
		return nil
	}
	fmt.Fprintf(stdout, "已清除 %s 的签名 PIN：其下次签名督导记录时重新设置；已签名的记录不受影响\n", *username)
	return nil
}

// runUserGrant gives (grant) or takes away (revoke) a role over a scope.
func runUserGrant(ctx context.Context, action string, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("user "+action, flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN")
	keyFile := bindKeyFile(fs)
	username := fs.String("username", "", "登录用户名")
	gf := bindGrantFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	g, err := gf.grant()
	if err != nil {
		return err
	}
	st, err := openExisting(ctx, *db, *keyFile)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := st.UserByUsername(ctx, strings.TrimSpace(*username))
	if err != nil {
		return err
	}
	actor := "cli:" + osUser()
	if action == "grant" {
		g.UserID = u.ID
		if _, err := st.Grant(ctx, g, actor); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "已授权 %s：%s\n", u.Username, scopeText(g))
		return nil
	}
	gs, err := st.GrantsOf(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, have := range gs {
		if have.Role == g.Role && have.EventCode == g.EventCode && have.ProgrammeCode == g.ProgrammeCode {
			if err := st.Revoke(ctx, have.ID, actor); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "已撤销 %s：%s\n", u.Username, scopeText(g))
			return nil
		}
	}
	return skillscore.Errorf(skillscore.ENotFound, "用户 %s 没有该授权（%s）(no such grant)", u.Username, scopeText(g))
}

// runUserList prints every user with its grants.
func runUserList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("user list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN")
	keyFile := bindKeyFile(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	st, err := openExisting(ctx, *db, *keyFile)
	if err != nil {
		return err
	}
	defer st.Close()
	users, err := st.Users(ctx)
	if err != nil {
		return err
	}
	grants, err := st.Grants(ctx)
	if err != nil {
		return err
	}
	byUser := map[int64][]string{}
	for _, g := range grants {
		byUser[g.UserID] = append(byUser[g.UserID], scopeText(g))
	}
	for _, u := range users {
		gs := strings.Join(byUser[u.ID], "；")
		if gs == "" {
			gs = "（无授权）"
		}
		fmt.Fprintf(stdout, "%s\t%s\t%s\n", u.Username, u.Name, gs)
	}
	return nil
}

func osUser() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "unknown"
}

// runAudit: skillscore audit verify --db URL
func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return actionError("audit", args, "用法 (usage): skillscore audit verify [--db URL]\n")
	}
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN")
	keyFile := bindKeyFile(fs)
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	st, err := openExisting(ctx, *db, *keyFile)
	if err != nil {
		return err
	}
	defer st.Close()
	// Every chain (one per event since migration 027, the system's, and
	// the single chain from before): the break names its event and entry.
	rep, err := st.VerifyAuditChains(ctx)
	if err != nil {
		return err
	}
	if b := rep.Break; b != nil {
		return skillscore.Errorf(skillscore.EConflict, "审计链在第 %d 条记录处断裂：历史记录被修改过。%s（已检查 %d 条）(audit chain broken)",
			b.ID, b.Message(), rep.Checked)
	}
	fmt.Fprintf(stdout, "审计链完整：%d 条记录，%d 条链 (audit chain intact)\n", rep.Checked, rep.Chains)
	return nil
}

// demoAccounts are the demo's logins; the passwords are printed on start and
// are for the demonstration only.
var demoAccounts = []struct{ username, name, role, password string }{
	{"organizer", "演示组织者", web.RoleOrganizer, "demo-organizer"},
	{"chief", "演示裁判长", web.RoleChief, "demo-chief"},
	{"keeper1", "演示记分员甲", web.RoleScorekeeper, "demo-keeper1"},
	{"keeper2", "演示记分员乙", web.RoleScorekeeper, "demo-keeper2"},
	// The assessment batches' 督导员 and the supervising office's 审核员.
	{"supervisor", "演示督导员", web.RoleSupervisor, "demo-supervisor"},
	{"reviewer", "演示审核员", web.RoleReviewer, "demo-reviewer"},
	// issue 16: the finished event's 监督 (its 成绩复核 was recorded under
	// demo.MonitorUser) and 仲裁 (demo.ArbiterUsername).
	{demo.MonitorUser, "演示监督", web.RoleMonitor, "demo-monitor"},
	{demo.ArbiterUsername, "演示仲裁", web.RoleArbiter, "demo-arbiter"},
}

// demoScope is the demo events each scoped account works in: the chief
// judge and the scorekeepers in every demo event (at a batch, the chief
// closes the sittings and the keepers run the 签到 tablet), the 督导员 and
// the 审核员 in the assessment batches only, the 监督 and the 仲裁 in the
// finished events (the finished event and the programme's final 赛项),
// whose 复核 and 仲裁 records they read.
func demoScope(role string) []string {
	batches := []string{demo.BatchCode, demo.EarlierBatchCode}
	switch role {
	case web.RoleSupervisor, web.RoleReviewer:
		return batches
	case web.RoleMonitor, web.RoleArbiter:
		return []string{demo.FinishedCode, demo.ProgrammeElderCode}
	}
	return append([]string{demo.EventCode, demo.FinishedCode, demo.ProgrammeElderCode, demo.TeamsCode, demo.RoundsCode}, batches...)
}

// ensureDemoAccounts creates the demo logins that are missing. Their
// passwords are hashed side by side, each in a goroutine this function
// waits for: bcrypt is most of the accounts' cost, and six of them one
// after another would add a third of a second to a fresh demo's start.
func ensureDemoAccounts(ctx context.Context, st *store.Store) error {
	missing := make([]bool, len(demoAccounts))
	for i, a := range demoAccounts {
		_, err := st.UserByUsername(ctx, a.username)
		switch {
		case skillscore.ErrorCode(err) == skillscore.ENotFound:
			missing[i] = true
		case err != nil:
			return err
		}
	}
	hashes, errs := make([]string, len(demoAccounts)), make([]error, len(demoAccounts))
	var wg sync.WaitGroup
	for i, a := range demoAccounts {
		if !missing[i] {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			hashes[i], errs[i] = web.HashPassword(a.password)
		}()
	}
	wg.Wait()
	for i, a := range demoAccounts {
		if !missing[i] {
			continue
		}
		if errs[i] != nil {
			return errs[i]
		}
		if _, err := st.CreateUser(ctx, store.User{Username: a.username, Name: a.name, Role: a.role, PasswordHash: hashes[i]}, "demo"); err != nil {
			return err
		}
	}
	return nil
}

// scopeDemoAccounts turns the site-wide grants of the demo accounts but the
// organizer's (made with the accounts, before the events exist) into
// grants on the demo events of demoScope: they log in to these events'
// pages as the printed links say, and see no other event. The 审核员
// approves the earlier batch before this, on the site-wide grant.
func scopeDemoAccounts(ctx context.Context, st *store.Store) error {
	for _, a := range demoAccounts {
		if a.role == web.RoleOrganizer {
			continue
		}
		u, err := st.UserByUsername(ctx, a.username)
		if err != nil {
			return err
		}
		gs, err := st.GrantsOf(ctx, u.ID)
		if err != nil {
			return err
		}
		// A demo made before the batches existed gains their grants when
		// it is reopened and they are added.
		held := map[string]bool{}
		for _, g := range gs {
			if g.Role == a.role {
				held[g.EventCode] = true
			}
		}
		for _, code := range demoScope(a.role) {
			if held[code] {
				continue
			}
			if _, err := st.Grant(ctx, store.Grant{UserID: u.ID, Role: a.role, EventCode: code}, "demo"); err != nil &&
				skillscore.ErrorCode(err) != skillscore.EConflict {
				return err
			}
		}
		for _, g := range gs {
			if g.Site() && g.CreatedBy == "demo" {
				if err := st.Revoke(ctx, g.ID, "demo"); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// demoJudgeLogin issues a fresh one-time login for the demo's first judge.
func demoJudgeLogin(ctx context.Context, st *store.Store, eventID int64) (judges.Login, error) {
	js, err := st.Judges(ctx, eventID)
	if err != nil || len(js) == 0 {
		return judges.Login{}, fmt.Errorf("demo judges: %v", err)
	}
	svc := judges.New(st, judges.Config{})
	defer svc.Close()
	return svc.IssueLogin(ctx, js[0].ID, "demo")
}
