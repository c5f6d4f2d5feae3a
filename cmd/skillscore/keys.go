package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"skillscore"
	"skillscore/privacy"
	"skillscore/store"
)

const keysUsage = `用法 (usage):
  skillscore keys new    --key-file PATH                  生成个人信息加密密钥文件 (create a key file)
  skillscore keys status --key-file PATH [--db URL]       密钥及各密钥加密的数据条数 (keys and values per key)
  skillscore keys rotate --key-file PATH [--db URL] [--resume] [--by NAME]
                                                          加入新密钥并把全部数据改用它加密，服务可继续运行
                                                          (add a key and re-encrypt everything under it, online)
`

// runKeys: the personal-data keys (docs/privacy.md).
func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return actionError("keys", args, keysUsage)
	}
	fs := flag.NewFlagSet("keys "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	keyFile := bindKeyFile(fs)
	switch args[0] {
	case "new":
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		if *keyFile == "" {
			return usagef("keys new", "需要 --key-file PATH", "--key-file is required")
		}
		if err := privacy.CreateFile(*keyFile); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "已生成密钥文件 %s（仅本用户可读）。请另行妥善备份：丢失后证件号码和手机号码无法解密。\n", *keyFile)
		return nil
	case "status", "rotate":
	default:
		return actionError("keys", args, keysUsage)
	}
	db := fs.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN")
	resume := fs.Bool("resume", false, "rotate：不加新密钥，继续完成上次中断的轮换")
	actor := fs.String("by", "cli:"+osUser(), "操作人（写入审计日志）")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *keyFile == "" {
		return usagef("keys "+args[0], "需要 --key-file PATH（或环境变量 "+privacy.EnvKeyFile+"）", "--key-file is required")
	}
	keys, err := privacy.LoadFile(*keyFile)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, *db, store.Options{MustExist: true, Keys: keys})
	if err != nil {
		return err
	}
	defer st.Close()
	if args[0] == "status" {
		return keysStatus(ctx, st, keys, stdout)
	}
	return keysRotate(ctx, st, keys, *resume, *actor, stdout)
}

func keysStatus(ctx context.Context, st *store.Store, keys *privacy.Keyring, stdout io.Writer) error {
	used, err := st.PersonalKeys(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "密钥文件 %s：%s（当前 %s）\n", keys.Path(), strings.Join(keys.IDs(), "、"), keys.Current())
	ids := make([]string, 0, len(used))
	for id := range used {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	known := map[string]bool{}
	for _, id := range keys.IDs() {
		known[id] = true
	}
	for _, id := range ids {
		note := ""
		if !known[id] {
			note = "（密钥文件中没有此密钥！）"
		}
		fmt.Fprintf(stdout, "  %s：%d 条加密数据%s\n", id, used[id], note)
	}
	if len(ids) == 0 {
		fmt.Fprintln(stdout, "  数据库中还没有加密的个人信息")
	}
	return nil
}

// keysRotate adds a key (unless resuming) and re-seals everything under it.
// A server reading the same key file takes the new key up within
// privacy's refresh period, writing with the old one until then; the last
// pass waits that long so nothing it wrote meanwhile is left behind.
func keysRotate(ctx context.Context, st *store.Store, keys *privacy.Keyring, resume bool, actor string, stdout io.Writer) error {
	added := time.Now()
	if !resume {
		id, err := keys.AddKey()
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "已加入新密钥 %s，开始把数据改用它加密（可随时中断，用 --resume 继续）\n", id)
	}
	total := 0
	report := func(p store.ResealProgress) {
		fmt.Fprintf(stdout, "  已完成 %d 条，剩余 %d 条\n", total+p.Done, p.Left)
	}
	for {
		n, err := st.Reseal(ctx, report)
		total += n
		if err != nil {
			return skillscore.Wrap(skillscore.ErrorCode(err), err,
				fmt.Sprintf("轮换中断（已完成 %d 条）：运行 skillscore keys rotate --resume 继续", total))
		}
		wait := privacy.RefreshPeriod - time.Since(added)
		if wait <= 0 {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
	if err := st.RecordKeyRotation(ctx, actor, keys.Current(), total); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "轮换完成：%d 条数据已改用密钥 %s 加密。旧密钥仍留在密钥文件中，以便读取轮换前的备份；不再需要这些备份后可删除旧密钥所在行。\n",
		total, keys.Current())
	return nil
}
