// Command assessment measures one assessment batch of thousands of
// candidates taken through the chain an assessment body runs (issue 15):
// roster with the office fields, photo ZIP, 核对补考, seats, theory import,
// practical sheets from the examiners' tablets, lock and sign-off, pass
// computation, 公示, 报审 and approval, certificates, and the certificate
// data report. Every step calls the code the pages and the CLI call; each
// step's wall time and share of the total are printed.
//
//	go run ./bench/assessment                          # SQLite in a temporary directory
//	go run ./bench/assessment --db 'mysql:root@tcp(127.0.0.1:3306)/assess_bench'   # an empty database
//
// The batch: --candidates (5,000) at 三级/高级工, of whom --retakes (2,000)
// are 补考 candidates carrying the 操作技能 they passed in an earlier batch
// (set up before the clock starts, with the same code) and sit the theory
// only; the others sit both, one 考评员's sheet each (3,000 sheets). Every
// candidate passes, so every one gets a certificate.
package main

import (
	"archive/zip"
	"bytes"
	"cmp"
	"context"
	_ "embed"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"skillscore"
	"skillscore/certificates"
	"skillscore/idnumber"
	"skillscore/imports"
	"skillscore/photos"
	"skillscore/privacy"
	"skillscore/report"
	"skillscore/results"
	"skillscore/retakes"
	"skillscore/roster"
	"skillscore/scoring"
	"skillscore/seating"
	"skillscore/store"
	"skillscore/templates"
	"skillscore/web"
)

//go:embed rules.json
var rulesJSON []byte

// photoSpec is the batch's photo: 358×441 pixels, 60 KB at most.
var photoSpec = store.PhotoSpec{MinWidth: 358, MinHeight: 441, MaxWidth: 358, MaxHeight: 441, MaxKB: 60}

const (
	organizer = "organizer"
	chief     = "bench-chief"
	reviewer  = "bench-reviewer"
	roomSeats = 100
	examiners = 30 // 考评员 on the skills; each scores a room's worth
	sheetsPer = 20 // sheets per store batch, as the tablets' writer groups them
)

type config struct {
	db         string // "" for SQLite in dir
	dir        string
	candidates int
	retakes    int
	out        io.Writer
	profile    io.Writer // a CPU profile of the timed steps, or nil
}

// step is one timed step of the chain.
type step struct {
	name string
	took time.Duration
	note string
}

func main() {
	var cfg config
	flag.StringVar(&cfg.db, "db", "", "database URL (sqlite:PATH or mysql:DSN of an empty database); default SQLite in a temporary directory")
	flag.IntVar(&cfg.candidates, "candidates", 5000, "candidates in the batch")
	flag.IntVar(&cfg.retakes, "retakes", 2000, "of them, 补考 candidates carrying the practical part")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the timed steps to this file")
	flag.Parse()
	dir, err := os.MkdirTemp("", "assessment-bench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer os.RemoveAll(dir)
	cfg.dir, cfg.out = dir, os.Stdout
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		cfg.profile = f
	}
	steps, err := run(context.Background(), cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "assessment:", err)
		os.Exit(1)
	}
	printSteps(os.Stdout, steps)
}

func printSteps(w io.Writer, steps []step) {
	var total time.Duration
	for _, s := range steps {
		total += s.took
	}
	fmt.Fprintf(w, "%-34s %10s %7s  %s\n", "step", "seconds", "share", "")
	for _, s := range steps {
		fmt.Fprintf(w, "%-34s %10.2f %6.1f%%  %s\n", s.name, s.took.Seconds(), 100*s.took.Seconds()/total.Seconds(), s.note)
	}
	fmt.Fprintf(w, "%-34s %10.2f\n", "total", total.Seconds())
}

// bench is one run's wiring: the store, the photo library, the
// certificate and report services.
type bench struct {
	cfg    config
	st     *store.Store
	lib    *photos.Library
	certs  *certificates.Service
	report *report.Service
	rng    *rand.Rand
	chief  store.User
	steps  []step
}

func run(ctx context.Context, cfg config) ([]step, error) {
	if cfg.retakes >= cfg.candidates {
		return nil, fmt.Errorf("--retakes (%d) must be fewer than --candidates (%d)", cfg.retakes, cfg.candidates)
	}
	keys, err := privacy.NewMemory()
	if err != nil {
		return nil, err
	}
	url := cmp.Or(cfg.db, "sqlite:"+filepath.Join(cfg.dir, "bench.db"))
	st, err := store.Open(ctx, url, store.Options{Keys: keys})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	b := &bench{cfg: cfg, st: st, lib: photos.New(st, filepath.Join(cfg.dir, "photos")), rng: rand.New(rand.NewPCG(15, 5000))}
	if err := b.wire(ctx); err != nil {
		return nil, err
	}
	fmt.Fprintf(cfg.out, "setting up the earlier batch of %d (not timed) …\n", cfg.retakes)
	people := invent(b.rng, cfg.candidates)
	if err := b.earlier(ctx, people[:cfg.retakes]); err != nil {
		return nil, fmt.Errorf("earlier batch: %w", err)
	}
	fmt.Fprintf(cfg.out, "the batch of %d (%d 补考) …\n", cfg.candidates, cfg.retakes)
	if cfg.profile != nil {
		if err := pprof.StartCPUProfile(cfg.profile); err != nil {
			return nil, err
		}
		defer pprof.StopCPUProfile()
	}
	if err := b.batch(ctx, people); err != nil {
		return nil, err
	}
	return b.steps, nil
}

// wire makes the services and the users the chain needs.
func (b *bench) wire(ctx context.Context) error {
	kdir := filepath.Join(b.cfg.dir, "keys")
	if _, err := certificates.GenerateKey(kdir, time.Now()); err != nil {
		return err
	}
	kr, err := certificates.LoadKeyring(kdir)
	if err != nil {
		return err
	}
	fonts, err := certificates.LoadFonts(certificates.DefaultSongFont, certificates.DefaultKaiFont)
	if err != nil {
		return err
	}
	layouts, err := certificates.LoadLayouts(templates.CertificateLayouts())
	if err != nil {
		return err
	}
	rend, err := certificates.NewRenderer(fonts, layouts, nil)
	if err != nil {
		return err
	}
	numbering := certificates.DemoNumbering()
	b.certs, err = certificates.New(certificates.Config{Store: b.st, Numbering: numbering, Issuer: "江西省康养职业技能评价中心（基准测试）",
		VerifyURL: "http://127.0.0.1:8080/verify", Keys: kr, Renderer: rend, Photos: b.lib})
	if err != nil {
		return err
	}
	b.report = report.New(report.Config{Store: b.st, Photos: b.lib, Body: report.BodyOf("江西省康养职业技能评价中心（基准测试）", numbering)})
	b.chief, err = b.st.CreateUserWithGrant(ctx, store.User{Username: chief, Name: "考评组长（基准）", Role: store.RoleChief, PasswordHash: "x"},
		store.Grant{Role: store.RoleChief}, organizer)
	if err != nil {
		return err
	}
	_, err = b.st.CreateUserWithGrant(ctx, store.User{Username: reviewer, Name: "审核员（基准）", Role: store.RoleReviewer, PasswordHash: "x"},
		store.Grant{Role: store.RoleReviewer}, organizer)
	return err
}

// timed runs one step and records its time.
func (b *bench) timed(name string, fn func() (string, error)) error {
	runtime.GC()
	start := time.Now()
	note, err := fn()
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	s := step{name: name, took: time.Since(start), note: note}
	b.steps = append(b.steps, s)
	fmt.Fprintf(b.cfg.out, "  %-32s %8.2f s  %s\n", s.name, s.took.Seconds(), s.note)
	return nil
}

// person is one invented candidate.
type person struct {
	name, gender, id string
	female           bool
}

var (
	surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
	given    = []rune("华芳敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英兰红梅玲燕萍琴云辉鹏飞建国文斌志宏")
	regions  = []string{"360102", "360103", "360121", "360202", "360302", "360402", "360502", "360602", "360702", "360802", "360902", "361002", "361102"}
)

// invent makes n candidates with distinct 证件号码 (names may repeat, as
// in a real batch of thousands).
func invent(rng *rand.Rand, n int) []person {
	out := make([]person, 0, n)
	used := map[string]bool{}
	for len(out) < n {
		birth := time.Date(1970+rng.IntN(30), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
		female := rng.IntN(10) < 8
		seq := 2*rng.IntN(450) + 100
		gender := "女"
		if !female {
			seq++
			gender = "男"
		}
		id, err := idnumber.Make(regions[rng.IntN(len(regions))], birth, seq)
		if err != nil || used[id] {
			continue
		}
		used[id] = true
		name := string(surnames[rng.IntN(len(surnames))]) + string(given[rng.IntN(len(given))])
		if rng.IntN(2) == 0 {
			name += string(given[rng.IntN(len(given))])
		}
		out = append(out, person{name: name, gender: gender, id: id, female: female})
	}
	return out
}

// rosterXLSX is the office's roster file with every column it asks for.
func rosterXLSX(ps []person, source func(i int) string) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return nil, err
	}
	head := []any{"序号", "姓名", "性别", "证件类型", "证件号码", "民族", "文化程度", "工作单位", "设区市", "考生来源", "申报条件", "现等级", "现等级证书编号", "手机号码"}
	if err := sw.SetRow("A1", head); err != nil {
		return nil, err
	}
	for i, p := range ps {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		row := []any{i + 1, p.name, p.gender, "居民身份证", p.id, "汉族", "大学专科", "南昌市社会福利院", "南昌市", source(i),
			"取得本职业四级/中级工职业技能等级证书后，累计从事本职业工作5年（含）以上", "中级工",
			fmt.Sprintf("S000036%06d%02d4%06d", 100000+i%900000, 21+i%4, 1+i), fmt.Sprintf("139%08d", i)}
		if err := sw.SetRow(cell, row); err != nil {
			return nil, err
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// photoZIP is one JPEG per candidate named by 证件号码, each of the
// batch's size: a plain portrait (head and shoulders on a blue ground) in
// one of a few tones, so the files differ as real ones do.
func photoZIP(ps []person) ([]byte, error) {
	var tones [][]byte
	for k := 0; k < 8; k++ {
		img := image.NewRGBA(image.Rect(0, 0, photoSpec.MinWidth, photoSpec.MinHeight))
		skin := color.RGBA{uint8(230 - 6*k), uint8(190 - 5*k), uint8(160 - 4*k), 255}
		for y := 0; y < photoSpec.MinHeight; y++ {
			for x := 0; x < photoSpec.MinWidth; x++ {
				c := color.RGBA{67, 142, 219, 255}
				dx, dy := x-179, y-180
				switch {
				case dx*dx+dy*dy*3/4 < 90*90:
					c = skin
				case y > 330 && (x-179)*(x-179) < (y-250)*(y-250)*3:
					c = color.RGBA{uint8(30 + 10*k), 40, 60, 255}
				}
				img.SetRGBA(x, y, c)
			}
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
			return nil, err
		}
		tones = append(tones, buf.Bytes())
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i, p := range ps {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.id + ".jpg", Method: zip.Store})
		if err != nil {
			return nil, err
		}
		// A JPEG comment makes every file unique (the store keys photos
		// by content).
		data := tones[i%len(tones)]
		uniq := append(append([]byte{}, data[:2]...), comment(p.id)...)
		if _, err := w.Write(append(uniq, data[2:]...)); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// comment is a JPEG COM segment holding s.
func comment(s string) []byte {
	n := len(s) + 2
	return append([]byte{0xFF, 0xFE, byte(n >> 8), byte(n)}, s...)
}

// theoryXLSX is the exam system's export: 准考证号, 姓名, 成绩.
func theoryXLSX(ps []store.Contestant, entryNo map[int64]string, score func(i int) int64) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return nil, err
	}
	if err := sw.SetRow("A1", []any{"准考证号", "证件号码", "姓名", "理论成绩"}); err != nil {
		return nil, err
	}
	for i, c := range ps {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, []any{entryNo[c.ID], c.IDNumber, c.Name, scoring.Decimal(score(i)).String()}); err != nil {
			return nil, err
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// newEvent creates a batch with its rooms as the new-batch page does.
func (b *bench) newEvent(ctx context.Context, code, batchNo, startsOn string, n int) (store.Event, error) {
	ne, err := web.NewBatchEvent(store.Event{Code: code, Name: "2026年养老护理员（高级工）职业技能等级认定 " + batchNo, Occupation: "养老护理员",
		OccupationCode: "4-10-01-05", Specialty: "--", Level: 3, Year: 2026, Venue: "南昌 · 江西省康养职业技能评价中心（基准测试）",
		StartsOn: startsOn, Status: "running"}, rulesJSON)
	if err != nil {
		return store.Event{}, err
	}
	var rooms []store.ExamRoom
	for k := 0; k*roomSeats < n; k++ {
		rooms = append(rooms, store.ExamRoom{Code: fmt.Sprintf("K%02d", k+1), Site: "江西省康养职业技能评价中心",
			Name: fmt.Sprintf("第%d考场", k+1), Seats: roomSeats})
	}
	ev, _, err := b.st.CreateBatch(ctx, ne, store.Batch{BatchNo: batchNo, PublicityDays: 5, RetakeMonths: 12, PhotoSpec: photoSpec}, rooms, organizer)
	return ev, err
}

// importRoster runs the roster import as the page does.
func (b *bench) importRoster(ctx context.Context, eventID int64, ps []person, source func(i int) string) (int, error) {
	data, err := rosterXLSX(ps, source)
	if err != nil {
		return 0, err
	}
	rep, err := roster.Import(ctx, b.st, eventID, "考生名单.xlsx", data, roster.Options{Actor: organizer, Basis: store.BasisConsent})
	if err != nil {
		return 0, err
	}
	if rep.Rejected > 0 || rep.Stored == nil {
		for _, v := range rep.Verdicts {
			if !v.Accepted {
				return 0, fmt.Errorf("roster refused %d rows; row %d: %+v", rep.Rejected, v.Row, v.Problems)
			}
		}
		return 0, fmt.Errorf("roster not stored")
	}
	return len(data), nil
}

// seat gives seats and 准考证号 for the theory and skills sittings.
func (b *bench) seat(ctx context.Context, eventID int64, day string) (map[int64]string, error) {
	if _, err := b.st.AssignSeats(ctx, eventID, seating.ByEntryNo, "", []seating.Sitting{
		{Module: "theory", Day: day, Starts: "08:30", Ends: "10:00"},
		{Module: "skill", Day: day, Starts: "13:30", Ends: "16:30"},
	}, organizer); err != nil {
		return nil, err
	}
	people, err := b.st.SchedulePeople(ctx, eventID)
	if err != nil {
		return nil, err
	}
	out := map[int64]string{}
	for _, p := range people {
		out[p.ContestantID] = p.EntryNo
	}
	return out, nil
}

// importTheory imports the exam system's export as the page does.
func (b *bench) importTheory(ctx context.Context, ev store.Event, entryNo map[int64]string, score func(i int) int64) (string, error) {
	cs, err := b.st.Contestants(ctx, ev.ID)
	if err != nil {
		return "", err
	}
	if err := b.st.OpenPersonal(cs); err != nil {
		return "", err
	}
	data, err := theoryXLSX(cs, entryNo, score)
	if err != nil {
		return "", err
	}
	in, err := imports.LoadScoresInput(ctx, b.st, ev, "theory")
	if err != nil {
		return "", err
	}
	plan, ps, err := imports.Scores("理论成绩.xlsx", data, in)
	if err != nil {
		return "", err
	}
	if len(ps) > 0 {
		return "", fmt.Errorf("theory file refused: %+v", ps[0])
	}
	if _, err := b.st.ImportScores(ctx, ev.ID, plan.Module.ID, plan.Scores, "理论成绩.xlsx", organizer); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d rows", len(plan.Scores)), nil
}

// practical has examiners score the candidates who sit the skills: each
// candidate one sheet (every aspect marked, then submitted) sent through
// the store's batched path the tablets' writer uses.
func (b *bench) practical(ctx context.Context, eventID int64, sitting []store.Contestant, entryNo map[int64]string, pct func(i int) int) (int, error) {
	mods, err := b.st.Modules(ctx, eventID)
	if err != nil {
		return 0, err
	}
	var skill store.Module
	for _, m := range mods {
		if m.Code == "skill" {
			skill = m
		}
	}
	rules, err := scoring.ParseRules(rulesJSON)
	if err != nil {
		return 0, err
	}
	var rm scoring.Module
	for _, m := range rules.Modules {
		if m.Code == "skill" {
			rm = m
		}
	}
	var judges []store.Judge
	for k := 0; k < examiners; k++ {
		j, err := b.st.AddJudge(ctx, store.Judge{EventID: eventID, Code: fmt.Sprintf("J%02d", k+1), Name: fmt.Sprintf("考评员%02d", k+1),
			Organization: "江西省康养职业技能评价中心考评员库", City: "南昌市"}, []store.PanelMember{{ModuleID: skill.ID, Chief: k == 0}}, organizer)
		if err != nil {
			return 0, err
		}
		judges = append(judges, j)
	}
	as := make([]store.Assignment, len(sitting))
	for i, c := range sitting {
		as[i] = store.Assignment{ModuleID: skill.ID, JudgeID: judges[i*examiners/len(sitting)].ID, ContestantID: c.ID}
	}
	if err := b.st.AddAssignments(ctx, eventID, as, organizer); err != nil {
		return 0, err
	}
	var ops []store.SheetOp
	n, sheets := 0, 0
	flush := func() error {
		res, err := b.st.ApplyOps(ctx, ops)
		if err != nil {
			return err
		}
		for _, r := range res {
			if r.Err != nil {
				return r.Err
			}
		}
		ops = ops[:0]
		return nil
	}
	for i, c := range sitting {
		j := judges[i*examiners/len(sitting)]
		by := fmt.Sprintf("judge:%d", j.ID)
		for ai, a := range rm.Aspects {
			n++
			ops = append(ops, store.SheetOp{OpID: fmt.Sprintf("bench-%d-%06d", eventID, n), Kind: store.OpMark, EventID: eventID,
				ModuleID: skill.ID, ContestantID: c.ID, JudgeID: j.ID, AspectID: skill.Aspects[ai].ID,
				Value: int64(aspectMark(a, pct(i), b.rng)), Actor: by, Subject: entryNo[c.ID]})
		}
		n++
		ops = append(ops, store.SheetOp{OpID: fmt.Sprintf("bench-%d-%06d", eventID, n), Kind: store.OpSubmit, EventID: eventID,
			ModuleID: skill.ID, ContestantID: c.ID, JudgeID: j.ID, Actor: by, Subject: entryNo[c.ID]})
		sheets++
		if sheets%sheetsPer == 0 {
			if err := flush(); err != nil {
				return 0, err
			}
		}
	}
	if len(ops) > 0 {
		if err := flush(); err != nil {
			return 0, err
		}
	}
	return sheets, nil
}

// aspectMark is a mark for a performance of about pct per cent, in the
// steps the tablet takes.
func aspectMark(a scoring.Aspect, pct int, rng *rand.Rand) scoring.Decimal {
	switch a.Kind {
	case scoring.Judgement:
		top := cmp.Or(a.Scale, 3)
		return scoring.Points(int64(min(top, (top*pct+rng.IntN(100))/100)))
	case scoring.Measurement:
		if a.Measure == nil {
			if rng.IntN(100) < pct+25 {
				return scoring.Points(1)
			}
			return 0
		}
	case scoring.Deduction:
		return min(a.Max, scoring.Points(int64(max(0, (95-pct)/12))))
	}
	return 0
}

// lockAndSignOff locks every submitted sheet and signs the skills off, as
// the 考评组长 does on the desk (全部锁定, then 签字确认).
func (b *bench) lockAndSignOff(ctx context.Context, eventID int64) (int, error) {
	mods, err := b.st.Modules(ctx, eventID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range mods {
		if m.Imported {
			continue
		}
		locked, _, err := b.st.LockSubmitted(ctx, eventID, m.ID, chief)
		if err != nil {
			return 0, err
		}
		n += len(locked)
		if err := b.st.SignOffModule(ctx, eventID, m.ID, b.chief.ID, chief); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// passes computes the batch's results and counts who passed.
func (b *bench) passes(ctx context.Context, eventID int64) (passed, total int, err error) {
	snap, err := b.st.Snapshot(ctx, eventID)
	if err != nil {
		return 0, 0, err
	}
	sd, err := results.Compute(snap)
	if err != nil {
		return 0, 0, err
	}
	for _, c := range sd.Result.Contestants {
		total++
		if c.Pass != nil && *c.Pass {
			passed++
		}
	}
	return passed, total, nil
}

// publicityStart is a Monday of 2026 (the seeded calendar): the 公示 of
// five working days from it is over by the time the bench runs.
var publicityStart = time.Date(2026, 3, 2, 9, 0, 0, 0, skillscore.China())

// earlier sets up the batch the 补考 candidates come from: they passed its
// skills and failed its theory; its results are final.
func (b *bench) earlier(ctx context.Context, ps []person) error {
	ev, err := b.newEvent(ctx, "bench-earlier", "2026-BENCH-01", "2026-01-10", len(ps))
	if err != nil {
		return err
	}
	if _, err := b.importRoster(ctx, ev.ID, ps, func(int) string { return "新考" }); err != nil {
		return err
	}
	entryNo, err := b.seat(ctx, ev.ID, "2026-01-10")
	if err != nil {
		return err
	}
	if _, err := b.importTheory(ctx, ev, entryNo, func(i int) int64 { return int64(400000 + 10000*(i%15)) }); err != nil {
		return err
	}
	cs, err := b.st.Contestants(ctx, ev.ID)
	if err != nil {
		return err
	}
	if _, err := b.practical(ctx, ev.ID, cs, entryNo, func(i int) int { return 78 + i%15 }); err != nil {
		return err
	}
	if _, err := b.lockAndSignOff(ctx, ev.ID); err != nil {
		return err
	}
	if _, err := b.st.PublishResults(ctx, ev.ID, publicityStart, time.Time{}, organizer); err != nil {
		return err
	}
	return b.st.SubmitBatch(ctx, ev.ID, organizer) // the results become final
}

// batch is the timed chain.
func (b *bench) batch(ctx context.Context, ps []person) error {
	ev, err := b.newEvent(ctx, "bench-batch", "2026-BENCH-02", "2026-02-07", len(ps))
	if err != nil {
		return err
	}
	retake := b.cfg.retakes
	if err := b.timed("roster import (.xlsx)", func() (string, error) {
		size, err := b.importRoster(ctx, ev.ID, ps, func(i int) string {
			if i < retake {
				return "补考"
			}
			return "新考"
		})
		return fmt.Sprintf("%d candidates, %d KiB", len(ps), size/1024), err
	}); err != nil {
		return err
	}
	zipData, err := photoZIP(ps)
	if err != nil {
		return err
	}
	if err := b.timed("photo ZIP import", func() (string, error) {
		src, err := photos.ZipBytes(ctx, "照片.zip", zipData)
		if err != nil {
			return "", err
		}
		defer src.Close()
		rep, err := b.lib.Import(ctx, ev.ID, src, photos.Options{Actor: organizer})
		if err == nil {
			err = rep.ImportError()
		}
		return fmt.Sprintf("%d photos, %d MiB", len(ps), len(zipData)>>20), err
	}); err != nil {
		return err
	}
	if err := b.timed("核对补考 (carry the practical)", func() (string, error) {
		rep, err := retakes.Apply(ctx, b.st, ev.ID, organizer)
		if err != nil {
			return "", err
		}
		if len(rep.Parts()) != retake {
			return "", fmt.Errorf("%d parts carried, want %d (refused: %d)", len(rep.Parts()), retake, len(rep.Refused()))
		}
		return fmt.Sprintf("%d parts carried", len(rep.Parts())), nil
	}); err != nil {
		return err
	}
	var entryNo map[int64]string
	if err := b.timed("seats and 准考证号", func() (string, error) {
		entryNo, err = b.seat(ctx, ev.ID, "2026-02-07")
		return fmt.Sprintf("%d rooms", (len(ps)+roomSeats-1)/roomSeats), err
	}); err != nil {
		return err
	}
	if err := b.timed("theory import (.xlsx)", func() (string, error) {
		return b.importTheory(ctx, ev, entryNo, func(i int) int64 { return int64(620000 + 10000*(i%35)) })
	}); err != nil {
		return err
	}
	cs, err := b.st.Contestants(ctx, ev.ID)
	if err != nil {
		return err
	}
	if err := b.st.OpenPersonal(cs); err != nil {
		return err
	}
	carried := map[string]bool{}
	for _, p := range ps[:retake] {
		carried[p.id] = true
	}
	var sitting []store.Contestant
	for _, c := range cs {
		if !carried[c.IDNumber] {
			sitting = append(sitting, c)
		}
	}
	if err := b.timed("practical sheets (tablets' path)", func() (string, error) {
		n, err := b.practical(ctx, ev.ID, sitting, entryNo, func(i int) int { return 75 + i%20 })
		return fmt.Sprintf("%d sheets by %d examiners, %d per commit", n, examiners, sheetsPer), err
	}); err != nil {
		return err
	}
	if err := b.timed("lock and sign-off", func() (string, error) {
		n, err := b.lockAndSignOff(ctx, ev.ID)
		return fmt.Sprintf("%d sheets locked", n), err
	}); err != nil {
		return err
	}
	if err := b.timed("pass computation", func() (string, error) {
		passed, total, err := b.passes(ctx, ev.ID)
		if err == nil && passed != len(ps) {
			err = fmt.Errorf("%d of %d passed, want all %d", passed, total, len(ps))
		}
		return fmt.Sprintf("%d of %d passed", passed, total), err
	}); err != nil {
		return err
	}
	if err := b.timed("公示, 报审 and approval", func() (string, error) {
		if _, err := b.st.PublishResults(ctx, ev.ID, publicityStart.AddDate(0, 0, 7), time.Time{}, organizer); err != nil {
			return "", err
		}
		if err := b.st.SubmitBatch(ctx, ev.ID, organizer); err != nil {
			return "", err
		}
		return "", b.st.ApproveBatch(ctx, ev.ID, reviewer)
	}); err != nil {
		return err
	}
	certDir := filepath.Join(b.cfg.dir, "certificates")
	if err := os.MkdirAll(certDir, 0o700); err != nil {
		return err
	}
	if err := b.timed("certificates (issue, ZIP, one PDF)", func() (string, error) {
		res, err := b.certs.Issue(ctx, ev.ID, organizer)
		if err != nil {
			return "", err
		}
		docs, err := b.certs.Documents(ctx, ev.ID)
		if err != nil {
			return "", err
		}
		zsize, err := writeFile(filepath.Join(certDir, "certificates.zip"), func(w io.Writer) error {
			return b.certs.WriteZip(ctx, w, docs, nil)
		})
		if err != nil {
			return "", err
		}
		psize, err := writeFile(filepath.Join(certDir, "certificates.pdf"), func(w io.Writer) error {
			return b.certs.WriteCombined(w, docs, nil)
		})
		if res.New != len(ps) {
			err = cmp.Or(err, fmt.Errorf("%d certificates issued, want %d", res.New, len(ps)))
		}
		return fmt.Sprintf("%d issued; ZIP %d MiB, PDF %d MiB", res.New, zsize>>20, psize>>20), err
	}); err != nil {
		return err
	}
	return b.timed("report export (xlsx, JSON, photos)", func() (string, error) {
		var sizes []string
		for _, format := range []string{report.FormatXLSX, report.FormatJSON} {
			f, err := b.report.Export(ctx, ev, format, "", organizer)
			if err != nil {
				return "", err
			}
			sizes = append(sizes, fmt.Sprintf("%s %d KiB", format, len(f.Data)/1024))
		}
		_, write, err := b.report.Photos(ctx, ev, organizer)
		if err != nil {
			return "", err
		}
		n, err := writeFile(filepath.Join(b.cfg.dir, "photos.zip"), func(w io.Writer) error { return write(ctx, w) })
		sizes = append(sizes, fmt.Sprintf("photos %d MiB", n>>20))
		return strings.Join(sizes, ", "), err
	})
}

// writeFile writes a file through fn and returns its size.
func writeFile(path string, fn func(w io.Writer) error) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	if err := fn(f); err != nil {
		f.Close()
		return 0, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return 0, err
	}
	return info.Size(), f.Close()
}
