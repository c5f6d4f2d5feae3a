package web

import (
	"context"
	"slices"

	"skillscore"
	"skillscore/results"
	"skillscore/scoring"
	"skillscore/store"
)

// assessmentVerdicts is the results page's table for an assessment batch:
// each candidate's score and verdict per part (合格, 不合格, 缺考, or 合格
// carried from an earlier batch with its source), and the overall verdict.
type assessmentVerdicts struct {
	Parts                           []string // column headings, in the pass rule's order
	Rows                            []passRow
	Passed, Failed, Absent, Pending int
	Error                           string // the results cannot be computed: why
	Names                           bool   // names may be shown: no codes drawn, or decrypted
}

type passRow struct {
	Code, Name string // Name only once names may be shown (no codes, or decrypted)
	Cells      []passCell
	Pass       string // 合格 | 不合格 | 缺考 …
	PassClass  string
	Note       string // the status and its reason
}

type passCell struct {
	Score, Verdict, Class string // Class: pass | fail | absent | carried | none
}

// verdictSubject keys a verdict by what it judges: the part, or the module.
func verdictSubject(v scoring.PartVerdict) string {
	if v.Module != "" {
		return "module:" + v.Module
	}
	return v.Part
}

func (s *Server) assessmentVerdicts(ctx context.Context, ev store.Event, f store.Workflow) (*assessmentVerdicts, error) {
	snap, err := s.judging.Snapshot(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	out := &assessmentVerdicts{}
	st, err := results.Compute(snap)
	if err != nil {
		if HTTPStatus(err) >= 500 {
			return nil, err
		}
		out.Error = skillscore.ErrorMessage(err)
		return out, nil
	}
	if st.Rules.Pass == nil {
		out.Error = "评分规则没有合格条件（pass），无法判定合格"
		return out, nil
	}
	// One column per part (or module) the conditions judge; two conditions
	// on one part for different levels share it.
	var subjects []string
	for _, c := range st.Result.Contestants {
		for _, v := range c.Verdicts {
			if sub := verdictSubject(v); !slices.Contains(subjects, sub) {
				subjects = append(subjects, sub)
				out.Parts = append(out.Parts, v.Name)
			}
		}
	}
	names := f.Coded == 0 || f.DecryptedAt.Valid()
	out.Names = names
	for _, c := range st.Result.Contestants {
		sc := st.Contestants[c.ID]
		row := passRow{Code: results.DisplayCode(sc), Note: results.StatusNote(c)}
		if names {
			row.Name = sc.Name
		}
		if sc.Code == nil {
			row.Code = ""
		}
		for _, sub := range subjects {
			cell := passCell{Class: "none", Verdict: "—"}
			for _, v := range c.Verdicts {
				if verdictSubject(v) != sub {
					continue
				}
				cell = passCell{Score: v.Score.String(), Verdict: v.Text(), Class: v.Verdict}
				if v.Verdict == scoring.VerdictAbsent {
					cell.Score = ""
				}
			}
			row.Cells = append(row.Cells, cell)
		}
		pending := false
		for _, v := range c.Verdicts {
			pending = pending || v.Pending
		}
		switch {
		case results.NoScore(c):
			row.Pass, row.PassClass = c.StatusName, "absent"
			out.Absent++
		case c.Pass != nil && *c.Pass:
			row.Pass, row.PassClass = "合格", "pass"
			out.Passed++
		default:
			row.Pass, row.PassClass = "不合格", "fail"
			out.Failed++
		}
		if pending {
			row.Pass += "（暂计）"
			out.Pending++
		}
		out.Rows = append(out.Rows, row)
	}
	return out, nil
}
