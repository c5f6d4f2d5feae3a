package sheets

import (
	"fmt"
	"io"
	"strings"
	"time"

	"skillscore"
	"skillscore/certificates"
	"skillscore/incidents"
	"skillscore/scoring"
	"skillscore/store"
)

// IncidentLog is the 赛场记录 of an event, or of one session, as printed for
// the archive: one row per entry, where the judge who entered it and the
// contestant sign (an entry acknowledged on the tablet says so in the
// contestant's cell; one to be signed on paper leaves it blank), and the
// 裁判长 signs each page.
type IncidentLog struct {
	EventName string
	Session   string // "" for the whole event
	Terms     scoring.Terms
	Entries   []store.Incident
	Printed   time.Time
}

// IncidentRow is one entry's cells as printed (and as the chief's page
// shows them): 编号, 场次, 赛位, 选手, 类别, 时间, 补时, 情况说明, 录入, 选手确认.
func IncidentRow(e store.Incident, byID map[int64]int, t scoring.Terms) []string {
	who := strings.TrimSpace(e.EntryNo + " " + e.Name)
	desc := e.Description
	if e.Corrects != nil {
		desc = fmt.Sprintf("【更正第 %d 号：%s】%s", byID[*e.Corrects], e.CorrectionReason, desc)
	}
	if e.CorrectedBy != nil {
		desc += fmt.Sprintf("（已由第 %d 号更正）", byID[*e.CorrectedBy])
	}
	role := t.Judge
	if e.EnteredRole == "chief" {
		role = t.Chief
	}
	ack := incidents.AckNames[e.Ack]
	if e.AckAt.Valid() {
		ack += " " + e.AckAt.In(skillscore.China()).Format("15:04")
	}
	if e.AckNote != "" {
		ack += "：" + e.AckNote
	}
	return []string{fmt.Sprint(e.No), e.Session, e.Station, who, incidents.KindNames[e.Kind], e.Occurred,
		incidents.FormatAdded(e.AddedSeconds), desc, role + " " + e.EnteredName + " " + e.EnteredAt.In(skillscore.China()).Format("15:04"), ack}
}

// WriteIncidentLog prints the log to w: A4 landscape, the columns of
// IncidentRow with a signature column each for the judge who entered the
// entry and for the contestant, the 裁判长's line at the foot of each page.
func WriteIncidentLog(w io.Writer, fonts certificates.Fonts, l IncidentLog) error {
	byID := map[int64]int{}
	for _, e := range l.Entries {
		byID[e.ID] = e.No
	}
	title := "赛场记录"
	lines := []string{l.EventName}
	if l.Session != "" {
		label := l.Session
		for _, e := range l.Entries {
			label = e.Session + " " + e.SessionLabel
			break
		}
		lines = append(lines, "场次："+label)
	}
	lines = append(lines, fmt.Sprintf("共 %d 条记录。选手确认：在平板上输入证件号码后 4 位确认的，注明“选手已在平板确认”；其余由选手在“选手签字”栏签字，拒绝签字的注明。", len(l.Entries)))
	t := SignedTable{Title: title, Lines: lines, Signers: []string{l.Terms.Chief}, Footer: l.EventName + " · 赛场记录", Printed: l.Printed,
		Columns: []Column{{"编号", 5}, {"场次", 6}, {l.Terms.Station, 5}, {l.Terms.Contestant, 11}, {"类别", 8}, {"时间", 5}, {"补时", 7},
			{"情况说明", 26}, {"录入", 11}, {"选手确认", 11}, {"录入" + l.Terms.Judge + "签字", 13}, {l.Terms.Contestant + "签字", 10}}}
	if len(l.Entries) == 0 {
		t.Rows = append(t.Rows, []string{"", "", "", "", "无记录"})
	}
	for _, e := range l.Entries {
		row := IncidentRow(e, byID, l.Terms)
		sign := ""
		switch e.Ack {
		case incidents.PIN:
			sign = "（平板已确认）"
		case incidents.Refused:
			sign = "（拒绝签字）"
		}
		t.Rows = append(t.Rows, append(row, "", sign))
	}
	return WriteSignedTable(w, fonts, t)
}
