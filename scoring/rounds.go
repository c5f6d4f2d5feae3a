package scoring

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Round is one stage of an event (预赛, 决赛 …). With Rules.Rounds every
// module belongs to exactly one round; a round ranks only the contestants
// who advanced into it, on its own modules plus what it carries in.
type Round struct {
	Code    string   `json:"code"`
	Name    string   `json:"name"`
	Modules []string `json:"modules"`
	// Start, for every round but the first: "reset" starts from 0; "carry"
	// starts from the previous round's score × CarryFactor (default 1).
	Start       string   `json:"start,omitempty"`
	CarryFactor *Decimal `json:"carry_factor,omitempty"`
	// Rounding of the round score; default total.rounding.
	Rounding *Rounding `json:"rounding,omitempty"`
	// Advance says who goes on to the next round; every round but the last.
	Advance *Advance `json:"advance,omitempty"`
}

// Advance is the cut after a round: the top N of each group, a minimum score,
// or both combined by "all" (meet both) or "any" (meet either).
type Advance struct {
	Top      int      `json:"top,omitempty"`
	MinScore *Decimal `json:"min_score,omitempty"`
	Combine  string   `json:"combine,omitempty"`
	// Ties at the cut, with top: "include" advances everyone sharing the last
	// place; "tie_break" first separates equal scores by TieBreak (module
	// codes of the round, higher score first) and includes whoever is still
	// tied.
	Ties     string   `json:"ties,omitempty"`
	TieBreak []string `json:"tie_break,omitempty"`
}

// Round starts and cut combinations.
const (
	StartReset   = "reset"
	StartCarry   = "carry"
	TiesInclude  = "include"
	TiesTieBreak = "tie_break"
)

// compileRounds checks Rules.Rounds against the modules; it is a no-op
// without rounds.
func (r *Rules) compileRounds(v *validator, c *compiled) {
	if len(r.Rounds) == 0 {
		return
	}
	if r.Kind != Competition {
		v.add("rounds", "分轮次仅适用于竞赛（kind 为 competition）", "rounds apply to competitions only")
	}
	if len(r.Rounds) < 2 {
		v.add("rounds", "至少需要两轮（如预赛、决赛）", "at least two rounds are needed")
	}
	codes := map[string]bool{}
	owner := map[string]string{}
	for i, rd := range r.Rounds {
		p := fmt.Sprintf("rounds[%d]", i)
		if rd.Code == "" {
			v.add(p+".code", "缺少轮次代码", "round code is required")
		} else if codes[rd.Code] {
			v.add(p+".code", "轮次代码 %q 重复", "duplicate round code %q", rd.Code)
		}
		codes[rd.Code] = true
		if strings.TrimSpace(rd.Name) == "" {
			v.add(p+".name", "缺少轮次名称", "round name is required")
		}
		if len(rd.Modules) == 0 {
			v.add(p+".modules", "轮次须包含至少一个模块", "a round needs at least one module")
		}
		for j, m := range rd.Modules {
			mp := fmt.Sprintf("%s.modules[%d]", p, j)
			if _, ok := c.modules[m]; !ok {
				v.add(mp, "未知模块 %q", "unknown module %q", m)
			} else if o, dup := owner[m]; dup {
				v.add(mp, "模块 %q 已属于轮次 %q", "module %q already belongs to round %q", m, o)
			}
			owner[m] = rd.Code
		}
		switch {
		case i == 0 && rd.Start != "":
			v.add(p+".start", "第一轮没有带入成绩，不能填写 start", "the first round has nothing to carry; leave start out")
		case i > 0 && rd.Start != StartReset && rd.Start != StartCarry:
			v.add(p+".start", "须说明本轮起始成绩：reset（清零）或 carry（带入上一轮成绩），得到 %q", "start must be reset or carry, got %q", rd.Start)
		}
		if rd.CarryFactor != nil {
			if rd.Start != StartCarry {
				v.add(p+".carry_factor", "只有 start 为 carry 时才能填写带入系数", "carry_factor needs start carry")
			} else if *rd.CarryFactor <= 0 {
				v.add(p+".carry_factor", "带入系数须大于 0", "carry_factor must be > 0")
			}
		}
		v.rounding(p+".rounding", rd.Rounding, false)
		last := i == len(r.Rounds)-1
		switch {
		case last && rd.Advance != nil:
			v.add(p+".advance", "最后一轮之后没有下一轮，不能填写晋级规则", "the last round has no advancement")
		case !last && rd.Advance == nil:
			v.add(p+".advance", "须说明晋级下一轮的规则（top 名次或 min_score 分数线）", "advancement to the next round is required (top or min_score)")
		case rd.Advance != nil:
			validateAdvance(v, p+".advance", rd)
		}
	}
	for _, m := range r.Modules {
		if _, ok := owner[m.Code]; !ok && m.Code != "" {
			v.add("rounds", "模块 %q 不属于任何轮次", "module %q belongs to no round", m.Code)
		}
	}
}

func validateAdvance(v *validator, p string, rd Round) {
	a := rd.Advance
	if a.Top < 0 {
		v.add(p+".top", "晋级名额须 ≥ 1", "top must be >= 1")
	}
	if a.Top == 0 && a.MinScore == nil {
		v.add(p, "须填写 top（每组前 N 名）或 min_score（分数线），或两者", "give top, min_score or both")
	}
	if a.MinScore != nil && *a.MinScore < 0 {
		v.add(p+".min_score", "分数线不能为负", "min_score must not be negative")
	}
	both := a.Top > 0 && a.MinScore != nil
	switch {
	case both && a.Combine != "all" && a.Combine != "any":
		v.add(p+".combine", "同时有名次与分数线时须说明 combine：all（两者都满足）或 any（满足其一）", "with top and min_score, combine must be all or any")
	case !both && a.Combine != "":
		v.add(p+".combine", "只有同时填写 top 与 min_score 时才能填写 combine", "combine needs both top and min_score")
	}
	if a.Top > 0 && a.Ties != TiesInclude && a.Ties != TiesTieBreak {
		v.add(p+".ties", "须说明名次线上并列的处理：include（并列者均晋级）或 tie_break（按 tie_break 模块区分）", "ties must be include or tie_break")
	}
	if a.Top == 0 && a.Ties != "" {
		v.add(p+".ties", "只有按名次晋级时才能填写 ties", "ties needs top")
	}
	if a.Ties == TiesTieBreak && len(a.TieBreak) == 0 {
		v.add(p+".tie_break", "tie_break 须列出本轮的模块代码", "tie_break must list modules of the round")
	}
	if a.Ties != TiesTieBreak && len(a.TieBreak) > 0 {
		v.add(p+".tie_break", "只有 ties 为 tie_break 时才能填写", "tie_break needs ties tie_break")
	}
	for j, m := range a.TieBreak {
		if !slices.Contains(rd.Modules, m) {
			v.add(fmt.Sprintf("%s.tie_break[%d]", p, j), "模块 %q 不属于本轮", "module %q is not in this round", m)
		}
	}
}

// RoundsResult is the outcome of ComputeRounds.
type RoundsResult struct {
	Rounds []RoundResult `json:"rounds"`
	Final  []FinalEntry  `json:"final"` // by group, then place
}

// RoundResult ranks the contestants of one round.
type RoundResult struct {
	Code string `json:"code"`
	Name string `json:"name"`
	// Provisional: the previous round's advancement is not confirmed, so the
	// participants are those it would advance.
	Provisional bool            `json:"provisional,omitempty"`
	Complete    bool            `json:"complete"` // every participant has every mark of the round
	Standings   []RoundStanding `json:"standings"`
	Units       []UnitStandings `json:"units"`               // standings after each module, in the round's order
	Advancing   []string        `json:"advancing,omitempty"` // who the cut advances (not for the last round)
}

// RoundStanding is one contestant in one round.
type RoundStanding struct {
	ID           string   `json:"id"`
	Group        string   `json:"group"`
	Score        Decimal  `json:"score"` // carried + own, rounded by the round's rule
	Own          Decimal  `json:"own"`
	Carried      Decimal  `json:"carried"`
	CarriedFrom  string   `json:"carried_from,omitempty"` // round code
	Rank         int      `json:"rank,omitempty"`
	Shared       bool     `json:"shared,omitempty"`
	Complete     bool     `json:"complete"`
	Disqualified bool     `json:"disqualified,omitempty"`
	Advances     bool     `json:"advances,omitempty"`
	Reasons      []Reason `json:"reasons"`
}

// UnitStandings ranks a round's contestants after one of its modules.
type UnitStandings struct {
	Module string    `json:"module"`
	Name   string    `json:"name"`
	Rows   []UnitRow `json:"rows"`
}

// UnitRow is one contestant after one unit.
type UnitRow struct {
	ID     string  `json:"id"`
	Group  string  `json:"group"`
	Score  Decimal `json:"score"`
	Rank   int     `json:"rank,omitempty"`
	Shared bool    `json:"shared,omitempty"`
}

// FinalEntry is a contestant's place in the event: those in the last round
// by its ranking, then those out in each earlier round by theirs.
type FinalEntry struct {
	ID          string   `json:"id"`
	Group       string   `json:"group"`
	Place       int      `json:"place,omitempty"` // 0 = disqualified
	Shared      bool     `json:"shared,omitempty"`
	Round       string   `json:"round"` // the last round reached
	RoundName   string   `json:"round_name"`
	Score       Decimal  `json:"score"`
	Carried     Decimal  `json:"carried"`
	CarriedFrom string   `json:"carried_from,omitempty"`
	Reasons     []Reason `json:"reasons"`
}

// rstate is one contestant in one round.
type rstate struct {
	cs      *cstate
	own     rat
	carried rat
	exact   rat
	score   Decimal
	tie     []rat
	disq    bool // disqualified by a veto of this round or an earlier one
	st      RoundStanding
}

// ComputeRounds ranks each round of r. confirmed maps a round code to the
// confirmed list of who advanced from it; for a round without a confirmed
// list the next round takes the computed cut (and is Provisional). Rules
// without rounds give a nil result.
func ComputeRounds(r *Rules, in Input, confirmed map[string][]string) (res *RoundsResult, err error) {
	defer catchOverflow(&err)
	if len(r.Rounds) == 0 {
		return nil, nil
	}
	e, err := newEngine(r, in.Year)
	if err != nil {
		return nil, err
	}
	states, ids, err := e.load(&in)
	if err != nil {
		return nil, err
	}
	for _, cs := range states {
		e.score(cs, nil)
	}
	return e.rounds(states, ids, confirmed)
}

// rounds ranks each round of scored states; confirmed as for ComputeRounds.
func (e *engine) rounds(states []*cstate, ids map[string]int, confirmed map[string][]string) (*RoundsResult, error) {
	r := e.r
	res := &RoundsResult{}
	participants := states
	prev := map[*cstate]*rstate{}
	provisional := false
	for ri := range r.Rounds {
		rd := &r.Rounds[ri]
		rr, rs := e.computeRound(ri, participants, prev)
		rr.Provisional = provisional
		res.Rounds = append(res.Rounds, rr)
		if ri == len(r.Rounds)-1 {
			break
		}
		next := make([]*cstate, 0, len(rr.Advancing))
		list, ok := confirmed[rd.Code]
		provisional = !ok
		if !ok {
			list = rr.Advancing
		}
		inRound := map[*cstate]*rstate{}
		for _, x := range rs {
			inRound[x.cs] = x
		}
		for _, id := range list {
			ci, known := ids[id]
			if !known || inRound[states[ci]] == nil {
				return nil, &InputError{Kind: "contestant", Index: -1, Message: fmt.Sprintf("%s的晋级名单中的选手 %s 未参加该轮", rd.Name, id), English: fmt.Sprintf("contestant %s in the advancing list of round %s did not take part in it", id, rd.Code)}
			}
			next = append(next, states[ci])
		}
		participants, prev = next, inRound
	}
	res.Final = e.finalPlaces(res.Rounds)
	return res, nil
}

func (e *engine) roundRounding(rd *Round) *Rounding {
	if rd.Rounding != nil {
		return rd.Rounding
	}
	return e.r.Total.Rounding
}

// roundOfModule is the index of the round module mi belongs to.
func (e *engine) roundOfModule(mi int) int {
	code := e.c.mods[mi].m.Code
	for ri, rd := range e.r.Rounds {
		if slices.Contains(rd.Modules, code) {
			return ri
		}
	}
	return 0
}

func (e *engine) groupCode(g int) string {
	if len(e.r.Groups) == 0 {
		return ""
	}
	return e.r.Groups[g].Code
}

// computeRound scores and ranks the participants of round ri; prev holds
// their states in the previous round (for carry).
func (e *engine) computeRound(ri int, parts []*cstate, prev map[*cstate]*rstate) (RoundResult, []*rstate) {
	rd := &e.r.Rounds[ri]
	rnd := e.roundRounding(rd)
	mods := make([]int, len(rd.Modules))
	for i, m := range rd.Modules {
		mods[i] = e.c.modules[m]
	}
	var tieMods []int
	if rd.Advance != nil && rd.Advance.Ties == TiesTieBreak {
		for _, m := range rd.Advance.TieBreak {
			tieMods = append(tieMods, e.c.modules[m])
		}
	}
	carryFrom := ""
	if ri > 0 && rd.Start == StartCarry {
		carryFrom = e.r.Rounds[ri-1].Code
	}
	factor := ratFactor(Points(1))
	if rd.CarryFactor != nil {
		factor = ratFactor(*rd.CarryFactor)
	}
	rr := RoundResult{Code: rd.Code, Name: rd.Name, Complete: true}
	rs := make([]*rstate, len(parts))
	for i, cs := range parts {
		x := &rstate{cs: cs, own: ratZero, carried: ratZero, disq: cs.disq && e.roundOfModule(e.c.aspects[cs.disqBy].mod) <= ri}
		complete := true
		for _, mi := range mods {
			x.own = x.own.add(cs.mods[mi].contrib)
			complete = complete && cs.mods[mi].complete
		}
		for _, mi := range tieMods {
			x.tie = append(x.tie, cs.mods[mi].contrib)
		}
		if carryFrom != "" {
			if p := prev[cs]; p != nil {
				x.carried = ratFromDecimal(p.score).mul(factor)
			}
		}
		x.exact = x.own.add(x.carried)
		x.score = x.exact.mustRound(rnd.Places, rnd.Mode)
		x.st = RoundStanding{ID: cs.c.ID, Group: e.groupCode(cs.group), Score: x.score,
			Own: x.own.mustRound(rnd.Places, rnd.Mode), Carried: x.carried.mustRound(rnd.Places, rnd.Mode),
			CarriedFrom: carryFrom, Complete: complete, Disqualified: x.disq}
		rr.Complete = rr.Complete && complete
		rs[i] = x
	}
	ranks := rankRound(rs, func(x *rstate) Decimal { return x.score }, func(x *rstate) []rat { return x.tie })
	for i, x := range rs {
		x.st.Rank, x.st.Shared = ranks[i].rank, ranks[i].shared
		e.cut(ri, x)
		rr.Standings = append(rr.Standings, x.st)
		if x.st.Advances {
			rr.Advancing = append(rr.Advancing, x.st.ID)
		}
	}
	// Standings after each unit: carried-in plus the modules so far.
	acc := make([]rat, len(rs))
	for i, x := range rs {
		acc[i] = x.carried
	}
	for k, mi := range mods {
		us := UnitStandings{Module: rd.Modules[k], Name: e.c.mods[mi].m.Name}
		scores := make(map[*rstate]Decimal, len(rs))
		for i, x := range rs {
			acc[i] = acc[i].add(x.cs.mods[mi].contrib)
			scores[x] = acc[i].mustRound(rnd.Places, rnd.Mode)
		}
		order := slices.Clone(rs)
		ranks := rankRound(order, func(x *rstate) Decimal { return scores[x] }, nil)
		for i, x := range order {
			us.Rows = append(us.Rows, UnitRow{ID: x.cs.c.ID, Group: e.groupCode(x.cs.group), Score: scores[x], Rank: ranks[i].rank, Shared: ranks[i].shared})
		}
		rr.Units = append(rr.Units, us)
	}
	return rr, rs
}

type rankOf struct {
	rank   int
	shared bool
}

// rankRound sorts xs by group, then score (and tie-break scores) descending,
// disqualified last and unranked, and returns the ranks in the sorted order.
func rankRound(xs []*rstate, score func(*rstate) Decimal, tie func(*rstate) []rat) []rankOf {
	compare := func(a, b *rstate) int {
		if a.disq != b.disq {
			if a.disq {
				return 1
			}
			return -1
		}
		if c := cmp.Compare(score(b), score(a)); c != 0 {
			return c
		}
		if tie != nil {
			ta, tb := tie(a), tie(b)
			for i := range ta {
				if c := tb[i].cmp(ta[i]); c != 0 {
					return c
				}
			}
		}
		return 0
	}
	slices.SortStableFunc(xs, func(a, b *rstate) int {
		if c := cmp.Compare(a.cs.group, b.cs.group); c != 0 {
			return c
		}
		if c := compare(a, b); c != 0 {
			return c
		}
		return cmp.Compare(a.cs.c.ID, b.cs.c.ID)
	})
	out := make([]rankOf, len(xs))
	start := 0
	for i, x := range xs {
		if i > 0 && xs[i-1].cs.group != x.cs.group {
			start = i
		}
		if x.disq {
			continue
		}
		out[i].rank = i - start + 1
		if i > start && compare(xs[i-1], x) == 0 {
			out[i].rank, out[i].shared, out[i-1].shared = out[i-1].rank, true, true
		}
	}
	return out
}

// cut decides whether x advances from round ri and writes the reasons.
func (e *engine) cut(ri int, x *rstate) {
	rd := &e.r.Rounds[ri]
	places := e.roundRounding(rd).Places
	st := &x.st
	if st.CarriedFrom != "" {
		st.Reasons = append(st.Reasons, Reason{Code: "round.carried", Text: fmt.Sprintf("%s成绩 %s 分 = 本轮 %s 分 + 带入%s成绩 %s 分", rd.Name, st.Score.Format(places), st.Own.Format(places), e.r.Rounds[ri-1].Name, st.Carried.Format(places))})
	} else if ri > 0 {
		st.Reasons = append(st.Reasons, Reason{Code: "round.reset", Text: fmt.Sprintf("%s从 0 分开始，成绩 %s 分", rd.Name, st.Score.Format(places))})
	}
	a := rd.Advance
	if a == nil {
		if st.Disqualified {
			st.Reasons = append(st.Reasons, Reason{Code: "round.disqualified", Text: rd.Name + "被取消资格，不排名"})
		} else {
			st.Reasons = append(st.Reasons, Reason{Code: "round.rank", Text: fmt.Sprintf("%s%s", rd.Name, rankText(st.Rank, st.Shared))})
		}
		return
	}
	nextName := e.r.Rounds[ri+1].Name
	if st.Disqualified {
		st.Reasons = append(st.Reasons, Reason{Code: "round.disqualified", Text: fmt.Sprintf("%s被取消资格，不晋级%s", rd.Name, nextName)})
		return
	}
	rankPart := func() string {
		return rd.Name + rankText(st.Rank, st.Shared)
	}
	scorePart := func() string {
		return fmt.Sprintf("%s %s 分", rd.Name, st.Score.Format(places))
	}
	byRank := a.Top > 0 && st.Rank <= a.Top
	byScore := a.MinScore != nil && st.Score >= *a.MinScore
	var text string
	switch {
	case a.MinScore == nil: // by rank only
		st.Advances = byRank
		tied := ""
		if st.Shared && a.Ties == TiesInclude {
			tied = "，并列者均晋级"
		}
		if byRank {
			text = fmt.Sprintf("%s，晋级%s（前 %d 名%s）", rankPart(), nextName, a.Top, tied)
		} else {
			text = fmt.Sprintf("%s，未进入前 %d 名", rankPart(), a.Top)
		}
	case a.Top == 0: // by score only
		st.Advances = byScore
		if byScore {
			text = fmt.Sprintf("%s，达到 %s 分，晋级%s", scorePart(), a.MinScore, nextName)
		} else {
			text = fmt.Sprintf("%s，未达 %s 分，不晋级%s", scorePart(), a.MinScore, nextName)
		}
	default: // both, combined as stated
		in, met := "在前 %d 名内", "达到 %s 分"
		if !byRank {
			in = "未进入前 %d 名"
		}
		if !byScore {
			met = "未达 %s 分"
		}
		parts := fmt.Sprintf("%s（"+in+"），%s（"+met+"）", rankPart(), a.Top, scorePart(), a.MinScore)
		if a.Combine == "all" {
			st.Advances = byRank && byScore
			parts += "；须两者都满足"
		} else {
			st.Advances = byRank || byScore
			parts += "；满足其一即可"
		}
		if st.Advances {
			text = parts + "，晋级" + nextName
		} else {
			text = parts + "，不晋级" + nextName
		}
	}
	code := "round.out"
	if st.Advances {
		code = "round.advance"
	}
	st.Reasons = append(st.Reasons, Reason{Code: code, Text: text})
}

func rankText(rank int, shared bool) string {
	if shared {
		return fmt.Sprintf("并列第 %d 名", rank)
	}
	return fmt.Sprintf("第 %d 名", rank)
}

// finalPlaces orders the event: the last round's ranking, then those out in
// each earlier round by their ranking there, per group.
func (e *engine) finalPlaces(rounds []RoundResult) []FinalEntry {
	placed := map[string]bool{}
	offset := map[string]int{}
	var byGroup = map[string][]FinalEntry{}
	for ri := len(rounds) - 1; ri >= 0; ri-- {
		rr := &rounds[ri]
		rd := &e.r.Rounds[ri]
		prevRank, prevPlace, idx := -1, 0, map[string]int{}
		grp := ""
		for _, st := range rr.Standings {
			if placed[st.ID] {
				continue
			}
			if st.Group != grp {
				grp, prevRank = st.Group, -1
			}
			placed[st.ID] = true
			f := FinalEntry{ID: st.ID, Group: st.Group, Round: rd.Code, RoundName: rd.Name, Score: st.Score, Carried: st.Carried, CarriedFrom: st.CarriedFrom}
			if !st.Disqualified {
				idx[st.Group]++
				place := offset[st.Group] + idx[st.Group]
				if st.Shared && st.Rank == prevRank {
					place, f.Shared = prevPlace, true
					byGroup[st.Group][len(byGroup[st.Group])-1].Shared = true
				}
				f.Place = place
				prevRank, prevPlace = st.Rank, place
			}
			places := e.roundRounding(rd).Places
			text := fmt.Sprintf("名次 %d：%s%s，%s成绩 %s 分", f.Place, rd.Name, rankText(st.Rank, st.Shared), rd.Name, st.Score.Format(places))
			if f.Shared {
				text = fmt.Sprintf("并列名次 %d：%s%s，%s成绩 %s 分", f.Place, rd.Name, rankText(st.Rank, st.Shared), rd.Name, st.Score.Format(places))
			}
			if st.CarriedFrom != "" {
				text += fmt.Sprintf("（含带入%s成绩 %s 分）", e.r.Rounds[ri-1].Name, st.Carried.Format(places))
			}
			if ri < len(rounds)-1 {
				text += "，未晋级" + e.r.Rounds[ri+1].Name
			}
			if st.Disqualified {
				text = rd.Name + "被取消资格，无名次"
			}
			f.Reasons = []Reason{{Code: "final.place", Text: text}}
			byGroup[st.Group] = append(byGroup[st.Group], f)
		}
		for g, n := range idx {
			offset[g] += n
		}
	}
	var out []FinalEntry
	groups := []string{""}
	if len(e.r.Groups) > 0 {
		groups = groups[:0]
		for _, g := range e.r.Groups {
			groups = append(groups, g.Code)
		}
	}
	for _, g := range groups {
		l := byGroup[g]
		// disqualified entries of an earlier round sort after the ranked ones
		slices.SortStableFunc(l, func(a, b FinalEntry) int {
			return cmp.Compare(unplaced(a), unplaced(b))
		})
		out = append(out, l...)
	}
	return out
}

func unplaced(f FinalEntry) int {
	if f.Place == 0 {
		return 1
	}
	return 0
}

// placeByRounds makes the rounds' final places the event's ranking (Compute
// with rules that have rounds): a contestant's total is the score of the
// last round reached (with what it carried), ranks follow the final places
// — the last round's ranking, then those out in each earlier round — and
// awards, titles and promotion then go by those ranks. Modules of rounds a
// contestant did not reach are not theirs to complete.
func (e *engine) placeByRounds(states []*cstate, ids map[string]int, xs []ContestantResult, confirmed map[string][]string) error {
	rr, err := e.rounds(states, ids, confirmed)
	if err != nil {
		return err
	}
	e.byPlace = true
	reached := map[string]int{}
	for ri, round := range rr.Rounds {
		for _, st := range round.Standings {
			reached[st.ID] = ri
		}
	}
	for _, f := range rr.Final {
		cs := states[ids[f.ID]]
		x := &xs[cs.idx]
		cs.place, cs.placeShared = f.Place, f.Shared
		cs.total, cs.exact = f.Score, ratFromDecimal(f.Score)
		if f.Place == 0 && !cs.unranked() {
			cs.disq, x.Disqualified = true, true
		}
		x.Total, x.TotalExact = f.Score, ""
		x.Reasons = slices.DeleteFunc(x.Reasons, func(r Reason) bool { return r.Code == "total.formula" })
		x.Reasons = append(x.Reasons, f.Reasons...)
		last := reached[f.ID]
		cs.complete = true
		for mi := range x.Modules {
			ms := &x.Modules[mi]
			if ri := e.roundOfModule(mi); ri > last {
				ms.Complete = true
				ms.Reasons = append(ms.Reasons, Reason{Code: "round.not_reached", Module: ms.Code,
					Text: ms.Name + "：属于" + e.r.Rounds[ri].Name + "，未晋级该轮，不计入成绩"})
				continue
			}
			if !ms.Complete {
				cs.complete = false
			}
		}
		x.Complete = cs.complete
	}
	return nil
}
