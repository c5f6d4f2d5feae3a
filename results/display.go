package results

import "skillscore/scoring"

// How a status shows wherever results are shown (leaderboard, big screen,
// 公示, exports): the total column says 缺考 or 弃权 where there is no score;
// the award column says the award or, without one, the status name, with
// the status's reason in small print beneath it on the pages (in 说明 in
// the exports); a module a score file marked 缺考 says 缺考.

// NoScore reports whether a result has no score to show: 缺考 or 弃权.
func NoScore(c scoring.ContestantResult) bool {
	return c.Status == scoring.StatusAbsent || c.Status == scoring.StatusWithdrew
}

// StatusNote is a result's status as shown: "取消资格（冒名顶替）", "缺考",
// "" when competing.
func StatusNote(c scoring.ContestantResult) string {
	if c.StatusName == "" {
		return ""
	}
	if c.StatusReason == "" {
		return c.StatusName
	}
	return c.StatusName + "（" + c.StatusReason + "）"
}

// TotalText is the total column: the total formatted by format, or the
// status name where there is no score.
func TotalText(c scoring.ContestantResult, format func(scoring.Decimal) string) string {
	if NoScore(c) {
		return c.StatusName
	}
	return format(c.Total)
}

// AwardText is the award column: the award, else the status name.
func AwardText(c scoring.ContestantResult) string {
	if c.AwardName != "" {
		return c.AwardName
	}
	return c.StatusName
}

// ModuleText is a module score cell: 缺考 for a module a score file marked
// so, else the score formatted by format.
func ModuleText(m scoring.ModuleScore, format func(scoring.Decimal) string) string {
	if ModuleAbsent(m) {
		return "缺考"
	}
	return format(m.Score)
}

// Fixed2 formats a score to two decimals, as the boards show them.
func Fixed2(d scoring.Decimal) string { return d.Format(2) }

// Plain formats a score exactly, as the exports and 公示 show them.
func Plain(d scoring.Decimal) string { return d.String() }
