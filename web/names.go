package web

// Chinese names for the codes stored in the database.

var kindNames = map[string]string{
	"competition": "职业技能竞赛",
	"assessment":  "职业技能等级认定",
}

var tierNames = map[string]string{
	"national":   "国家级",
	"provincial": "省级",
	"city":       "市级",
}

var classNames = map[string]string{"one": "一类", "two": "二类"}

var statusNames = map[string]string{
	"setup":     "筹备中",
	"running":   "进行中",
	"review":    "复核中",
	"published": "公示中",
	"final":     "已结束",
}

func nameOr(m map[string]string, code string) string {
	if n, ok := m[code]; ok {
		return n
	}
	return code
}
