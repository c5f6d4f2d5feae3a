package main

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"skillscore"
	"skillscore/certificates"
	"skillscore/person"
	"skillscore/photos"
	"skillscore/store"
)

const personUsage = `用法 (usage):
  skillscore person export --id 证件号码 --name 姓名 --reason 原因 --out FILE.json|FILE.xlsx [--db URL] [--key-file FILE] [--by 姓名]
      答复本人查阅申请：导出系统中关于此人的全部信息（各赛事的登记、成绩、证书、申诉、相关审计记录），
      含完整证件号码和手机号码；导出写入审计日志（原因如申请编号，不要写姓名或号码）。文件只有本用户可读。
  skillscore person correct --event 代码 (--contestant 编号 | --id 证件号码 --name 姓名) --reason 原因
        [--new-name 姓名] [--new-gender 男|女] [--new-id-type 证件类型] [--new-id 证件号码] [--new-phone 号码 | --clear-phone]
        [--keys 证书签名密钥目录] [--db URL] [--key-file FILE] [--by 姓名]
      更正一名选手录错的姓名、性别、证件类型、证件号码或手机号码（按名单导入的规则核对）；已发证书按更正后的信息
      重新签发（编号不变，需 --keys），旧证书核验时显示“已更正换发”。审计日志只记更正了哪些项和原因。
  --id - 从标准输入读取证件号码（命令行参数会留在 shell 历史中）。
`

func runPerson(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "export" && args[0] != "correct") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(stdout, personUsage)
			return nil
		}
		return actionError("person", args, personUsage)
	}
	if args[0] == "export" {
		return runPersonExport(ctx, args[1:], stdin, stdout, stderr)
	}
	return runPersonCorrect(ctx, args[1:], stdin, stdout, stderr)
}

// idArg reads --id, or the first line of stdin for "-".
func idArg(v string, stdin io.Reader) (string, error) {
	if v != "-" {
		return v, nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", skillscore.Wrap(skillscore.EInvalid, err, "无法从标准输入读取证件号码")
	}
	return strings.TrimSpace(line), nil
}

func runPersonExport(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("person export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, personUsage); fs.PrintDefaults() }
	db := fs.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN")
	keyFile := bindKeyFile(fs)
	id := fs.String("id", "", "证件号码（- 从标准输入读取）")
	name := fs.String("name", "", "姓名")
	reason := fs.String("reason", "", "原因（必填，写入审计日志，如申请编号）")
	out := fs.String("out", "", "输出文件 .json 或 .xlsx")
	by := fs.String("by", envOr("USER", "cli"), "操作人（写入审计日志）")
	photoDir := fs.String("photos", envOr("SKILLSCORE_PHOTOS", ""), "照片库目录 (默认 SQLite 数据库旁的 photos/；MySQL 须指定)：本人的照片一并导出")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *id == "" || *name == "" || *reason == "" || *out == "" {
		return usagef("person export", "需要 --id、--name、--reason 和 --out", "--id, --name, --reason and --out are required")
	}
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(*out)), ".")
	if format != "json" && format != "xlsx" {
		return usagef("person export", "输出文件 --out 应以 .json 或 .xlsx 结尾", "--out must end in .json or .xlsx")
	}
	idNumber, err := idArg(*id, stdin)
	if err != nil {
		return err
	}
	st, err := openExisting(ctx, *db, *keyFile)
	if err != nil {
		return err
	}
	defer st.Close()
	x, err := person.New(person.Config{Store: st, Photos: photos.New(st, cmp.Or(*photoDir, photos.DefaultDir(*db)))}).Export(ctx, person.Query{IDNumber: idNumber, Name: *name}, *reason, *by)
	if err != nil {
		return err
	}
	var data []byte
	if format == "xlsx" {
		data, err = x.XLSX()
	} else {
		data, err = x.JSON()
	}
	if err != nil {
		return err
	}
	if err := writePrivate(*out, data); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "已导出 %s：参赛登记 %d 条，成绩 %d 条，证书 %d 张，申诉 %d 件，照片 %d 张，审计记录 %d 条；导出已记入审计日志\n",
		*out, len(x.Contestants), len(x.Results), len(x.Certificates), len(x.Appeals), len(x.Photos), len(x.Audit))
	return nil
}

// writePrivate writes a file only its owner can read: it holds full
// 证件号码 and phone numbers.
func writePrivate(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("无法写入 %s: %v", path, err))
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("无法写入 %s: %v", path, err))
	}
	return nil
}

func runPersonCorrect(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("person correct", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, personUsage); fs.PrintDefaults() }
	db := fs.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN")
	keyFile := bindKeyFile(fs)
	event := fs.String("event", "", "赛事代码或编号")
	contestant := fs.Int64("contestant", 0, "选手编号（person export 中的 contestant_id）")
	id := fs.String("id", "", "选手现有的证件号码（- 从标准输入读取），与 --name 一起找到选手")
	name := fs.String("name", "", "选手现有的姓名")
	reason := fs.String("reason", "", "更正原因（必填，写入审计日志；不要写姓名或号码）")
	newName := fs.String("new-name", "", "更正后的姓名")
	newGender := fs.String("new-gender", "", "更正后的性别 男|女")
	newType := fs.String("new-id-type", "", "更正后的证件类型")
	newID := fs.String("new-id", "", "更正后的证件号码（- 从标准输入读取）")
	newPhone := fs.String("new-phone", "", "更正后的手机号码")
	clearPhone := fs.Bool("clear-phone", false, "清除手机号码")
	keys := fs.String("keys", envOr("SKILLSCORE_CERT_KEYS", ""), "证书签名密钥目录：已发证书须重新签发时需要 (env SKILLSCORE_CERT_KEYS)")
	by := fs.String("by", envOr("USER", "cli"), "操作人（写入审计日志）")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *event == "" || *reason == "" || (*contestant == 0) == (*id == "" && *name == "") {
		return usagef("person correct", "需要 --event、--reason，以及 --contestant 或 --id 与 --name 之一",
			"--event, --reason and either --contestant or --id with --name are required")
	}
	if *id == "-" && *newID == "-" {
		return usagef("person correct", "不能让 --id 和 --new-id 都从标准输入读取", "only one of --id and --new-id may read stdin")
	}
	if *clearPhone && *newPhone != "" {
		return usagef("person correct", "不能同时给出 --new-phone 和 --clear-phone", "use one of --new-phone and --clear-phone")
	}
	st, ev, err := openEvent(ctx, *db, *keyFile, *event)
	if err != nil {
		return err
	}
	defer st.Close()
	ch := person.Change{EventID: ev.ID, ContestantID: *contestant, Reason: *reason}
	if ch.ContestantID == 0 {
		if *id == "" || *name == "" {
			return usagef("person correct", "用 --id 找选手时也需要 --name", "--id needs --name")
		}
		idNumber, err := idArg(*id, stdin)
		if err != nil {
			return err
		}
		if ch.ContestantID, err = contestantByIdentity(ctx, st, ev, idNumber, *name); err != nil {
			return err
		}
	}
	for _, f := range []struct {
		flag string
		v    *string
		to   **string
	}{{"new-name", newName, &ch.Name}, {"new-gender", newGender, &ch.Gender}, {"new-id-type", newType, &ch.IDType},
		{"new-id", newID, &ch.IDNumber}, {"new-phone", newPhone, &ch.Phone}} {
		if !flagSet(fs, f.flag) || *f.v == "" {
			continue
		}
		v := *f.v
		if f.flag == "new-id" {
			if v, err = idArg(v, stdin); err != nil {
				return err
			}
		}
		*f.to = &v
	}
	if *clearPhone {
		empty := ""
		ch.Phone = &empty
	}
	kr := &certificates.Keyring{}
	if *keys != "" {
		if kr, err = certificates.LoadKeyring(*keys); err != nil {
			return err
		}
	}
	certSvc, err := certificates.New(certificates.Config{Store: st, Numbering: certificates.DefaultNumbering(), Keys: kr})
	if err != nil {
		return err
	}
	res, err := person.New(person.Config{Store: st, Reissue: certSvc.Reissuer()}).Correct(ctx, ch, *by)
	if err != nil {
		return err
	}
	fields := make([]string, len(res.Fields))
	for i, f := range res.Fields {
		fields[i] = person.FieldNames[f]
	}
	fmt.Fprintf(stdout, "已更正选手 %d 的%s；已记入审计日志\n", ch.ContestantID, strings.Join(fields, "、"))
	if len(res.Reissued) > 0 {
		fmt.Fprintf(stdout, "证书已按更正后的信息重新签发（编号不变）：%s；请重新打印交给本人，旧证书核验时显示“已更正换发”\n",
			strings.Join(res.Reissued, "、"))
	}
	return nil
}

// contestantByIdentity finds the event's contestant with this 证件号码 and
// name.
func contestantByIdentity(ctx context.Context, st *store.Store, ev store.Event, idNumber, name string) (int64, error) {
	q, err := person.Query{IDNumber: idNumber, Name: name}.Normal()
	if err != nil {
		return 0, err
	}
	d, err := st.PersonData(ctx, q.IDNumber, q.Name)
	if err != nil {
		return 0, err
	}
	for _, c := range d.Contestants {
		if c.EventID == ev.ID {
			return c.ID, nil
		}
	}
	return 0, skillscore.Errorf(skillscore.ENotFound, "赛事 %s 中没有证件号码与姓名都相符的选手", ev.Code)
}

// personService is the person service a server runs: corrections re-sign
// with the certificate service's key, purges read the events' retention
// periods and delete photos from the photo store.
func personService(st *store.Store, certSvc *certificates.Service, photoDir string) *person.Service {
	return person.New(person.Config{Store: st, Reissue: certSvc.Reissuer(), Purge: st, Retention: st,
		Photos: photos.New(st, photoDir)})
}
