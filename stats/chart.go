package stats

import (
	"fmt"
	"html"
	"strings"
)

// Chart layout in SVG user units; the page scales it to its width.
const (
	chartWidth   = 880
	chartHeight  = 320
	chartLeft    = 64
	chartBottom  = 40
	chartTop     = 24
	barWidth     = 22
	maxTickCount = 5
)

// Chart draws, for one occupation, a grouped bar chart of achieved against
// target per city (the province total is left out: it would dwarf the
// cities). Every bar carries data-city and data-value for tests and
// tooltips; all text is escaped, so the result is safe to embed in HTML.
func Chart(progress []Progress, occupation string) string {
	var ps []Progress
	// at least one unit per tick, so the integer tick labels stay distinct
	var top int64 = maxTickCount
	for _, p := range progress {
		if p.Occupation != occupation || p.City == Province {
			continue
		}
		ps = append(ps, p)
		top = max(top, int64(p.Achieved), p.Target)
	}
	top = niceCeil(top)
	plotH := float64(chartHeight - chartBottom - chartTop)
	y := func(v int64) float64 { return float64(chartTop) + plotH*(1-float64(v)/float64(top)) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="stats-chart" viewBox="0 0 %d %d" role="img" aria-label="%s 各设区市完成数与目标数">`,
		chartWidth, chartHeight, html.EscapeString(occupation))
	for i := 0; i <= maxTickCount; i++ {
		v := top * int64(i) / maxTickCount
		fmt.Fprintf(&b, `<line class="grid" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/><text class="tick" x="%d" y="%.1f" text-anchor="end">%d</text>`,
			chartLeft, chartWidth-8, y(v), y(v), chartLeft-6, y(v)+4, v)
	}
	if len(ps) > 0 {
		slot := float64(chartWidth-chartLeft-8) / float64(len(ps))
		for i, p := range ps {
			x := float64(chartLeft) + slot*float64(i) + slot/2 - barWidth
			city := html.EscapeString(p.City)
			fmt.Fprintf(&b, `<rect class="bar achieved" data-city="%s" data-value="%d" x="%.1f" y="%.1f" width="%d" height="%.1f"><title>%s 完成 %d</title></rect>`,
				city, p.Achieved, x, y(int64(p.Achieved)), barWidth, y(0)-y(int64(p.Achieved)), city, p.Achieved)
			fmt.Fprintf(&b, `<rect class="bar target" data-city="%s" data-value="%d" x="%.1f" y="%.1f" width="%d" height="%.1f"><title>%s 目标 %d</title></rect>`,
				city, p.Target, x+barWidth, y(p.Target), barWidth, y(0)-y(p.Target), city, p.Target)
			fmt.Fprintf(&b, `<text class="city" x="%.1f" y="%d" text-anchor="middle">%s</text>`,
				x+barWidth, chartHeight-chartBottom+20, city)
		}
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// niceCeil rounds the axis top up to 1, 2 or 5 times a power of ten.
func niceCeil(v int64) int64 {
	for p := int64(1); ; p *= 10 {
		for _, m := range []int64{1, 2, 5} {
			if m*p >= v {
				return m * p
			}
		}
	}
}
