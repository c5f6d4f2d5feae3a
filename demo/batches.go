package demo

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"skillscore"
	"skillscore/examples"
	"skillscore/idnumber"
	"skillscore/levels"
	"skillscore/scoring"
	"skillscore/seating"
	"skillscore/sessions"
	"skillscore/store"
)

// The demo's two assessment batches (认定批次, issue 15) of 养老护理员 at
// 二级/技师, as the 评价机构 sees them: an earlier batch taken through 公示,
// 报审 and approval with its certificates issued, in which one candidate
// passed theory and failed the skills; and the current batch on its first
// day, where that candidate is back as a 补考 carrying the passed theory.
const (
	EarlierBatchCode = "jx-ylhly-js-2026-06"
	EarlierBatchNo   = "2026-KY-06"
	BatchCode        = "jx-ylhly-js-2026-12"
	BatchNo          = "2026-KY-12"
	// BatchRulesFile is the technician preset: theory, skills and 综合评审
	// (论文与答辩), each passing at 60.
	BatchRulesFile = "assessment-yanglao-technician.json"
)

// The current batch's candidates by roster position: the 补考 candidate
// (back from the earlier batch, where they sit at EarlierRetake) and the
// one absent from the theory sitting (缺考).
const (
	BatchCandidates = 26
	BatchRetake     = 2
	BatchAbsent     = 4
	EarlierCount    = 12
	EarlierRetake   = 4
	// EarlierTheoryFail failed the earlier batch's theory (no certificate).
	EarlierTheoryFail = 9
)

// BatchPhotoSpec is what both batches ask of a photo: the 358×441 pixels
// of a 2-inch ID photo and 60 KB at most.
var BatchPhotoSpec = store.PhotoSpec{MinWidth: 358, MinHeight: 441, MaxWidth: 358, MaxHeight: 441, MaxKB: 60}

// BatchesStore is what building the assessment batches needs: the store
// methods behind the batch's pages, the roster import, the photo store,
// 核对补考, 检录 and the judges' tablets.
type BatchesStore interface {
	FinishedStore
	Contestants(ctx context.Context, eventID int64) ([]store.Contestant, error)
	CreateBatch(ctx context.Context, ne store.NewEvent, b store.Batch, rooms []store.ExamRoom, actor string) (store.Event, store.Batch, error)
	AssignSeats(ctx context.Context, eventID int64, method, seed string, sittings []seating.Sitting, actor string) (store.Seating, error)
	Schedule(ctx context.Context, eventID int64) ([]store.SessionState, error)
	CloseSession(ctx context.Context, eventID int64, session, actor string) ([]int64, error)
	// 报审 and the supervising office's approval.
	SubmitBatch(ctx context.Context, eventID int64, actor string) error
	ApproveBatch(ctx context.Context, eventID int64, actor string) error
}

// BatchOptions are what the batches need from the command building the
// demo.
type BatchOptions struct {
	People
	// Reviewer is the username of the supervising office's 审核员, who
	// approves the earlier batch: a reviewer over it by then.
	Reviewer string
	// NewEvent makes a batch's event from its rules as the new-batch page
	// does (web.NewBatchEvent).
	NewEvent func(ev store.Event, rules []byte) (store.NewEvent, error)
	// Photos is the photo store's directory.
	Photos string
	// Issue issues an event's certificates at the clock's time, signed with
	// the demo server's key.
	Issue func(ctx context.Context, eventID int64) error
	// ImportRoster, ImportPhotos and ApplyRetakes are the office's steps
	// as the pages run them (roster.Import, photos' ZIP import,
	// retakes.Apply), given by the command: the demo package must not
	// import those packages, whose tests import the demo.
	ImportRoster func(ctx context.Context, eventID int64, file string, data []byte) error
	ImportPhotos func(ctx context.Context, eventID int64, zipName string, data []byte) error
	// ApplyRetakes returns how many parts it carried.
	ApplyRetakes func(ctx context.Context, eventID int64) (int, error)
}

// EnsureBatches makes the two assessment batches unless the store holds
// them (the earlier first: the current one's 补考 finds it). The store
// must have been opened with clock.
func EnsureBatches(ctx context.Context, st BatchesStore, clock *Clock, o BatchOptions) (created bool, err error) {
	pt := newPainter(BatchPhotoSpec.MinWidth, BatchPhotoSpec.MinHeight)
	if _, err := st.EventByCode(ctx, EarlierBatchCode); err != nil {
		if err := createEarlierBatch(ctx, st, clock, o, pt); err != nil {
			return false, fmt.Errorf("demo batch %s: %w", EarlierBatchNo, err)
		}
		created = true
	}
	if _, err := st.EventByCode(ctx, BatchCode); err != nil {
		if err := createCurrentBatch(ctx, st, clock, o, pt); err != nil {
			return false, fmt.Errorf("demo batch %s: %w", BatchNo, err)
		}
		created = true
	}
	return created, nil
}

// day is a time on a day of 2026 in China Standard Time.
func day(month time.Month, d, hour, minute int) time.Time {
	return time.Date(2026, month, d, hour, minute, 0, 0, skillscore.China())
}

// candidate is one invented person of a batch's roster file.
type candidate struct {
	name, gender, id, ethnicity, education, org, city, qualification, certNo, phone string
	source                                                                          string // 新考 | 补考
}

// The 申报条件 of 二级/技师 in the 国家职业技能标准 养老护理员 (2019).
var technicianQualifications = []string{
	"取得本职业三级/高级工职业技能等级证书后，累计从事本职业工作4年（含）以上",
	"取得本职业三级/高级工职业技能等级证书的高级技工学校、技师学院毕业生，累计从事本职业工作3年（含）以上",
	"取得本职业三级/高级工职业技能等级证书的大学专科及以上毕业生，累计从事本职业工作2年（含）以上",
}

var (
	ethnicities = []string{"汉族", "汉族", "汉族", "汉族", "汉族", "汉族", "畲族", "回族", "苗族"}
	educations  = []string{"大学专科", "中等专科", "大学本科", "普通高中", "技工学校", "大学专科"}
)

// batchRoster invents n candidates of 高级工 applying for 技师, each with
// the office fields; names in used are not taken again.
func batchRoster(rng *rand.Rand, n int, used map[string]bool) []candidate {
	var out []candidate
	for i := 0; i < n; i++ {
		c := cities[(i+3)%len(cities)]
		birth := time.Date(1972+rng.IntN(22), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
		female := rng.IntN(10) < 8
		seq := 2*rng.IntN(400) + 100
		gender := "女"
		if !female {
			seq++
			gender = "男"
		}
		id, err := idnumber.Make(c.region, birth, seq)
		if err != nil {
			panic(err) // the inputs above are always in range
		}
		var name string
		for name == "" || used[name] {
			name = string(surnames[rng.IntN(len(surnames))]) + givenNames[rng.IntN(len(givenNames))]
		}
		used[name] = true
		// The 高级工 certificate they hold: another body's, a few years old.
		certNo := fmt.Sprintf("S%04d36%06d%02d3%06d", 1001+rng.IntN(60), 100+rng.IntN(900), 20+rng.IntN(4), 1+rng.IntN(99999))
		out = append(out, candidate{name: name, gender: gender, id: id, ethnicity: ethnicities[rng.IntN(len(ethnicities))],
			education: educations[rng.IntN(len(educations))], org: c.orgs[rng.IntN(len(c.orgs))], city: c.name,
			qualification: technicianQualifications[rng.IntN(len(technicianQualifications))], certNo: certNo,
			phone: fmt.Sprintf("1%d%08d", []int{38, 39, 59, 37, 88}[rng.IntN(5)], rng.IntN(100_000_000)), source: "新考"})
	}
	return out
}

// rosterCSV is the roster file an office would hand in, with every column
// the offices ask for.
func rosterCSV(cs []candidate) []byte {
	var b strings.Builder
	b.WriteString("序号,姓名,性别,证件类型,证件号码,民族,文化程度,工作单位,设区市,考生来源,申报条件,现等级,现等级证书编号,手机号码\n")
	for i, c := range cs {
		fmt.Fprintf(&b, "%d,%s,%s,居民身份证,%s,%s,%s,%s,%s,%s,%s,高级工,%s,%s\n", i+1, c.name, c.gender, c.id, c.ethnicity,
			c.education, c.org, c.city, c.source, c.qualification, c.certNo, c.phone)
	}
	return []byte(b.String())
}

// photoZIP is the photo ZIP an office collects: one JPEG per candidate
// named by 证件号码, each meeting the batch's spec.
func photoZIP(cs []candidate, pt *painter, rng *rand.Rand) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, c := range cs {
		// Stored, not deflated: a JPEG does not shrink.
		w, err := zw.CreateHeader(&zip.FileHeader{Name: c.id + ".jpg", Method: zip.Store})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(pt.portrait(c.gender == "女", rng)); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// batchExaminers are the 考评员 (invented): three per room for the skills,
// three for the 综合评审 panel.
var batchExaminers = []string{"游建华", "刘春兰", "程志勇", "廖晓梅", "黄国栋", "蔡丽萍", "邓文涛", "严淑芬", "彭建军"}

// newBatch creates a batch as the new-batch page does, its rooms with it,
// and imports its roster and photos as an office's files.
func newBatch(ctx context.Context, st BatchesStore, o BatchOptions, ev store.Event, b store.Batch, rooms []store.ExamRoom,
	cs []candidate, pt *painter, rng *rand.Rand) (store.Event, []store.Contestant, error) {
	raw, err := examples.Files.ReadFile(BatchRulesFile)
	if err != nil {
		return store.Event{}, nil, err
	}
	ne, err := o.NewEvent(ev, raw)
	if err != nil {
		return store.Event{}, nil, err
	}
	ev, _, err = st.CreateBatch(ctx, ne, b, rooms, o.Organizer)
	if err != nil {
		return store.Event{}, nil, err
	}
	file := fmt.Sprintf("%s批次考生名单（演示）.csv", b.BatchNo)
	if err := o.ImportRoster(ctx, ev.ID, file, rosterCSV(cs)); err != nil {
		return store.Event{}, nil, fmt.Errorf("roster: %w", err)
	}
	data, err := photoZIP(cs, pt, rng)
	if err != nil {
		return store.Event{}, nil, err
	}
	if err := o.ImportPhotos(ctx, ev.ID, b.BatchNo+"批次照片（演示）.zip", data); err != nil {
		return store.Event{}, nil, fmt.Errorf("photos: %w", err)
	}
	people, err := st.Contestants(ctx, ev.ID)
	if err != nil {
		return store.Event{}, nil, err
	}
	// In roster order, whatever order the store lists them in.
	byID := map[string]store.Contestant{}
	for _, p := range people {
		byID[p.IDNumber] = p
	}
	out := make([]store.Contestant, len(cs))
	for i, c := range cs {
		out[i] = byID[c.id]
	}
	return ev, out, nil
}

// seated is a batch after its seating: each candidate's sittings by
// module and their 准考证号.
type seated struct {
	sittings map[string][]store.SessionState // module → one per room, in room order
	entryNo  map[int64]string
}

func seat(ctx context.Context, st BatchesStore, actor string, eventID int64, sittings []seating.Sitting) (seated, error) {
	if _, err := st.AssignSeats(ctx, eventID, seating.ByEntryNo, "", sittings, actor); err != nil {
		return seated{}, fmt.Errorf("seats: %w", err)
	}
	return loadSeated(ctx, st, eventID)
}

func loadSeated(ctx context.Context, st BatchesStore, eventID int64) (seated, error) {
	ss, err := st.Schedule(ctx, eventID)
	if err != nil {
		return seated{}, err
	}
	out := seated{sittings: map[string][]store.SessionState{}, entryNo: map[int64]string{}}
	for _, s := range ss {
		out.sittings[s.Module] = append(out.sittings[s.Module], s)
	}
	people, err := st.SchedulePeople(ctx, eventID)
	if err != nil {
		return seated{}, err
	}
	for _, p := range people {
		out.entryNo[p.ContestantID] = p.EntryNo
	}
	return out, nil
}

// signIn records the 签到 of who at a sitting as the keeper's tablet sends
// it at an assessment: the 准考证号 and the last 4 of the 证件号码, then the
// keeper's verdict of the identity check (the person against the photo and
// the ID card); 40 seconds apart from at.
func signIn(ctx context.Context, st BatchesStore, clock *Clock, eventID int64, s store.SessionState, who []store.Contestant,
	entryNo map[int64]string, at time.Time, keeper string) error {
	for i, c := range who {
		clock.Set(at.Add(time.Duration(i) * 40 * time.Second))
		if _, err := st.CheckIn(ctx, store.CheckinRequest{EventID: eventID, Session: s.Code, EntryNo: entryNo[c.ID],
			Digits: last4(c.IDNumber), Verdict: sessions.VerdictMatch, Actor: keeper}); err != nil {
			return fmt.Errorf("sign-in %s: %w", s.Code, err)
		}
	}
	return nil
}

// inSitting are the candidates of a sitting, in seat order, from all.
func inSitting(s store.SessionState, all []store.Contestant) []store.Contestant {
	byID := map[int64]store.Contestant{}
	for _, c := range all {
		byID[c.ID] = c
	}
	var out []store.Contestant
	for _, e := range s.Entries {
		out = append(out, byID[e.ContestantID])
	}
	return out
}

// theoryScores invents computer-based theory results, 62.0–95.5 in half
// points; fixed gives some candidates (by id) their own, a negative one 缺考;
// skip are left out of the file (their theory is carried).
func theoryScores(cs []store.Contestant, rng *rand.Rand, fixed map[int64]int64, skip map[int64]bool) []store.ImportedScore {
	var out []store.ImportedScore
	for _, c := range cs {
		if skip[c.ID] {
			continue
		}
		v := int64(124+rng.IntN(68)) * int64(scoring.DecimalScale) / 2
		if f, ok := fixed[c.ID]; ok {
			v = f
		}
		if v < 0 {
			out = append(out, store.ImportedScore{ContestantID: c.ID, Absent: true})
			continue
		}
		out = append(out, store.ImportedScore{ContestantID: c.ID, Value: v})
	}
	return out
}

// batchPanels adds the 考评员: three per room for the skills (each room's
// candidates assigned to its three), and a 综合评审 panel of three for
// everyone. It returns the panels by module code, the skills one per room.
func batchPanels(ctx context.Context, st BatchesStore, eventID int64, mods []store.Module, rooms []store.SessionState,
	all []store.Contestant) (map[string][]panel, error) {
	byCode := map[string]store.Module{}
	for _, m := range mods {
		byCode[m.Code] = m
	}
	skill, review := byCode["skill"], byCode["review"]
	out := map[string][]panel{}
	k := 0
	add := func(m store.Module) (panel, error) {
		p := panel{module: m}
		for j := 0; j < 3; j++ {
			c := cities[(k+7)%len(cities)]
			jd, err := st.AddJudge(ctx, store.Judge{EventID: eventID, Code: fmt.Sprintf("J%02d", k+1), Name: batchExaminers[k%len(batchExaminers)],
				Organization: "江西省康养职业技能评价中心（演示）考评员库", City: c.name},
				[]store.PanelMember{{ModuleID: m.ID, Chief: j == 0}}, actor)
			if err != nil {
				return panel{}, fmt.Errorf("examiner: %w", err)
			}
			p.judges = append(p.judges, jd)
			k++
		}
		return p, nil
	}
	var as []store.Assignment
	for _, room := range rooms {
		p, err := add(skill)
		if err != nil {
			return nil, err
		}
		for _, e := range room.Entries {
			for _, j := range p.judges {
				as = append(as, store.Assignment{ModuleID: skill.ID, JudgeID: j.ID, ContestantID: e.ContestantID})
			}
		}
		out[skill.Code] = append(out[skill.Code], p)
	}
	p, err := add(review)
	if err != nil {
		return nil, err
	}
	for _, c := range all {
		for _, j := range p.judges {
			as = append(as, store.Assignment{ModuleID: review.ID, JudgeID: j.ID, ContestantID: c.ID})
		}
	}
	out[review.Code] = []panel{p}
	if err := st.AddAssignments(ctx, eventID, as, actor); err != nil {
		return nil, fmt.Errorf("assignments: %w", err)
	}
	return out, nil
}

// sheetOps are one examiner's sheet for one candidate as the tablet sends
// it: each aspect's mark for a performance of about pct per cent, then,
// when submit, the signature.
func sheetOps(eventID int64, p panel, rm scoring.Module, j store.Judge, c store.Contestant, entryNo string, pct int,
	submit bool, rng *rand.Rand, n *int) []store.SheetOp {
	by := fmt.Sprintf("judge:%d", j.ID)
	var ops []store.SheetOp
	for ai, a := range rm.Aspects {
		*n++
		ops = append(ops, store.SheetOp{OpID: fmt.Sprintf("batch-%d-%05d", eventID, *n), Kind: store.OpMark, EventID: eventID,
			ModuleID: p.module.ID, ContestantID: c.ID, JudgeID: j.ID, AspectID: p.module.Aspects[ai].ID,
			Value: int64(aspectMark(a, pct, rng)), Actor: by, Subject: entryNo})
	}
	if submit {
		*n++
		ops = append(ops, store.SheetOp{OpID: fmt.Sprintf("batch-%d-%05d", eventID, *n), Kind: store.OpSubmit, EventID: eventID,
			ModuleID: p.module.ID, ContestantID: c.ID, JudgeID: j.ID, Actor: by, Subject: entryNo})
	}
	return ops
}

// aspectMark is an examiner's mark of an aspect for a performance of about
// pct per cent (0–100), in whole steps as the tablet takes them.
func aspectMark(a scoring.Aspect, pct int, rng *rand.Rand) scoring.Decimal {
	switch a.Kind {
	case scoring.Judgement:
		top := a.Scale
		if top == 0 {
			top = 3
		}
		// Rounded up or down at random in proportion, so the marks
		// average pct.
		return scoring.Points(int64(min(top, (top*pct+rng.IntN(100))/100)))
	case scoring.Measurement:
		if a.Measure == nil {
			if rng.IntN(100) < pct+25 {
				return scoring.Points(1)
			}
			return 0
		}
		lo, hi := scoring.Decimal(0), a.Max
		if a.Measure.Min != nil {
			lo = *a.Measure.Min
		}
		if a.Measure.Max != nil {
			hi = *a.Measure.Max
		}
		step := scoring.Decimal(scoring.DecimalScale)
		if a.Measure.Step != nil && *a.Measure.Step > 0 {
			step = *a.Measure.Step
		}
		v := lo + (hi-lo)*scoring.Decimal(pct)/100
		v = v/step*step + step*scoring.Decimal(rng.IntN(3)-1)
		return min(hi, max(lo, v))
	case scoring.Deduction:
		if a.Unit != nil && *a.Unit > 0 {
			return scoring.Points(int64(max(0, (90-pct)/15)))
		}
		return min(a.Max, scoring.Points(int64(max(0, (95-pct)/12))))
	}
	return 0
}

func applyAll(ctx context.Context, st BatchesStore, ops []store.SheetOp) error {
	res, err := st.ApplyOps(ctx, ops)
	if err != nil {
		return fmt.Errorf("marks: %w", err)
	}
	for _, r := range res {
		if r.Err != nil {
			return fmt.Errorf("marks: %w", r.Err)
		}
	}
	return nil
}

// batchRules are the technician preset's rules, for the marks.
func batchRules() (map[string]scoring.Module, error) {
	raw, err := examples.Files.ReadFile(BatchRulesFile)
	if err != nil {
		return nil, err
	}
	rules, err := scoring.ParseRules(raw)
	if err != nil {
		return nil, err
	}
	out := map[string]scoring.Module{}
	for _, m := range rules.Modules {
		out[m.Code] = m
	}
	return out, nil
}

// batchEvent is the event of one of the demo's batches.
func batchEvent(code, name, venue, startsOn, status string) store.Event {
	return store.Event{Code: code, Name: name, Occupation: "养老护理员", OccupationCode: "4-10-01-05", Specialty: "--",
		Level: levels.Technician, Year: 2026, Venue: venue, StartsOn: startsOn, Status: status}
}

// The sittings of a batch: theory and skills on the first day, the 综合评审
// (论文答辩) on the second.
func batchSittings(first, second string) []seating.Sitting {
	return []seating.Sitting{
		{Module: "theory", Day: first, Starts: "08:30", Ends: "10:00"},
		{Module: "skill", Day: first, Starts: "13:30", Ends: "16:30"},
		{Module: "review", Day: second, Starts: "09:00", Ends: "12:00"},
	}
}

// createEarlierBatch makes 2026-KY-06 (13–14 June 2026) and takes it
// through every step: roster, photos, seats, sign-in, theory imported,
// skills and 综合评审 marked on the tablets, locked and signed off, 公示,
// 报审, approved by the reviewer and certificates issued. One candidate
// passes theory and fails the skills (they come back as the current
// batch's 补考); one fails theory.
func createEarlierBatch(ctx context.Context, st BatchesStore, clock *Clock, o BatchOptions, pt *painter) error {
	rng := rand.New(rand.NewPCG(2026, 6))
	used := map[string]bool{}
	cs := batchRoster(rng, EarlierCount, used)
	clock.Set(day(time.May, 18, 9, 0))
	ev := batchEvent(EarlierBatchCode, "2026年第6批养老护理员（技师）职业技能等级认定", "南昌 · 江西省康养职业技能评价中心（演示）", "2026-06-13", "final")
	b := store.Batch{BatchNo: EarlierBatchNo, EndsOn: "2026-06-14", PublicityDays: 5, RetakeMonths: 12, PhotoSpec: BatchPhotoSpec}
	rooms := []store.ExamRoom{{Code: "K01", Site: "江西省康养职业技能评价中心", Name: "第一考场（实训楼 201）", Seats: 15}}
	ev, people, err := newBatch(ctx, st, o, ev, b, rooms, cs, pt, rng)
	if err != nil {
		return err
	}
	clock.Set(day(time.June, 1, 10, 0))
	sd, err := seat(ctx, st, o.Organizer, ev.ID, batchSittings("2026-06-13", "2026-06-14"))
	if err != nil {
		return err
	}
	mods, err := st.Modules(ctx, ev.ID)
	if err != nil {
		return err
	}
	panels, err := batchPanels(ctx, st, ev.ID, mods, sd.sittings["skill"], people)
	if err != nil {
		return err
	}
	rules, err := batchRules()
	if err != nil {
		return err
	}
	// Everyone signs in at every sitting; each sitting closes after.
	for _, x := range []struct {
		module string
		at     time.Time
	}{{"theory", day(time.June, 13, 8, 5)}, {"skill", day(time.June, 13, 13, 5)}, {"review", day(time.June, 14, 8, 35)}} {
		for _, s := range sd.sittings[x.module] {
			if err := signIn(ctx, st, clock, ev.ID, s, inSitting(s, people), sd.entryNo, x.at, "keeper1"); err != nil {
				return err
			}
			clock.Set(x.at.Add(40 * time.Minute))
			if _, err := st.CloseSession(ctx, ev.ID, s.Code, o.Chief); err != nil {
				return err
			}
		}
	}
	clock.Set(day(time.June, 13, 11, 0))
	var theory store.Module
	for _, m := range mods {
		if m.Code == "theory" {
			theory = m
		}
	}
	scores := theoryScores(people, rng, map[int64]int64{
		people[EarlierRetake].ID:     785000, // passes theory …
		people[EarlierTheoryFail].ID: 520000,
	}, nil)
	if _, err := st.ImportScores(ctx, ev.ID, theory.ID, scores, "理论知识考试成绩（机考系统导出，演示）.xlsx", o.Organizer); err != nil {
		return fmt.Errorf("theory: %w", err)
	}
	// Skills on the afternoon of the 13th, 综合评审 on the 14th: every
	// examiner submits every sheet.
	n := 0
	var ops []store.SheetOp
	for _, p := range panels["skill"] {
		for _, c := range people {
			pct := 72 + rng.IntN(18)
			for _, j := range p.judges {
				if c.ID == people[EarlierRetake].ID {
					// … and fails the skills: the same clear faults on
					// every examiner's sheet.
					ops = append(ops, failedSkills(ev.ID, p, rules["skill"], j, c, sd.entryNo[c.ID], &n)...)
					continue
				}
				ops = append(ops, sheetOps(ev.ID, p, rules["skill"], j, c, sd.entryNo[c.ID], pct, true, rng, &n)...)
			}
		}
	}
	clock.Set(day(time.June, 13, 16, 40))
	if err := applyAll(ctx, st, ops); err != nil {
		return err
	}
	ops = ops[:0]
	p := panels["review"][0]
	for _, c := range people {
		pct := 70 + rng.IntN(22)
		if c.ID == people[EarlierRetake].ID {
			pct = 55
		}
		for _, j := range p.judges {
			ops = append(ops, sheetOps(ev.ID, p, rules["review"], j, c, sd.entryNo[c.ID], pct, true, rng, &n)...)
		}
	}
	clock.Set(day(time.June, 14, 12, 10))
	if err := applyAll(ctx, st, ops); err != nil {
		return err
	}
	clock.Set(day(time.June, 15, 17, 0))
	if err := lockAndSignOff(ctx, st, ev.ID, append(slices.Clone(panels["skill"]), panels["review"]...), o.People); err != nil {
		return err
	}
	// 公示 from Monday 22 June for the batch's five working days (the
	// store counts them on the calendar, 端午节 the Friday before), 报审
	// once they have run (the results become final), approval by the
	// supervising office's 审核员, then the certificates.
	start := day(time.June, 22, 9, 0)
	clock.Set(start)
	if _, err := st.PublishResults(ctx, ev.ID, start, time.Time{}, o.Organizer); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	clock.Set(day(time.June, 30, 10, 0))
	if err := st.SubmitBatch(ctx, ev.ID, o.Organizer); err != nil {
		return fmt.Errorf("submit: %w", err)
	}
	clock.Set(day(time.July, 2, 15, 30))
	if err := st.ApproveBatch(ctx, ev.ID, o.Reviewer); err != nil {
		return fmt.Errorf("approve: %w", err)
	}
	clock.Set(day(time.July, 6, 9, 0))
	if err := o.Issue(ctx, ev.ID); err != nil {
		return fmt.Errorf("certificates: %w", err)
	}
	return nil
}

// failedSkills is an examiner's sheet for a performance that fails: the
// care plan adequate, the transfer and the supervision of care weak, one
// deduction.
func failedSkills(eventID int64, p panel, rm scoring.Module, j store.Judge, c store.Contestant, entryNo string, n *int) []store.SheetOp {
	marks := map[string]scoring.Decimal{"S1": scoring.Points(2), "S2": scoring.Points(1), "S3": scoring.Points(1),
		"S4": scoring.Points(1), "S5": scoring.Points(1)}
	by := fmt.Sprintf("judge:%d", j.ID)
	var ops []store.SheetOp
	for ai, a := range rm.Aspects {
		*n++
		ops = append(ops, store.SheetOp{OpID: fmt.Sprintf("batch-%d-%05d", eventID, *n), Kind: store.OpMark, EventID: eventID,
			ModuleID: p.module.ID, ContestantID: c.ID, JudgeID: j.ID, AspectID: p.module.Aspects[ai].ID,
			Value: int64(marks[a.Code]), Actor: by, Subject: entryNo})
	}
	*n++
	return append(ops, store.SheetOp{OpID: fmt.Sprintf("batch-%d-%05d", eventID, *n), Kind: store.OpSubmit, EventID: eventID,
		ModuleID: p.module.ID, ContestantID: c.ID, JudgeID: j.ID, Actor: by, Subject: entryNo})
}

// createCurrentBatch makes 2026-KY-12 (5–6 December 2026) on its first
// afternoon: roster and photos imported, 核对补考 done (the candidate back
// from 2026-KY-06 carries the theory), seats and 准考证号 given, the theory
// sitting signed in and closed with one 缺考, its results imported, and the
// skills under way in both rooms: in 第一考场 most candidates signed in and
// several sheets submitted, in 第二考场 sign-in done and the first sheets
// coming. The 综合评审 is tomorrow.
func createCurrentBatch(ctx context.Context, st BatchesStore, clock *Clock, o BatchOptions, pt *painter) error {
	earlier, err := st.EventByCode(ctx, EarlierBatchCode)
	if err != nil {
		return err
	}
	prev, err := st.Contestants(ctx, earlier.ID)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(2026, 12))
	used := map[string]bool{}
	for _, p := range prev {
		used[p.Name] = true
	}
	cs := batchRoster(rng, BatchCandidates, used)
	// The 补考 candidate: the same person, with what the roster of the
	// earlier batch said of them.
	earlierRoster := batchRoster(rand.New(rand.NewPCG(2026, 6)), EarlierCount, map[string]bool{})
	back := earlierRoster[EarlierRetake]
	if !slices.ContainsFunc(prev, func(c store.Contestant) bool { return c.IDNumber == back.id && c.Name == back.name }) {
		return fmt.Errorf("%s is not the batch the demo made: no %s in it", EarlierBatchNo, back.name)
	}
	back.source = "补考"
	cs[BatchRetake] = back

	clock.Set(day(time.November, 2, 9, 0))
	ev := batchEvent(BatchCode, "2026年第12批养老护理员（技师）职业技能等级认定", "南昌 · 江西省康养职业技能评价中心（演示）", "2026-12-05", "running")
	b := store.Batch{BatchNo: BatchNo, EndsOn: "2026-12-06", PublicityDays: 5, RetakeMonths: 12, PhotoSpec: BatchPhotoSpec}
	rooms := []store.ExamRoom{
		{Code: "K01", Site: "江西省康养职业技能评价中心", Name: "第一考场（实训楼 201）", Seats: 14},
		{Code: "K02", Site: "江西省康养职业技能评价中心", Name: "第二考场（实训楼 202）", Seats: 14},
	}
	ev, people, err := newBatch(ctx, st, o, ev, b, rooms, cs, pt, rng)
	if err != nil {
		return err
	}
	// 核对补考: the earlier batch is final, its theory pass within the 12
	// months.
	clock.Set(day(time.November, 6, 15, 0))
	carried, err := o.ApplyRetakes(ctx, ev.ID)
	if err != nil {
		return fmt.Errorf("retakes: %w", err)
	}
	if carried != 1 {
		return fmt.Errorf("retakes: %d parts carried, want the theory of %s", carried, back.name)
	}
	clock.Set(day(time.November, 20, 10, 0))
	sd, err := seat(ctx, st, o.Organizer, ev.ID, batchSittings("2026-12-05", "2026-12-06"))
	if err != nil {
		return err
	}
	mods, err := st.Modules(ctx, ev.ID)
	if err != nil {
		return err
	}
	panels, err := batchPanels(ctx, st, ev.ID, mods, sd.sittings["skill"], people)
	if err != nil {
		return err
	}
	rules, err := batchRules()
	if err != nil {
		return err
	}
	absent, retake := people[BatchAbsent].ID, people[BatchRetake].ID
	// Theory: everyone due signs in but the absent one; the 补考 candidate
	// carries the theory and stays away; the sittings close at 08:45.
	for _, s := range sd.sittings["theory"] {
		var due []store.Contestant
		for _, c := range inSitting(s, people) {
			if c.ID != absent && c.ID != retake {
				due = append(due, c)
			}
		}
		if err := signIn(ctx, st, clock, ev.ID, s, due, sd.entryNo, day(time.December, 5, 8, 5), "keeper1"); err != nil {
			return err
		}
		clock.Set(day(time.December, 5, 8, 45))
		if _, err := st.CloseSession(ctx, ev.ID, s.Code, o.Chief); err != nil {
			return err
		}
	}
	clock.Set(day(time.December, 5, 11, 0))
	var theory store.Module
	for _, m := range mods {
		if m.Code == "theory" {
			theory = m
		}
	}
	scores := theoryScores(people, rng, map[int64]int64{absent: -1}, map[int64]bool{retake: true})
	if _, err := st.ImportScores(ctx, ev.ID, theory.ID, scores, "理论知识考试成绩（机考系统导出，演示）.xlsx", o.Organizer); err != nil {
		return fmt.Errorf("theory: %w", err)
	}
	// Skills: 第一考场 signed in (the absent one does not come), its
	// examiners part-way through; 第二考场 signed in but three, its first
	// sheets coming.
	n := 0
	for ri, s := range sd.sittings["skill"] {
		var come []store.Contestant
		for i, c := range inSitting(s, people) {
			if c.ID == absent || ri == 1 && i >= 9 {
				continue
			}
			come = append(come, c)
		}
		if err := signIn(ctx, st, clock, ev.ID, s, come, sd.entryNo, day(time.December, 5, 13, 5+10*ri), "keeper"+fmt.Sprint(ri+1)); err != nil {
			return err
		}
		p := panels["skill"][ri]
		// How many sheets each examiner of the room has submitted; the
		// chief examiner has one more open on the tablet.
		done := [][]int{{7, 6, 5}, {2, 1, 0}}[ri]
		var ops []store.SheetOp
		for ji, j := range p.judges {
			for ci, c := range come {
				if ci > done[ji] {
					break
				}
				if ci == done[ji] && ji > 0 {
					break
				}
				pct := 72 + rng.IntN(18)
				ops = append(ops, sheetOps(ev.ID, p, rules["skill"], j, c, sd.entryNo[c.ID], pct, ci < done[ji], rng, &n)...)
			}
		}
		clock.Set(day(time.December, 5, 15, 10+5*ri))
		if err := applyAll(ctx, st, ops); err != nil {
			return err
		}
	}
	return nil
}
