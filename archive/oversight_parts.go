package archive

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"

	"skillscore"
	"skillscore/arbitration"
	"skillscore/certificates"
	"skillscore/scoring"
	"skillscore/sheets"
	"skillscore/store"
)

// Issue 16's oversight parts (复核, 仲裁, 赛场记录, 评分记录表, 证据文件).
// Each prints through its own package's PDF function; a part with nothing
// for the event (no 复核 was run, no 仲裁 decided, no incident logged, no
// evidence attached) holds no file and shows 0 in the manifest, which is
// the archive's record that there was none.

// recheckPart is the 复核 report with its signature lines, as the
// monitor's page prints it.
func recheckPart(ctx context.Context, env *Env, ev store.Event) ([]File, error) {
	_, _, err := env.Store.Recheck(ctx, ev.ID)
	if skillscore.ErrorCode(err) == skillscore.ENotFound {
		return nil, nil // no 复核 was run
	}
	if err != nil {
		return nil, err
	}
	if env.RecheckReport == nil {
		return nil, skillscore.Errorf(skillscore.EUnavailable, "赛事 %s 做过成绩复核，但归档未配置复核报告：不能归档缺少复核报告的记录", ev.Code)
	}
	rep, err := env.RecheckReport(ctx, ev)
	if err != nil {
		return nil, err
	}
	return []File{pdfFile(env, "成绩复核报告.pdf", func(w io.Writer, fonts certificates.Fonts) error {
		return sheets.WriteRecheckReport(w, fonts, rep, env.BuiltAt)
	})}, nil
}

// arbitrationPart is every decided 仲裁 of the event in one PDF and each
// decision on its own (the paper handed to the appellant).
func arbitrationPart(ctx context.Context, env *Env, ev store.Event) ([]File, error) {
	all, err := env.Store.Arbitrations(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	var decided []arbitration.Case
	for _, c := range all {
		if arbitration.Decided(c.Status) {
			decided = append(decided, c)
		}
	}
	if len(decided) == 0 {
		return nil, nil
	}
	out := []File{pdfFile(env, "仲裁决定书.pdf", func(w io.Writer, fonts certificates.Fonts) error {
		return sheets.WriteArbitrationDecisions(w, fonts, ev.Name, decided, env.BuiltAt)
	})}
	for _, c := range decided {
		out = append(out, pdfFile(env, "仲裁决定书-"+strconv.Itoa(c.No)+".pdf", func(w io.Writer, fonts certificates.Fonts) error {
			return sheets.WriteArbitrationDecisions(w, fonts, ev.Name, []arbitration.Case{c}, env.BuiltAt)
		}))
	}
	return out, nil
}

// incidentsPart is the event's 赛场记录, every session, as the chief
// judge's page prints it.
func incidentsPart(ctx context.Context, env *Env, ev store.Event) ([]File, error) {
	entries, err := env.Store.Incidents(ctx, ev.ID, "")
	if err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, nil
	}
	return []File{pdfFile(env, "赛场记录.pdf", func(w io.Writer, fonts certificates.Fonts) error {
		return sheets.WriteIncidentLog(w, fonts, sheets.IncidentLog{EventName: ev.Name, Terms: scoring.TermsFor(ev.Kind),
			Entries: entries, Printed: env.BuiltAt})
	})}, nil
}

// scoreSheetsPart is the filled 评分记录表: one PDF per module with every
// submitted or locked sheet and how it was signed (sheets.Records, as
// `skillscore papertrail` prints them). A module with more sheets than
// one PDF may hold is printed per judge. Each PDF's sheets are built when
// its turn comes, so one module's are in memory at a time.
func scoreSheetsPart(ctx context.Context, env *Env, ev store.Event) ([]File, error) {
	d, err := sheets.LoadRecords(ctx, env.Store, ev)
	if err != nil {
		return nil, err
	}
	var out []File
	add := func(name string, q sheets.RecordQuery) (bool, error) {
		ss, err := d.ScoreSheets(q)
		switch skillscore.ErrorCode(err) {
		case skillscore.EConflict: // no filled sheet: nothing was signed
			return true, nil
		case skillscore.EInvalid:
			return false, nil
		}
		if err != nil {
			return true, err
		}
		n := len(ss)
		ss = nil // built again when written: one module's sheets in memory at a time
		out = append(out, pdfFile(env, name, func(w io.Writer, fonts certificates.Fonts) error {
			ss, err := d.ScoreSheets(q)
			if err != nil {
				return err
			}
			if len(ss) != n {
				return fmt.Errorf("评分记录表 %s：份数在归档中变化（%d → %d）", name, n, len(ss))
			}
			return sheets.WriteScoreSheets(w, fonts, ss, env.BuiltAt)
		}))
		return true, nil
	}
	for _, m := range d.Snap.Modules {
		if m.Imported {
			continue // imported results have no judge's sheets
		}
		ok, err := add("评分记录表-"+m.Code+".pdf", sheets.RecordQuery{Module: m.Code})
		if err != nil {
			return nil, err
		}
		if ok {
			continue
		}
		// More than one PDF holds: one per judge.
		for _, j := range d.Snap.Judges {
			ok, err := add("评分记录表-"+m.Code+"-"+j.Code+".pdf", sheets.RecordQuery{Module: m.Code, Judge: j.Code})
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, skillscore.Errorf(skillscore.EInvalid, "模块 %s 的%s %s 的评分记录表超过一个 PDF 的上限", m.Code, scoring.TermsFor(ev.Kind).Judge, j.Code)
			}
		}
	}
	return out, nil
}

// evidenceExt names an evidence file's extension by its checked type.
var evidenceExt = map[string]string{
	"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp",
	"video/mp4": ".mp4", "video/webm": ".webm", "video/quicktime": ".mov",
}

// evidencePart is every evidence file of the event, streamed from the
// evidence store one at a time (opened through evidence.Service.Open,
// which checks the recorded SHA-256, and hashed again as it is copied),
// and 证据索引.csv naming each file's target, name in the ZIP, type, size,
// SHA-256 and who uploaded it when.
func evidencePart(ctx context.Context, env *Env, ev store.Event) ([]File, error) {
	all, err := env.Store.EventEvidence(ctx, ev.ID, "", 0)
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, nil
	}
	if env.Evidence == nil {
		return nil, skillscore.Errorf(skillscore.EUnavailable, "赛事 %s 有 %d 个证据文件，但归档未配置证据库目录：不能归档缺少证据文件的记录", ev.Code, len(all))
	}
	rows := [][]string{{"编号", "对象类别", "对象", "ZIP 内文件", "类型", "大小（字节）", "SHA-256", "说明", "上传人", "上传时间"}}
	var files []File
	for _, e := range all {
		kind := e.TargetKind
		if t, err := store.EvidenceTargetOf(e.TargetKind); err == nil {
			kind = t.Name
		}
		name := fmt.Sprintf("%s-%d-%d%s", e.TargetKind, e.TargetID, e.ID, evidenceExt[e.ContentType])
		rows = append(rows, []string{strconv.FormatInt(e.ID, 10), kind, e.Target, "evidence/" + safeName(name), e.ContentType,
			strconv.FormatInt(e.Size, 10), e.SHA256, e.Note, e.CreatedBy, cnTime(e.CreatedAt)})
		files = append(files, File{Name: name, Write: func(w io.Writer) error {
			f, err := env.Evidence.Open(ctx, ev.ID, e.ID)
			if err != nil {
				return err
			}
			defer f.Close()
			h := sha256.New()
			if _, err := io.Copy(io.MultiWriter(w, h), f); err != nil {
				return fmt.Errorf("证据 %d：%w", e.ID, err)
			}
			if hex.EncodeToString(h.Sum(nil)) != e.SHA256 {
				return skillscore.Errorf(skillscore.EConflict, "证据 %d 的文件在归档时与其 SHA-256 校验值不符：请从备份恢复证据库目录", e.ID)
			}
			return nil
		}})
	}
	return append([]File{csvFile("证据索引.csv", rows)}, files...), nil
}
