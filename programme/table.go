package programme

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Event is one 赛项's results as the table needs them.
type Event struct {
	Code string
	Name string
	// Counted: the event's results are public (公示 or final). Only counted
	// events enter the table, so a sealed result never shows through it.
	Counted bool
	Entries []Entry
}

// Entry is one ranked entry of an event: a contestant, or a team counted
// once.
type Entry struct {
	ID         string
	Delegation string // delegation code; "" = none
	Group      string // ranked group (职工组/学生组); places are per group
	GroupName  string // the group's name, for reasons ("职工组第1名")
	Rank       int    // 0 = unranked
	Award      string // the event's award code; "" = none
}

// Delegation is a 代表队 of the programme.
type Delegation struct {
	Code string
	Name string
}

// Table is the delegation table.
type Table struct {
	Bands   []Band
	Order   string
	Team    bool // team points are computed
	Rows    []Row
	Counted []string // codes of the events counted
	Pending []string // codes of the events not (yet) public
	// Unassigned counts per band the awards of entries without a
	// delegation, so the columns still add up to the events' awards.
	Unassigned []int
}

// Row is one delegation's line.
type Row struct {
	Position int  // place in the table (shared positions repeat)
	Shared   bool // another delegation has the same position
	Code     string
	Name     string
	Counts   []int // per band
	Awards   int   // sum of Counts
	Points   int   // 团体积分
	TeamRank int   // place by the team rule; 0 without one
	Prize    string
	Reasons  []string
}

// Compute builds the delegation table of a programme.
func Compute(r *Rules, dels []Delegation, events []Event) *Table {
	t := &Table{Bands: r.Bands, Order: r.Order, Team: r.Team != nil, Unassigned: make([]int, len(r.Bands))}
	band := map[string]int{}
	for i, b := range r.Bands {
		for _, a := range b.Awards {
			band[a] = i
		}
	}
	index := make(map[string]int, len(dels))
	rows := make([]Row, len(dels))
	perEvent := make([][]string, len(dels)) // count reasons
	pointsWhy := make([][]string, len(dels))
	for i, d := range dels {
		index[d.Code] = i
		rows[i] = Row{Code: d.Code, Name: d.Name, Counts: make([]int, len(r.Bands))}
	}
	for _, ev := range events {
		if !ev.Counted {
			t.Pending = append(t.Pending, ev.Code)
			continue
		}
		t.Counted = append(t.Counted, ev.Code)
		counts := make(map[int][]int)         // delegation → counts in this event
		scored := make(map[int][]scoredEntry) // delegation → entries with points
		for _, e := range ev.Entries {
			b, hasBand := band[e.Award]
			d, hasDel := index[e.Delegation]
			if !hasDel {
				if hasBand && e.Award != "" {
					t.Unassigned[b]++
				}
				continue
			}
			if hasBand && e.Award != "" {
				if counts[d] == nil {
					counts[d] = make([]int, len(r.Bands))
				}
				counts[d][b]++
				rows[d].Counts[b]++
			}
			if r.Team != nil {
				if p, why := r.Team.points(r, e, band); p > 0 {
					scored[d] = append(scored[d], scoredEntry{p, why})
				}
			}
		}
		for _, d := range slices.Sorted(maps.Keys(counts)) {
			var parts []string
			for b, n := range counts[d] {
				if n > 0 {
					parts = append(parts, fmt.Sprintf("%s %d 个", r.Bands[b].Name, n))
				}
			}
			perEvent[d] = append(perEvent[d], ev.Name+" "+strings.Join(parts, "、"))
		}
		for _, d := range slices.Sorted(maps.Keys(scored)) {
			s := scored[d]
			// Best first; equal points keep the entries' order (rank order
			// as given), so the reason reads the same every time.
			slices.SortStableFunc(s, func(a, b scoredEntry) int { return cmp.Compare(b.points, a.points) })
			dropped := 0
			if r.Team.Best > 0 && len(s) > r.Team.Best {
				dropped, s = len(s)-r.Team.Best, s[:r.Team.Best]
			}
			var parts []string
			for _, x := range s {
				rows[d].Points += x.points
				parts = append(parts, fmt.Sprintf("%s %d 分", x.why, x.points))
			}
			line := ev.Name + " " + strings.Join(parts, " + ")
			if dropped > 0 {
				line += fmt.Sprintf("（只计最好的 %d 个成绩，另有 %d 个不计）", r.Team.Best, dropped)
			}
			pointsWhy[d] = append(pointsWhy[d], line)
		}
	}
	for i := range rows {
		for _, n := range rows[i].Counts {
			rows[i].Awards += n
		}
		why := rows[i].Name + "："
		if len(perEvent[i]) == 0 {
			why += "暂无获奖"
		} else {
			why += strings.Join(perEvent[i], "；")
		}
		rows[i].Reasons = append(rows[i].Reasons, why)
		if r.Team != nil {
			line := fmt.Sprintf("团体积分 %d", rows[i].Points)
			if len(pointsWhy[i]) > 0 {
				line += " = " + strings.Join(pointsWhy[i], "；")
			}
			rows[i].Reasons = append(rows[i].Reasons, line)
		}
	}
	if r.Team != nil {
		teamRanks(r, rows)
	}
	order := medalOrder
	if r.Order == OrderPoints {
		order = func(a, b *Row) int {
			if c := cmp.Compare(b.Points, a.Points); c != 0 {
				return c
			}
			return medalOrder(a, b)
		}
	}
	slices.SortStableFunc(rows, func(a, b Row) int {
		if c := order(&a, &b); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	for i := range rows {
		rows[i].Position = i + 1
		if i > 0 && order(&rows[i-1], &rows[i]) == 0 {
			rows[i].Position = rows[i-1].Position
			rows[i].Shared, rows[i-1].Shared = true, true
		}
	}
	t.Rows = rows
	return t
}

type scoredEntry struct {
	points int
	why    string
}

// points is what one entry earns under the team rule, and why.
func (t *TeamRule) points(r *Rules, e Entry, band map[string]int) (int, string) {
	switch t.By {
	case ByPlace:
		if e.Rank < 1 {
			return 0, ""
		}
		return t.Points[strconv.Itoa(e.Rank)], fmt.Sprintf("%s第%d名", e.GroupName, e.Rank)
	case ByBand:
		b, ok := band[e.Award]
		if !ok || e.Award == "" {
			return 0, ""
		}
		return t.Points[r.Bands[b].Code], r.Bands[b].Name
	}
	return 0, ""
}

// medalOrder compares by the count of the first band, then the second …
// (more first); 0 when every count is equal.
func medalOrder(a, b *Row) int {
	for i := range a.Counts {
		if c := cmp.Compare(b.Counts[i], a.Counts[i]); c != 0 {
			return c
		}
	}
	return 0
}

// teamRanks places the delegations by 团体积分 under the tie rule and names
// the prizes: a delegation tied with one inside a prize gets it too.
func teamRanks(r *Rules, rows []Row) {
	tied := func(a, b *Row) int {
		if c := cmp.Compare(b.Points, a.Points); c != 0 || r.Team.Ties != TiesMedals {
			return c
		}
		return medalOrder(a, b)
	}
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return tied(&rows[a], &rows[b]) })
	for k, i := range idx {
		rows[i].TeamRank = k + 1
		if k > 0 && tied(&rows[idx[k-1]], &rows[i]) == 0 {
			rows[i].TeamRank = rows[idx[k-1]].TeamRank
		}
	}
	for _, i := range idx {
		if rows[i].Points == 0 {
			continue // no prize without a single point
		}
		limit := 0
		for _, p := range r.Team.Prizes {
			limit += p.Count
			if rows[i].TeamRank <= limit {
				rows[i].Prize = p.Name
				rows[i].Reasons = append(rows[i].Reasons,
					fmt.Sprintf("团体第%d名，获%s（前 %d 名）", rows[i].TeamRank, p.Name, limit))
				break
			}
		}
	}
}
