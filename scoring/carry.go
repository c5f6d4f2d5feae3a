package scoring

import "strconv"

// Parts carried from an earlier batch (补考), modules not sat (缺考) and
// panels seated within a stated range: what an assessment adds to the
// input besides marks.

// loadCarried checks Input.Carried and Input.Seated and attaches the
// carried parts to their contestants.
func (e *engine) loadCarried(in *Input, ids map[string]int, states []*cstate) error {
	if len(in.Seated) > 0 {
		e.seated = make([]int, len(e.c.mods))
		for code, n := range in.Seated {
			mi, ok := e.c.modules[code]
			if !ok || n < 0 {
				return &InputError{Kind: "seated", Index: -1, Message: "评审组人数的模块 " + strconv.Quote(code) + " 未知或人数为负",
					English: "seated panel for unknown module " + strconv.Quote(code) + " or a negative size"}
			}
			e.seated[mi] = n
		}
	}
	if len(in.Carried) == 0 {
		return nil
	}
	e.carried = in.Carried
	bad := func(i int, zh, en string) error {
		return &InputError{Kind: "carried", Index: i, Message: zh, English: en}
	}
	for i, cp := range in.Carried {
		ci, ok := ids[cp.Contestant]
		if !ok {
			return bad(i, "沿用成绩的考生 "+strconv.Quote(cp.Contestant)+" 未知", "carried part of unknown contestant "+strconv.Quote(cp.Contestant))
		}
		pi := -1
		for k, p := range e.c.parts {
			if p == cp.Part {
				pi = k
			}
		}
		if pi < 0 {
			return bad(i, "规则中没有属于 "+strconv.Quote(cp.Part)+" 的模块，不能沿用", "no module has part "+strconv.Quote(cp.Part)+" to carry")
		}
		if !e.c.weighted {
			// A part score is on a 100-point scale only when modules are
			// weighted; with factors there is no scale to carry it on.
			return bad(i, "沿用成绩只适用于按权重计分的规则", "carried parts need weighted modules")
		}
		if cp.Score < 0 || cp.Score > Points(100) {
			return bad(i, "沿用成绩 "+cp.Score.String()+" 超出 0–100", "carried score "+cp.Score.String()+" outside 0..100")
		}
		cs := states[ci]
		if cs.carry == nil {
			cs.carry = make([]int32, len(e.c.parts))
		}
		if cs.carry[pi] != 0 {
			return bad(i, "考生 "+cp.Contestant+" 的"+partNames[cp.Part]+"沿用成绩重复", "duplicate carried part "+cp.Part+" for "+cp.Contestant)
		}
		cs.carry[pi] = int32(i + 1)
	}
	return nil
}

// checkAbsences attaches Input.Absences to their contestants; a module
// recorded as not sat must have no marks.
func (e *engine) checkAbsences(in *Input, ids map[string]int, states []*cstate) error {
	for i, a := range in.Absences {
		bad := func(zh, en string) error { return &InputError{Kind: "absence", Index: i, Message: zh, English: en} }
		ci, ok := ids[a.Contestant]
		if !ok {
			return bad("缺考记录的考生 "+strconv.Quote(a.Contestant)+" 未知", "absence of unknown contestant "+strconv.Quote(a.Contestant))
		}
		mi, ok := e.c.modules[a.Module]
		if !ok {
			return bad("缺考记录的模块 "+strconv.Quote(a.Module)+" 未知", "absence from unknown module "+strconv.Quote(a.Module))
		}
		cs := states[ci]
		if cs.absent == nil {
			cs.absent = make([]bool, len(e.c.mods))
		}
		if cs.absent[mi] {
			return bad("考生 "+a.Contestant+" 模块 "+a.Module+" 的缺考记录重复", "duplicate absence of "+a.Contestant+" from "+a.Module)
		}
		cs.absent[mi] = true
		for s := range e.nSlots {
			if e.slotMod[s] == mi && len(cs.marks[s]) > 0 {
				return bad("考生 "+a.Contestant+" 模块 "+a.Module+" 记为缺考，却有成绩", "contestant "+a.Contestant+" is absent from "+a.Module+" but has marks")
			}
		}
	}
	return nil
}

// carriedFor is the part a contestant carries for part, or nil.
func (e *engine) carriedFor(cs *cstate, part string) *CarriedPart {
	if cs.carry == nil {
		return nil
	}
	for pi, p := range e.c.parts {
		if p == part && cs.carry[pi] != 0 {
			return &e.carried[cs.carry[pi]-1]
		}
	}
	return nil
}

// scoreCarried scores a module of a carried part: the carried part score
// on the module's scale (score × max ÷ 100), so that the part adds up to
// the carried score again; complete, since the candidate does not sit it.
// Marks of this batch for it, if any, are not counted, and the reason says
// so.
func (e *engine) scoreCarried(cs *cstate, mi int, cp *CarriedPart, x *ModuleScore) mstate {
	cm := &e.c.mods[mi]
	v := ratFromDecimal(cp.Score).mul(ratFactor(cm.m.Max)).divInt(100)
	st := mstate{complete: true, pos: ratZero, ded: ratZero, score: v, contrib: v.mul(cm.contrib)}
	if x == nil {
		return st
	}
	text := cm.m.Name + "：补考，沿用 " + cp.Source.cite() + "的" + partNames[cp.Part] + "合格成绩 " + cp.Score.String() + " 分，本批次不再考核"
	n := 0
	for s := range e.nSlots {
		if e.slotMod[s] == mi {
			n += len(cs.marks[s])
		}
	}
	if n > 0 {
		text += "（本批次的 " + strconv.Itoa(n) + " 条评分不计）"
	}
	x.Reasons = append(x.Reasons, Reason{Code: "module.carried", Module: cm.m.Code, Text: text})
	x.Score, x.ScoreExact = st.score.display()
	x.Contribution, x.ContributionExact = st.contrib.display()
	x.Complete = true
	return st
}

// scoreAbsent scores a module not sat: 0, complete (nobody waits for it).
func (e *engine) scoreAbsent(mi int, x *ModuleScore) mstate {
	st := mstate{complete: true, pos: ratZero, ded: ratZero, score: ratZero, contrib: ratZero}
	if x != nil {
		cm := &e.c.mods[mi]
		x.Reasons = append(x.Reasons, Reason{Code: "module.absent", Module: cm.m.Code, Text: cm.m.Name + "：缺考，本模块计 0 分"})
		x.Complete = true
	}
	return st
}

// panelJudges is a module's full panel: the seated panel when the rule
// states a range and the event says how many sit (never outside the
// range), else the rule's judges.
func (e *engine) panelJudges(mi int) int {
	p := &e.c.mods[mi].panel
	if p.SeatedMin == 0 || e.seated == nil || e.seated[mi] == 0 {
		return p.Judges
	}
	return min(max(e.seated[mi], p.SeatedMin), p.Judges)
}

// aspectJudges is an aspect's full panel: its own judges when it states
// them, else its module's.
func (e *engine) aspectJudges(ca *caspect) int {
	if ca.judges != e.c.mods[ca.mod].panel.Judges || ca.a.Judges != 0 || ca.a.Panel != nil && ca.a.Panel.Judges != 0 {
		return ca.judges
	}
	return e.panelJudges(ca.mod)
}
