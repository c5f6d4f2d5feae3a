package web

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"skillscore"
	"skillscore/rubric"
	"skillscore/scoring"
)

// The set-up page's groups and modules: renamed, removed and added through
// form fields, so an organizer never edits the rule document by hand. A new
// judged module comes with its rubric sheet in the same submit, since the
// core accepts no judged module without aspects.

type groupRow struct {
	Code, Name string
	Remove     bool
}

type moduleRow struct {
	Code, Name, Part string
	Imported         bool
	Remove           bool
}

// newModule is the "新增模块" row as typed, with its problems by field.
type newModule struct {
	Code, Name, Part, Max, Weight string
	Errors                        map[string]string
}

var structureCode = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`)

// structureRows fills the page's group and module rows from the document
// and, after a refused submit, from what was typed.
func structureRows(p *setupPage, doc *scoring.Rules, form url.Values) {
	val := func(name, v string) string { return strings.TrimSpace(formOr(form, name, v)) }
	for _, g := range doc.Groups {
		p.Groups = append(p.Groups, groupRow{Code: g.Code, Name: val("group.name."+g.Code, g.Name),
			Remove: form.Get("group.remove."+g.Code) != ""})
	}
	for _, m := range doc.Modules {
		p.Modules = append(p.Modules, moduleRow{Code: m.Code, Name: val("module.name."+m.Code, m.Name), Part: m.Part,
			Imported: m.Imported, Remove: form.Get("module.remove."+m.Code) != ""})
	}
	p.NewGroupCode, p.NewGroupName = val("group.new.code", ""), val("group.new.name", "")
	p.NewModule = newModule{Code: val("module.new.code", ""), Name: val("module.new.name", ""),
		Part: val("module.new.part", scoring.PartPractical), Max: val("module.new.max", "100"),
		Weight: val("module.new.weight", ""), Errors: map[string]string{}}
}

// applyStructure edits doc's groups and modules as the page's rows say. It
// returns the rubric placement when a new judged module's sheet was read,
// and false when a field is wrong (the page then names it).
func applyStructure(r *http.Request, p *setupPage, doc *scoring.Rules) (*rubric.Placement, bool) {
	ok := true
	var groups []scoring.Group
	for _, g := range p.Groups {
		if g.Remove {
			continue
		}
		if g.Name == "" {
			p.StructureErrors = append(p.StructureErrors, "组别 "+g.Code+" 的名称为空")
			ok = false
		}
		groups = append(groups, scoring.Group{Code: g.Code, Name: g.Name})
	}
	if p.NewGroupCode != "" || p.NewGroupName != "" {
		switch {
		case !structureCode.MatchString(p.NewGroupCode):
			p.StructureErrors = append(p.StructureErrors, "新组别的代码须为字母、数字或连字符（如 employee、student）")
			ok = false
		case p.NewGroupName == "":
			p.StructureErrors = append(p.StructureErrors, "请填写新组别的名称，如 职工组")
			ok = false
		default:
			for _, g := range doc.Groups {
				if strings.EqualFold(g.Code, p.NewGroupCode) {
					p.StructureErrors = append(p.StructureErrors, "组别代码 "+p.NewGroupCode+" 已存在")
					ok = false
				}
			}
			groups = append(groups, scoring.Group{Code: p.NewGroupCode, Name: p.NewGroupName})
		}
	}
	doc.Groups = groups

	var mods []scoring.Module
	for i, m := range p.Modules {
		if m.Remove {
			continue
		}
		if m.Name == "" {
			p.StructureErrors = append(p.StructureErrors, "模块 "+m.Code+" 的名称为空")
			ok = false
		}
		mod := doc.Modules[i]
		mod.Name = m.Name
		mods = append(mods, mod)
	}
	doc.Modules = mods
	pl, added := addModule(r, p, doc)
	return pl, ok && added
}

// addModule appends the "新增模块" row to doc, if one was typed; a judged
// module takes its aspects from the rubric sheet uploaded with it.
func addModule(r *http.Request, p *setupPage, doc *scoring.Rules) (*rubric.Placement, bool) {
	nm := &p.NewModule
	if nm.Code == "" && nm.Name == "" {
		return nil, true
	}
	if !structureCode.MatchString(nm.Code) {
		nm.Errors["code"] = "模块代码须为字母、数字或连字符，如 D"
	}
	for _, m := range doc.Modules {
		if strings.EqualFold(m.Code, nm.Code) {
			nm.Errors["code"] = "模块代码 " + nm.Code + " 已存在"
		}
	}
	if nm.Name == "" {
		nm.Errors["name"] = "请填写模块名称，如 实操D 心理支持"
	}
	max, err := scoring.ParseDecimal(nm.Max)
	if err != nil || max <= 0 {
		nm.Errors["max"] = "满分须为正数，如 100"
	}
	weight, err := scoring.ParseDecimal(nm.Weight)
	if err != nil || weight <= 0 {
		nm.Errors["weight"] = "权重须为正数（%），并相应调低其他模块的权重，使合计为 100"
	}
	m := scoring.Module{Code: nm.Code, Name: nm.Name, Part: nm.Part, Max: max, Weight: &weight}
	switch nm.Part {
	case scoring.PartTheory:
		m.Imported = true // scores come from the theory import
	case scoring.PartPractical:
		m.Floor, m.Panel = "zero", defaultPanel(doc)
	default:
		nm.Errors["part"] = "请选择实操（裁判评分）或理论（导入成绩）"
	}
	var pl *rubric.Placement
	if m.Panel != nil && len(nm.Errors) == 0 {
		_, data, err := uploadedFile(r, "module.new.rubric")
		if errors.Is(err, http.ErrMissingFile) {
			nm.Errors["rubric"] = "实操模块须同时上传其评分细则（.xlsx，可先下载模板，在“模块”列填 " + nm.Code + "）"
			return nil, false
		}
		if err != nil {
			nm.Errors["rubric"] = skillscore.ErrorMessage(err)
			return nil, false
		}
		doc.Modules = append(doc.Modules, m)
		sheet, probs, err := rubric.Read(data)
		if err == nil && len(probs) == 0 {
			pl, probs = rubric.Apply(doc, sheet)
		}
		switch {
		case err != nil:
			nm.Errors["rubric"] = skillscore.ErrorMessage(err)
		case len(probs) > 0:
			p.Cells = cellProblems(probs)
		}
		return pl, err == nil && len(probs) == 0
	}
	if len(nm.Errors) > 0 {
		return nil, false
	}
	doc.Modules = append(doc.Modules, m)
	return nil, true
}

// defaultPanel is how a new judged module combines its judges' marks: as
// the event's first judged module does, else three judges, mean per aspect.
func defaultPanel(doc *scoring.Rules) *scoring.Panel {
	for _, m := range doc.Modules {
		if m.Panel != nil {
			p := *m.Panel
			return &p
		}
	}
	return &scoring.Panel{Judges: 3, Level: "aspect", Method: "mean", Missing: "present", MinJudges: 1,
		Rounding: &scoring.Rounding{Mode: scoring.HalfUp, Places: 2}}
}
