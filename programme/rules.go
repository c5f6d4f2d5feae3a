// Package programme computes a programme's (大赛's) results across its
// events (赛项): the delegation table (代表队 award counts, sorted by a stated
// rule) and the 团体奖 (team points by place or award band, best N per 赛项),
// each figure with its reasons. It is pure like scoring: no database, network
// or clock; callers pass each event's entries as computed by scoring.
package programme

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"skillscore/scoring"
)

// Table orders.
const (
	OrderMedals = "medals" // by count of the first band, then the second …, then name
	OrderPoints = "points" // by 团体积分, then as medals
)

// Team point bases.
const (
	ByPlace = "place" // points per rank within the entry's group (1: 15, 2: 12 …)
	ByBand  = "band"  // points per award band (first: 10 …)
)

// Team tie rules.
const (
	TiesShared = "shared" // equal points share a place
	TiesMedals = "medals" // equal points are separated by the medal counts, then shared
)

// Rules is a programme's result rules, stored as JSON in programmes.rules.
type Rules struct {
	// Bands are the columns of the delegation table, best first; each
	// counts the events' award codes it lists (一等奖 counts "first" and
	// "gold", so events with either award scheme add up).
	Bands []Band `json:"bands"`
	// Order sorts the delegation table: medals (default) or points.
	Order string `json:"order,omitempty"`
	// Team is the 团体奖 rule; nil: no team points.
	Team *TeamRule `json:"team_award,omitempty"`
}

// Band is one column of the delegation table.
type Band struct {
	Code   string   `json:"code"`
	Name   string   `json:"name"`
	Awards []string `json:"awards"` // event award codes counted here
}

// TeamRule computes 团体积分 and names the 团体奖.
type TeamRule struct {
	By string `json:"by"` // place | band
	// Points per place ("1": 15, "2": 12 …; places not listed score 0) or
	// per band code ("first": 10 …). Never negative, so an added result
	// never lowers a delegation's points.
	Points map[string]int `json:"points"`
	// Best counts only a delegation's best N results in each 赛项; 0 = all.
	Best int `json:"best,omitempty"`
	// Ties: shared (default) or medals.
	Ties string `json:"ties,omitempty"`
	// Prizes are named down the team ranking: the first Count delegations
	// get the first prize, the next Count the second … A delegation tied
	// with one inside a prize gets that prize too.
	Prizes []Prize `json:"prizes,omitempty"`
}

// Prize is one 团体奖 level.
type Prize struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// DefaultRules counts 一/二/三等奖 (or gold/silver/bronze) and sorts by medals.
func DefaultRules() *Rules {
	return &Rules{Order: OrderMedals, Bands: []Band{
		{Code: "first", Name: "一等奖", Awards: []string{"first", "gold"}},
		{Code: "second", Name: "二等奖", Awards: []string{"second", "silver"}},
		{Code: "third", Name: "三等奖", Awards: []string{"third", "bronze"}},
	}}
}

// DefaultJSON is DefaultRules as stored for a new programme.
func DefaultJSON() string {
	b, _ := json.MarshalIndent(DefaultRules(), "", "  ")
	return string(b)
}

// ParseRules reads and validates a programme's rules; an empty document is
// the default rules. Every problem is reported at once, in Chinese and
// English, like scoring.ParseRules.
func ParseRules(data []byte) (*Rules, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return DefaultRules(), nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r Rules
	if err := dec.Decode(&r); err != nil {
		return nil, &scoring.RulesError{Problems: []scoring.Problem{{
			Message: "大赛规则不是有效的 JSON：" + err.Error(), English: "programme rules are not valid JSON: " + err.Error()}}}
	}
	if probs := r.validate(); len(probs) > 0 {
		return nil, &scoring.RulesError{Problems: probs}
	}
	if r.Order == "" {
		r.Order = OrderMedals
	}
	if r.Team != nil && r.Team.Ties == "" {
		r.Team.Ties = TiesShared
	}
	return &r, nil
}

func (r *Rules) validate() []scoring.Problem {
	var probs []scoring.Problem
	add := func(path, zh, en string, args ...any) {
		probs = append(probs, scoring.Problem{Path: path, Message: fmt.Sprintf(zh, args...), English: fmt.Sprintf(en, args...)})
	}
	if len(r.Bands) == 0 {
		add("bands", "至少需要一个奖项档次（如一等奖）", "at least one award band (e.g. first) is required")
	}
	codes := map[string]bool{}
	awards := map[string]string{}
	for i, b := range r.Bands {
		p := fmt.Sprintf("bands[%d]", i)
		switch {
		case strings.TrimSpace(b.Code) == "":
			add(p+".code", "奖项档次缺少代码", "band code is missing")
		case codes[b.Code]:
			add(p+".code", "奖项档次代码 %s 重复", "band code %s is repeated", b.Code)
		}
		codes[b.Code] = true
		if strings.TrimSpace(b.Name) == "" {
			add(p+".name", "奖项档次 %s 缺少名称（如一等奖）", "band %s has no name (e.g. 一等奖)", b.Code)
		}
		if len(b.Awards) == 0 {
			add(p+".awards", "奖项档次 %s 未列出计入的赛项奖项代码（如 first、gold）",
				"band %s lists no event award codes to count (e.g. first, gold)", b.Code)
		}
		for j, a := range b.Awards {
			if prev, ok := awards[a]; ok {
				add(fmt.Sprintf("%s.awards[%d]", p, j), "赛项奖项代码 %s 同时计入档次 %s 和 %s",
					"event award code %s is counted in both band %s and %s", a, prev, b.Code)
			}
			awards[a] = b.Code
		}
	}
	switch r.Order {
	case "", OrderMedals:
	case OrderPoints:
		if r.Team == nil {
			add("order", "按团体积分排序（points）需要设置团体奖规则 team_award",
				"ordering by points needs a team_award rule")
		}
	default:
		add("order", "排序方式 %q 无效，应为 medals（按奖牌）或 points（按团体积分）",
			"order %q is not medals or points", r.Order)
	}
	if t := r.Team; t != nil {
		switch t.By {
		case ByPlace, ByBand:
		default:
			add("team_award.by", "团体积分方式 %q 无效，应为 place（按名次）或 band（按奖项档次）",
				"team points basis %q is not place or band", t.By)
		}
		if len(t.Points) == 0 {
			add("team_award.points", "团体积分表为空", "the team points table is empty")
		}
		for _, k := range slices.Sorted(maps.Keys(t.Points)) {
			p := "team_award.points." + k
			if t.Points[k] < 0 {
				add(p, "积分不能为负数（%d）", "points cannot be negative (%d)", t.Points[k])
			}
			switch t.By {
			case ByPlace:
				if n, err := strconv.Atoi(k); err != nil || n < 1 {
					add(p, "名次 %q 应为正整数", "place %q must be a positive integer", k)
				}
			case ByBand:
				if !codes[k] {
					add(p, "奖项档次 %s 不在 bands 中", "band %s is not among the bands", k)
				}
			}
		}
		if t.Best < 0 {
			add("team_award.best", "每个赛项计入的成绩数不能为负数", "best results per event cannot be negative")
		}
		switch t.Ties {
		case "", TiesShared, TiesMedals:
		default:
			add("team_award.ties", "并列规则 %q 无效，应为 shared（并列同名次）或 medals（按奖牌数区分）",
				"ties %q is not shared or medals", t.Ties)
		}
		for i, pr := range t.Prizes {
			if strings.TrimSpace(pr.Name) == "" {
				add(fmt.Sprintf("team_award.prizes[%d].name", i), "团体奖缺少名称（如团体一等奖）", "team prize has no name")
			}
			if pr.Count < 1 {
				add(fmt.Sprintf("team_award.prizes[%d].count", i), "团体奖 %s 的名额应至少为 1",
					"team prize %s needs a count of at least 1", pr.Name)
			}
		}
	}
	return probs
}
