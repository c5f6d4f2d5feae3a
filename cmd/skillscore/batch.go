package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"

	"skillscore"
	"skillscore/levels"
	"skillscore/scoring"
	"skillscore/seating"
	"skillscore/store"
	"skillscore/web"
)

const batchUsage = `用法 (usage): 职业技能等级认定批次 (assessment batches, docs/batches.md)
  skillscore batch new   --code CODE --name 名称 --occupation 职业 --occupation-code 4-10-01-05 --level 四级
                         --starts YYYY-MM-DD [--ends YYYY-MM-DD] --batch-no 批次号 [--specialty 工种] [--venue 地点]
                         [--publicity-days 5] [--retake-months 12] [--photo 358x441] [--photo-kb 100]
                         [--rules FILE.json] [--rooms 考场表.xlsx|.csv]
      新建认定批次：考评活动（按等级认定模板或 --rules 的评分规则）、批次信息和考场，一次全部创建或都不创建
  skillscore batch rooms --event CODE 考场表.xlsx|.csv
      替换考场（列：考场代码、考点、考场名称、座位数；任何一行有误则逐行列出、不导入；已分配座位时须先撤销）
  skillscore batch show  --event CODE [--json]
      批次信息、各考场座位使用、考生按来源（新考/补考）和进度的人数
  skillscore batch seats --event CODE --sitting 模块=YYYY-MM-DD,HH:MM-HH:MM [--sitting …] [--shuffle [--seed HEX]]
      分配准考证号和考场座位（默认按准考证号顺序；--shuffle 用随机种子打乱并记录种子），
      每个考场每个科目生成一个场次；座位不足时拒绝并说明还差几个
  skillscore batch seats --event CODE --withdraw
      撤销座位安排及其场次（之后才能修改考场；开始检录后不能撤销）
  skillscore batch status|publish|submit|approve|return --event CODE ... | calendar list|set|remove ...
      按工作日公示、报审、监管部门批准或退回，公示用的工作日历（skillscore batch submit -h 查看参数）

共同参数: --db URL (env SKILLSCORE_DB)，--key-file，--by 操作人（记入审计日志）。
`

// sittingFlag collects --sitting MODULE=DAY,HH:MM-HH:MM.
type sittingFlag []seating.Sitting

var sittingPattern = regexp.MustCompile(`^([A-Za-z0-9_-]+)=(\d{4}-\d{2}-\d{2}),(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$`)

func (f *sittingFlag) String() string { return fmt.Sprint(*f) }

func (f *sittingFlag) Set(v string) error {
	m := sittingPattern.FindStringSubmatch(strings.TrimSpace(v))
	if m == nil {
		return fmt.Errorf("应为 模块=YYYY-MM-DD,HH:MM-HH:MM，如 theory=2026-06-10,09:00-10:30")
	}
	pad := func(t string) string {
		if len(t) == 4 {
			return "0" + t
		}
		return t
	}
	*f = append(*f, seating.Sitting{Module: m[1], Day: m[2], Starts: pad(m[3]), Ends: pad(m[4])})
	return nil
}

func runBatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return actionError("batch", args, batchUsage)
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, batchUsage)
		return nil
	}
	action := args[0]
	switch action {
	case "new", "rooms", "show", "seats":
	case "status", "publish", "submit", "approve", "return", "calendar":
		// 公示, 报审 and the reviewer's decision, the working-day calendar
		// (batchreview.go).
		return runBatchReview(ctx, args, stdout, stderr)
	default:
		return actionError("batch", args, batchUsage)
	}
	name := "batch " + action
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, batchUsage); fs.PrintDefaults() }
	db := fs.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN")
	keyFile := bindKeyFile(fs)
	actor := fs.String("by", envOr("USER", "cli"), "操作人（记入审计日志）")
	event := fs.String("event", "", "批次的考评活动代码或编号")
	asJSON := fs.Bool("json", false, "以 JSON 输出（show）")
	// new
	code := fs.String("code", "", "考评活动代码（网址中使用，如 jx-rd-2026-06）")
	evName := fs.String("name", "", "批次名称")
	occupation := fs.String("occupation", "", "职业，如 养老护理员")
	occCode := fs.String("occupation-code", "", "职业编码，如 4-10-01-05")
	specialty := fs.String("specialty", "", "工种（无则不填）")
	level := fs.String("level", "", "认定等级：代码（4）或名称（四级、中级工、技师、特级技师 …）")
	starts := fs.String("starts", "", "考核首日 YYYY-MM-DD")
	ends := fs.String("ends", "", "考核末日 YYYY-MM-DD（一天考完不填）")
	venue := fs.String("venue", "", "地点")
	batchNo := fs.String("batch-no", "", "批次号")
	publicity := fs.Int("publicity-days", 5, "公示期（工作日）")
	retake := fs.Int("retake-months", 12, "补考有效期（月）")
	photo := fs.String("photo", "", "照片尺寸（像素），如 358x441；不填则用照片库通用要求")
	photoKB := fs.Int("photo-kb", 0, "照片大小上限（KB），0 为不限")
	rulesFile := fs.String("rules", "", "评分规则 JSON 文件（默认等级认定模板）")
	roomsFile := fs.String("rooms", "", "考场表 .xlsx 或 .csv（new）")
	// seats
	var sittings sittingFlag
	fs.Var(&sittings, "sitting", "一个科目的时间：模块=YYYY-MM-DD,HH:MM-HH:MM（可重复）")
	shuffle := fs.Bool("shuffle", false, "用随机种子打乱座位（默认按准考证号顺序）")
	seed := fs.String("seed", "", "随机种子（十六进制；--shuffle 时不填则新生成）")
	withdraw := fs.Bool("withdraw", false, "撤销座位安排及其场次")
	if err := parseFlagArgs(fs, args[1:]); err != nil {
		return err
	}
	switch {
	case action == "rooms" && fs.NArg() != 1:
		return usagef(name, "需要一个考场表文件", "one rooms file is required")
	case action != "rooms" && fs.NArg() > 0:
		return usagef(name, fmt.Sprintf("多余的参数 %q", fs.Args()), "unexpected arguments")
	case action != "new" && *event == "":
		return usagef(name, "需要 --event CODE", "--event is required")
	case action == "seats" && !*withdraw && len(sittings) == 0:
		return usagef(name, "需要至少一个 --sitting 模块=YYYY-MM-DD,HH:MM-HH:MM，或 --withdraw", "--sitting or --withdraw is required")
	case action == "seats" && *seed != "" && !*shuffle:
		return usagef(name, "--seed 只能与 --shuffle 一起使用", "--seed needs --shuffle")
	}
	if action == "new" {
		return batchNew(ctx, *db, *keyFile, *actor, stdout, batchNewArgs{code: *code, name: *evName, occupation: *occupation,
			occCode: *occCode, specialty: *specialty, level: *level, starts: *starts, ends: *ends, venue: *venue, batchNo: *batchNo,
			publicity: *publicity, retake: *retake, photo: *photo, photoKB: *photoKB, rules: *rulesFile, rooms: *roomsFile})
	}
	st, ev, err := openEvent(ctx, *db, *keyFile, *event)
	if err != nil {
		return err
	}
	defer st.Close()
	b, err := st.Batch(ctx, ev.ID)
	if err != nil {
		return err
	}
	switch action {
	case "rooms":
		rooms, err := readRoomsFile(fs.Arg(0), stdout)
		if err != nil {
			return err
		}
		if err := st.SetExamRooms(ctx, ev.ID, rooms, *actor); err != nil {
			return err
		}
		seats := 0
		for _, r := range rooms {
			seats += r.Seats
		}
		fmt.Fprintf(stdout, "已保存 %d 个考场，共 %d 个座位\n", len(rooms), seats)
		return nil
	case "seats":
		if *withdraw {
			if err := st.WithdrawSeating(ctx, ev.ID, *actor); err != nil {
				return err
			}
			fmt.Fprintln(stdout, "已撤销座位安排及其场次")
			return nil
		}
		method := seating.ByEntryNo
		if *shuffle {
			method = seating.BySeed
		}
		rec, err := st.AssignSeats(ctx, ev.ID, method, *seed, sittings, *actor)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "已为 %d 名考生分配考场座位（%s）", rec.Seated, seating.MethodName(rec.Method))
		if rec.Seed != "" {
			fmt.Fprintf(stdout, "，随机种子 %s", rec.Seed)
		}
		fmt.Fprintln(stdout)
		for _, p := range rec.Parts() {
			fmt.Fprintf(stdout, "  %s %s %s–%s\n", p.Name, p.Day, p.Starts, p.Ends)
		}
		return nil
	}
	return batchShow(ctx, st, ev, b, *asJSON, stdout)
}

type batchNewArgs struct {
	code, name, occupation, occCode, specialty string
	level                                      string
	starts, ends, venue, batchNo               string
	publicity, retake                          int
	photo                                      string
	photoKB                                    int
	rules, rooms                               string
}

var photoSize = regexp.MustCompile(`^(\d{2,4})[xX×*](\d{2,4})$`)

func batchNew(ctx context.Context, dbURL, keyFile, actor string, stdout io.Writer, a batchNewArgs) error {
	const cmd = "batch new"
	lv, _ := levels.Parse(a.level)
	if n, err := strconv.Atoi(a.level); err == nil {
		lv, _ = levels.FromCode(n)
	}
	switch {
	case a.code == "" || a.name == "" || a.occupation == "" || a.batchNo == "" || a.starts == "":
		return usagef(cmd, "需要 --code、--name、--occupation、--occupation-code、--level、--starts 和 --batch-no", "missing required flags")
	case !lv.Valid():
		return usagef(cmd, "--level 应为一个职业技能等级：代码（1–8）或名称（四级、中级工、技师 …）", "--level names no level")
	case len(a.starts) != 10:
		return usagef(cmd, "--starts 应为 YYYY-MM-DD", "--starts must be YYYY-MM-DD")
	}
	var year int
	fmt.Sscanf(a.starts, "%d", &year)
	b := store.Batch{BatchNo: a.batchNo, EndsOn: a.ends, PublicityDays: a.publicity, RetakeMonths: a.retake}
	b.MaxKB = a.photoKB
	if a.photo != "" {
		m := photoSize.FindStringSubmatch(a.photo)
		if m == nil {
			return usagef(cmd, "--photo 应为 宽x高，如 358x441", "--photo must be WIDTHxHEIGHT")
		}
		fmt.Sscan(m[1], &b.MinWidth)
		fmt.Sscan(m[2], &b.MinHeight)
		b.MaxWidth, b.MaxHeight = b.MinWidth, b.MinHeight
	}
	var raw []byte
	var err error
	if a.rules != "" {
		if raw, err = os.ReadFile(a.rules); err != nil {
			return skillscore.Wrap(skillscore.EInvalid, err, "无法读取评分规则文件 "+a.rules)
		}
	} else if raw, err = web.AssessmentPreset(""); err != nil {
		return err
	}
	ev := store.Event{Code: a.code, Name: a.name, Occupation: a.occupation, OccupationCode: a.occCode, Specialty: a.specialty,
		Level: lv, Year: year, Venue: a.venue, StartsOn: a.starts, Status: "setup"}
	if !web.ValidOccupationCode(a.occCode) {
		return usagef(cmd, "--occupation-code 应为职业分类大典的职业编码，如 4-10-01-05", "--occupation-code must look like 4-10-01-05")
	}
	ne, err := web.NewBatchEvent(ev, raw)
	if err != nil {
		return err
	}
	var rooms []store.ExamRoom
	if a.rooms != "" {
		if rooms, err = readRoomsFile(a.rooms, stdout); err != nil {
			return err
		}
	}
	st, err := openExisting(ctx, dbURL, keyFile)
	if err != nil {
		return err
	}
	defer st.Close()
	created, saved, err := st.CreateBatch(ctx, ne, b, rooms, actor)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "已新建认定批次 %s：%s（%s），%s，%d 个考场\n", saved.BatchNo, created.Name, created.Code,
		scoring.LevelName(created.Level), len(rooms))
	return nil
}

// readRoomsFile reads a rooms sheet; its bad rows are printed and refuse
// the whole file.
func readRoomsFile(path string, out io.Writer) ([]store.ExamRoom, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, skillscore.Wrap(skillscore.EInvalid, err, "无法读取考场表 "+path)
	}
	rs, problems, err := seating.ReadRooms(filepath.Base(path), data)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(out, p)
		}
		return nil, skillscore.Errorf(skillscore.EInvalid, "考场表 %s 有 %d 行有误（见上），未导入任何考场", filepath.Base(path), len(problems))
	}
	rooms := make([]store.ExamRoom, len(rs))
	for i, r := range rs {
		rooms[i] = store.ExamRoom{Code: r.Code, Site: r.Site, Name: r.Name, Seats: r.Seats}
	}
	return rooms, nil
}

// batchShow prints a batch's facts, rooms and candidates by stage.
func batchShow(ctx context.Context, st *store.Store, ev store.Event, b store.Batch, asJSON bool, stdout io.Writer) error {
	rooms, err := st.ExamRooms(ctx, ev.ID)
	if err != nil {
		return err
	}
	prog, err := st.BatchProgressOf(ctx, ev.ID)
	if err != nil {
		return err
	}
	rec, seats, err := st.SeatingOf(ctx, ev.ID)
	if err != nil && skillscore.ErrorCode(err) != skillscore.ENotFound {
		return err
	}
	used := map[int64]int{}
	for _, s := range seats {
		used[s.RoomID]++
	}
	type roomOut struct {
		Code  string `json:"code"`
		Site  string `json:"site"`
		Name  string `json:"name"`
		Seats int    `json:"seats"`
		Used  int    `json:"used"`
	}
	type stageOut struct {
		Stage  string `json:"stage"`
		New    int    `json:"new"`
		Retake int    `json:"retake"`
	}
	out := struct {
		Event          string            `json:"event"`
		Name           string            `json:"name"`
		BatchNo        string            `json:"batch_no"`
		Occupation     string            `json:"occupation"`
		OccupationCode string            `json:"occupation_code"`
		Specialty      string            `json:"specialty"`
		Level          levels.Level      `json:"level"`
		StartsOn       string            `json:"starts_on"`
		EndsOn         string            `json:"ends_on,omitempty"`
		PublicityDays  int               `json:"publicity_days"`
		RetakeMonths   int               `json:"retake_months"`
		Photo          store.PhotoSpec   `json:"photo"`
		Rooms          []roomOut         `json:"rooms"`
		Stages         []stageOut        `json:"candidates"`
		Method         string            `json:"seating_method,omitempty"`
		Seed           string            `json:"seating_seed,omitempty"`
		Sittings       []seating.Sitting `json:"sittings,omitempty"`
	}{Event: ev.Code, Name: ev.Name, BatchNo: b.BatchNo, Occupation: ev.Occupation, OccupationCode: ev.OccupationCode,
		Specialty: ev.Specialty, Level: ev.Level, StartsOn: ev.StartsOn, EndsOn: b.EndsOn, PublicityDays: b.PublicityDays,
		RetakeMonths: b.RetakeMonths, Photo: b.PhotoSpec, Rooms: []roomOut{}}
	for _, r := range rooms {
		out.Rooms = append(out.Rooms, roomOut{r.Code, r.Site, r.Name, r.Seats, used[r.ID]})
	}
	for _, s := range []struct {
		key string
		n   store.BatchStage
	}{{"imported", prog.Imported}, {"photo", prog.Photo}, {"numbered", prog.Numbered}, {"seated", prog.Seated}, {"absent", prog.Absent}} {
		out.Stages = append(out.Stages, stageOut{s.key, s.n.New, s.n.Retake})
	}
	if err == nil {
		out.Method, out.Seed, out.Sittings = rec.Method, rec.Seed, rec.Parts()
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	fmt.Fprintf(stdout, "%s（%s）批次号 %s\n", ev.Name, ev.Code, b.BatchNo)
	fmt.Fprintf(stdout, "职业 %s（%s） 工种 %s  %s  %s", ev.Occupation, ev.OccupationCode, orDash(ev.Specialty), scoring.LevelName(ev.Level), ev.StartsOn)
	if b.EndsOn != "" && b.EndsOn != ev.StartsOn {
		fmt.Fprintf(stdout, " 至 %s", b.EndsOn)
	}
	fmt.Fprintf(stdout, "\n公示期 %d 个工作日，补考有效期 %d 个月\n\n", b.PublicityDays, b.RetakeMonths)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "考场\t考点\t名称\t座位\t已用")
	total, inUse := 0, 0
	for _, r := range out.Rooms {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\n", r.Code, r.Site, r.Name, r.Seats, r.Used)
		total, inUse = total+r.Seats, inUse+r.Used
	}
	fmt.Fprintf(tw, "合计\t\t\t%d\t%d\n\n", total, inUse)
	fmt.Fprintln(tw, "考生\t新考\t补考\t合计")
	names := map[string]string{"imported": "已导入名单", "photo": "已有照片", "numbered": "已有准考证号", "seated": "已分配座位", "absent": "缺考"}
	for _, s := range out.Stages {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\n", names[s.Stage], s.New, s.Retake, s.New+s.Retake)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if out.Method != "" {
		fmt.Fprintf(stdout, "\n座位：%s", seating.MethodName(out.Method))
		if out.Seed != "" {
			fmt.Fprintf(stdout, "，随机种子 %s", out.Seed)
		}
		fmt.Fprintln(stdout)
		for _, p := range out.Sittings {
			fmt.Fprintf(stdout, "  %s %s %s–%s\n", p.Name, p.Day, p.Starts, p.Ends)
		}
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "--"
	}
	return s
}
