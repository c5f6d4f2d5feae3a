// Package feedback tells people how they were scored, after the fact: a
// contestant's own 成绩单 (per module and aspect, the panel's result and
// the scoring core's reasons) and a judge's self-review report (their
// marks against the panel's, with the deviation figures of the chief
// judge's desk). It only reads computed standings: it never computes a
// score of its own, never touches the database, and never sees a 证件号码.
package feedback

import (
	"slices"
	"strconv"

	"skillscore/results"
	"skillscore/scoring"
	"skillscore/store"
)

// Transcript is one contestant's 成绩单 as shown to them.
type Transcript struct {
	EventCode, EventName, Occupation string
	Assessment                       bool // 等级认定: verdicts, no ranks
	Final                            bool // results final, not only published (公示)
	// The contestant: their own name in full (they typed it), the public
	// code, group, 单位; a team entry's name when the person competed in a team.
	Name, Code, Group, Org, Team string
	Modules                      []ModuleLine
	Total                        string // exact, as the core computes it ("≈" before a rounded display of a repeating value)
	TotalExact                   string // the unrounded total as a fraction, when the total is a rounding
	Complete                     bool
	Rank                         int    // 0: none (assessment, disqualified, a status)
	Award, Promotion             string // "" for none
	Titles                       []string
	Verdicts                     []string // assessment: "理论 78 ≥ 60 合格"
	Status                       string   // 缺考, 取消资格（…）…, "" competing
	Reasons                      []string // the result's own reasons: total, rank, award, status
	// JudgeMarks: the event's setting lets the public see individual
	// judges' marks (live_states.show_judge_marks); off, no mark, judge
	// code or subtotal appears anywhere in the transcript.
	JudgeMarks bool
}

// ModuleLine is one module of a transcript.
type ModuleLine struct {
	Code, Name   string
	Score, Max   string
	Contribution string // after weight or factor
	Absent       bool   // 缺考 in a score file
	Complete     bool
	Aspects      []AspectLine
	Reasons      []string
}

// AspectLine is one aspect's panel result.
type AspectLine struct {
	Code, Name, Kind string
	Score            string // the panel's result: marks earned, or for a deduction "−" the points taken off
	Complete         bool
	Marks            []string // "J01：2（去掉）", only with JudgeMarks
	Reasons          []string
}

// aspectReasons are the aspect-level reasons a transcript shows when judges'
// marks are sealed: those about the aspect as a whole. The others (marks
// dropped, with whose values; a missing judge, which tells a recusal; a
// per-judge formula) name judges or their marks.
var aspectReasons = map[string]bool{"aspect.multiplier": true, "aspect.multiplier_missing": true, "aspect.veto": true}

// exact shows a computed value as the core's reasons do: the decimal when
// it is exact, "≈" and four places when it is a rounding of a repeating one.
func exact(d scoring.Decimal, fraction string) string {
	if fraction == "" {
		return d.String()
	}
	return "≈" + d.String()
}

// Contestant is the scoring key of the entry a stored contestant is scored
// as: their own, or their team's for a team member.
func Contestant(st *results.Standings, c store.Contestant) (key string, team string) {
	if c.Kind == store.KindMember && c.TeamID != nil {
		k := results.Key(*c.TeamID)
		return k, st.Contestants[k].Name
	}
	return results.Key(c.ID), ""
}

// NewTranscript builds the 成绩单 of the stored contestant c from the
// event's standings; marks says whether judges' marks may be shown. It
// reports false when the standings hold no result for c.
func NewTranscript(st *results.Standings, c store.Contestant, marks, final bool) (Transcript, bool) {
	key, team := Contestant(st, c)
	i := slices.IndexFunc(st.Result.Contestants, func(r scoring.ContestantResult) bool { return r.ID == key })
	if i < 0 {
		return Transcript{}, false
	}
	r := st.Result.Contestants[i]
	entry := st.Contestants[key]
	ev := st.Snapshot.Event
	t := Transcript{EventCode: ev.Code, EventName: ev.Name, Occupation: ev.Occupation, Assessment: ev.Kind == string(scoring.Assessment),
		Final: final, Name: c.Name, Code: results.DisplayCode(entry), Group: r.GroupName, Org: c.Organization, Team: team,
		Total: results.TotalText(r, func(d scoring.Decimal) string { return exact(d, r.TotalExact) }), TotalExact: r.TotalExact,
		Complete: r.Complete, Rank: r.Rank, Award: r.AwardName, Titles: r.Titles, Status: results.StatusNote(r), JudgeMarks: marks}
	if r.Promotion != nil {
		t.Promotion = r.Promotion.ToName
	}
	if t.Assessment {
		t.Rank = 0
		for _, v := range r.Verdicts {
			t.Verdicts = append(t.Verdicts, v.Name+" "+exact(v.Score, v.ScoreExact)+"（合格线 "+v.Min.String()+"）"+v.Text())
		}
	}
	display := func(k string) string { return results.DisplayCode(st.Contestants[k]) }
	// The result's own reasons always as the public sees them: they never
	// name a judge, and a tie-break names the other contestant by code.
	pub := results.Redact(r, display)
	t.Reasons = texts(pub.Reasons)
	for mi, m := range r.Modules {
		ml := ModuleLine{Code: m.Code, Name: m.Name, Score: results.ModuleText(m, func(d scoring.Decimal) string { return exact(d, m.ScoreExact) }),
			Max: m.Max.String(), Contribution: exact(m.Contribution, m.ContributionExact), Absent: results.ModuleAbsent(m), Complete: m.Complete}
		if marks {
			ml.Reasons = texts(m.Reasons)
		} else {
			ml.Reasons = texts(pub.Modules[mi].Reasons)
		}
		for _, a := range m.Aspects {
			al := AspectLine{Code: a.Code, Name: a.Name, Kind: a.Kind.Name(), Score: exact(a.Score, a.ScoreExact), Complete: a.Complete}
			switch {
			case a.Kind == scoring.Deduction && a.Score != 0:
				al.Score = "−" + al.Score
			case a.Kind == scoring.Veto:
				al.Score = "未触发"
				if a.Triggered {
					al.Score = "触发"
				}
			}
			for _, rs := range a.Reasons {
				if marks || aspectReasons[rs.Code] && rs.Judge == "" {
					al.Reasons = append(al.Reasons, rs.Text)
				}
			}
			if marks {
				for _, jm := range a.Marks {
					al.Marks = append(al.Marks, markText(jm))
				}
			}
			ml.Aspects = append(ml.Aspects, al)
		}
		t.Modules = append(t.Modules, ml)
	}
	return t, true
}

// markText is one judge's mark as a transcript lists it.
func markText(jm scoring.JudgeMark) string {
	s := jm.Judge + "：" + jm.Value.String()
	if jm.Filled {
		s = "缺评：0"
	}
	if jm.Mapped != nil {
		s += "（折合 " + jm.Mapped.String() + "）"
	}
	if jm.Dropped {
		s += "（去掉）"
	}
	return s
}

func texts(rs []scoring.Reason) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.Text)
	}
	return out
}

// RankText is the rank as a transcript says it: "第 3 名", "" for none.
func (t Transcript) RankText() string {
	if t.Rank <= 0 {
		return ""
	}
	return "第 " + strconv.Itoa(t.Rank) + " 名"
}
