// Package incidents is the 赛场记录 (incident log) of a session: what may be
// recorded about a station (time added for an equipment fault, a rule
// breach, leaving the floor, a safety stop, anything else), how an entry is
// checked before it is stored, and the contestant's acknowledgment states.
// It has no I/O: no database, network or clock.
package incidents

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"skillscore"
)

// Kinds of incident, as stored.
const (
	Equipment = "equipment" // 设备故障补时: the only kind that adds time
	Breach    = "breach"    // 违规
	LeftFloor = "left"      // 离开赛场
	Safety    = "safety"    // 安全中止
	Other     = "other"     // 其他
)

// Kinds are the kinds in the order the forms list them.
var Kinds = []string{Equipment, Breach, LeftFloor, Safety, Other}

// KindNames are the kinds as pages and the printed log name them.
var KindNames = map[string]string{Equipment: "设备故障补时", Breach: "违规", LeftFloor: "离开赛场", Safety: "安全中止", Other: "其他"}

// Acknowledgment states of an entry, as stored. An entry starts Pending;
// it leaves Pending once (PIN, Paper or Refused), and Paper may still turn
// into Refused when the contestant will not sign the printed log.
const (
	Pending = "pending" // 待选手确认
	PIN     = "pin"     // the contestant typed the last 4 of their 证件号码 on the tablet
	Paper   = "paper"   // 待签字: to be signed on the printed log
	Refused = "refused" // the contestant refused to acknowledge
)

// AckNames are the acknowledgment states as pages and the printed log name
// them.
var AckNames = map[string]string{Pending: "待选手确认", PIN: "选手已在平板确认", Paper: "待签字（纸质记录）", Refused: "选手拒绝签字"}

// Limits of an entry.
const (
	MaxDescription = 500 // characters
	MaxNote        = 200 // characters of a refusal's or correction's note
	MaxAddedMin    = 180 // minutes of time added
	MaxPINFailures = 5   // wrong PINs on one entry before only paper is left
)

var clock = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// Input is an entry as typed, before it is stored.
type Input struct {
	Kind        string
	Occurred    string // HH:MM, local time at the venue
	AddedMin    int    // time added, equipment faults only
	AddedSec    int
	Description string
	// Corrects is the id of the entry this one corrects (0 for none), and
	// Reason why; the corrected entry keeps its text and acknowledgment.
	Corrects int64
	Reason   string
}

// Check refuses an entry that may not be stored, with the reason in
// Chinese, and returns it tidied (trimmed text).
func Check(in Input) (Input, error) {
	in.Description = strings.TrimSpace(in.Description)
	in.Reason = strings.TrimSpace(in.Reason)
	in.Occurred = strings.TrimSpace(in.Occurred)
	if _, ok := KindNames[in.Kind]; !ok {
		return in, skillscore.Errorf(skillscore.EInvalid, "请选择记录类别（设备故障补时、违规、离开赛场、安全中止或其他）")
	}
	if !clock.MatchString(in.Occurred) {
		return in, skillscore.Errorf(skillscore.EInvalid, "发生时间应为 时:分，如 09:45")
	}
	if in.AddedMin < 0 || in.AddedSec < 0 || in.AddedSec > 59 {
		return in, skillscore.Errorf(skillscore.EInvalid, "补时的分应为 0–%d，秒应为 0–59", MaxAddedMin)
	}
	if in.AddedMin > MaxAddedMin || in.AddedMin == MaxAddedMin && in.AddedSec > 0 {
		return in, skillscore.Errorf(skillscore.EInvalid, "补时最多 %d 分钟", MaxAddedMin)
	}
	added := in.AddedMin*60 + in.AddedSec
	switch {
	case in.Kind == Equipment && added == 0:
		return in, skillscore.Errorf(skillscore.EInvalid, "设备故障补时：请填写补时的分、秒")
	case in.Kind != Equipment && added != 0:
		return in, skillscore.Errorf(skillscore.EInvalid, "只有“设备故障补时”可以补时；%s不补时", KindNames[in.Kind])
	}
	if in.Description == "" {
		return in, skillscore.Errorf(skillscore.EInvalid, "请填写情况说明")
	}
	if n := utf8.RuneCountInString(in.Description); n > MaxDescription || !utf8.ValidString(in.Description) {
		return in, skillscore.Errorf(skillscore.EInvalid, "情况说明最多 %d 字（现 %d 字）", MaxDescription, n)
	}
	if in.Corrects != 0 && in.Reason == "" {
		return in, skillscore.Errorf(skillscore.EInvalid, "更正记录请填写更正原因")
	}
	if in.Corrects == 0 && in.Reason != "" {
		return in, skillscore.Errorf(skillscore.EInvalid, "只有更正记录需要填写更正原因")
	}
	if n := utf8.RuneCountInString(in.Reason); n > MaxNote || !utf8.ValidString(in.Reason) {
		return in, skillscore.Errorf(skillscore.EInvalid, "更正原因最多 %d 字（现 %d 字）", MaxNote, n)
	}
	return in, nil
}

// Added is the time added of an entry in seconds.
func (in Input) Added() int { return in.AddedMin*60 + in.AddedSec }

// CheckAck refuses an acknowledgment that may not follow the entry's
// present state: an entry leaves Pending once, Paper may still turn into
// Refused, nothing else changes.
func CheckAck(from, to string) error {
	if to != PIN && to != Paper && to != Refused {
		return skillscore.Errorf(skillscore.EInvalid, "确认方式 %q 无效", to)
	}
	if from == Pending || from == Paper && to == Refused {
		return nil
	}
	return skillscore.Errorf(skillscore.EConflict, "本记录已是“%s”，不能再改为“%s”；如有错误请录入更正记录", AckNames[from], AckNames[to])
}

// CheckNote refuses a note (a refusal's circumstances) that is too long.
func CheckNote(note string) (string, error) {
	note = strings.TrimSpace(note)
	if n := utf8.RuneCountInString(note); n > MaxNote || !utf8.ValidString(note) {
		return note, skillscore.Errorf(skillscore.EInvalid, "备注最多 %d 字（现 %d 字）", MaxNote, n)
	}
	return note, nil
}

// FormatAdded is time added as pages print it: 5 分 30 秒, 10 分钟; "" for
// none.
func FormatAdded(seconds int) string {
	switch {
	case seconds <= 0:
		return ""
	case seconds%60 == 0:
		return fmt.Sprintf("%d 分钟", seconds/60)
	case seconds < 60:
		return fmt.Sprintf("%d 秒", seconds)
	}
	return fmt.Sprintf("%d 分 %d 秒", seconds/60, seconds%60)
}
