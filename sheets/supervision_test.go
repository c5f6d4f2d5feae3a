package sheets

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"skillscore"
	"skillscore/supervision"
)

func sampleRecords() []supervision.Record {
	cst := skillscore.China()
	at := time.Date(2026, 7, 10, 11, 5, 0, 0, cst)
	base := supervision.Record{ID: 11, No: 1, Event: "jx-rd", RoomCode: "K01", RoomName: "第一考场", Session: "S02",
		SessionLabel: "S02 操作技能 第1场 2026-07-10 10:00至11:30",
		Obs: supervision.Observations{Values: map[string]string{"order": "fair", "examiners": "all", "conduct": "compliant", "violations": "found"},
			Notes: map[string]string{"order": "开考 10 分钟后仍有考生走动", "violations": "准考证号 0003 的考生携带手机进入考场，已登记"}, Remarks: "考场布置符合要求。"},
		Progress: supervision.Progress{Expected: 30, Present: 28, Absent: 2, SheetsDone: 40, SheetsDue: 56},
		SignerID: 5, Signer: "sup1", SignerName: "督导甲", PINSetAt: at.Add(-time.Hour), SignedAt: at, SupersededBy: 13}
	base.Digest = supervision.Digest(base)
	other := base
	other.ID, other.No, other.RoomCode, other.RoomName, other.Session, other.SupersededBy = 12, 2, "K02", "第二考场", "S03", 0
	other.SessionLabel = "S03 操作技能 第2场 2026-07-10 10:00至11:30"
	other.Obs = supervision.Observations{Values: map[string]string{"order": "good", "examiners": "all", "conduct": "compliant", "violations": "none"}}
	other.Digest = supervision.Digest(other)
	fix := base
	fix.ID, fix.No, fix.Supersedes, fix.SupersededBy, fix.CorrectionReason = 13, 3, 11, 0, "违纪考生的准考证号写错"
	fix.Obs.Notes = map[string]string{"order": "开考 10 分钟后仍有考生走动", "violations": "准考证号 0004 的考生携带手机进入考场，已登记"}
	fix.Digest = supervision.Digest(fix)
	return []supervision.Record{base, other, fix}
}

var squash = regexp.MustCompile(`\s+`)

func TestSupervisionRecordPDFReadsBack(t *testing.T) {
	cst := skillscore.China()
	printed := time.Date(2026, 7, 10, 18, 0, 0, 0, cst)
	recs := sampleRecords()
	h := SupervisionHeader{EventName: "养老护理员三级认定 2026-07 批", BatchNo: "2026-KY-07", Work: "养老护理员（--）三级/高级工"}
	var buf bytes.Buffer
	if err := WriteSupervisionRecords(&buf, fonts(t), h, recs[:1], recs, false, printed); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, buf.Bytes())
	flat := squash.ReplaceAllString(text, "")
	for _, want := range []string{"养老护理员三级认定 2026-07 批", "督导记录", "第 1 号", "批次号 2026-KY-07", "K01 第一考场", "S02 操作技能 第1场",
		"应考 30 人，已签到 28 人，缺考 2 人", "40 / 56", "考场秩序", "一般：开考 10 分钟后仍有考生走动", "考评员到位", "全部按时到位",
		"考务执行", "符合规定", "违纪情况", "发现违纪：准考证号 0003", "其他情况", "考场布置符合要求", "督导员 督导甲（账号 sup1）",
		"2026-07-10 11:05:00", "本人设定的签名 PIN", "本记录已被第 3 号督导记录更正", "督导员（签字）", "考点负责人（签字）", "日期", "打印于 2026-07-10 18:00"} {
		if !strings.Contains(text, want) {
			t.Errorf("record PDF lacks %q", want)
		}
	}
	// The digest wraps across lines; it is all there, in order.
	if !strings.Contains(flat, recs[0].Digest) {
		t.Errorf("record PDF lacks the digest %s", recs[0].Digest)
	}
	if t.Failed() {
		t.Log(text)
	}

	buf.Reset()
	if err := WriteSupervisionRecords(&buf, fonts(t), h, recs, recs, true, printed); err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("SKILLSCORE_PDF_OUT"); dir != "" {
		// To look at the pages: SKILLSCORE_PDF_OUT=/tmp/x go test ./sheets -run Supervision
		if err := os.WriteFile(filepath.Join(dir, "督导记录.pdf"), buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	text = pdfText(t, buf.Bytes())
	flat = squash.ReplaceAllString(text, "")
	for _, want := range []string{"督导记录汇总（共 3 份）", "评价机构负责人（签字）", "考场秩序一般", "各项正常", "07-10 11:05", "更正第 1 号",
		"已被第 3 号督导记录更正", "第 2 号", "K02 第二考场", "本记录更正第 1 号督导记录。更正原因：违纪考生的准考证号写错", "准考证号 0004"} {
		if !strings.Contains(text, want) && !strings.Contains(flat, squash.ReplaceAllString(want, "")) {
			t.Errorf("batch PDF lacks %q", want)
		}
	}
	for _, r := range recs {
		if !strings.Contains(flat, r.Digest) {
			t.Errorf("batch PDF lacks record %d's digest", r.No)
		}
	}
	if pages := strings.Count(text, "\f"); pages < 4 {
		t.Errorf("batch PDF has %d pages, want a summary and one per record", pages)
	}
	if t.Failed() {
		t.Log(text)
	}
	// Many records: the summary runs onto a second page.
	var many []supervision.Record
	for i := 1; i <= 40; i++ {
		r := recs[1]
		r.ID, r.No = int64(100+i), i
		many = append(many, r)
	}
	buf.Reset()
	if err := WriteSupervisionRecords(&buf, fonts(t), h, many, many, true, printed); err != nil {
		t.Fatal(err)
	}
	if text := pdfText(t, buf.Bytes()); !strings.Contains(text, fmt.Sprintf("第 %d 页", 42)) {
		t.Errorf("40 records: no page 42 (2 summary pages + 40)")
	}
}
