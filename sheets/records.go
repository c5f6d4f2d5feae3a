package sheets

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"skillscore"
	"skillscore/results"
	"skillscore/scoring"
	"skillscore/signkeys"
	"skillscore/store"
)

// RecordReader reads what an event's 评分记录表 are built from
// (*store.Store).
type RecordReader interface {
	Snapshot(ctx context.Context, eventID int64) (store.Snapshot, error)
	Sheets(ctx context.Context, eventID int64) ([]store.Sheet, error)
	SheetSignatures(ctx context.Context, eventID int64) (map[[3]int64]store.SheetSignature, error)
	SheetSignings(ctx context.Context, eventID int64) (map[int64]store.SheetSigning, error)
	VerifySheet(ctx context.Context, sheetID int64) (store.SheetVerification, error)
	Schedule(ctx context.Context, eventID int64) ([]store.SessionState, error)
	PaperSettings(ctx context.Context, eventID int64) (store.PaperSettings, error)
	Workflow(ctx context.Context, eventID int64) (store.Workflow, error)
}

// Records is an event's scoring data as its 评分记录表 print it.
type Records struct {
	Snap       store.Snapshot
	Rules      *scoring.Rules
	Sheets     []store.Sheet
	Signatures map[[3]int64]store.SheetSignature
	// Signings is how each signed sheet was signed (by sheet id; signkeys):
	// a sheet signed with the judge's own key is verified against the
	// sheet as stored now (OK, Reason); a card-PIN one is not (its
	// digest proves no signer).
	Signings map[int64]store.SheetVerification
	Schedule []store.SessionState
	Settings store.PaperSettings
	// Sealed: the names are still encrypted (no 解密 yet), so every
	// sheet names its contestant by code alone.
	Sealed bool
}

// LoadRecords reads an event for its 评分记录表.
func LoadRecords(ctx context.Context, r RecordReader, ev store.Event) (*Records, error) {
	var d Records
	var err error
	if d.Snap, err = r.Snapshot(ctx, ev.ID); err != nil {
		return nil, err
	}
	if d.Rules, err = scoring.ParseRules([]byte(d.Snap.Event.Rules)); err != nil {
		return nil, skillscore.Wrap(skillscore.EConflict, err, fmt.Sprintf("赛事 %s 的评分规则无效，请组织者修正", ev.Code))
	}
	if d.Sheets, err = r.Sheets(ctx, ev.ID); err != nil {
		return nil, err
	}
	if d.Signatures, err = r.SheetSignatures(ctx, ev.ID); err != nil {
		return nil, err
	}
	signings, err := r.SheetSignings(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	d.Signings = make(map[int64]store.SheetVerification, len(signings))
	for id, g := range signings {
		v := store.SheetVerification{SheetSigning: g}
		if g.Method == signkeys.MethodOwnKey {
			if v, err = r.VerifySheet(ctx, id); err != nil {
				return nil, err
			}
		}
		d.Signings[id] = v
	}
	if d.Schedule, err = r.Schedule(ctx, ev.ID); err != nil {
		return nil, err
	}
	if d.Settings, err = r.PaperSettings(ctx, ev.ID); err != nil {
		return nil, err
	}
	w, err := r.Workflow(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	d.Sealed = !w.DecryptedAt.Valid()
	return &d, nil
}

// MaxSheetsPerPDF bounds one PDF of 评分记录表: gofpdf holds the whole
// document, about 20 MB for the fonts and 0.06 MB a sheet (300 sheets
// peak at about 45 MB of heap, docs/oversight-papertrail.md).
const MaxSheetsPerPDF = 1000

// RecordQuery picks the 评分记录表 of one module: blank ones (one per
// judge and contestant the judge scores) or filled ones (every submitted
// or locked sheet), for one judge or contestant or all.
type RecordQuery struct {
	Module     string // module code
	Blank      bool
	Judge      string // judge code, "" for all
	Contestant string // contestant's anonymous code, "" for all
}

// ScoreSheets builds the sheets the query asks for, by judge code and
// then contestant code: the order a chief judge hands the stacks out in.
func (d *Records) ScoreSheets(q RecordQuery) ([]ScoreSheet, error) {
	t := scoring.TermsFor(d.Snap.Event.Kind)
	var mod store.Module
	for _, m := range d.Snap.Modules {
		if m.Code == q.Module {
			mod = m
		}
	}
	if mod.ID == 0 {
		return nil, skillscore.Errorf(skillscore.ENotFound, "本%s没有模块 %q", t.Event, q.Module)
	}
	if mod.Imported {
		return nil, skillscore.Errorf(skillscore.EInvalid, "模块 %s %s 的成绩是导入的，没有%s评分记录表", mod.Code, mod.Name, t.Judge)
	}
	var rule scoring.Module
	for _, m := range d.Rules.Modules {
		if m.Code == mod.Code {
			rule = m
		}
	}
	judgeByID := map[int64]store.Judge{}
	for _, j := range d.Snap.Judges {
		judgeByID[j.ID] = j
	}
	byID := map[int64]store.Contestant{}
	for _, c := range d.Snap.Contestants {
		byID[c.ID] = c
	}
	if q.Judge != "" && !slices.ContainsFunc(d.Snap.Judges, func(j store.Judge) bool { return j.Code == q.Judge }) {
		return nil, skillscore.Errorf(skillscore.ENotFound, "本%s没有编号为 %s 的%s", t.Event, q.Judge, t.Judge)
	}
	if q.Contestant != "" && !slices.ContainsFunc(d.Snap.Contestants, func(c store.Contestant) bool { return c.Code != nil && *c.Code == q.Contestant }) {
		return nil, skillscore.Errorf(skillscore.ENotFound, "本%s没有加密号为 %s 的%s", t.Event, q.Contestant, t.Contestant)
	}
	want := func(j store.Judge, c store.Contestant) bool {
		// Judges see contestants by code only: one without a drawn code
		// has no sheet to print (nor a line on any tablet).
		return c.Code != nil && *c.Code != "" && (q.Judge == "" || j.Code == q.Judge) && (q.Contestant == "" || *c.Code == q.Contestant)
	}
	var pairs []pair
	var sheetOf map[pair]store.Sheet
	if q.Blank {
		pairs = d.blankPairs(mod)
	} else {
		sheetOf = map[pair]store.Sheet{}
		for _, sh := range d.Sheets {
			if sh.ModuleID == mod.ID && (sh.Status == "submitted" || sh.Status == "locked") {
				pairs = append(pairs, pair{sh.JudgeID, sh.ContestantID})
				sheetOf[pair{sh.JudgeID, sh.ContestantID}] = sh
			}
		}
	}
	pairs = slices.DeleteFunc(pairs, func(p pair) bool { return !want(judgeByID[p.j], byID[p.c]) })
	slices.SortFunc(pairs, func(a, b pair) int {
		return cmp.Or(strings.Compare(judgeByID[a.j].Code, judgeByID[b.j].Code), strings.Compare(*byID[a.c].Code, *byID[b.c].Code))
	})
	if len(pairs) == 0 {
		if q.Blank {
			return nil, skillscore.Errorf(skillscore.EConflict, "模块 %s 没有可打印的空白评分记录表：请先抽签并分配%s组", mod.Name, t.Judge)
		}
		return nil, skillscore.Errorf(skillscore.EConflict, "模块 %s 没有符合条件的已提交评分表：评分记录表在%s提交后才能打印", mod.Name, t.Judge)
	}

	if len(pairs) > MaxSheetsPerPDF {
		return nil, skillscore.Errorf(skillscore.EInvalid, "模块 %s 有 %d 份评分记录表，一个 PDF 最多 %d 份：请按%s分别打印", mod.Name, len(pairs), MaxSheetsPerPDF, t.Judge)
	}
	signers := []string{t.Judge, t.Chief}
	if d.Settings.ContestantSigns && !q.Blank {
		signers = append(signers, t.Contestant)
	}
	base := ScoreSheet{EventName: d.Snap.Event.Name, Judge: t.Judge, Chief: t.Chief, Station: t.Station, Person: t.Contestant,
		Module: mod.Code + " " + mod.Name, ModuleMax: rule.Max.String(), Signers: signers, Filled: !q.Blank}
	lines := make([]SheetLine, len(rule.Aspects))
	for i, a := range rule.Aspects {
		lines[i] = SheetLine{Code: a.Code, Name: a.Name, Kind: a.Kind.Name(), Max: a.Max.String(), Hint: a.Hint()}
	}
	var f *filler
	if !q.Blank {
		f = d.newFiller(rule)
	}
	out := make([]ScoreSheet, 0, len(pairs))
	for _, p := range pairs {
		j, c := judgeByID[p.j], byID[p.c]
		s := base
		s.Code = *c.Code
		if c.Station != nil {
			s.Seat = *c.Station
		}
		if !d.Sealed {
			s.Name = c.Name
		}
		s.Session = d.sessionOf(mod.Code, c.ID)
		s.JudgeCode, s.JudgeName = j.Code, j.Name
		s.Lines = slices.Clone(lines)
		if f != nil {
			sh := sheetOf[p]
			f.fill(&s, j, c, sh, d.Signatures[[3]int64{mod.ID, c.ID, j.ID}], d.Signings[sh.ID])
		}
		out = append(out, s)
	}
	return out, nil
}

// pair is one sheet by its judge's and contestant's ids.
type pair struct{ j, c int64 }

// blankPairs are the (judge, contestant) sheets a module's paper judging
// needs: its assignments, or, for a module without any, every panel judge
// for every contestant. Who was absent or withdrew, and a 补考 candidate
// carrying the module's part, get none.
func (d *Records) blankPairs(mod store.Module) []pair {
	skip := map[int64]bool{}
	for _, c := range d.Snap.Contestants {
		if c.Status == scoring.StatusAbsent || c.Status == scoring.StatusWithdrew {
			skip[c.ID] = true
		}
	}
	for _, cp := range d.Snap.Carried {
		if cp.Part == mod.Kind {
			skip[cp.ContestantID] = true
		}
	}
	var out []pair
	for _, a := range d.Snap.Assignments {
		if a.ModuleID == mod.ID && !skip[a.ContestantID] {
			out = append(out, pair{a.JudgeID, a.ContestantID})
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, p := range d.Snap.Panels {
		if p.ModuleID != mod.ID {
			continue
		}
		for _, c := range d.Snap.Contestants {
			if !skip[c.ID] && c.Kind != store.KindMember {
				out = append(out, pair{p.JudgeID, c.ID})
			}
		}
	}
	return out
}

// sessionOf names the session of the module the contestant sits in.
func (d *Records) sessionOf(module string, contestantID int64) string {
	for _, s := range d.Schedule {
		if s.Module != "" && s.Module != module {
			continue
		}
		for _, r := range s.Rows {
			if r.ContestantID == contestantID {
				return strings.TrimSpace(fmt.Sprintf("%s %s %s～%s %s", s.Code, s.Day, s.Starts, s.Ends, s.Venue))
			}
		}
	}
	return ""
}

// markText prints a judge's stored entry as the rubric reads it, with the
// multiplier the judge applied.
func markText(a scoring.Aspect, v, mult scoring.Decimal) string {
	out := a.EntryText(v)
	if mult != 0 {
		out += " ×" + mult.String()
	}
	return out
}

// filler fills in a module's sheets: each judge's marks scored alone by
// the rubric (a one-judge panel, as the chief judge's desk scores a
// sheet), and the panel's result from every submitted sheet.
type filler struct {
	d       *Records
	rule    scoring.Module
	places  int
	byJudge map[string]*scoring.Result // judge code → that judge's sheets alone
	panel   *results.Standings         // nil when the rules cannot compute
	marks   map[[3]string]store.MarkRow
	one     *scoring.Rules // nil when the rules cannot score one judge alone
	in      scoring.Input
	note    string
}

func (d *Records) newFiller(rule scoring.Module) *filler {
	f := &filler{d: d, rule: rule, places: -1, byJudge: map[string]*scoring.Result{}, marks: map[[3]string]store.MarkRow{}}
	if rule.Rounding != nil {
		f.places = rule.Rounding.Places
	}
	for _, m := range d.Snap.Marks {
		if m.ModuleCode == rule.Code {
			f.marks[[3]string{results.Key(m.ContestantID), m.AspectCode, m.JudgeCode}] = m
		}
	}
	// Drafts of other judges are not yet their marks: the panel's result
	// is what the submitted sheets make.
	if st, err := results.Compute(results.WithoutDrafts(d.Snap)); err == nil {
		f.panel = st
	}
	// The one-judge rules are made afresh from the document: a copy of
	// the parsed rules would keep their compiled panels.
	one, err := scoring.ParseRules([]byte(d.Snap.Event.Rules))
	if err == nil {
		for i, m := range one.Modules {
			if m.Imported {
				continue
			}
			p := scoring.Panel{Judges: 1, Method: "mean", Missing: "present", MinJudges: 1}
			if m.Panel != nil {
				p.Level, p.Rounding = m.Panel.Level, m.Panel.Rounding
			}
			one.Modules[i].Panel = &p
			for k := range m.Aspects {
				one.Modules[i].Aspects[k].Judges, one.Modules[i].Aspects[k].Panel = 0, nil
			}
		}
		if raw, err := json.Marshal(one); err == nil {
			f.one, _ = scoring.ParseRules(raw)
		}
	}
	f.in, _ = results.Input(d.Snap)
	f.in.Recusals = nil
	f.note = panelNote(rule)
	return f
}

// judgeResult scores one judge's marks alone, once per judge.
func (f *filler) judgeResult(code string) *scoring.Result {
	if r, ok := f.byJudge[code]; ok {
		return r
	}
	in := f.in
	in.Marks = nil
	for _, m := range f.in.Marks {
		if m.Judge == code {
			in.Marks = append(in.Marks, m)
		}
	}
	var res *scoring.Result
	if f.one != nil {
		if r, err := scoring.Compute(f.one, in); err == nil {
			res = r
		}
	}
	f.byJudge[code] = res
	return res
}

func moduleOf(rs []scoring.ContestantResult, contestant, module string) *scoring.ModuleScore {
	for i := range rs {
		if rs[i].ID != contestant {
			continue
		}
		for k := range rs[i].Modules {
			if rs[i].Modules[k].Code == module {
				return &rs[i].Modules[k]
			}
		}
	}
	return nil
}

func aspectScore(ms *scoring.ModuleScore, code string) string {
	if ms == nil {
		return "—"
	}
	for _, a := range ms.Aspects {
		if a.Code != code {
			continue
		}
		// An aspect still missing a judge's mark shows what the marks
		// present make; the note under the table says it is incomplete.
		switch {
		case len(a.Marks) == 0 && !a.Complete:
			return "—"
		case a.Kind == scoring.Veto && a.Triggered:
			return "触发"
		case a.Kind == scoring.Veto:
			return "—"
		case a.Kind == scoring.Deduction && a.Score != 0:
			return "扣 " + a.Score.String()
		}
		return a.Score.String()
	}
	return "—"
}

func (f *filler) moduleText(ms *scoring.ModuleScore) string {
	if ms == nil {
		return "—"
	}
	if f.places >= 0 {
		return ms.Score.Format(f.places)
	}
	return ms.Score.String()
}

func (f *filler) fill(s *ScoreSheet, j store.Judge, c store.Contestant, sh store.Sheet, sig store.SheetSignature, g store.SheetVerification) {
	key := results.Key(c.ID)
	s.Status = "已提交"
	if sh.Status == "locked" {
		s.Status = "已锁定"
	}
	for i, a := range f.rule.Aspects {
		if m, ok := f.marks[[3]string{key, a.Code, j.Code}]; ok {
			s.Lines[i].Mark = markText(a, scoring.Decimal(m.Value), scoring.Decimal(m.Multiplier))
		} else {
			s.Lines[i].Mark = "—"
		}
	}
	var mine, panel *scoring.ModuleScore
	if r := f.judgeResult(j.Code); r != nil {
		mine = moduleOf(r.Contestants, key, f.rule.Code)
	}
	if f.panel != nil {
		panel = moduleOf(f.panel.Result.Contestants, key, f.rule.Code)
	}
	for i, a := range f.rule.Aspects {
		s.Lines[i].Score = aspectScore(mine, a.Code)
		s.Lines[i].Panel = aspectScore(panel, a.Code)
	}
	s.SheetTotal = f.moduleText(mine)
	s.PanelTotal = f.moduleText(panel)
	s.PanelNote = f.note
	if panel == nil || !panel.Complete {
		s.PanelNote += "裁判组的评分尚未全部提交，此为打印时已提交评分的结果。"
	}
	at := sh.SubmittedAt
	if !at.Valid() {
		at = sig.SubmittedAt
	}
	if at.Valid() {
		s.SubmittedAt = at.In(skillscore.China()).Format("2006-01-02 15:04:05")
	}
	s.SignedHow = SignedHow(j, sig, g, at.Time)
	if sh.Status == "locked" && sig.LockedBy != "" {
		s.LockedBy = fmt.Sprintf("%s 于 %s 锁定", sig.LockedBy, sig.LockedAt.In(skillscore.China()).Format("2006-01-02 15:04:05"))
	}
}

// panelNote says in words how the module's panel combines the judges'
// marks.
func panelNote(m scoring.Module) string {
	p := m.Panel
	if p == nil {
		return "裁判组各评分汇总的结果。"
	}
	how := map[string]string{"mean": "取平均", "median": "取中位数", "sum": "求和"}[p.Method]
	if how == "" {
		how = "汇总"
	}
	if p.Drop > 0 {
		if p.Drop == 1 {
			how = "去掉一个最高分和一个最低分后" + how
		} else {
			how = fmt.Sprintf("去掉 %d 个最高分和 %d 个最低分后", p.Drop, p.Drop) + how
		}
	}
	level := "各评分项"
	if p.Level == "module" {
		level = "每位裁判的模块合计"
	}
	size := ""
	if p.Judges > 0 {
		size = fmt.Sprintf("（%d 人）", p.Judges)
	}
	return fmt.Sprintf("裁判组%s按%s%s计算的结果。", size, level, how)
}

// SignedHow is the 签名方式 line of a filled 评分记录表: what the records
// show of how the sheet was signed. It is the one place that says so
// (docs/oversight-papertrail.md, docs/oversight-signkeys.md):
//
//   - signed with the judge's own key (g.Method signkeys.MethodOwnKey,
//     issue 16 signkeys): the key's fingerprint, the signed content's
//     digest prefix, and whether the signature still verifies against the
//     sheet as stored now (g.OK from store.VerifySheet) — "签名有效" or
//     "签名与当前内容不符" with the reason;
//   - a tablet submission confirmed with the login card's PIN (g.Method
//     card-pin, or an older sheet with no signature row submitted from
//     the judge's login): the card is issued by the organizer, so the PIN
//     is weak evidence of who signed;
//   - a paper sheet: two scorekeepers' agreed transcription, signed on the
//     paper itself.
func SignedHow(j store.Judge, sig store.SheetSignature, g store.SheetVerification, at time.Time) string {
	when := ""
	if !at.IsZero() {
		when = "于 " + at.In(skillscore.China()).Format("2006-01-02 15:04:05") + " "
	}
	who := strings.TrimSpace(j.Code + " " + j.Name)
	if g.Method == signkeys.MethodOwnKey {
		verdict := "签名有效，评分表内容与签名时一致"
		if !g.OK {
			verdict = "签名与当前内容不符"
			if g.Reason != "" {
				verdict += "（" + g.Reason + "）"
			}
		}
		return fmt.Sprintf("%s %s以本人设置的签名密码（组织者不知悉）对评分表电子签名提交，密钥指纹 %s，内容摘要 %s；按打印时的评分表核验：%s。",
			who, when, g.KeyID, g.DigestPrefix(), verdict)
	}
	switch by := sig.SubmittedBy; {
	case g.Method == signkeys.MethodCardPIN,
		by == "judge:"+strconv.FormatInt(j.ID, 10) || by == j.Code: // the judge's own login (older entries name the code)
		return fmt.Sprintf("%s 以本人平板登录（组织者打印发放的登录卡）%s提交，提交时再次输入登录卡 PIN 确认。登录卡 PIN 只证明持卡人提交，不是本人专有的电子签名。", who, when)
	case strings.HasPrefix(by, "paper:"):
		a, b, _ := strings.Cut(strings.TrimPrefix(by, "paper:"), "+")
		return fmt.Sprintf("纸质评分表，由记分员 %s 与 %s 双人录入一致后%s代为提交；%s的签名见纸质原件。", a, b, when, who)
	case by == "":
		return fmt.Sprintf("%s提交；审计记录中未找到提交人。", when)
	default:
		return fmt.Sprintf("由 %s %s提交。", by, when)
	}
}

// SheetQuery is the query of one sheet's filled 评分记录表, by the
// sheet's id; a sheet of another event is not found, one not yet
// submitted is refused.
func (d *Records) SheetQuery(id int64) (RecordQuery, error) {
	for _, sh := range d.Sheets {
		if sh.ID != id {
			continue
		}
		if sh.Status != "submitted" && sh.Status != "locked" {
			return RecordQuery{}, skillscore.Errorf(skillscore.EConflict, "评分表尚未提交：评分记录表在提交后才能打印")
		}
		q := RecordQuery{}
		for _, m := range d.Snap.Modules {
			if m.ID == sh.ModuleID {
				q.Module = m.Code
			}
		}
		for _, j := range d.Snap.Judges {
			if j.ID == sh.JudgeID {
				q.Judge = j.Code
			}
		}
		for _, c := range d.Snap.Contestants {
			if c.ID == sh.ContestantID && c.Code != nil {
				q.Contestant = *c.Code
			}
		}
		return q, nil
	}
	return RecordQuery{}, skillscore.Errorf(skillscore.ENotFound, "评分表不存在")
}

// RecordFileName is the download name of a query's 评分记录表.
func RecordFileName(eventCode string, q RecordQuery) string {
	what := "评分记录表-已填"
	if q.Blank {
		what = "评分记录表-空白"
	}
	name := eventCode + "-" + q.Module
	for _, s := range []string{q.Judge, q.Contestant} {
		if s != "" {
			name += "-" + s
		}
	}
	return name + "-" + what + ".pdf"
}
