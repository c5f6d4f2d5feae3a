package sheets

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skillscore"
	"skillscore/arbitration"
)

func sampleCases() []arbitration.Case {
	cst := skillscore.China()
	at := func(h, m int) time.Time { return time.Date(2026, 4, 18, h, m, 0, 0, cst) }
	score := arbitration.Case{ID: 7, No: 1, Kind: arbitration.KindScore, ModuleCode: "B", ModuleName: "基础照护",
		ContestantID: 3, ContestantName: "李秀英", ContestantCode: "A07", AppellantRole: arbitration.ByContestant, Appellant: "李秀英",
		Facts: "认为“协助进食”一项扣分过多，操作中已按要求核对姓名与床号。", ModuleEnd: at(10, 0), EndBasis: "最后一份评分表提交于 2026-04-18 10:00",
		Deadline: at(12, 0), FiledAt: at(10, 40), FiledBy: "arbiter", Status: arbitration.StatusUpheld,
		Hearings: []arbitration.HeardRecord{{Hearing: arbitration.Hearing{HeardAt: at(11, 20), Heard: "申诉人李秀英；当值裁判 J03",
			Findings: "调阅现场录像，核对步骤已完成。"}, RecordedBy: "arbiter"}},
		Reasons: "录像显示核对步骤已完成，该项扣分有误。", Measures: "交裁判长复评该选手本模块评分表。", RemarkSheets: []int64{41, 42},
		DecidedAt: at(11, 50), DecidedBy: "arbiter", DeciderName: "演示仲裁"}
	equip := arbitration.Case{ID: 8, No: 2, Kind: arbitration.KindEquipment, ModuleCode: "B", ModuleName: "基础照护",
		AppellantRole: arbitration.ByLeader, Appellant: "王领队", AppellantOrg: "九江市代表队", Facts: "3 号工位护理床升降故障。",
		EndBasis: "模块尚未结束（评分表未全部提交，也没有场次安排）", FiledAt: at(9, 10), FiledBy: "organizer", Status: arbitration.StatusRejected,
		Hearings: []arbitration.HeardRecord{{Hearing: arbitration.Hearing{HeardAt: at(9, 30), Heard: "王领队；设备技术员", Findings: "故障当场排除并补时 5 分钟。"}}},
		Reasons:  "已当场补时，对成绩无影响。", DecidedAt: at(9, 45), DecidedBy: "arbiter", DeciderName: "演示仲裁"}
	return []arbitration.Case{score, equip}
}

func TestArbitrationDecisionsPDFReadsBack(t *testing.T) {
	cst := skillscore.China()
	printed := time.Date(2026, 4, 18, 18, 0, 0, 0, cst)
	var buf bytes.Buffer
	if err := WriteArbitrationDecisions(&buf, fonts(t), "2026年江西省养老护理员职业技能竞赛（春季赛）", sampleCases(), printed); err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("SKILLSCORE_PDF_DIR"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "arbitration.pdf"), buf.Bytes(), 0o644)
	}
	text := pdfText(t, buf.Bytes())
	flat := squash.ReplaceAllString(text, "")
	for _, want := range []string{"2026年江西省养老护理员职业技能竞赛（春季赛）", "仲裁决定书第1号", "仲裁决定书第2号",
		"申诉类别成绩评判", "涉及模块B基础照护", "李秀英（加密号A07）", "选手本人李秀英", "领队王领队（九江市代表队）",
		"申诉时限至2026-04-18 12:00", "受理时模块尚未结束", "协助进食", "听证1", "2026-04-18 11:20听取：申诉人李秀英；当值裁判J03",
		"调阅现场录像", "仲裁结果申诉成立", "申诉不成立（驳回）", "决定理由录像显示核对步骤已完成", "处理措施交裁判长复评",
		"评分表41、42交裁判长重新开放复评", "由仲裁演示仲裁（账号arbiter）作出。本决定为最终决定。",
		"仲裁组长（签字）", "仲裁组成员（签字）", "申诉人确认：本人已收到本决定。", "申诉人（签字）", "日期", "打印于2026-04-18 18:00"} {
		if !strings.Contains(flat, squash.ReplaceAllString(want, "")) {
			t.Errorf("decisions PDF lacks %q", want)
		}
	}
	if n := strings.Count(flat, "仲裁组成员（签字）"); n != 4 {
		t.Errorf("member signature lines: %d, want 2 per decision", n)
	}
	if n := strings.Count(flat, "申诉人（签字）"); n != 2 {
		t.Errorf("appellant lines: %d, want one per decision", n)
	}
	// None decided: one page that says so.
	buf.Reset()
	if err := WriteArbitrationDecisions(&buf, fonts(t), "赛项", nil, printed); err != nil {
		t.Fatal(err)
	}
	if text := pdfText(t, buf.Bytes()); !strings.Contains(text, "暂无已作出的仲裁决定") {
		t.Errorf("empty PDF: %q", text)
	}
}
