package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"skillscore"
	"skillscore/judges"
	"skillscore/store"
	"skillscore/web"
)

// runUser: skillscore user add --username U --name N --role R [--password-stdin]
func runUser(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return actionError("user", args, "用法 (usage): skillscore user add --username 用户名 --name 姓名 --role organizer|chief|scorekeeper [--db URL] [--password-stdin]\n")
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN")
	keyFile := bindKeyFile(fs)
	username := fs.String("username", "", "登录用户名")
	name := fs.String("name", "", "姓名")
	role := fs.String("role", "", "角色 organizer（组织者）| chief（裁判长）| scorekeeper（记分员）")
	fromStdin := fs.Bool("password-stdin", false, "从标准输入读取密码（一行），否则交互输入")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if _, ok := web.RoleNames[*role]; !ok {
		return skillscore.Errorf(skillscore.EInvalid, "角色 --role 必须是 organizer、chief 或 scorekeeper (--role must be organizer, chief or scorekeeper)")
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
	u, err := st.CreateUser(ctx, store.User{Username: *username, Name: *name, Role: *role, PasswordHash: hash}, "cli:"+osUser())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "已创建用户 %s（%s，%s）\n", u.Username, u.Name, web.RoleNames[u.Role])
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
}

// ensureDemoAccounts creates the demo logins that are missing.
func ensureDemoAccounts(ctx context.Context, st *store.Store) error {
	for _, a := range demoAccounts {
		if _, err := st.UserByUsername(ctx, a.username); err == nil {
			continue
		} else if skillscore.ErrorCode(err) != skillscore.ENotFound {
			return err
		}
		hash, err := web.HashPassword(a.password)
		if err != nil {
			return err
		}
		if _, err := st.CreateUser(ctx, store.User{Username: a.username, Name: a.name, Role: a.role, PasswordHash: hash}, "demo"); err != nil {
			return err
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
