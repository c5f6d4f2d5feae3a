package scoring

import "strconv"

// Contestant statuses (Contestant.Status). "" is competing. Absent, withdrew
// and disqualified contestants are unranked and take nothing; an ineligible
// one competes and is ranked, but its award, title or promotion place passes
// to the next contestant (递补).
const (
	StatusAbsent       = "absent"       // 缺考
	StatusWithdrew     = "withdrew"     // 弃权
	StatusDisqualified = "disqualified" // 取消资格
	StatusIneligible   = "ineligible"   // 不参与评奖
)

// Statuses lists the statuses in display order.
func Statuses() []string {
	return []string{StatusAbsent, StatusWithdrew, StatusDisqualified, StatusIneligible}
}

// StatusName is a status's Chinese name ("" for competing or unknown).
func StatusName(s string) string {
	switch s {
	case StatusAbsent:
		return "缺考"
	case StatusWithdrew:
		return "弃权"
	case StatusDisqualified:
		return "取消资格"
	case StatusIneligible:
		return "不参与评奖"
	}
	return ""
}

// ValidStatus reports whether s is "" or one of the statuses.
func ValidStatus(s string) bool { return s == "" || StatusName(s) != "" }

// StatusNeedsReason reports whether setting s requires a stated reason.
func StatusNeedsReason(s string) bool { return s == StatusDisqualified || s == StatusIneligible }

// Award bases (AwardRule.Base): whom the award percentages count.
const (
	BaseCompeted = "competed" // default: ranked contestants (not absent, withdrew or disqualified), 不参与评奖 included
	BaseEntered  = "entered"  // everyone who took part: not absent or withdrew (disqualified included)
	BaseEligible = "eligible" // ranked contestants who may take an award (不参与评奖 excluded)
	BaseRoster   = "roster"   // everyone in the group, absent included
)

func baseName(b string) string {
	switch b {
	case BaseEntered:
		return "实际参赛（含取消资格）"
	case BaseEligible:
		return "参与评奖"
	case BaseRoster:
		return "报名"
	}
	return "实际参赛"
}

// compileAwardBase checks the stated award base.
func compileAwardBase(v *validator, a *AwardRule) {
	switch a.Base {
	case "", BaseCompeted, BaseEntered, BaseEligible, BaseRoster:
	default:
		v.add("awards.base", "须为 competed、entered、eligible 或 roster", "must be competed, entered, eligible or roster")
	}
}

// checkStatus refuses an unknown contestant status.
func checkStatus(i int, c *Contestant) error {
	if ValidStatus(c.Status) {
		return nil
	}
	return &InputError{Kind: "contestant", Index: i, Message: "选手 " + c.ID + " 的状态 " + strconv.Quote(c.Status) + " 未知（absent、withdrew、disqualified、ineligible 或空）",
		English: "contestant " + c.ID + " has unknown status " + strconv.Quote(c.Status)}
}

// unranked: a veto disqualification or a status that takes the contestant
// out of the ranking.
func (cs *cstate) unranked() bool {
	switch cs.c.Status {
	case StatusAbsent, StatusWithdrew, StatusDisqualified:
		return true
	}
	return cs.disq
}

// eligible: ranked and may take an award, title or promotion.
func (cs *cstate) eligible() bool {
	return !cs.unranked() && cs.c.Status != StatusIneligible
}

// awardBase counts a ranked list's contestants by the rule's stated base.
func (e *engine) awardBase(l []*cstate) int {
	n := 0
	for _, cs := range l {
		switch e.r.Awards.Base {
		case BaseRoster:
			n++
		case BaseEntered:
			if cs.c.Status != StatusAbsent && cs.c.Status != StatusWithdrew {
				n++
			}
		case BaseEligible:
			if cs.eligible() {
				n++
			}
		default:
			if !cs.unranked() {
				n++
			}
		}
	}
	return n
}

// eligibleRanks gives each eligible contestant of a ranked list its rank
// among the eligible ones (competition ranking, ties shared): the rank that
// titles and rank-based promotions use, so a place an ineligible contestant
// would take passes to the next (递补).
func eligibleRanks(l []*cstate, out []int) {
	seen, prev := 0, (*cstate)(nil)
	for _, cs := range l {
		if !cs.eligible() {
			continue
		}
		seen++
		if prev != nil && prev.rank == cs.rank {
			out[cs.idx] = out[prev.idx]
		} else {
			out[cs.idx] = seen
		}
		prev = cs
	}
}

// explainStatus records a contestant's status and its reason in the result.
func (e *engine) explainStatus(cs *cstate, x *ContestantResult) {
	st := cs.c.Status
	if st == "" {
		return
	}
	x.Status, x.StatusName, x.StatusReason = st, StatusName(st), cs.c.StatusReason
	why := ""
	if cs.c.StatusReason != "" {
		why = "（" + cs.c.StatusReason + "）"
	}
	var text string
	switch st {
	case StatusAbsent:
		text = "缺考" + why + "，不参加排名、评奖和晋升"
	case StatusWithdrew:
		text = "弃权" + why + "，不参加排名、评奖和晋升"
	case StatusDisqualified:
		x.Disqualified = true
		text = "取消资格" + why + "，不参加排名、评奖和晋升"
	case StatusIneligible:
		text = "不参与评奖" + why + "：参加排名，但不获奖项、称号和晋升，其名额由后一名递补"
	}
	if st == StatusAbsent || st == StatusWithdrew {
		// No marks are expected from a contestant who did not compete.
		kept := x.Reasons[:0]
		for _, r := range x.Reasons {
			if r.Code != "total.incomplete" {
				kept = append(kept, r)
			}
		}
		x.Reasons = kept
	}
	x.Reasons = append(x.Reasons, Reason{Code: "status." + st, Text: text})
}

// outText is why an unranked contestant takes nothing, for pass and
// promotion reasons.
func (cs *cstate) outText() string {
	if n := StatusName(cs.c.Status); n != "" && cs.c.Status != StatusIneligible {
		return n
	}
	return "已取消资格"
}
