package scoring

import (
	"cmp"
	"slices"
	"strconv"

	"skillscore/levels"
)

// tieName is the Chinese name of a tie-break key.
func (e *engine) tieName(k tieKey) string {
	switch k.kind {
	case "completion_time":
		return "完成用时较短"
	case "part":
		return partNames[k.part] + "成绩较高"
	case "module":
		return e.c.mods[k.module].m.Name + "成绩较高"
	}
	return k.raw
}

// compareTie compares two contestants on tie-break key k: < 0 when a ranks
// ahead. An unknown completion time counts as slower than any known one, so
// the order stays transitive.
func (e *engine) compareTie(a, b *cstate, k tieKey) int {
	switch k.kind {
	case "completion_time":
		ta, tb := a.c.CompletionTime, b.c.CompletionTime
		if ta == tb {
			return 0
		}
		if ta == 0 {
			return 1
		}
		if tb == 0 {
			return -1
		}
		return cmp.Compare(ta, tb)
	case "part":
		pi := slices.Index(e.c.parts, k.part)
		return b.parts[pi].cmp(a.parts[pi])
	case "module":
		return b.mods[k.module].score.cmp(a.mods[k.module].score)
	}
	return 0
}

// compareRank orders two contestants of one group; the second result is the
// index of the tie-break that decided (-1: the total or disqualification;
// len(tie): shared).
func (e *engine) compareRank(a, b *cstate) (int, int) {
	if ua, ub := a.unranked(), b.unranked(); ua != ub {
		if ua {
			return 1, -1
		}
		return -1, -1
	}
	if c := cmp.Compare(b.total, a.total); c != 0 {
		return c, -1
	}
	for i, k := range e.c.tie {
		if c := e.compareTie(a, b, k); c != 0 {
			return c, i
		}
	}
	return 0, len(e.c.tie)
}

// rank sorts each group and assigns competition ranks (1, 2, 2, 4).
func (e *engine) rank(states []*cstate) [][]*cstate {
	nG := max(len(e.r.Groups), 1)
	lists := make([][]*cstate, nG)
	for _, cs := range states {
		lists[cs.group] = append(lists[cs.group], cs)
	}
	for _, l := range lists {
		e.rankList(l)
	}
	return lists
}

func (e *engine) rankList(l []*cstate) {
	slices.SortFunc(l, func(a, b *cstate) int {
		if e.byPlace {
			if c := cmp.Compare(unplacedState(a), unplacedState(b)); c != 0 {
				return c
			}
			if c := cmp.Compare(a.place, b.place); c != 0 {
				return c
			}
			return cmp.Compare(a.c.ID, b.c.ID)
		}
		if c, _ := e.compareRank(a, b); c != 0 {
			return c
		}
		return cmp.Compare(a.c.ID, b.c.ID)
	})
	e.assignRanks(l)
}

func (e *engine) assignRanks(l []*cstate) {
	for i, cs := range l {
		cs.pos = i
		cs.decided, cs.shared, cs.rank = -1, false, 0
		if cs.unranked() || e.r.Kind != Competition {
			continue
		}
		if e.byPlace {
			cs.rank, cs.shared = cs.place, cs.placeShared
			continue
		}
		cs.rank = i + 1
		if i == 0 {
			continue
		}
		prev := l[i-1]
		if prev.total != cs.total || prev.unranked() {
			continue
		}
		c, by := e.compareRank(prev, cs)
		if c == 0 {
			cs.rank, cs.shared, prev.shared = prev.rank, true, true
		} else {
			cs.decided = by
		}
	}
}

// finish turns ranked states into results: awards, pass, promotion, titles,
// standardised scores, group summaries and judge consistency.
func (e *engine) finish(states []*cstate, xs []ContestantResult, lists [][]*cstate) *Result {
	res := &Result{Event: e.r.Name, Contestants: make([]ContestantResult, 0, len(states))}
	erank := make([]int, len(states))
	for gi, l := range lists {
		gs := GroupSummary{Contestants: len(l)}
		if len(e.r.Groups) > 0 {
			gs.Code, gs.Name = e.r.Groups[gi].Code, e.r.Groups[gi].Name
		}
		for _, cs := range l {
			e.explainRank(cs, l, &xs[cs.idx])
		}
		gs.Awards = e.awards(l, xs)
		if gs.Awards != nil {
			gs.AwardBase = e.awardBase(l)
		}
		e.standardise(l, xs, states)
		eligibleRanks(l, erank)
		for _, cs := range l {
			x := &xs[cs.idx]
			if !cs.unranked() {
				gs.Ranked++
			}
			if cs.complete {
				gs.Complete++
			}
			e.explainStatus(cs, x)
			e.passOf(cs, x)
			e.promote(cs, x, erank[cs.idx])
			e.titles(cs, x, erank[cs.idx])
			if erank[cs.idx] != cs.rank {
				x.EligibleRank = erank[cs.idx]
			}
			x.ID, x.Group, x.GroupName = cs.c.ID, gs.Code, gs.Name
			res.Contestants = append(res.Contestants, *x)
		}
		res.Groups = append(res.Groups, gs)
	}
	e.consistency(states, res)
	return res
}

func (e *engine) explainRank(cs *cstate, l []*cstate, x *ContestantResult) {
	x.Rank, x.SharedRank = cs.rank, cs.shared
	if cs.rank == 0 {
		return
	}
	x.Reasons = append(x.Reasons, Reason{Code: "rank.position", Text: "本组第 " + strconv.Itoa(cs.rank) + " 名（总分 " + cs.total.String() + "）"})
	if cs.decided >= 0 {
		k := e.c.tie[cs.decided]
		prev := l[cs.pos-1]
		x.DecidedBy = k.raw
		x.Reasons = append(x.Reasons, Reason{Code: "rank.tiebreak", Text: "与 " + prev.c.ID + " 总分同为 " + cs.total.String() + "，按“" + e.tieName(k) + "”排在其后" + e.tieDetail(prev, cs, k)})
	}
	if cs.pos+1 < len(l) {
		next := l[cs.pos+1]
		if !next.unranked() && next.total == cs.total && next.decided >= 0 {
			k := e.c.tie[next.decided]
			if x.DecidedBy == "" {
				x.DecidedBy = k.raw
			}
			x.Reasons = append(x.Reasons, Reason{Code: "rank.tiebreak", Text: "与 " + next.c.ID + " 总分同为 " + cs.total.String() + "，按“" + e.tieName(k) + "”排在其前" + e.tieDetail(cs, next, k)})
		}
	}
	if cs.shared {
		x.Reasons = append(x.Reasons, Reason{Code: "rank.shared", Text: "与其他选手总分及全部并列规则均相同，并列第 " + strconv.Itoa(cs.rank) + " 名"})
	}
}

func (e *engine) tieDetail(a, b *cstate, k tieKey) string {
	switch k.kind {
	case "completion_time":
		return "（" + fmtMillis(a.c.CompletionTime) + " 对 " + fmtMillis(b.c.CompletionTime) + "）"
	case "part":
		pi := slices.Index(e.c.parts, k.part)
		return "（" + fmtRat(a.parts[pi]) + " 对 " + fmtRat(b.parts[pi]) + "）"
	case "module":
		return "（" + fmtRat(a.mods[k.module].score) + " 对 " + fmtRat(b.mods[k.module].score) + "）"
	}
	return ""
}

func roundCount(r rat, mode RoundingMode) int {
	return int(r.mustRound(0, mode) / DecimalScale)
}

// awards assigns award bands in one ranked list. Band boundaries are the
// nominal cumulative counts moved to the edge of a tie block, so tied
// contestants never split across two awards. Nominal counts come from the
// rule's stated base; places are taken by eligible contestants only, so a
// place a 不参与评奖 contestant would hold passes to the next (递补) and the
// number of awards stays the same.
func (e *engine) awards(l []*cstate, xs []ContestantResult) []AwardCount {
	ar := e.r.Awards
	for _, cs := range l {
		cs.award = -1
	}
	if ar == nil || e.r.Kind != Competition {
		return nil
	}
	n := e.awardBase(l)
	el := make([]*cstate, 0, len(l))
	ranked := 0
	for _, cs := range l {
		if cs.eligible() {
			el = append(el, cs)
		}
		if !cs.unranked() {
			ranked++
		}
	}
	nominal, bound := e.bandBounds(el, n)
	nb := len(ar.Bands)
	counts := make([]AwardCount, nb)
	for i, b := range ar.Bands {
		counts[i] = AwardCount{Code: b.Code, Name: b.Name, Nominal: nominal[i]}
	}
	explain := xs != nil
	// Without ineligible contestants there is nothing to pass on; with
	// them, the bands they would have held tell who moved up.
	var would []int
	if explain && len(el) < ranked {
		rl := make([]*cstate, 0, ranked)
		for _, cs := range l {
			if !cs.unranked() {
				rl = append(rl, cs)
			}
		}
		_, rb := e.bandBounds(rl, n)
		would = make([]int, len(l))
		for p, cs := range rl {
			would[cs.pos] = e.bandOf(cs, p, rb)
		}
	}
	why := ""
	if n != len(l) {
		why = "；获奖基数按" + baseName(ar.Base) + "人数计 " + strconv.Itoa(n) + " 人"
	}
	for _, cs := range l {
		if explain && cs.c.Status == StatusIneligible && !cs.unranked() {
			x := &xs[cs.idx]
			if would != nil && would[cs.pos] >= 0 {
				x.Reasons = append(x.Reasons, Reason{Code: "award.ineligible", Text: "按名次本可获" + ar.Bands[would[cs.pos]].Name + "，因不参与评奖不获奖，名额由后一名递补"})
			} else {
				x.Reasons = append(x.Reasons, Reason{Code: "award.ineligible", Text: "不参与评奖，不获奖"})
			}
		}
	}
	for p, cs := range el {
		var x *ContestantResult
		if explain {
			x = &xs[cs.idx]
		}
		bi := 0
		for bi < nb && p >= bound[bi] {
			bi++
		}
		if bi == nb {
			if explain {
				last := 0
				if nb > 0 {
					last = bound[nb-1]
				}
				x.Reasons = append(x.Reasons, Reason{Code: "award.none", Text: "名次在获奖名额（本组 " + strconv.Itoa(n) + " 人中前 " + strconv.Itoa(last) + " 人）之外，不获奖"})
			}
			continue
		}
		if ar.MinScore != nil && cs.total < *ar.MinScore {
			if explain {
				x.Reasons = append(x.Reasons, Reason{Code: "award.floor", Text: "总分 " + cs.total.String() + " 低于获奖最低分 " + ar.MinScore.String() + "，不获奖"})
			}
			continue
		}
		first := bi
		for bi < nb && ar.Bands[bi].MinScore != nil && cs.total < *ar.Bands[bi].MinScore {
			if explain {
				x.Reasons = append(x.Reasons, Reason{Code: "award.floor", Text: "总分 " + cs.total.String() + " 低于" + ar.Bands[bi].Name + "最低分 " + ar.Bands[bi].MinScore.String() + "，顺延评定"})
			}
			bi++
		}
		if bi == nb {
			if explain {
				x.Reasons = append(x.Reasons, Reason{Code: "award.none", Text: "未达到任何奖项的最低分，不获奖"})
			}
			continue
		}
		cs.award = bi
		counts[bi].Count++
		if !explain {
			continue
		}
		b := ar.Bands[first]
		text := "按名次属" + b.Name + "名额（" + bandRule(b, nominal[first], n) + "，本组实际前 " + strconv.Itoa(bound[first]) + " 人内" + why + "）"
		if bound[first] != sumUpTo(nominal, first) && bound[first] > 0 {
			text += "；名额边界因并列调整"
		}
		b = ar.Bands[bi]
		x.Award, x.AwardName = b.Code, b.Name
		x.Reasons = append(x.Reasons, Reason{Code: "award.band", Text: "获" + b.Name + "：" + text})
		if would != nil && (would[cs.pos] < 0 || would[cs.pos] > bi) {
			x.Reasons = append(x.Reasons, Reason{Code: "award.moved_up", Text: "名次在前的选手不参与评奖，递补获" + b.Name})
		}
	}
	return counts
}

// bandBounds computes each band's nominal count for a base of n and its
// cumulative boundary in the list l, moved to a tie-block edge.
func (e *engine) bandBounds(l []*cstate, n int) (nominal, bound []int) {
	ar := e.r.Awards
	mode := HalfUp
	if ar.CountRounding != nil {
		mode = ar.CountRounding.Mode
	}
	nb := len(ar.Bands)
	nominal = make([]int, nb)
	bound = make([]int, nb)
	target := 0
	var cumPct Decimal
	prevBound := 0
	size := len(l)
	for i, b := range ar.Bands {
		switch {
		case b.Percent != nil:
			cumPct += *b.Percent
			nominal[i] = roundCount(rat{int64(n), 1}.mul(ratFactor(*b.Percent)).divInt(100).mulInt(DecimalScale), mode)
			if ar.Counting == "cumulative" {
				t := roundCount(rat{int64(n), 1}.mul(ratFactor(cumPct)).divInt(100).mulInt(DecimalScale), mode)
				nominal[i] = max(t-target, 0)
				target = max(t, target)
			} else {
				target += nominal[i]
			}
		case b.Count != nil:
			nominal[i] = *b.Count
			target += *b.Count
		case b.UntilPercent != nil:
			t := roundCount(rat{int64(n), 1}.mul(ratFactor(*b.UntilPercent)).divInt(100).mulInt(DecimalScale), mode)
			nominal[i] = max(t-target, 0)
			target = max(t, target)
		}
		t := min(target, size)
		// move t to a tie-block edge
		if ar.Ties == "exclude" {
			for t > prevBound && t < size && l[t-1].total == l[t].total && l[t-1].rank == l[t].rank {
				t--
			}
		} else {
			for t > 0 && t < size && l[t-1].rank == l[t].rank && l[t].rank != 0 {
				t++
			}
		}
		t = max(t, prevBound)
		bound[i] = t
		prevBound = t
	}
	return nominal, bound
}

// bandOf is the band the contestant at position p of a list gets under the
// boundaries bound and the score floors, -1 none.
func (e *engine) bandOf(cs *cstate, p int, bound []int) int {
	ar := e.r.Awards
	bi := 0
	for bi < len(bound) && p >= bound[bi] {
		bi++
	}
	if bi == len(bound) || ar.MinScore != nil && cs.total < *ar.MinScore {
		return -1
	}
	for bi < len(bound) && ar.Bands[bi].MinScore != nil && cs.total < *ar.Bands[bi].MinScore {
		bi++
	}
	if bi == len(bound) {
		return -1
	}
	return bi
}

func sumUpTo(a []int, i int) int {
	s := 0
	for _, v := range a[:i+1] {
		s += v
	}
	return s
}

func bandRule(b AwardBand, nominal, n int) string {
	switch {
	case b.Percent != nil:
		return strconv.Itoa(n) + " 人 × " + b.Percent.String() + "% 取整为 " + strconv.Itoa(nominal) + " 名"
	case b.Count != nil:
		return "定额 " + strconv.Itoa(*b.Count) + " 名"
	}
	return "至前 " + b.UntilPercent.String() + "%"
}

// promote applies the first matching line of the promotion table; rank
// lines use erank, the rank among contestants eligible for promotion.
func (e *engine) promote(cs *cstate, x *ContestantResult, erank int) {
	pr := e.r.Promotion
	if pr == nil {
		return
	}
	none := func(code, text string) { x.Reasons = append(x.Reasons, Reason{Code: code, Text: text}) }
	if cs.unranked() {
		none("promotion.none", cs.outText()+"，不予晋升")
		return
	}
	if cs.c.Status == StatusIneligible {
		none("promotion.ineligible", "不参与评奖，不予晋升，名额由后一名递补")
		return
	}
	passed := x.Pass != nil && *x.Pass
	group := ""
	if len(e.r.Groups) > 0 {
		group = e.r.Groups[cs.group].Code
	}
	idx := -1
	for i, s := range e.c.promo {
		if s.Group != "" && s.Group != group {
			continue
		}
		switch {
		case s.Ranks != nil:
			if erank >= s.Ranks.From && erank <= s.Ranks.To {
				idx = i
			}
		case len(s.Awards) > 0:
			for _, a := range s.Awards {
				if cs.award >= 0 && (a == "*" || a == e.r.Awards.Bands[cs.award].Code) {
					idx = i
				}
			}
		case s.Passed:
			if passed {
				idx = i
			}
		}
		if idx >= 0 {
			break
		}
	}
	if idx < 0 {
		if cs.rank > 0 {
			none("promotion.none", "第 "+strconv.Itoa(cs.rank)+" 名不在晋升表范围内，不晋升")
		} else {
			none("promotion.none", "不符合晋升表任何一条，不晋升")
		}
		return
	}
	s := e.c.promo[idx]
	rule := "晋升表第 " + strconv.Itoa(idx+1) + " 条（" + stepText(s, e) + "）"
	if pr.RequirePass && !passed {
		none("promotion.not_passed", "符合"+rule+"，但理论与实操须均合格，未达合格线，不晋升")
		return
	}
	if pr.OncePerYear && e.year != 0 && cs.c.LastPromotionYear == e.year {
		none("promotion.this_year", "符合"+rule+"，但 "+strconv.Itoa(e.year)+" 年已晋升过一次，每人每年至多晋升一次")
		return
	}
	cur := cs.c.Level
	to, why := promoteTo(cur, s)
	switch why {
	case "already":
		none("promotion.already", "符合"+rule+"，但已具有"+cur.String()+"，不重复晋升")
		return
	case "capped":
		none("promotion.capped", "符合"+rule+"，但已具有"+cur.String()+"，已达可晋升的最高等级")
		return
	}
	x.Promotion = &Promotion{From: cur, To: to, FromName: cur.String(), ToName: to.String(), Rule: idx}
	x.Reasons = append(x.Reasons, Reason{Code: "promotion.granted", Text: "按" + rule + "，由" + cur.String() + "晋升为" + to.String()})
	if s.Ranks != nil && erank != cs.rank {
		x.Reasons = append(x.Reasons, Reason{Code: "promotion.moved_up", Text: "名次在前的选手不参与评奖，按第 " + strconv.Itoa(erank) + " 个晋升名额递补"})
	}
}

// promoteTo is the level a promotion step grants someone holding cur, or
// why it grants none: "already" (they hold the step's level and it does
// not promote such holders) or "capped" (nothing above cur within the
// cap). Levels are compared in their order (package levels), never by
// code, and a granted level is always above cur.
func promoteTo(cur levels.Level, s PromotionStep) (levels.Level, string) {
	var to levels.Level
	switch {
	case s.To != levels.None:
		to = s.To
		if cur != levels.None && cur.AtLeast(s.To) {
			if s.Already != "up" {
				return levels.None, "already"
			}
			next, ok := cur.Next()
			if !ok {
				return levels.None, "capped"
			}
			to = next
		}
	case cur == levels.None:
		to = s.NoneTo
		if to == levels.None {
			to = levels.Junior
		}
	default:
		var ok bool
		if to, ok = cur.Up(s.Up); !ok {
			to = levels.Highest // past the top: as far as the cap lets
		}
	}
	ceiling := s.Cap
	if ceiling == levels.None {
		// Rules written for the 五级…一级 scale never granted more than
		// 高级技师; 特级技师 and 首席技师 take a step that names them.
		ceiling = levels.SeniorTechnician
		if s.To.Above(ceiling) {
			ceiling = s.To
		}
	}
	if to.Above(ceiling) {
		to = ceiling
	}
	if !to.Valid() || (cur != levels.None && !to.Above(cur)) {
		return levels.None, "capped"
	}
	return to, ""
}

func stepText(s PromotionStep, e *engine) string {
	var t string
	if s.Group != "" {
		if g, ok := e.c.groups[s.Group]; ok {
			t = e.r.Groups[g].Name
		}
	}
	switch {
	case s.Ranks != nil:
		if s.Ranks.From == s.Ranks.To {
			t += "第 " + strconv.Itoa(s.Ranks.From) + " 名"
		} else {
			t += "第 " + strconv.Itoa(s.Ranks.From) + "–" + strconv.Itoa(s.Ranks.To) + " 名"
		}
	case len(s.Awards) > 0:
		if s.Awards[0] == "*" {
			t += "获奖者"
		} else {
			for i, a := range s.Awards {
				if i > 0 {
					t += "、"
				}
				t += e.r.Awards.Bands[e.c.awardBands[a]].Name
			}
		}
	case s.Passed:
		t += "成绩合格者"
	}
	if s.To != levels.None {
		t += " → " + s.To.String()
		if s.Already == "up" {
			t += "，已具有者晋升高一级"
		}
	} else {
		t += " → 晋升 " + strconv.Itoa(s.Up) + " 级"
	}
	if s.Cap != levels.None {
		t += "，最高至" + s.Cap.String()
	}
	return t
}

// titles grants the titles whose top places cs holds; erank is its rank
// among the contestants eligible for a title, so an ineligible
// contestant's place passes to the next (递补).
func (e *engine) titles(cs *cstate, x *ContestantResult, erank int) {
	group := ""
	if len(e.r.Groups) > 0 {
		group = e.r.Groups[cs.group].Code
	}
	for _, t := range e.r.Titles {
		if t.Group != "" && t.Group != group || cs.rank == 0 {
			continue
		}
		if cs.c.Status == StatusIneligible {
			if cs.rank <= t.Top {
				x.Reasons = append(x.Reasons, Reason{Code: "title.ineligible", Text: "名次在“" + t.Name + "”前 " + strconv.Itoa(t.Top) + " 名内，但不参与评奖，不授予，由后一名递补"})
			}
			continue
		}
		if erank > t.Top {
			continue
		}
		if t.RequirePass && (x.Pass == nil || !*x.Pass) {
			x.Reasons = append(x.Reasons, Reason{Code: "title.not_passed", Text: "名次在“" + t.Name + "”前 " + strconv.Itoa(t.Top) + " 名内，但成绩未合格，不授予"})
			continue
		}
		x.Titles = append(x.Titles, t.Name)
		if erank != cs.rank {
			x.Reasons = append(x.Reasons, Reason{Code: "title.moved_up", Text: "第 " + strconv.Itoa(cs.rank) + " 名；名次在前的选手不参与评奖，递补为“" + t.Name + "”第 " + strconv.Itoa(erank) + " 个名额，授予“" + t.Name + "”"})
			continue
		}
		x.Reasons = append(x.Reasons, Reason{Code: "title.granted", Text: "第 " + strconv.Itoa(cs.rank) + " 名，在前 " + strconv.Itoa(t.Top) + " 名内，授予“" + t.Name + "”"})
	}
}

// standardise maps totals to the optional standardised scale.
func (e *engine) standardise(l []*cstate, xs []ContestantResult, all []*cstate) {
	sr := e.r.Standardised
	if sr == nil {
		return
	}
	pool := l
	if sr.Per == "all" {
		pool = all
	}
	var ts []rat
	for _, cs := range pool {
		if !cs.unranked() {
			ts = append(ts, ratFromDecimal(cs.total))
		}
	}
	if len(ts) == 0 {
		return
	}
	med := median(ts)
	devs := make([]rat, len(ts))
	for i, t := range ts {
		d := t.sub(med)
		if d.sign() < 0 {
			d = d.neg()
		}
		devs[i] = d
	}
	mad := median(devs)
	for _, cs := range l {
		if cs.unranked() {
			continue
		}
		v := ratFromDecimal(sr.Center)
		if mad.sign() != 0 {
			v = v.add(ratFromDecimal(cs.total).sub(med).mul(ratFromDecimal(sr.Spread)).div(mad))
		}
		d := v.mustRound(sr.Rounding.Places, sr.Rounding.Mode)
		x := &xs[cs.idx]
		x.Standardised = &d
		x.Reasons = append(x.Reasons, Reason{Code: "standardised", Text: "标准分 = " + sr.Center.String() + " + (总分 " + cs.total.String() + " − 中位数 " + fmtRat(med) + ") × " + sr.Spread.String() + " ÷ 绝对离差中位数 " + fmtRat(mad) + " = " + d.Format(sr.Rounding.Places)})
	}
}

func median(vs []rat) rat {
	s := slices.Clone(vs)
	slices.SortFunc(s, func(a, b rat) int { return a.cmp(b) })
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return s[n/2-1].add(s[n/2]).divInt(2)
}

// unplacedState sorts contestants without a final place (unranked) last.
func unplacedState(cs *cstate) int {
	if cs.place == 0 || cs.unranked() {
		return 1
	}
	return 0
}
