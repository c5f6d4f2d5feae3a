package report

import (
	"errors"
	"fmt"
	"strings"

	"skillscore"
)

// field is one field of a reported record: its key (the JSON name), its
// title (the workbook's header), how it is read, and when a record may not
// leave without it. The workbook's columns, the JSON's names and the
// check all come from this one list, in this order.
type field struct {
	Key, Title string
	get        func(*Record) string
	required   func(*Record) bool
}

func always(*Record) bool { return true }

var fields = []field{
	{"certificate_number", "证书编号", func(r *Record) string { return r.Number }, always},
	{"name", "姓名", func(r *Record) string { return r.Name }, always},
	{"gender", "性别", func(r *Record) string { return r.Gender }, always},
	{"id_type", "证件类型", func(r *Record) string { return r.IDType }, always},
	{"id_number", "证件号码", func(r *Record) string { return r.IDNumber }, always},
	{"occupation", "职业名称", func(r *Record) string { return r.Occupation }, always},
	{"occupation_code", "职业编码", func(r *Record) string { return r.OccupationCode }, always},
	{"specialty", "工种", func(r *Record) string { return r.Specialty }, func(*Record) bool { return false }},
	{"level", "等级", func(r *Record) string { return r.Level }, always},
	{"theory_score", "理论知识成绩", func(r *Record) string { return r.TheoryScore }, always},
	{"skills_score", "操作技能成绩", func(r *Record) string { return r.SkillsScore }, always},
	{"review_score", "综合评审成绩", func(r *Record) string { return r.ReviewScore }, func(r *Record) bool { return r.reviewApplies }},
	{"issuer_name", "评价机构名称", func(r *Record) string { return r.IssuerName }, always},
	{"issuer_code", "评价机构代码", func(r *Record) string { return r.IssuerCode }, always},
	{"issued_on", "发证日期", func(r *Record) string { return r.IssuedOn }, always},
	{"photo_file", "照片文件名", func(r *Record) string { return r.PhotoFile }, always},
}

// FieldInfo describes one reported field (for docs and tests).
type FieldInfo struct {
	Key, Title string
	// Required is "yes", "no" or "when 综合评审 applies".
	Required string
}

// Fields lists the reported fields in order.
func Fields() []FieldInfo {
	out := make([]FieldInfo, len(fields))
	for i, f := range fields {
		req := "yes"
		switch f.Key {
		case "specialty":
			req = "no"
		case "review_score":
			req = "when 综合评审 applies"
		}
		out[i] = FieldInfo{f.Key, f.Title, req}
	}
	return out
}

// Header is the workbook's header row: every field's title.
func Header() []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.Title
	}
	return out
}

// Row is a record's values in field order.
func (r *Record) Row() []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.get(r)
	}
	return out
}

// Problem is a record that may not leave: its certificate and holder, the
// required fields it lacks and the values that disagree with what the
// certificate says.
type Problem struct {
	Number, Name string
	Missing      []string // field titles
	Wrong        []string // "评价机构名称：设置为 …，证书上为 …"
}

func (p Problem) String() string {
	var parts []string
	if len(p.Missing) > 0 {
		parts = append(parts, "缺少"+strings.Join(p.Missing, "、"))
	}
	parts = append(parts, p.Wrong...)
	who := p.Number
	if p.Name != "" {
		who += "（" + p.Name + "）"
	}
	return "证书 " + who + "：" + strings.Join(parts, "；")
}

// Check lists every record's problems in record order: every required
// field that is empty, and a 评价机构名称 that is not the one the
// certificate was signed with (the report must say what the paper says).
// None means the batch may be exported.
func (b *Batch) Check() []Problem {
	var out []Problem
	for i := range b.Records {
		r := &b.Records[i]
		p := Problem{Number: r.Number, Name: r.Name}
		for _, f := range fields {
			if f.required(r) && strings.TrimSpace(f.get(r)) == "" {
				p.Missing = append(p.Missing, f.Title)
			}
		}
		if r.IssuerName != "" && r.printedIssuer != "" && r.IssuerName != r.printedIssuer {
			p.Wrong = append(p.Wrong, fmt.Sprintf("评价机构名称：设置为“%s”，证书上为“%s”", r.IssuerName, r.printedIssuer))
		}
		if len(p.Missing) > 0 || len(p.Wrong) > 0 {
			out = append(out, p)
		}
	}
	return out
}

// CheckError is the refusal of an export: every problem, not only the first.
type CheckError struct {
	BatchNo  string
	Problems []Problem
}

func (e *CheckError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "；")
}

// ProblemsOf returns the problems an export was refused for, nil for any
// other error.
func ProblemsOf(err error) []Problem {
	var ce *CheckError
	if errors.As(err, &ce) {
		return ce.Problems
	}
	return nil
}

// refuse is the error an export with problems answers.
func (b *Batch) refuse(problems []Problem) error {
	ce := &CheckError{BatchNo: b.Info.BatchNo, Problems: problems}
	return skillscore.Wrap(skillscore.EInvalid, ce, fmt.Sprintf("批次 %s 有 %d 张证书的数据不全或不符，未导出任何数据：%s",
		b.Info.BatchNo, len(problems), ce.Error()))
}

// ready checks the batch can be reported at all: it has certificates, and
// every record is complete.
func (b *Batch) ready() error {
	if len(b.Records) == 0 {
		return skillscore.Errorf(skillscore.EConflict, "批次 %s 尚未发放职业技能等级证书，没有可报送的数据", b.Info.BatchNo)
	}
	if ps := b.Check(); len(ps) > 0 {
		return b.refuse(ps)
	}
	return nil
}
