package judges

import (
	"context"
	"strings"
	"unicode"

	"skillscore"
	"skillscore/scoring"
	"skillscore/store"
)

// view is one judge's world, loaded at hello and reloaded when it changes:
// the event's rules, the modules the judge sits on, the contestants assigned
// to them (by anonymous code only) and the sheets' states. Operations are
// checked against it before they reach the writer, so a wrong code costs no
// transaction.
type view struct {
	event       store.Event
	judge       store.Judge
	modules     map[string]*moduleView // by module code
	contestants map[string]store.Contestant
	assigned    map[[2]int64]bool // (module id, contestant id)
	notAdvanced map[[2]int64]bool // assigned in a later round the contestant did not reach
	carried     map[[2]int64]bool // a part the 补考 candidate carries from an earlier batch
	welcome     Welcome
}

type moduleView struct {
	m       store.Module
	rule    scoring.Module
	aspects map[string]aspectView
}

type aspectView struct {
	id   int64
	rule scoring.Aspect
}

func (s *Service) loadView(ctx context.Context, j store.Judge) (*view, error) {
	ev, err := s.st.Event(ctx, j.EventID)
	if err != nil {
		return nil, err
	}
	rules, err := scoring.ParseRules([]byte(ev.Rules))
	if err != nil {
		return nil, skillscore.Wrap(skillscore.EConflict, err, "赛事评分规则无效，请联系组织者")
	}
	ruleMods := map[string]scoring.Module{}
	for _, m := range rules.Modules {
		ruleMods[m.Code] = m
	}
	mods, err := s.st.Modules(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	panels, err := s.st.Panels(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	onPanel := map[int64]bool{}
	for _, p := range panels {
		if p.JudgeID == j.ID {
			onPanel[p.ModuleID] = true
		}
	}
	v := &view{event: ev, judge: j, modules: map[string]*moduleView{}, contestants: map[string]store.Contestant{},
		assigned: map[[2]int64]bool{}, notAdvanced: map[[2]int64]bool{}, carried: map[[2]int64]bool{}}
	v.welcome = Welcome{Type: TypeWelcome, V: ProtocolVersion, Judge: JudgeInfo{Code: j.Code, Name: j.Name},
		Event: EventInfo{Code: ev.Code, Name: ev.Name, Kind: ev.Kind, Terms: scoring.TermsFor(ev.Kind)}, Modules: []ModuleInfo{}, Assignments: []SheetState{},
		Limits: ProtocolLimit{MaxMessageBytes: s.cfg.MaxMessageBytes, RatePerSecond: s.cfg.RatePerSecond,
			Burst: s.cfg.Burst, HeartbeatSecs: int(heartbeat.Seconds())}}
	modByID := map[int64]*moduleView{}
	aspectCode := map[int64]string{}
	for _, m := range mods {
		if !onPanel[m.ID] || m.Imported {
			continue
		}
		rm, ok := ruleMods[m.Code]
		if !ok {
			continue
		}
		ruleAspects := map[string]scoring.Aspect{}
		for _, a := range rm.Aspects {
			ruleAspects[a.Code] = a
		}
		mv := &moduleView{m: m, rule: rm, aspects: map[string]aspectView{}}
		info := ModuleInfo{Code: m.Code, Name: m.Name}
		for _, a := range m.Aspects {
			ra, ok := ruleAspects[a.Code]
			if !ok {
				continue
			}
			mv.aspects[a.Code] = aspectView{id: a.ID, rule: ra}
			aspectCode[a.ID] = a.Code
			ai := AspectInfo{Code: a.Code, Name: a.Name, Kind: string(ra.Kind), Max: ra.Max, Description: ra.Description,
				Descriptors: ra.Descriptors, Measure: ra.Measure, Unit: ra.Unit, CountUnit: ra.CountUnit, Multiplier: ra.Multiplier}
			if ra.Kind == scoring.Judgement {
				ai.Scale = ra.Scale
				if ai.Scale == 0 {
					ai.Scale = 3
				}
			}
			info.Aspects = append(info.Aspects, ai)
		}
		v.modules[m.Code] = mv
		modByID[m.ID] = mv
		v.welcome.Modules = append(v.welcome.Modules, info)
	}
	// Only this judge's rows: a hello must stay cheap when two hundred
	// tablets reconnect at once.
	as, err := s.st.JudgeAssignments(ctx, j.ID)
	if err != nil {
		return nil, err
	}
	sheets, err := s.st.JudgeSheets(ctx, j.ID)
	if err != nil {
		return nil, err
	}
	status := map[[2]int64]string{}
	for _, sh := range sheets {
		status[[2]int64{sh.ModuleID, sh.ContestantID}] = sh.Status
	}
	marks, err := s.st.JudgeMarks(ctx, j.ID)
	if err != nil {
		return nil, err
	}
	markMap := map[[2]int64]map[string]scoring.Decimal{}
	for _, mk := range marks {
		k := [2]int64{mk.ModuleID, mk.ContestantID}
		if markMap[k] == nil {
			markMap[k] = map[string]scoring.Decimal{}
		}
		markMap[k][aspectCode[mk.AspectID]] = decimalOf(mk.Value)
	}
	for _, a := range as {
		mv := modByID[a.ModuleID]
		if mv == nil || a.Code == nil {
			continue // a contestant without a drawn code is not shown to judges
		}
		c := store.Contestant{ID: a.ContestantID, Code: a.Code, Station: a.Station}
		k := [2]int64{a.ModuleID, a.ContestantID}
		if a.NotAdvanced {
			v.notAdvanced[k] = true
			v.contestants[*c.Code] = c
			continue
		}
		if a.Carried {
			v.carried[k] = true
			v.contestants[*c.Code] = c
			continue
		}
		v.assigned[k] = true
		v.contestants[*c.Code] = c
		st := status[k]
		if st == "" {
			st = "open"
		}
		m := markMap[k]
		if m == nil {
			m = map[string]scoring.Decimal{}
		}
		station := ""
		if a.Station != nil {
			station = *a.Station
		}
		v.welcome.Assignments = append(v.welcome.Assignments, SheetState{Module: mv.m.Code, Contestant: *c.Code,
			Station: station, Status: st, Marks: m})
	}
	if v.welcome.LastAck, err = s.st.LastOp(ctx, actorOf(j)); err != nil {
		return nil, err
	}
	if v.welcome.Signing, err = s.signingInfo(ctx, j); err != nil {
		return nil, err
	}
	return v, nil
}

// validOpID: 1–64 printable ASCII characters without spaces.
func validOpID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if r > unicode.MaxASCII || !unicode.IsPrint(r) || r == ' ' {
			return false
		}
	}
	return true
}

// resolve turns a client operation into a store operation, or refuses it.
// The PIN of a submit is checked by the caller.
func (v *view) resolve(m ClientMessage) (store.SheetOp, error) {
	if !validOpID(m.Op) {
		return store.SheetOp{}, errBadOp()
	}
	mv, ok := v.modules[m.Module]
	if !ok {
		return store.SheetOp{}, skillscore.Errorf(skillscore.ENotFound, "模块 %q 不存在或您不在其裁判组中", clip(m.Module))
	}
	c, ok := v.contestants[m.Contestant]
	if ok && v.notAdvanced[[2]int64{mv.m.ID, c.ID}] {
		return store.SheetOp{}, skillscore.Errorf(skillscore.ENotAdvanced, "选手 %s 未晋级本轮，不能评分（模块 %s）", *c.Code, mv.m.Name)
	}
	if ok && v.carried[[2]int64{mv.m.ID, c.ID}] {
		return store.SheetOp{}, skillscore.Errorf(skillscore.EConflict, "考生 %s 补考，%s沿用以往批次的合格成绩，本批次不评分", *c.Code, mv.m.Name)
	}
	if !ok || !v.assigned[[2]int64{mv.m.ID, c.ID}] {
		return store.SheetOp{}, skillscore.Errorf(skillscore.EForbidden, "选手 %q 未分配给您评分（模块 %s）", clip(m.Contestant), mv.m.Name)
	}
	op := store.SheetOp{OpID: m.Op, Kind: m.Type, EventID: v.event.ID, ModuleID: mv.m.ID, ContestantID: c.ID,
		JudgeID: v.judge.ID, Actor: actorOf(v.judge), Subject: *c.Code}
	if m.Type == TypeSubmit {
		return op, nil
	}
	a, ok := mv.aspects[m.Aspect]
	if !ok {
		return store.SheetOp{}, skillscore.Errorf(skillscore.ENotFound, "评分项 %q 不属于模块 %s", clip(m.Aspect), mv.m.Name)
	}
	op.AspectID = a.id
	if m.Type == TypeClear {
		return op, nil
	}
	val, err := parseValue(m.Value, "分值 value ")
	if err != nil {
		return store.SheetOp{}, err
	}
	if err := a.rule.CheckValue(val); err != nil {
		msg := err.Error()
		if ve, ok := err.(*scoring.ValueError); ok {
			msg = ve.Message
		}
		if r := outOfRange(a.rule, val); r != "" {
			msg = r
		}
		return store.SheetOp{}, skillscore.Wrap(skillscore.EInvalid, err, "评分项 "+a.rule.Name+"："+msg)
	}
	op.Value = int64(val)
	if len(m.Multiplier) > 0 && string(m.Multiplier) != "null" {
		if !a.rule.Multiplier {
			return store.SheetOp{}, skillscore.Errorf(skillscore.EInvalid, "评分项 %s 不带难度系数", a.rule.Name)
		}
		mul, err := parseValue(m.Multiplier, "难度系数 multiplier ")
		if err != nil {
			return store.SheetOp{}, err
		}
		if mul <= 0 {
			return store.SheetOp{}, skillscore.Errorf(skillscore.EInvalid, "难度系数必须大于 0")
		}
		op.Multiplier = int64(mul)
	}
	return op, nil
}

// outOfRange names the value and a measurement's accepted range when the
// value lies outside it (the core only says that it does), so the judge
// sees what to type instead; "" otherwise.
func outOfRange(a scoring.Aspect, v scoring.Decimal) string {
	ms := a.Measure
	if a.Kind != scoring.Measurement || ms == nil ||
		!(ms.Min != nil && v < *ms.Min || ms.Max != nil && v > *ms.Max) {
		return ""
	}
	var r string
	switch {
	case ms.Min != nil && ms.Max != nil:
		r = ms.Min.String() + "–" + ms.Max.String()
	case ms.Min != nil:
		r = "不小于 " + ms.Min.String()
	default:
		r = "不大于 " + ms.Max.String()
	}
	if ms.Unit != "" {
		r += " " + ms.Unit
	}
	return "测量值 " + v.String() + " 超出允许范围 " + r
}

// clip keeps an echoed client string short in a message.
func clip(s string) string {
	s = strings.ToValidUTF8(s, "?")
	if r := []rune(s); len(r) > 32 {
		return string(r[:32]) + "…"
	}
	return s
}
