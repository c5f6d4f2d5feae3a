package feedback

import (
	"cmp"
	"slices"

	"skillscore/results"
	"skillscore/scoring"
	"skillscore/store"
)

// JudgeReport is one judge's self-review report: per released module, each
// contestant (by code) and aspect, the judge's mark against the panel's;
// on judgement aspects the deviation from the panel mean (scoring's
// JudgeDeviations, the lines behind the desk's figures); and the desk's
// JudgeStats for the judge, shown once every module they marked is
// released.
type JudgeReport struct {
	EventCode, EventName string
	Judge, JudgeName     string
	Modules              []JudgeModule
	// Pending names the judge's modules not yet released (locked and
	// signed off by the chief judge, or the results published).
	Pending []string
	// Stats are the desk's figures for the judge (scoring.JudgeStats);
	// nil until every module the judge marked is released, or when the
	// judge has no judgement marks that count.
	Stats *scoring.JudgeStats
}

// JudgeModule is one released module of a judge's report.
type JudgeModule struct {
	Code, Name string
	Rows       []JudgeRow
}

// JudgeRow is one contestant's aspect.
type JudgeRow struct {
	Contestant string // the public code
	Aspect     string
	Kind       string
	Mine       string // the judge's mark ("" when they gave none)
	Dropped    bool   // the judge's mark was dropped as an extreme
	PanelMean  string // judgement aspects: the panel's mean raw mark
	Deviation  string // judgement aspects: mine − the mean, signed ("+0.6667")
	Panel      string // the panel's result for the aspect, as the transcript shows it
	// SheetScore and ModuleScore start a contestant's rows: what the
	// judge's marks alone make of the module (the desk's per-sheet score)
	// and the panel's module score.
	SheetScore, ModuleScore string
	First                   bool
	// Flag is the desk's spread warning naming this judge as the panel's
	// low or high mark on this aspect ("" when none).
	Flag string
}

// Released reports whether a module's results may be shown to its judges:
// signed off by the chief judge (every sheet locked first), or published.
func Released(m store.Module, published bool) bool {
	return published || m.SignedOffAt.Valid()
}

// NewJudgeReport builds judge's report from the event's standings (every
// mark, the chief judge's view). sheetScore is the desk's per-sheet score
// (module code, judge code, scoring key → score text); published says the
// results are published, which releases every module.
func NewJudgeReport(st *results.Standings, judge store.Judge, published bool, sheetScore func(module, judge, key string) string) JudgeReport {
	ev := st.Snapshot.Event
	rep := JudgeReport{EventCode: ev.Code, EventName: ev.Name, Judge: judge.Code, JudgeName: judge.Name}
	devs := map[[3]string]scoring.Deviation{}
	for _, d := range scoring.JudgeDeviations(st.Result, judge.Code) {
		devs[[3]string{d.Contestant, d.Module, d.Aspect}] = d
	}
	flags := map[[3]string]string{}
	for _, f := range st.Result.Flags {
		if f.Low == judge.Code || f.High == judge.Code {
			flags[[3]string{f.Contestant, f.Module, f.Aspect}] = f.Text
		}
	}
	marked := map[string]bool{}
	for _, m := range st.Snapshot.Marks {
		if m.JudgeCode == judge.Code {
			marked[m.ModuleCode] = true
		}
	}
	for _, m := range st.Snapshot.Modules {
		if !marked[m.Code] {
			continue
		}
		if Released(m, published) {
			rep.Modules = append(rep.Modules, JudgeModule{Code: m.Code, Name: m.Name})
		} else {
			rep.Pending = append(rep.Pending, m.Name)
		}
	}
	byCode := func(a, b scoring.ContestantResult) int {
		return cmp.Compare(results.DisplayCode(st.Contestants[a.ID]), results.DisplayCode(st.Contestants[b.ID]))
	}
	cs := slices.Clone(st.Result.Contestants)
	slices.SortStableFunc(cs, byCode)
	for i := range rep.Modules {
		jm := &rep.Modules[i]
		for _, c := range cs {
			code := results.DisplayCode(st.Contestants[c.ID])
			for _, m := range c.Modules {
				if m.Code != jm.Code {
					continue
				}
				first := true
				for _, a := range m.Aspects {
					var mine *scoring.JudgeMark
					for k := range a.Marks {
						if a.Marks[k].Judge == judge.Code {
							mine = &a.Marks[k]
						}
					}
					if mine == nil {
						continue // recused, or not this judge's contestant
					}
					row := JudgeRow{Contestant: code, Aspect: a.Name, Kind: a.Kind.Name(), Mine: mine.Value.String(), Dropped: mine.Dropped,
						Panel: exact(a.Score, a.ScoreExact), Flag: flags[[3]string{c.ID, m.Code, a.Code}]}
					if a.Kind == scoring.Veto {
						row.Panel = map[bool]string{true: "触发", false: "未触发"}[a.Triggered]
					}
					if d, ok := devs[[3]string{c.ID, m.Code, a.Code}]; ok {
						row.PanelMean, row.Deviation = d.Mean.String(), signed(d.Deviation)
					}
					if first {
						row.First = true
						row.SheetScore = sheetScore(m.Code, judge.Code, c.ID)
						row.ModuleScore = exact(m.Score, m.ScoreExact)
						first = false
					}
					jm.Rows = append(jm.Rows, row)
				}
			}
		}
	}
	if len(rep.Pending) == 0 {
		if s, ok := scoring.StatsOf(st.Result, judge.Code); ok {
			rep.Stats = &s
		}
	}
	return rep
}

// signed shows a deviation with its sign: "+0.6667", "−1", "0".
func signed(d scoring.Decimal) string {
	switch {
	case d > 0:
		return "+" + d.String()
	case d < 0:
		return "−" + (-d).String()
	}
	return "0"
}

// FlagNames are the desk's judge flags in Chinese.
var FlagNames = map[string]string{"harsh": "评分明显偏严", "lenient": "评分明显偏宽", "erratic": "评分波动大"}
