package archive

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"skillscore"
	"skillscore/certificates"
	"skillscore/exports"
	"skillscore/report"
	"skillscore/scoring"
	"skillscore/sheets"
	"skillscore/store"
	"skillscore/supervision"
)

// Each part below is func(ctx, env, event) → files, listed in parts().

// rulesPart is the rules document: the event's rule document exactly as
// the scoring core reads it (events.rules, docs/rules.md) and its rubric
// (groups, modules, aspects) with every weight and maximum as the exact
// decimal text.
func rulesPart(ctx context.Context, env *Env, ev store.Event) ([]File, error) {
	groups, err := env.Store.Groups(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	mods, err := env.Store.Modules(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	type aspect struct {
		Code     string `json:"code"`
		Name     string `json:"name"`
		Kind     string `json:"kind"`
		MaxMarks string `json:"max_marks"`
	}
	type module struct {
		Code     string   `json:"code"`
		Name     string   `json:"name"`
		Kind     string   `json:"kind"`
		Weight   string   `json:"weight"`
		MaxMarks string   `json:"max_marks"`
		Imported bool     `json:"imported"`
		Aspects  []aspect `json:"aspects"`
	}
	type group struct {
		Code string `json:"code"`
		Name string `json:"name"`
	}
	doc := struct {
		Event struct {
			Code           string `json:"code"`
			Name           string `json:"name"`
			Kind           string `json:"kind"`
			Occupation     string `json:"occupation"`
			OccupationCode string `json:"occupation_code"`
			Specialty      string `json:"specialty"`
			Tier           string `json:"tier"`
			Class          string `json:"class"`
			Venue          string `json:"venue"`
			StartsOn       string `json:"starts_on"`
			Level          int    `json:"level"`
			Year           int    `json:"year"`
		} `json:"event"`
		Rules   json.RawMessage `json:"rules"`
		Groups  []group         `json:"groups"`
		Modules []module        `json:"modules"`
	}{}
	e := &doc.Event
	e.Code, e.Name, e.Kind, e.Occupation, e.OccupationCode, e.Specialty = ev.Code, ev.Name, ev.Kind, ev.Occupation, ev.OccupationCode, ev.Specialty
	e.Tier, e.Class, e.Venue, e.StartsOn, e.Level, e.Year = ev.Tier, ev.Class, ev.Venue, ev.StartsOn, int(ev.Level), ev.Year
	doc.Rules = json.RawMessage(ev.Rules)
	if !json.Valid(doc.Rules) {
		doc.Rules, _ = json.Marshal(ev.Rules) // kept as text rather than lost
	}
	for _, g := range groups {
		doc.Groups = append(doc.Groups, group{g.Code, g.Name})
	}
	for _, m := range mods {
		mm := module{Code: m.Code, Name: m.Name, Kind: m.Kind, Weight: scoring.Decimal(m.Weight).String(),
			MaxMarks: scoring.Decimal(m.MaxMarks).String(), Imported: m.Imported}
		for _, a := range m.Aspects {
			mm.Aspects = append(mm.Aspects, aspect{a.Code, a.Name, a.Kind, scoring.Decimal(a.MaxMarks).String()})
		}
		doc.Modules = append(doc.Modules, mm)
	}
	raw, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	return []File{Bytes("规则与评分标准.json", append(raw, '\n'))}, nil
}

// resultsPart is the results table, .xlsx and the signed-off PDF, as the
// organizer's exports build them.
func resultsPart(ctx context.Context, env *Env, ev store.Event) ([]File, error) {
	var out []File
	for _, what := range []string{exports.ResultsXLSX, exports.ResultsPDF} {
		f, err := env.Exports.Build(ctx, ev, what, env.Actor)
		if err != nil {
			return nil, err
		}
		out = append(out, Bytes(strings.TrimPrefix(f.Name, ev.Code+"-"), f.Data))
	}
	return out, nil
}

// appealsPart lists the 公示 appeals with their decisions (an empty list
// too: it records that there were none).
func appealsPart(ctx context.Context, env *Env, ev store.Event) ([]File, error) {
	as, err := env.Store.Appeals(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	rows := [][]string{{"编号", "选手编号", "姓名", "提交方", "申诉内容", "提交时间", "提交人", "结果", "理由", "重评的评分表", "决定时间", "决定人"}}
	for _, a := range as {
		rows = append(rows, []string{strconv.FormatInt(a.ID, 10), deref(a.ContestantCode), a.ContestantName, appealSource(a.Source),
			a.Body, cnTime(a.FiledAt), a.FiledBy, appealStatus(a.Status), deref(a.Reason), deref(a.Sheets), cnTime(a.DecidedAt), deref(a.DecidedBy)})
	}
	return []File{csvFile("公示期申诉.csv", rows)}, nil
}

func appealSource(s string) string {
	switch s {
	case "contestant":
		return "选手"
	case "organizer":
		return "组织者"
	}
	return s
}

func appealStatus(s string) string {
	switch s {
	case "open":
		return "待处理"
	case "rejected":
		return "驳回"
	case "remark":
		return "重评"
	}
	return s
}

// signinPart is the sign-in papers: a competition's 检录表 per session
// (with who checked in), a batch's 签到表 per sitting (photos, masked
// 证件号码: recorded as a personal-data export).
func signinPart(ctx context.Context, env *Env, ev store.Event) ([]File, error) {
	if scoring.TermsFor(ev.Kind).Assessment() {
		b, err := sheets.LoadBatchRoster(ctx, env.Store, ev)
		if err != nil {
			return nil, err
		}
		photo := func(id int64) ([]byte, error) {
			if env.Photo == nil {
				return nil, nil
			}
			return env.Photo(ctx, id)
		}
		list, ids, err := b.SignInSheets("", photo)
		if skillscore.ErrorCode(err) == skillscore.ENotFound || skillscore.ErrorCode(err) == skillscore.EConflict {
			return nil, nil // no sittings yet: nothing was signed
		}
		if err != nil {
			return nil, err
		}
		if len(list) == 0 {
			return nil, nil
		}
		if err := env.Store.RecordPersonalAccess(ctx, store.PersonalAccess{EventID: ev.ID, Actor: env.Actor, Kind: "export",
			What: "archive-signin-sheets", Contestants: ids}); err != nil {
			return nil, err
		}
		return []File{pdfFile(env, "签到表.pdf", func(w io.Writer, fonts certificates.Fonts) error {
			return sheets.WriteSignInSheets(w, fonts, ev.Name, list, env.BuiltAt)
		})}, nil
	}
	all, err := env.Store.Schedule(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	var out []File
	for _, s := range all {
		out = append(out, pdfFile(env, s.Code+"-检录表.pdf", func(w io.Writer, fonts certificates.Fonts) error {
			return sheets.WriteCheckinSheet(w, fonts, ev.Name, s, env.BuiltAt)
		}))
	}
	return out, nil
}

// certificatesPart is the certificate register: every certificate issued
// for the event with its number, holder, masked 证件号码, signed facts,
// key and revocation; for an assessment batch also the printed
// 证书发放登记表 and 成绩汇总表 where the server prints them.
func certificatesPart(ctx context.Context, env *Env, ev store.Event) ([]File, error) {
	certs, err := env.Store.EventCertificates(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	rows := [][]string{{"证书编号", "类别", "姓名", "证件类型", "证件号码（脱敏）", "职业技能等级/奖项", "签发时间", "签发人", "签名密钥", "撤销时间", "撤销原因", "重新签发时间", "签名内容（JSON）"}}
	for _, c := range certs {
		var f certificates.Facts
		_ = json.Unmarshal([]byte(c.Facts), &f) // a row with unreadable facts still lists its number
		what := f.Level
		if c.Kind == certificates.KindAward {
			what = strings.TrimSpace(f.Group + " " + f.Award)
		}
		kind := "职业技能等级证书"
		if c.Kind == certificates.KindAward {
			kind = "获奖证书"
		}
		rows = append(rows, []string{c.Number, kind, c.Name, c.IDType, f.IDMasked, what, cnTime(c.IssuedAt), c.IssuedBy, c.KeyID,
			cnTime(c.RevokedAt), c.RevokedReason, cnTime(c.ReissuedAt), c.Facts})
	}
	out := []File{csvFile("证书发放登记表.csv", rows)}
	if env.Reports != nil && scoring.TermsFor(ev.Kind).Assessment() && len(certs) > 0 {
		for _, d := range []struct{ what, name string }{
			{report.RegisterPDF, "证书发放登记表（签字）.pdf"}, {report.SummaryPDF, "批次成绩汇总表（签字）.pdf"},
		} {
			f, err := env.Reports.Document(ctx, ev, d.what)
			if err != nil {
				return nil, err
			}
			out = append(out, Bytes(d.name, f.Data))
		}
	}
	return out, nil
}

// supervisionPart is an assessment batch's 督导记录: the summary with
// every record, and each record on its own.
func supervisionPart(ctx context.Context, env *Env, ev store.Event) ([]File, error) {
	if !scoring.TermsFor(ev.Kind).Assessment() {
		return nil, nil
	}
	all, err := env.Store.SupervisionRecords(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, nil
	}
	h := sheets.SupervisionHeader{EventName: ev.Name}
	if b, err := env.Store.Batch(ctx, ev.ID); err == nil {
		h.BatchNo = b.BatchNo
	} else if skillscore.ErrorCode(err) != skillscore.ENotFound {
		return nil, err
	}
	work := ev.Occupation
	if ev.Specialty != "" {
		work += "（" + ev.Specialty + "）"
	}
	if name := scoring.LevelName(ev.Level); name != "" {
		work += " " + name
	}
	h.Work = strings.TrimSpace(work)
	out := []File{pdfFile(env, "督导记录汇总.pdf", func(w io.Writer, fonts certificates.Fonts) error {
		return sheets.WriteSupervisionRecords(w, fonts, h, all, all, true, env.BuiltAt)
	})}
	for _, r := range all {
		out = append(out, pdfFile(env, fmt.Sprintf("督导记录-%d.pdf", r.No), func(w io.Writer, fonts certificates.Fonts) error {
			return sheets.WriteSupervisionRecords(w, fonts, h, []supervision.Record{r}, all, false, env.BuiltAt)
		}))
	}
	return out, nil
}

// auditPart is the event's audit trail up to the head the manifest names,
// with each entry's chain position and time in microseconds, so every
// hash can be recomputed from the file (store.chainedHash).
func auditPart(ctx context.Context, env *Env, ev store.Event) ([]File, error) {
	trail, err := env.Store.AuditTrail(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	return []File{{Name: "审计记录.csv", Write: func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.UseCRLF = true
		io.WriteString(w, "\uFEFF")
		header := append(append([]string{}, exports.AuditHeader...), "链内序号", "时间（微秒）")
		if err := cw.Write(header); err != nil {
			return err
		}
		for _, e := range trail {
			seq := ""
			if e.Seq != nil {
				if *e.Seq > env.Head.Seq {
					continue // appended after the head was read
				}
				seq = strconv.FormatInt(*e.Seq, 10)
			}
			if err := cw.Write(exports.CSVRecord(strconv.FormatInt(e.ID, 10), exports.AuditTime(e.At.Time), e.Actor, e.Action,
				e.Subject, e.Detail, e.PrevHash, e.Hash, seq, strconv.FormatInt(e.At.UnixMicro(), 10))); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	}}}, nil
}

// pdfFile is a PDF written when its turn comes, in the archive's fonts.
func pdfFile(env *Env, name string, write func(w io.Writer, fonts certificates.Fonts) error) File {
	return File{Name: name, Write: func(w io.Writer) error {
		fonts, err := env.Fonts()
		if err != nil {
			return err
		}
		// gofpdf builds the document in memory anyway; one at a time.
		var buf bytes.Buffer
		if err := write(&buf, fonts); err != nil {
			return err
		}
		_, err = buf.WriteTo(w)
		return err
	}}
}

// csvFile is a UTF-8 CSV with a BOM (Excel on Chinese Windows), every
// cell neutralised against formulas.
func csvFile(name string, rows [][]string) File {
	return File{Name: name, Write: func(w io.Writer) error {
		io.WriteString(w, "\uFEFF")
		cw := csv.NewWriter(w)
		cw.UseCRLF = true
		for i, r := range rows {
			if i > 0 {
				r = exports.CSVRecord(r...)
			}
			if err := cw.Write(r); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	}}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func cnTime(t store.Time) string {
	if !t.Valid() {
		return ""
	}
	return t.In(skillscore.China()).Format("2006-01-02 15:04:05")
}
