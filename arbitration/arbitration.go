// Package arbitration holds the rules of the 仲裁 (on-site arbitration) of
// a competition: the appeals filed at the venue within a window after a
// module ends, the hearing the 仲裁 records and the decision it makes,
// which is final (docs/oversight-arbitration.md). It is pure: the store
// reads and writes the cases, the web pages and the PDF print them.
package arbitration

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"skillscore"
)

// Kinds of appeal heard on site: about a score (naming the contestant and
// the module) or about anything else.
const (
	KindScore     = "score"
	KindEquipment = "equipment"
	KindStaff     = "staff"
	KindRules     = "rules"
	KindOther     = "other"
)

// Choice is a value and its Chinese label, in the order the pages list them.
type Choice struct{ Value, Label string }

// Kinds are the kinds of an on-site appeal.
var Kinds = []Choice{
	{KindScore, "成绩评判"},
	{KindEquipment, "设备设施"},
	{KindStaff, "工作人员"},
	{KindRules, "规则执行"},
	{KindOther, "其他"},
}

// Who files: the contestant or the team leader (领队), at the venue desk.
const (
	ByContestant = "contestant"
	ByLeader     = "leader"
)

// AppellantRoles are who may file.
var AppellantRoles = []Choice{{ByContestant, "选手本人"}, {ByLeader, "领队"}}

// Statuses of a case: filed (受理, no hearing yet), heard (at least one
// hearing recorded), then one of the two final decisions.
const (
	StatusFiled    = "filed"
	StatusHeard    = "heard"
	StatusUpheld   = "upheld"
	StatusRejected = "rejected"
)

// StatusLabels name the statuses in Chinese.
var StatusLabels = map[string]string{
	StatusFiled:    "已受理，待听证",
	StatusHeard:    "已听证，待决定",
	StatusUpheld:   "申诉成立",
	StatusRejected: "申诉不成立（驳回）",
}

// Decided reports whether a status is a decision, after which nothing of
// the case changes.
func Decided(status string) bool { return status == StatusUpheld || status == StatusRejected }

func label(cs []Choice, v string) string {
	for _, c := range cs {
		if c.Value == v {
			return c.Label
		}
	}
	return v
}

// KindLabel names a kind in Chinese.
func KindLabel(kind string) string { return label(Kinds, kind) }

// RoleLabel names who filed in Chinese.
func RoleLabel(role string) string { return label(AppellantRoles, role) }

// The window after a module's end within which an appeal may be filed: a
// setting per event, in minutes.
const (
	DefaultWindow = 2 * time.Hour
	MinWindow     = 30 * time.Minute
	MaxWindow     = 48 * time.Hour
)

// CheckWindow refuses a window outside MinWindow–MaxWindow.
func CheckWindow(minutes int) error {
	d := time.Duration(minutes) * time.Minute
	if d < MinWindow || d > MaxWindow {
		return skillscore.Errorf(skillscore.EInvalid, "仲裁申诉时限须在 %d 分钟到 %d 小时之间（填写的是 %d 分钟）",
			int(MinWindow/time.Minute), int(MaxWindow/time.Hour), minutes)
	}
	return nil
}

// Bounds of what is typed, in characters.
const (
	MaxName     = 50
	MaxOrg      = 100
	MaxFacts    = 2000
	MaxHeard    = 500
	MaxFindings = 4000
	MaxReasons  = 4000
	MaxMeasures = 2000
	MaxSheets   = 20
)

// SessionEnd is one scheduled sitting of a module: its day and planned end,
// local, as the schedule keeps them.
type SessionEnd struct {
	Code, Day, Ends string
}

// EndInput is what a module's end is reckoned from.
type EndInput struct {
	Sessions      []SessionEnd // the module's sittings, if the event has a schedule
	Imported      bool         // the module's scores come from an import (the theory test), not from sheets
	LastImported  time.Time    // the latest import of its scores; zero before the first
	Sheets        int          // the module's score sheets
	Open          int          // of which not yet submitted
	LastSubmitted time.Time    // the latest submission among them
}

// End is when a module ended, as far as the event's data tell, and how
// that was reckoned. Known is false while the module is still under way
// (or has nothing to tell its end by): no deadline has started.
type End struct {
	At    time.Time
	Basis string
	Known bool
}

// ModuleEnd reckons a module's end: the planned end of its last scheduled
// sitting when the event has a schedule for it (the time the contestants
// were told the module ends); otherwise, for a module whose scores are
// imported, the time they were last imported (the moment its results
// reached the venue); otherwise the moment the last of its score sheets
// was submitted, once every sheet is. A re-mark reopens sheets and a
// corrected file is imported again, so both move the end later; a filing
// keeps the deadline it was given.
func ModuleEnd(in EndInput) (End, error) {
	var last time.Time
	code := ""
	for _, s := range in.Sessions {
		t, err := time.ParseInLocation("2006-01-02 15:04", s.Day+" "+s.Ends, skillscore.China())
		if err != nil {
			return End{}, skillscore.Errorf(skillscore.EInvalid, "场次 %s 的结束时间 %s %s 无效", s.Code, s.Day, s.Ends)
		}
		if t.After(last) {
			last, code = t, s.Code
		}
	}
	if code != "" {
		return End{At: last, Known: true, Basis: fmt.Sprintf("最后一个场次 %s 计划结束于 %s", code, last.Format("2006-01-02 15:04"))}, nil
	}
	if in.Imported {
		if in.LastImported.IsZero() {
			return End{Basis: "模块尚未结束（成绩尚未导入，也没有场次安排）"}, nil
		}
		at := in.LastImported.In(skillscore.China())
		return End{At: at, Known: true, Basis: "成绩导入于 " + at.Format("2006-01-02 15:04")}, nil
	}
	if in.Sheets > 0 && in.Open == 0 && !in.LastSubmitted.IsZero() {
		at := in.LastSubmitted.In(skillscore.China())
		return End{At: at, Known: true, Basis: "最后一份评分表提交于 " + at.Format("2006-01-02 15:04")}, nil
	}
	return End{Basis: "模块尚未结束（评分表未全部提交，也没有场次安排）"}, nil
}

// Deadline is the last moment an appeal about the module may be filed.
func (e End) Deadline(window time.Duration) time.Time {
	if !e.Known {
		return time.Time{}
	}
	return e.At.Add(window)
}

// CheckFiledInTime refuses a filing after the deadline, naming it.
func CheckFiledInTime(now time.Time, module string, e End, window time.Duration) error {
	if !e.Known {
		return nil
	}
	if dl := e.Deadline(window); now.After(dl) {
		return skillscore.Errorf(skillscore.EInvalid, "已超过现场仲裁申诉时限：模块「%s」%s，申诉须在 %s 前提出（时限 %s），现在是 %s，不予受理",
			module, e.Basis, dl.In(skillscore.China()).Format("2006-01-02 15:04"), WindowText(window), now.In(skillscore.China()).Format("2006-01-02 15:04"))
	}
	return nil
}

// WindowText is a window in words: 2 小时, 90 分钟.
func WindowText(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%d 小时", int(d/time.Hour))
	}
	return fmt.Sprintf("%d 分钟", int(d/time.Minute))
}

// Filing is an appeal as the venue desk enters it.
type Filing struct {
	Kind          string
	ModuleID      int64
	ContestantID  int64 // the contestant concerned: required for a score appeal and when the contestant files
	AppellantRole string
	Appellant     string // the team leader's name; a contestant's is taken from the roster
	AppellantOrg  string
	Facts         string
}

func tooLong(s string, n int) bool { return utf8.RuneCountInString(s) > n }

// Check refuses an incomplete or oversized filing; it returns the filing
// trimmed.
func (f Filing) Check() (Filing, error) {
	f.Appellant, f.AppellantOrg, f.Facts = strings.TrimSpace(f.Appellant), strings.TrimSpace(f.AppellantOrg), strings.TrimSpace(f.Facts)
	switch {
	case label(Kinds, f.Kind) == f.Kind:
		return f, skillscore.Errorf(skillscore.EInvalid, "请选择申诉类别（成绩评判、设备设施、工作人员、规则执行或其他）")
	case f.ModuleID <= 0:
		return f, skillscore.Errorf(skillscore.EInvalid, "请选择申诉涉及的模块")
	case f.AppellantRole != ByContestant && f.AppellantRole != ByLeader:
		return f, skillscore.Errorf(skillscore.EInvalid, "请选择申诉人：选手本人或领队")
	case f.Kind == KindScore && f.ContestantID <= 0:
		return f, skillscore.Errorf(skillscore.EInvalid, "成绩评判类申诉须选择涉及的选手")
	case f.AppellantRole == ByContestant && f.ContestantID <= 0:
		return f, skillscore.Errorf(skillscore.EInvalid, "选手本人申诉须选择该选手")
	case f.AppellantRole == ByLeader && f.Appellant == "":
		return f, skillscore.Errorf(skillscore.EInvalid, "请填写领队姓名")
	case tooLong(f.Appellant, MaxName):
		return f, skillscore.Errorf(skillscore.EInvalid, "申诉人姓名不能超过 %d 字", MaxName)
	case tooLong(f.AppellantOrg, MaxOrg):
		return f, skillscore.Errorf(skillscore.EInvalid, "申诉人单位不能超过 %d 字", MaxOrg)
	case f.Facts == "":
		return f, skillscore.Errorf(skillscore.EInvalid, "请填写申诉的事实和理由")
	case tooLong(f.Facts, MaxFacts):
		return f, skillscore.Errorf(skillscore.EInvalid, "申诉的事实和理由不能超过 %d 字", MaxFacts)
	}
	return f, nil
}

// Hearing is one hearing (听证/调查) the 仲裁 records: when, who was heard,
// what was found.
type Hearing struct {
	HeardAt  time.Time
	Heard    string
	Findings string
}

// Check refuses an incomplete hearing, or one said to be held before the
// filing or after now.
func (h Hearing) Check(filed, now time.Time) (Hearing, error) {
	h.Heard, h.Findings = strings.TrimSpace(h.Heard), strings.TrimSpace(h.Findings)
	switch {
	case h.HeardAt.IsZero():
		return h, skillscore.Errorf(skillscore.EInvalid, "请填写听证时间")
	case h.HeardAt.Before(filed.Truncate(time.Minute)):
		return h, skillscore.Errorf(skillscore.EInvalid, "听证时间 %s 早于申诉受理时间 %s", h.HeardAt.In(skillscore.China()).Format("2006-01-02 15:04"),
			filed.In(skillscore.China()).Format("2006-01-02 15:04"))
	case h.HeardAt.After(now):
		return h, skillscore.Errorf(skillscore.EInvalid, "听证时间 %s 晚于现在，请记录已进行的听证", h.HeardAt.In(skillscore.China()).Format("2006-01-02 15:04"))
	case h.Heard == "":
		return h, skillscore.Errorf(skillscore.EInvalid, "请填写听取了谁的陈述（如申诉人、当值裁判、技术人员）")
	case tooLong(h.Heard, MaxHeard):
		return h, skillscore.Errorf(skillscore.EInvalid, "被听取人不能超过 %d 字", MaxHeard)
	case h.Findings == "":
		return h, skillscore.Errorf(skillscore.EInvalid, "请填写调查核实的情况")
	case tooLong(h.Findings, MaxFindings):
		return h, skillscore.Errorf(skillscore.EInvalid, "调查核实的情况不能超过 %d 字", MaxFindings)
	}
	return h, nil
}

// Decision is the 仲裁's final decision: upheld or rejected, with the
// reasons; an upheld appeal says what follows, and an upheld score appeal
// may send the contestant's sheets of the module for re-mark through the
// chief judge.
type Decision struct {
	Outcome      string // StatusUpheld | StatusRejected
	Reasons      string
	Measures     string
	RemarkSheets []int64
}

// Check refuses an incomplete decision for a case of the given kind.
func (d Decision) Check(kind string) (Decision, error) {
	d.Reasons, d.Measures = strings.TrimSpace(d.Reasons), strings.TrimSpace(d.Measures)
	switch {
	case d.Outcome != StatusUpheld && d.Outcome != StatusRejected:
		return d, skillscore.Errorf(skillscore.EInvalid, "仲裁结果只能是申诉成立或申诉不成立")
	case d.Reasons == "":
		return d, skillscore.Errorf(skillscore.EInvalid, "请填写仲裁决定的理由")
	case tooLong(d.Reasons, MaxReasons):
		return d, skillscore.Errorf(skillscore.EInvalid, "决定理由不能超过 %d 字", MaxReasons)
	case d.Outcome == StatusUpheld && d.Measures == "":
		return d, skillscore.Errorf(skillscore.EInvalid, "申诉成立须写明处理措施（如复评、补时、更换设备）")
	case tooLong(d.Measures, MaxMeasures):
		return d, skillscore.Errorf(skillscore.EInvalid, "处理措施不能超过 %d 字", MaxMeasures)
	case len(d.RemarkSheets) > 0 && (kind != KindScore || d.Outcome != StatusUpheld):
		return d, skillscore.Errorf(skillscore.EInvalid, "只有成立的成绩评判类申诉才能决定复评评分表")
	case len(d.RemarkSheets) > MaxSheets:
		return d, skillscore.Errorf(skillscore.EInvalid, "一次复评最多 %d 份评分表", MaxSheets)
	}
	return d, nil
}

// Case is one on-site appeal with its hearings and decision, as the store
// keeps it and the pages and the PDF print it.
type Case struct {
	ID, EventID    int64
	No             int // 1, 2, … per event
	Kind           string
	ModuleID       int64
	ModuleCode     string
	ModuleName     string
	ContestantID   int64 // 0: none named
	ContestantName string
	ContestantCode string // the anonymous code, "" before the draw
	AppellantRole  string
	Appellant      string
	AppellantOrg   string
	Facts          string
	ModuleEnd      time.Time // zero: the module had not ended when filed
	EndBasis       string
	Deadline       time.Time
	FiledAt        time.Time
	FiledBy        string
	Status         string
	Hearings       []HeardRecord
	Reasons        string
	Measures       string
	RemarkSheets   []int64
	DecidedAt      time.Time
	DecidedBy      string // username
	DeciderName    string
}

// HeardRecord is a hearing as recorded, with who recorded it and when.
type HeardRecord struct {
	Hearing
	RecordedAt time.Time
	RecordedBy string
}

// Subject names a case in a line: 第 3 号 · 成绩评判 · 模块 A 生活照护.
func (c Case) Subject() string {
	return fmt.Sprintf("第 %d 号 · %s · 模块 %s %s", c.No, KindLabel(c.Kind), c.ModuleCode, c.ModuleName)
}

// Numbers names cases by their numbers: 第 1、3 号.
func Numbers(nos []int) string {
	s := make([]string, len(nos))
	for i, n := range nos {
		s[i] = strconv.Itoa(n)
	}
	return "第 " + strings.Join(s, "、") + " 号"
}

// AppellantText is who filed: 选手本人 李秀英 / 领队 王某（南昌市社会福利院）.
func (c Case) AppellantText() string {
	s := RoleLabel(c.AppellantRole) + " " + c.Appellant
	if c.AppellantOrg != "" {
		s += "（" + c.AppellantOrg + "）"
	}
	return s
}
