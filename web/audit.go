package web

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"skillscore"
	"skillscore/scoring"
	"skillscore/store"
)

// ---- the audit trail ----------------------------------------------------

type auditPage struct {
	Title, EventCode, Contestant, Judge string
	Entries                             []auditRow
	Total                               int
	ChainOK                             bool
	ChainBreak                          string // where this event's chain (or the legacy chain) breaks
	Checked                             int
}

// auditRow is one entry as a sentence: who did what to which contestant's
// aspect, the value before and after as the rubric shows it, and why. Raw
// keeps the stored fields for the details toggle.
type auditRow struct {
	ID                                   int64
	At, Who, Action, Object, Change, Why string
	Raw, Hash                            string
}

// auditActions names every action kind the store writes into the audit
// trail; TestAuditActionsHaveChineseNames keeps it complete.
var auditActions = map[string]string{
	"user.add": "新增账号", "user.login": "登录",
	"event.create": "创建赛事", "event.rules": "修改评分规则", "event.details": "修改赛事信息",
	"roster.add": "添加选手", "roster.import": "导入名单",
	"draw.run": "抽签", "draw.decrypt": "解密（揭示姓名）",
	"judge.add": "添加裁判", "judges.import": "导入裁判", "judge.ticket": "发放平板登录卡",
	"judge.login": "平板登录", "judge.revoke": "撤销平板登录",
	"judge.signing_key_set": "设置本人签名密码", "judge.signing_pin_failed": "签名密码输入错误",
	"judge.signing_key_locked": "签名密码连续输错，已锁定", "judge.signing_key_reset": "重置裁判签名密码", "event.judge_signing": "设置是否要求裁判本人签名密码",
	"assignment.add": "分配评分任务", "assignment.override": "回避冲突下强制分配", "relation.add": "登记回避关系",
	"scores.import": "导入成绩", "contestant.status": "设置选手状态（缺考、弃权、取消资格、不参与评奖）",
	"sheet.mark": "评分", "sheet.clear": "清除评分", "sheet.submit": "提交评分表",
	"sheet.lock": "锁定评分表", "sheet.reopen": "重新开放评分表", "module.signoff": "签字确认模块",
	"paper.entry": "录入纸质评分表", "paper.mismatch": "纸质评分表两遍录入不一致", "paper.settings": "更改评分记录表设置（选手签字）",
	"live.publish": "公布名单", "live.unpublish": "撤回公布", "live.freeze": "冻结大屏", "live.unfreeze": "解除冻结",
	"live.frozen": "大屏按时冻结", "live.ceremony": "颁奖揭晓", "live.settings": "修改大屏设置",
	"results.publish": "成绩公示", "results.final": "成绩定稿",
	"appeal.file": "提出申诉", "appeal.rejected": "驳回申诉", "appeal.remark": "申诉复评",
	// 仲裁 (issue 16)
	"arbitration.window": "设置仲裁申诉时限", "arbitration.file": "登记现场仲裁申诉", "arbitration.hearing": "记录仲裁听证",
	"arbitration.upheld": "仲裁决定：申诉成立", "arbitration.rejected": "仲裁决定：申诉不成立",
	"certificates.issue": "签发证书", "certificate.revoke": "吊销证书",
	"privacy.notice": "修改个人信息告知书", "privacy.retention": "修改个人信息保存期限", "privacy.organizer": "修改个人信息处理者与联系方式",
	"personal.reveal": "查看完整证件号码", "personal.export": "导出含个人信息的文件", "keys.rotate": "轮换个人信息加密密钥",
	"target.set": "设置年度目标",
	"photo.set":  "设置持证人照片", "photo.delete": "删除持证人照片",
	"evidence.add": "上传证据（照片、视频）", "evidence.delete": "删除证据", // issue 16 evidence
	"person.correct": "更正选手个人信息", "personal.purge": "到期清除个人信息",
	// Sessions (场次) and 检录 (issue 14).
	"sessions.entry_numbers": "分配参赛证号", "sessions.save": "保存场次安排",
	"checkin.record": "检录", "checkin.decide": "裁判长处理人证不符", "checkin.close": "结束检录（记缺考）",
	"round.confirm": "确认晋级名单", "round.draw": "轮次抽签（出场顺序与赛位）", // rounds
	"admission.notice": "修改准考证考生须知", // an assessment batch's admission (issue 15)
	// Roles per scope and programmes (大赛) with their delegations.
	"user.grant": "授予角色", "user.revoke": "撤销角色",
	"batch.save": "保存认定批次", "batch.rooms": "设置考场", "batch.candidates": "保存考生信息",
	"batch.seating": "编排考场座位", "batch.seating_withdrawn": "撤销考场座位编排",
	"programme.create": "新建大赛", "programme.add_event": "赛项加入大赛", "programme.rules": "修改大赛成绩规则",
	"delegation.create": "新增代表队", "delegation.update": "修改代表队", "delegation.delete": "删除代表队",
	"delegation.import": "导入代表队", "contestant.delegation": "更改选手所属代表队",
	// 督导 of assessment batches (issue 15).
	"supervision.record": "督导员签名提交督导记录", "supervision.pin_set": "督导员设置签名 PIN",
	"supervision.pin_failed": "督导员签名 PIN 输错", "supervision.pin_reset": "重置督导员签名 PIN",
	// 报审 of assessment batches and the working-day calendar (issue 15).
	"batch.submit": "报审（提交监管部门审核）", "batch.approve": "审核员批准认定批次", "batch.return": "审核员退回认定批次",
	"calendar.set": "录入工作日历（节假日、调休上班日）", "calendar.remove": "删除工作日历中的日期",
	// 核对补考 (issue 15).
	"batch.retakes": "核对补考（沿用已合格部分）",
	// 赛场记录 (issue 16).
	"incident.record": "录入赛场记录", "incident.ack": "记录选手对赛场记录的确认（平板确认、待签字或拒绝签字）",
	"incident.ack_failed": "选手确认赛场记录时证件号码后 4 位输错",
	// Feedback (issue 16): a contestant's lookup of their own 成绩单.
	"feedback.lookup": "选手查询本人成绩单",
	// 成绩复核 (issue 16).
	"recheck.settings": "修改成绩复核设置", "recheck.start": "监督开始成绩复核（抽样）", "recheck.confirmed": "监督核对评分表无误",
	"recheck.flagged": "监督标记评分表有误", "recheck.escalate": "差错率超过阈值，转为全部复核", "recheck.correct": "裁判长更正复核标记的评分表",
	"recheck.add": "更正后进入前列的评分表加入复核", "recheck.signoff": "监督签字确认成绩复核",
	// issue 16 archive: the signed archive and the deletion it holds off.
	"event.archive": "赛事归档（签名归档文件）", "event.delete": "删除赛事（保存期满后）",
}

// auditNames resolves the ids and actor strings of an event's entries to
// people, contestant codes and aspects, the same whatever wrote them: a
// tablet or HTTP sync ("judge:ID"), a judge's own login ("judge:CODE"), the
// demo (bare "J09"), paper double entry ("paper:a+b"), staff and the CLI.
type auditNames struct {
	judgeByID   map[int64]store.Judge
	judgeByCode map[string]store.Judge
	codeOf      map[int64]string // contestant id → code
	module      map[int64]store.Module
	aspect      map[int64]store.Aspect
	rule        map[string]scoring.Aspect // module code + "/" + aspect code
	staff       map[string]string         // username → display
}

func (s *Server) loadAuditNames(ctx context.Context, ev store.Event) (*auditNames, error) {
	n := &auditNames{judgeByID: map[int64]store.Judge{}, judgeByCode: map[string]store.Judge{}, codeOf: map[int64]string{},
		module: map[int64]store.Module{}, aspect: map[int64]store.Aspect{}, rule: map[string]scoring.Aspect{}, staff: map[string]string{}}
	js, err := s.judging.Judges(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	for _, j := range js {
		n.judgeByID[j.ID], n.judgeByCode[j.Code] = j, j
	}
	cs, err := s.judging.Contestants(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if c.Code != nil {
			n.codeOf[c.ID] = *c.Code
		}
	}
	mods, err := s.judging.Modules(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	for _, m := range mods {
		n.module[m.ID] = m
		for _, a := range m.Aspects {
			n.aspect[a.ID] = a
		}
	}
	if rules, err := scoring.ParseRules([]byte(ev.Rules)); err == nil {
		for _, m := range rules.Modules {
			for _, a := range m.Aspects {
				n.rule[m.Code+"/"+a.Code] = a
			}
		}
	}
	return n, nil
}

// judgeOf is the judge an actor string names, if any.
func (n *auditNames) judgeOf(actor string) (store.Judge, bool) {
	rest, isJudge := strings.CutPrefix(actor, "judge:")
	if isJudge {
		if id, err := strconv.ParseInt(rest, 10, 64); err == nil {
			j, ok := n.judgeByID[id]
			return j, ok
		}
	}
	j, ok := n.judgeByCode[rest]
	return j, ok
}

func (s *Server) staffName(ctx context.Context, n *auditNames, username string) string {
	if name, ok := n.staff[username]; ok {
		return name
	}
	name := username
	if u, err := s.judging.UserByUsername(ctx, username); err == nil {
		role := RoleNames[u.Role]
		if role == "" {
			role = u.Role
		}
		name = role + " " + u.Name + "（" + username + "）"
	}
	n.staff[username] = name
	return name
}

func (s *Server) who(ctx context.Context, n *auditNames, actor string) string {
	if j, ok := n.judgeOf(actor); ok {
		return "裁判 " + j.Code + " " + j.Name
	}
	if pair, ok := strings.CutPrefix(actor, "paper:"); ok {
		a, b, _ := strings.Cut(pair, "+")
		return s.staffName(ctx, n, a) + " 与 " + s.staffName(ctx, n, b) + "（纸质评分表双人录入）"
	}
	switch actor {
	case "live":
		return "系统（定时）"
	case "demo":
		return "演示数据"
	case "cli":
		return "命令行"
	case "":
		return "（未记录）"
	}
	return s.staffName(ctx, n, actor)
}

// auditDetail is the part of an entry's JSON detail the page reads.
type auditDetail struct {
	ModuleID     int64           `json:"module_id"`
	ContestantID int64           `json:"contestant_id"`
	JudgeID      int64           `json:"judge_id"`
	AspectID     int64           `json:"aspect_id"`
	Value        *int64          `json:"value"`
	Reason       string          `json:"reason"`
	Marks        map[int64]int64 `json:"marks"`
	Mismatch     []int64         `json:"mismatch"`
	Other        string          `json:"other"`
}

// value prints a stored mark (1/10000 point) as the rubric shows it.
func (n *auditNames) value(aspectID int64, v int64) string {
	d := scoring.Decimal(v)
	a := n.aspect[aspectID]
	r, ok := n.rule[n.module[a.ModuleID].Code+"/"+a.Code]
	if !ok {
		return d.String()
	}
	return r.EntryText(d)
}

func (n *auditNames) aspectName(id int64) string {
	a, ok := n.aspect[id]
	if !ok {
		return "评分项 #" + strconv.FormatInt(id, 10)
	}
	return a.Code + " " + a.Name
}

// auditFilter says which entries are about the contestant or judge asked
// for: an entry is about a contestant when its subject is the code or its
// detail names the contestant; about a judge when the judge did it (under
// any actor form), the detail names the judge, or the subject is the judge.
type auditFilter struct {
	contestant     string
	contestantID   int64
	judge          string
	judgeID        int64
	contestantMiss bool // a code that names no contestant matches only its subject
	judgeMiss      bool
}

func (f auditFilter) match(n *auditNames, e store.AuditEntry, d auditDetail) bool {
	if f.contestant != "" {
		about := e.Subject == f.contestant || (!f.contestantMiss && d.ContestantID == f.contestantID)
		if !about {
			return false
		}
	}
	if f.judge != "" {
		j, byJudge := n.judgeOf(e.Actor)
		about := (byJudge && j.Code == f.judge) || (!f.judgeMiss && d.JudgeID == f.judgeID) ||
			(strings.HasPrefix(e.Action, "judge.") && e.Subject == f.judge)
		if !about {
			return false
		}
	}
	return true
}

func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	ctx := r.Context()
	q := r.URL.Query()
	page := auditPage{Title: ev.Name + " · 审计记录", EventCode: ev.Code, Contestant: strings.TrimSpace(q.Get("contestant")),
		Judge: strings.TrimSpace(q.Get("judge"))}
	n, err := s.loadAuditNames(ctx, ev)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := auditFilter{contestant: page.Contestant, judge: page.Judge, contestantMiss: true, judgeMiss: true}
	for id, code := range n.codeOf {
		if code == f.contestant {
			f.contestantID, f.contestantMiss = id, false
		}
	}
	if j, ok := n.judgeByCode[f.judge]; ok {
		f.judgeID, f.judgeMiss = j.ID, false
	}
	// The whole trail is read in order, so each mark's previous value is
	// known whatever the filter keeps.
	entries, err := s.judging.AuditFor(ctx, ev.ID, "", "")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	type markKey struct{ m, c, j, a int64 }
	last := map[markKey]int64{}
	var rows []auditRow
	for _, e := range entries {
		var d auditDetail
		_ = json.Unmarshal([]byte(e.Detail), &d) // an older entry's other shape leaves fields zero
		row := auditRow{ID: e.ID, At: e.At.In(skillscore.China()).Format("01-02 15:04:05"), Who: s.who(ctx, n, e.Actor),
			Action: auditActions[e.Action], Why: d.Reason, Hash: e.Hash[:12],
			Raw: "actor=" + e.Actor + " action=" + e.Action + " subject=" + e.Subject + " detail=" + e.Detail}
		if row.Action == "" {
			row.Action = e.Action
		}
		code := e.Subject
		if c, ok := n.codeOf[d.ContestantID]; ok {
			code = c
		}
		var obj []string
		if code != "" {
			if strings.HasPrefix(e.Action, "sheet.") || strings.HasPrefix(e.Action, "paper.") || strings.HasPrefix(e.Action, "appeal.") ||
				e.Action == "assignment.override" || e.Action == "relation.add" {
				obj = append(obj, "选手 "+code)
			} else {
				obj = append(obj, code)
			}
		}
		if m, ok := n.module[d.ModuleID]; ok && d.ModuleID != 0 {
			obj = append(obj, m.Name)
		}
		if d.AspectID != 0 {
			obj = append(obj, n.aspectName(d.AspectID))
		}
		if j, ok := n.judgeByID[d.JudgeID]; ok && d.JudgeID != 0 {
			if jw, byJudge := n.judgeOf(e.Actor); !byJudge || jw.ID != j.ID {
				obj = append(obj, "裁判 "+j.Code+" 的评分表")
			}
		}
		row.Object = strings.Join(obj, " · ")
		k := markKey{d.ModuleID, d.ContestantID, d.JudgeID, d.AspectID}
		switch e.Action {
		case "sheet.mark":
			if d.Value != nil {
				old, had := last[k]
				row.Change = "（无）"
				if had {
					row.Change = n.value(d.AspectID, old)
				}
				row.Change += " → " + n.value(d.AspectID, *d.Value)
				last[k] = *d.Value
			}
		case "sheet.clear":
			if old, had := last[k]; had {
				row.Change = n.value(d.AspectID, old) + " → （清除）"
				delete(last, k)
			}
		case "paper.entry", "paper.mismatch":
			ids := make([]int64, 0, len(d.Marks))
			for id := range d.Marks {
				ids = append(ids, id)
			}
			sort.Slice(ids, func(i, j int) bool { return n.aspect[ids[i]].Position < n.aspect[ids[j]].Position })
			var parts []string
			for _, id := range ids {
				parts = append(parts, n.aspect[id].Code+" = "+n.value(id, d.Marks[id]))
			}
			row.Change = strings.Join(parts, "，")
			if len(d.Mismatch) > 0 {
				var diff []string
				for _, id := range d.Mismatch {
					diff = append(diff, n.aspectName(id))
				}
				row.Why = "与 " + s.staffName(ctx, n, d.Other) + " 的录入不一致：" + strings.Join(diff, "、")
			}
		}
		if f.match(n, e, d) {
			rows = append(rows, row)
		}
	}
	page.Total = len(rows)
	const maxRows = 2000
	if len(rows) > maxRows {
		rows = rows[len(rows)-maxRows:]
	}
	for i := len(rows) - 1; i >= 0; i-- { // newest first
		page.Entries = append(page.Entries, rows[i])
	}
	// This event's chain (and the chain from before chains were per
	// event): the page need not read every other event's trail.
	rep, err := s.judging.VerifyEventAudit(ctx, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page.Checked, page.ChainOK = rep.Checked, rep.Break == nil
	if rep.Break != nil {
		page.ChainBreak = rep.Break.Message()
	}
	s.render(w, r, "audit", page)
}
