package stats_test

import (
	"strings"
	"testing"

	"skillscore/stats"
)

func TestChartHasABarPerCityAndEscapes(t *testing.T) {
	var ps []stats.Progress
	for i, c := range stats.Cities() {
		ps = append(ps, stats.Progress{City: c, Occupation: "养老护理员", Achieved: i * 10, Target: 100})
	}
	ps = append(ps, stats.Progress{City: stats.Province, Occupation: "养老护理员", Achieved: 550, Target: 1100},
		stats.Progress{City: "南昌", Occupation: `<script>"x"`, Achieved: 1, Target: 1})
	svg := stats.Chart(ps, "养老护理员")
	for _, c := range stats.Cities() {
		for _, kind := range []string{"achieved", "target"} {
			if n := strings.Count(svg, `class="bar `+kind+`" data-city="`+c+`"`); n != 1 {
				t.Errorf("%s: %d %s bars, want 1", c, n, kind)
			}
		}
	}
	if strings.Contains(svg, `data-city="全省"`) {
		t.Error("the province total is drawn among the cities")
	}
	if !strings.Contains(svg, `data-city="赣州" data-value="100"`) {
		t.Error("赣州's achieved value is missing")
	}
	odd := stats.Chart(ps, `<script>"x"`)
	if strings.Contains(odd, "<script>") || !strings.Contains(odd, "&lt;script&gt;") {
		t.Errorf("occupation not escaped: %s", odd)
	}
}

func TestRate(t *testing.T) {
	for _, c := range []struct {
		achieved int
		target   int64
		want     string
	}{{6, 10, "60.0%"}, {1, 3, "33.3%"}, {2, 3, "66.7%"}, {3000, 2400, "125.0%"}, {5, 0, "—"}} {
		if got := stats.Rate(c.achieved, c.target); got != c.want {
			t.Errorf("Rate(%d, %d) = %s, want %s", c.achieved, c.target, got, c.want)
		}
	}
}
