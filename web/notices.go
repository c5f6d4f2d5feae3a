package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// notices are the success messages a staff page shows after its form
// redirects back (?msg=KEY, or KEY.N.N… with the counts the text takes). A
// URL names a notice by key, never by its words: anyone can send a staff
// member a link, so a ?msg= carrying text would let them put words of their
// own into a trusted page. An unknown key, or counts that do not fit the
// text, shows nothing.
var notices = map[string]string{
	"appeal-filed":             "申诉已登记",
	"appeal-rejected":          "申诉已驳回",
	"appeal-remark":            "已决定复评：请裁判长重新开放所选评分表，裁判重新评分后再锁定并签字确认",
	"cert-revoked":             "证书已撤销，核验时显示为已撤销",
	"asset-seal":               "已上传 印章（透明背景 PNG），之后生成的证书将使用它",
	"asset-level-background":   "已上传 职业技能等级证书底图，之后生成的证书将使用它",
	"asset-award-background":   "已上传 获奖证书底图，之后生成的证书将使用它",
	"draw-done":                "第 %d 层抽签完成",
	"round-confirmed":          "晋级名单已确认：%d 人晋级，下一轮已开始", // rounds
	"round-drawn":              "本轮出场顺序与赛位已抽签（%d 人）",    // rounds
	"decrypted":                "已解密",
	"scores-reconciled":        "已导入成绩 %d 条（其中缺考 %d 条）",
	"judges-imported":          "已导入裁判 %d 名",
	"logins-revoked":           "已撤销 %d 台平板的登录",
	"signing-key-reset":        "已重置该裁判的签名密码：其下次提交评分表前须在平板上设置新的签名密码",
	"judge-signing-required":   "已要求裁判使用本人签名密码提交评分表",
	"judge-signing-optional":   "已允许裁判以登录卡 PIN 提交评分表（本人签名密码可选）",
	"panels-assigned":          "已分配 %d 份评分表；%d 项因回避未分配",
	"sheets-assigned":          "已分配 %d 份评分表",
	"sheet-locked":             "评分表已锁定",
	"sheet-open":               "评分表已重新开放",
	"sheets-locked":            "已锁定 %d 份评分表",
	"signed-off":               "模块已签字确认",
	"paper-signs-on":           "已设置：已填评分记录表加印选手签字栏", // papertrail
	"paper-signs-off":          "已设置：已填评分记录表不印选手签字栏", // papertrail
	"results-published":        "成绩已公示",
	"results-final":            "最终成绩已确认",
	"batch-submitted":          "已提交报审，等待监管部门审核员审核",
	"batch-approved":           "已批准：评价机构可以编号并签发本批次的职业技能等级证书",
	"batch-returned":           "已退回评价机构，退回原因已记录并显示在其报审页",
	"event-created":            "赛事已创建，请核对评分规则",
	"details-saved":            "赛事信息已保存",
	"privacy-notice-saved":     "告知书已保存为第 %d 版",
	"privacy-notice-unchanged": "告知书内容未改动，未生成新版本",
	"privacy-organizer-saved":  "组织单位与联系方式已保存",
	"retention-saved":          "保存期限已设为最终成绩确认后 %d 天",
	"rules-saved":              "评分规则已保存",
	"target-saved":             "已保存：%d 年目标 %d 人次",
	"logged-out":               "已退出登录",
	"user-added":               "用户已创建",
	"user-granted":             "已授权",
	"user-revoked":             "授权已撤销",
	"purged":                   "已永久清除：选手 %d 人的姓名和证件号码，手机号码 %d 个，证书 %d 张上的证件号码，申诉内容 %d 件，照片 %d 张",
	"person-corrected":         "已更正 %d 项信息",
	"retakes-checked":          "已核对补考并保存：%d 名考生沿用已合格部分，%d 名不能沿用",
	"programme-created":        "大赛已创建，请导入代表队并加入赛项",
	"programme-event-added":    "赛项已加入大赛",
	"programme-rules-saved":    "大赛规则已保存",
	"delegations-imported":     "代表队已导入：新增 %d 个，更新 %d 个",
	"batch-created":            "已创建认定批次，下一步：导入考生名单",
	"batch-saved":              "已保存批次信息",
	"batch-rooms-saved":        "已保存 %d 个考场，共 %d 个座位",
	"batch-seated":             "已为 %d 名考生按准考证号顺序分配考场座位，每个考场每个科目一个场次",
	"batch-seated-seed":        "已为 %d 名考生按随机种子分配考场座位，每个考场每个科目一个场次",
	"batch-seating-withdrawn":  "已撤销座位安排和它生成的场次，可以修改考场",
	"entry-numbers":            "已为 %d 名考生分配准考证号",      // admission
	"admission-rules-saved":    "考生须知已保存，之后打印的准考证将使用它", // admission
	"supervision-filed":        "督导记录第 %d 号已签名提交",
	"incident-recorded":        "赛场记录已录入",    // incidents
	"incident-ack":             "已记录选手的确认情况", // incidents
	"recheck-settings":         "成绩复核设置已保存",
	"recheck-started":          "已抽样：共 %d 份评分表待复核，随机种子已记录",
	"recheck-confirmed":        "已记录：核对无误",
	"recheck-flagged":          "已标记有误，等待裁判长更正",
	"recheck-escalated":        "抽查差错率超过阈值：已转为全部评分表复核",
	"recheck-corrected":        "已记录更正原因并重新开放该评分表：请裁判员（或裁判长按纸质表）更正后重新锁定并签字确认模块",
	"recheck-added":            "更正后名次变化：新进入前列的 %d 份评分表已加入复核，请核对后再签字确认",
	"recheck-signed":           "成绩复核已签字确认，可以公示成绩",
	"evidence-added":           "证据第 %d 号已上传并保存（SHA-256 已记录）",
	"evidence-duplicate":       "同一文件已附在此处（证据第 %d 号），未重复保存",
	"evidence-deleted":         "证据第 %d 号已删除，删除理由已记入审计记录",
	"person-reissued":          "已更正 %d 项信息，%d 张证书已按更正后的信息换发（证书编号不变，旧证书核验时显示“已更正换发”），请重新打印交给本人",
	// 仲裁 (issue 16)
	"arbitration-filed":   "现场仲裁申诉已登记为第 %d 号，请仲裁组听证后作出决定",
	"arbitration-window":  "仲裁申诉时限已设为模块结束后 %d 分钟",
	"arbitration-heard":   "听证记录已保存",
	"arbitration-decided": "仲裁决定已作出，为最终决定，不能再修改",
	"arbitration-remark":  "仲裁决定已作出：请裁判长重新开放所选评分表，裁判复评后再锁定并签字确认",
}

// noticeValue is the ?msg= value of a notice key with its counts.
func noticeValue(key string, counts ...int) string {
	for _, n := range counts {
		key += "." + strconv.Itoa(n)
	}
	return key
}

// noticeURL returns path (which may carry a query already) with the notice
// key and its counts as ?msg=.
func noticeURL(path, key string, counts ...int) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "msg=" + url.QueryEscape(noticeValue(key, counts...))
}

// noticeText returns the text a ?msg= value names, or "" when it names no
// notice: an unknown key, a count that is not a small whole number, or too
// many or too few counts for the text.
func noticeText(v string) string {
	key, rest, _ := strings.Cut(v, ".")
	text, ok := notices[key]
	if !ok {
		return ""
	}
	var counts []any
	if rest != "" {
		for _, c := range strings.Split(rest, ".") {
			n, err := strconv.ParseUint(c, 10, 31)
			if err != nil {
				return ""
			}
			counts = append(counts, n)
		}
	}
	if strings.Count(text, "%d") != len(counts) {
		return ""
	}
	if len(counts) == 0 {
		return text
	}
	return fmt.Sprintf(text, counts...)
}

// resolveNotices turns the request's ?msg= key into its text before any
// page reads it, and drops a ?msg= that names no notice: every page that
// shows r.URL.Query().Get("msg") shows a text from notices or nothing.
func resolveNotices(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		vs, ok := q["msg"]
		if !ok {
			h.ServeHTTP(w, r)
			return
		}
		text := ""
		if len(vs) == 1 {
			text = noticeText(vs[0])
		}
		if text == "" {
			q.Del("msg")
		} else {
			q.Set("msg", text)
		}
		u := *r.URL
		u.RawQuery = q.Encode()
		r2 := r.WithContext(r.Context())
		r2.URL = &u
		h.ServeHTTP(w, r2)
	})
}
