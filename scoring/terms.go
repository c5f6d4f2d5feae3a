package scoring

// Terms are the words the screens and printed papers use for the people and
// places of an event, which differ by its kind: a competition has 裁判,
// 选手, 赛场 and 参赛证; an assessment (等级认定) has 考评员, 考生, 考场 and
// 准考证. Every page, tablet and sheet that names them takes them from here,
// so one place decides the words (the glossary: "the event kind decides
// the word in the UI").
type Terms struct {
	Kind       EventKind `json:"kind"`
	Judge      string    `json:"judge"`      // 裁判 | 考评员
	Chief      string    `json:"chief"`      // 裁判长 | 考评组长
	Contestant string    `json:"contestant"` // 选手 | 考生
	Venue      string    `json:"venue"`      // 赛场 | 考场
	Station    string    `json:"station"`    // 赛位 | 座位
	Card       string    `json:"card"`       // 参赛证 | 准考证
	CardNo     string    `json:"card_no"`    // 参赛证号 | 准考证号
	Event      string    `json:"event"`      // 赛项 | 批次: "本赛项", "另一批次"
	CheckIn    string    `json:"check_in"`   // 检录 | 签到
}

var (
	competitionTerms = Terms{Kind: Competition, Judge: "裁判", Chief: "裁判长", Contestant: "选手", Venue: "赛场",
		Station: "赛位", Card: "参赛证", CardNo: "参赛证号", Event: "赛项", CheckIn: "检录"}
	assessmentTerms = Terms{Kind: Assessment, Judge: "考评员", Chief: "考评组长", Contestant: "考生", Venue: "考场",
		Station: "座位", Card: "准考证", CardNo: "准考证号", Event: "批次", CheckIn: "签到"}
)

// TermsFor returns the words of an event of the given kind ("competition",
// "assessment"); any other kind, the empty one included, gets a
// competition's words, which every page used before assessments had their
// own.
func TermsFor(kind string) Terms {
	if EventKind(kind) == Assessment {
		return assessmentTerms
	}
	return competitionTerms
}

// Assessment reports whether these are an assessment's words, for the few
// places that do more than change a word (the identity check at 签到).
func (t Terms) Assessment() bool { return t.Kind == Assessment }
