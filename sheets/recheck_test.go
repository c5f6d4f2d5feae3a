package sheets

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"skillscore"
)

func TestRecheckReportReadsBack(t *testing.T) {
	rep := RecheckReport{EventName: "2026年江西省养老护理员职业技能竞赛", EventCode: "JX-YL-2026", Seed: "0123456789abcdef",
		Rules: "前 10 名全部复核，其余抽取 15%（向上取整）", Started: "监督 王敏，2026-05-21 09:00", Counts: "抽样 30 份，标记有误 1 份"}
	for i := 1; i <= 30; i++ {
		r := RecheckReportRow{No: i, Module: "A 生活照护", Contestant: fmt.Sprintf("C%03d", i), Judge: "J01 李华", Reason: "前 10 名", Verdict: "无误"}
		if i == 7 {
			// A correction's reason runs to several lines.
			r.Verdict = "有误"
			r.Note = "A3 测量值抄录有误：纸质评分表记 12 秒，系统录入 21 秒，与现场计时记录核对后确认纸质原件为准。"
			r.Correction = "A3 更正为 12 秒；模块成绩由 71.5 更正为 74.0，名次不变。裁判长 张强 签字确认。"
		}
		rep.Rows = append(rep.Rows, r)
	}
	var buf bytes.Buffer
	if err := WriteRecheckReport(&buf, fonts(t), rep, time.Date(2026, 5, 21, 15, 0, 0, 0, skillscore.China())); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, buf.Bytes())
	flat := strings.Join(strings.Fields(text), "")
	for _, want := range []string{"成绩复核报告", "0123456789abcdef", "C001", "C030", "有误", "纸质原件为准。",
		"名次不变。", "监督（签字）", "裁判长（签字）", "第2页"} {
		if !strings.Contains(flat, strings.Join(strings.Fields(want), "")) {
			t.Errorf("recheck report lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(text)
	}
}
