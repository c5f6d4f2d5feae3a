package person

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"skillscore"
	"skillscore/exports"
	"skillscore/idnumber"
	"skillscore/results"
	"skillscore/scoring"
	"skillscore/store"
)

func when(t store.Time) string {
	if !t.Valid() {
		return ""
	}
	return t.In(skillscore.China()).Format("2006-01-02 15:04:05")
}

// Export is everything stored about one person: the file a subject access
// request is answered with. It holds their full 证件号码 and phone: it is
// their own data, handed to them.
type Export struct {
	GeneratedAt  string              `json:"generated_at"`
	Name         string              `json:"name"`
	IDNumber     string              `json:"id_number"`
	Contestants  []ContestantRecord  `json:"contestants"`
	Results      []ResultRecord      `json:"results"`
	Certificates []CertificateRecord `json:"certificates"`
	Appeals      []AppealRecord      `json:"appeals"`
	Photos       []PhotoRecord       `json:"photos"`
	Audit        []AuditRecord       `json:"audit"`
	// contestantIDs are the rows the export shows, by event, for its audit.
	contestantIDs map[int64][]int64
}

// ContestantRecord is one row of an event's roster, every field.
type ContestantRecord struct {
	EventCode         string `json:"event_code"`
	EventName         string `json:"event_name"`
	ContestantID      int64  `json:"contestant_id"`
	Name              string `json:"name"`
	Gender            string `json:"gender"`
	IDType            string `json:"id_type"`
	IDNumber          string `json:"id_number"`
	Phone             string `json:"phone"`
	Organization      string `json:"organization"`
	City              string `json:"city"`
	Group             string `json:"group"`
	Level             string `json:"level"`
	LastPromotionYear int    `json:"last_promotion_year,omitempty"`
	Code              string `json:"code,omitempty"`
	Station           string `json:"station,omitempty"`
	RegisteredAt      string `json:"registered_at"`
}

// ResultRecord is a person's result in one event, as published: their
// module scores, total, rank, award and promotion or pass. Before
// publication it says so and holds no score.
type ResultRecord struct {
	EventCode    string        `json:"event_code"`
	EventName    string        `json:"event_name"`
	Stage        string        `json:"stage"` // publication | final | unpublished
	StageName    string        `json:"stage_name"`
	Modules      []ModuleScore `json:"modules,omitempty"`
	Total        string        `json:"total,omitempty"`
	Rank         int           `json:"rank,omitempty"`
	Award        string        `json:"award,omitempty"`
	Promotion    string        `json:"promotion,omitempty"`
	Pass         *bool         `json:"pass,omitempty"`
	Disqualified bool          `json:"disqualified,omitempty"`
	Notes        string        `json:"notes,omitempty"`
}

// ModuleScore is one module's score.
type ModuleScore struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Score string `json:"score"`
	Max   string `json:"max"`
}

// CertificateRecord is one certificate issued to the person.
type CertificateRecord struct {
	EventCode     string          `json:"event_code"`
	Number        string          `json:"number"`
	Kind          string          `json:"kind"`
	KindName      string          `json:"kind_name"`
	Name          string          `json:"name"`
	IDType        string          `json:"id_type"`
	IDNumber      string          `json:"id_number"`
	IssuedAt      string          `json:"issued_at"`
	Status        string          `json:"status"` // valid | revoked
	RevokedAt     string          `json:"revoked_at,omitempty"`
	RevokedReason string          `json:"revoked_reason,omitempty"`
	ReissuedAt    string          `json:"reissued_at,omitempty"`
	Facts         json.RawMessage `json:"facts"` // what the certificate attests, as signed
}

// AppealRecord is one appeal filed for the person.
type AppealRecord struct {
	EventCode string `json:"event_code"`
	FiledAt   string `json:"filed_at"`
	Source    string `json:"source"` // organizer | contestant
	Body      string `json:"body"`
	Status    string `json:"status"` // open | rejected | remark
	Reason    string `json:"reason,omitempty"`
	DecidedAt string `json:"decided_at,omitempty"`
}

// PhotoRecord is the person's photo on one event's roster, the image
// itself in the JSON (base64).
type PhotoRecord struct {
	EventCode   string `json:"event_code"`
	ContentType string `json:"content_type"`
	Bytes       int    `json:"bytes"`
	Data        []byte `json:"data"`
}

// AuditRecord is one audit entry that concerns the person.
type AuditRecord struct {
	EventCode string          `json:"event_code"`
	ID        int64           `json:"id"`
	At        string          `json:"at"`
	Actor     string          `json:"actor"`
	Action    string          `json:"action"`
	Subject   string          `json:"subject"`
	Detail    json.RawMessage `json:"detail"`
}

var stageNames = map[string]string{"publication": "公示中", "final": "最终成绩", "unpublished": "成绩尚未公布"}
var appealStatusNames = map[string]string{"open": "处理中", "rejected": "已驳回", "remark": "已复评"}

// find gathers everything stored about a person, without recording a view:
// the organizer's preview (Summary) and the export (Export) share it.
func (s *Service) find(ctx context.Context, q Query) (*Export, error) {
	q, err := q.Normal()
	if err != nil {
		return nil, err
	}
	d, err := s.st.PersonData(ctx, q.IDNumber, q.Name)
	if err != nil {
		return nil, err
	}
	if len(d.Contestants) == 0 && len(d.Certificates) == 0 {
		return nil, notFound()
	}
	x := &Export{GeneratedAt: time.Now().In(skillscore.China()).Format("2006-01-02 15:04:05"), Name: q.Name, IDNumber: q.IDNumber,
		Contestants: []ContestantRecord{}, Results: []ResultRecord{}, Certificates: []CertificateRecord{},
		Appeals: []AppealRecord{}, Photos: []PhotoRecord{}, Audit: []AuditRecord{}, contestantIDs: map[int64][]int64{}}
	code := func(id int64) string { return d.Events[id].Code }
	groups := map[int64]map[string]string{}
	for _, c := range d.Contestants {
		x.contestantIDs[c.EventID] = append(x.contestantIDs[c.EventID], c.ID)
		ev := d.Events[c.EventID]
		if groups[ev.ID] == nil {
			gs, err := s.st.Groups(ctx, ev.ID)
			if err != nil {
				return nil, err
			}
			groups[ev.ID] = map[string]string{}
			for _, g := range gs {
				groups[ev.ID][g.Code] = g.Name
			}
		}
		r := ContestantRecord{EventCode: ev.Code, EventName: ev.Name, ContestantID: c.ID, Name: c.Name, Gender: c.Gender,
			IDType: c.IDType, IDNumber: c.IDNumber, Phone: c.Phone, Organization: c.Organization, City: c.City,
			Group: groups[ev.ID][c.GroupCode], Level: scoring.LevelName(c.Level), LastPromotionYear: c.LastPromotionYear,
			RegisteredAt: when(c.CreatedAt)}
		if r.Group == "" {
			r.Group = c.GroupCode
		}
		if c.Code != nil {
			r.Code = *c.Code
		}
		if c.Station != nil {
			r.Station = *c.Station
		}
		x.Contestants = append(x.Contestants, r)
		res, err := s.result(ctx, ev, c)
		if err != nil {
			return nil, err
		}
		x.Results = append(x.Results, res)
		if s.photos != nil {
			img, err := s.photos.Photo(ctx, c.ID)
			if err != nil {
				return nil, err
			}
			if img != nil {
				x.Photos = append(x.Photos, PhotoRecord{EventCode: ev.Code, ContentType: http.DetectContentType(img), Bytes: len(img), Data: img})
			}
		}
	}
	for _, c := range d.Certificates {
		if !slices.Contains(x.contestantIDs[c.EventID], c.ContestantID) {
			x.contestantIDs[c.EventID] = append(x.contestantIDs[c.EventID], c.ContestantID)
		}
		r := CertificateRecord{EventCode: code(c.EventID), Number: c.Number, Kind: c.Kind, KindName: "获奖证书", Name: c.Name,
			IDType: c.IDType, IDNumber: c.IDNumber, IssuedAt: when(c.IssuedAt), Status: "valid",
			ReissuedAt: when(c.ReissuedAt), Facts: json.RawMessage(c.Facts)}
		if c.Kind == "level" {
			r.KindName = "职业技能等级证书"
		}
		if c.Revoked() {
			r.Status, r.RevokedAt, r.RevokedReason = "revoked", when(c.RevokedAt), c.RevokedReason
		}
		if r.EventCode == "" {
			// Found by number and name alone: its event is not among the
			// contestant rows (a certificate outlives a purge of them).
			r.EventCode = strconv.FormatInt(c.EventID, 10)
		}
		x.Certificates = append(x.Certificates, r)
	}
	for _, a := range d.Appeals {
		r := AppealRecord{EventCode: code(a.EventID), FiledAt: when(a.FiledAt), Source: a.Source, Body: a.Body, Status: a.Status,
			DecidedAt: when(a.DecidedAt)}
		if a.Reason != nil {
			r.Reason = *a.Reason
		}
		x.Appeals = append(x.Appeals, r)
	}
	for _, e := range d.Audit {
		r := AuditRecord{ID: e.ID, At: when(e.At), Actor: e.Actor, Action: e.Action, Subject: e.Subject, Detail: json.RawMessage(e.Detail)}
		if e.EventID != nil {
			r.EventCode = code(*e.EventID)
		}
		x.Audit = append(x.Audit, r)
	}
	return x, nil
}

// result is a contestant's result as the public saw it: from the start of
// the publication period (公示) on, and never before.
func (s *Service) result(ctx context.Context, ev store.Event, c store.Contestant) (ResultRecord, error) {
	r := ResultRecord{EventCode: ev.Code, EventName: ev.Name, Stage: "unpublished"}
	w, err := s.st.Workflow(ctx, ev.ID)
	if err != nil {
		return r, err
	}
	switch {
	case w.Stage == store.StageFinal:
		r.Stage = "final"
	case w.Stage == store.StagePublication && !time.Now().Before(w.PublishedAt.Time):
		r.Stage = "publication"
	}
	r.StageName = stageNames[r.Stage]
	if r.Stage == "unpublished" {
		return r, nil
	}
	snap, err := s.st.Snapshot(ctx, ev.ID)
	if err != nil {
		return r, err
	}
	st, err := results.Compute(snap)
	if err != nil {
		return r, err
	}
	key := results.Key(c.ID)
	// A team member's result is the team's, with the promotion the member's
	// own level earns (results.Standings.Members).
	var own *results.Member
	if c.TeamID != nil {
		key = results.Key(*c.TeamID)
		for i, m := range st.Members[key] {
			if m.Row.ID == c.ID {
				own = &st.Members[key][i]
			}
		}
	}
	for _, x := range st.Result.Contestants {
		if x.ID != key {
			continue
		}
		for _, m := range x.Modules {
			r.Modules = append(r.Modules, ModuleScore{Code: m.Code, Name: m.Name, Score: m.Score.String(), Max: m.Max.String()})
		}
		r.Total, r.Rank, r.Award, r.Pass, r.Disqualified = x.Total.String(), x.Rank, x.AwardName, x.Pass, x.Disqualified
		if x.Promotion != nil {
			r.Promotion = x.Promotion.FromName + "→" + x.Promotion.ToName
		}
		r.Notes = exports.ReasonsText(x)
	}
	if own != nil {
		r.Promotion = ""
		if p := own.Result.Promotion; p != nil {
			r.Promotion = p.FromName + "→" + p.ToName
		}
		r.Notes = "团体赛项，所在队伍：" + st.Contestants[key].Name + "；" + exports.ReasonsText(own.Result)
	}
	return r, nil
}

// Summary is what the organizer's page shows of a person before exporting:
// where they took part and what was issued to them, numbers masked and
// phones left out.
type Summary struct {
	Name         string
	IDMasked     string
	Contestants  []ContestantRecord // 证件号码 masked, phone "已登记" or ""
	Certificates []CertificateRecord
	Appeals      int
	Photos       int
	Audit        int
}

// Summary finds a person for the organizer's page. Numbers are masked in
// it, so showing it is not a full view and records none.
func (s *Service) Summary(ctx context.Context, q Query) (Summary, error) {
	x, err := s.find(ctx, q)
	if err != nil {
		return Summary{}, err
	}
	out := Summary{Name: x.Name, IDMasked: idnumber.Mask(x.IDNumber), Appeals: len(x.Appeals), Photos: len(x.Photos), Audit: len(x.Audit)}
	for _, c := range x.Contestants {
		// The preview says whether a phone is on file, not which.
		if c.IDNumber = idnumber.Mask(c.IDNumber); c.Phone != "" {
			c.Phone = "已登记"
		}
		out.Contestants = append(out.Contestants, c)
	}
	for _, c := range x.Certificates {
		c.IDNumber = idnumber.Mask(c.IDNumber)
		out.Certificates = append(out.Certificates, c)
	}
	return out, nil
}

// Export answers a subject access request: everything stored about the
// person, recorded in each event's audit trail as a full view (by
// contestant id, with the reason: the request's reference), before the
// file is handed out. A reason naming the person is refused.
func (s *Service) Export(ctx context.Context, q Query, reason, actor string) (*Export, error) {
	x, err := s.find(ctx, q)
	if err != nil {
		return nil, err
	}
	personal := []string{x.Name, x.IDNumber}
	for _, c := range x.Contestants {
		personal = append(personal, c.Phone, c.IDNumber, c.Name)
	}
	if reason, err = checkReason(reason, personal...); err != nil {
		return nil, err
	}
	for ev, ids := range x.contestantIDs {
		if err := s.st.RecordPersonalAccess(ctx, store.PersonalAccess{EventID: ev, Actor: actor, Kind: "export",
			What: "subject-access", Contestants: ids, Reason: reason}); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// JSON is the export as indented JSON.
func (x *Export) JSON() ([]byte, error) {
	return json.MarshalIndent(x, "", "  ")
}

// XLSX is the export as a workbook, one sheet per kind of record; every
// cell is text (a name or number never becomes a formula).
func (x *Export) XLSX() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	type sheet struct {
		name   string
		header []string
		rows   [][]string
	}
	var sheets []sheet
	about := sheet{name: "说明", header: []string{"项目", "内容"}, rows: [][]string{
		{"姓名", x.Name}, {"证件号码", x.IDNumber}, {"导出时间", x.GeneratedAt},
		{"说明", "本文件是系统中保存的关于本人的全部信息：参赛登记、成绩、证书、申诉、照片，以及与本人有关的审计记录。"},
	}}
	sheets = append(sheets, about)
	cs := sheet{name: "参赛登记", header: []string{"赛事代码", "赛事", "姓名", "性别", "证件类型", "证件号码", "手机", "单位", "设区市",
		"组别", "现等级", "上次晋升年份", "参赛编号", "赛位号", "登记时间"}}
	for _, c := range x.Contestants {
		year := ""
		if c.LastPromotionYear > 0 {
			year = strconv.Itoa(c.LastPromotionYear)
		}
		cs.rows = append(cs.rows, []string{c.EventCode, c.EventName, c.Name, c.Gender, c.IDType, c.IDNumber, c.Phone, c.Organization,
			c.City, c.Group, c.Level, year, c.Code, c.Station, c.RegisteredAt})
	}
	rs := sheet{name: "成绩", header: []string{"赛事代码", "赛事", "状态", "项目", "成绩"}}
	for _, r := range x.Results {
		line := func(item, value string) {
			if value != "" {
				rs.rows = append(rs.rows, []string{r.EventCode, r.EventName, r.StageName, item, value})
			}
		}
		if r.Stage == "unpublished" {
			line("成绩", "尚未公布")
			continue
		}
		for _, m := range r.Modules {
			line(m.Name, m.Score+" / "+m.Max)
		}
		line("总分", r.Total)
		if r.Rank > 0 {
			line("名次", strconv.Itoa(r.Rank))
		}
		line("奖项", r.Award)
		line("晋升", r.Promotion)
		if r.Pass != nil {
			line("是否合格", map[bool]string{true: "合格", false: "不合格"}[*r.Pass])
		}
		line("说明", r.Notes)
	}
	ks := sheet{name: "证书", header: []string{"赛事代码", "证书编号", "证书名称", "姓名", "证件类型", "证件号码", "签发时间", "状态",
		"撤销时间", "撤销原因", "更正换发时间"}}
	for _, c := range x.Certificates {
		status := "有效"
		if c.Status == "revoked" {
			status = "已撤销"
		}
		ks.rows = append(ks.rows, []string{c.EventCode, c.Number, c.KindName, c.Name, c.IDType, c.IDNumber, c.IssuedAt, status,
			c.RevokedAt, c.RevokedReason, c.ReissuedAt})
	}
	as := sheet{name: "申诉", header: []string{"赛事代码", "提交时间", "提交方", "申诉内容", "状态", "处理理由", "处理时间"}}
	for _, a := range x.Appeals {
		src := "组织者登记"
		if a.Source == "contestant" {
			src = "本人提交"
		}
		as.rows = append(as.rows, []string{a.EventCode, a.FiledAt, src, a.Body, appealStatusNames[a.Status], a.Reason, a.DecidedAt})
	}
	ps := sheet{name: "照片", header: []string{"赛事代码", "格式", "大小（字节）", "说明"}}
	for _, p := range x.Photos {
		ps.rows = append(ps.rows, []string{p.EventCode, p.ContentType, strconv.Itoa(p.Bytes), "照片本身见 JSON 导出（data 字段，base64）"})
	}
	au := sheet{name: "审计记录", header: []string{"赛事代码", "序号", "时间", "操作人", "操作", "对象", "详情"}}
	for _, e := range x.Audit {
		au.rows = append(au.rows, []string{e.EventCode, strconv.FormatInt(e.ID, 10), e.At, e.Actor, e.Action, e.Subject, string(e.Detail)})
	}
	sheets = append(sheets, cs, rs, ks, as, ps, au)
	for i, sh := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sh.name); err != nil {
				return nil, fmt.Errorf("xlsx sheet: %w", err)
			}
		} else if _, err := f.NewSheet(sh.name); err != nil {
			return nil, fmt.Errorf("xlsx sheet: %w", err)
		}
		for r, vals := range append([][]string{sh.header}, sh.rows...) {
			for c, v := range vals {
				cell, err := excelize.CoordinatesToCellName(c+1, r+1)
				if err != nil {
					return nil, err
				}
				if err := f.SetCellStr(sh.name, cell, v); err != nil {
					return nil, fmt.Errorf("xlsx cell %s: %w", cell, err)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("xlsx write: %w", err)
	}
	return buf.Bytes(), nil
}
