package stats

import (
	"bytes"
	"fmt"

	"github.com/xuri/excelize/v2"

	"skillscore/levels"
)

// Sheet names and headers of the statistics workbook.
const (
	CountsSheet   = "统计"
	ProgressSheet = "目标完成"
)

var (
	countsHeader   = []string{"设区市", "职业", "等级", "竞赛选手", "认定考生", "合格", "发证"}
	progressHeader = []string{"设区市", "职业", "完成（人次）", "目标（人次）", "完成率"}
)

// LevelName is how a level reads in the tables ("四级/中级工", "特级技师"):
// None is an open event.
func LevelName(level levels.Level) string {
	if level == levels.None {
		return "不分等级"
	}
	return level.String()
}

// Rate is achieved/target as a percentage with one decimal, in exact
// integer arithmetic; "—" without a target.
func Rate(achieved int, target int64) string {
	if target <= 0 {
		return "—"
	}
	permille := (int64(achieved)*1000 + target/2) / target
	return fmt.Sprintf("%d.%d%%", permille/10, permille%10)
}

// XLSX writes the report as a workbook: the counts, then achievement
// against targets. Counts are numeric cells so they can be summed.
func (r *Report) XLSX() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", CountsSheet); err != nil {
		return nil, fmt.Errorf("xlsx sheet: %w", err)
	}
	if _, err := f.NewSheet(ProgressSheet); err != nil {
		return nil, fmt.Errorf("xlsx sheet: %w", err)
	}
	put := func(sheet string, row int, vals []any) error {
		cell, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return err
		}
		if err := f.SetSheetRow(sheet, cell, &vals); err != nil {
			return fmt.Errorf("xlsx row %d: %w", row, err)
		}
		return nil
	}
	title := fmt.Sprintf("%d 年康养职业技能竞赛与等级认定统计", r.Year)
	if err := put(CountsSheet, 1, []any{title}); err != nil {
		return nil, err
	}
	if err := put(CountsSheet, 2, strs(countsHeader)); err != nil {
		return nil, err
	}
	for i, x := range r.Rows {
		if err := put(CountsSheet, 3+i, []any{x.City, x.Occupation, LevelName(x.Level),
			x.Contestants, x.Assessed, x.Passed, x.Certificates}); err != nil {
			return nil, err
		}
	}
	if err := put(ProgressSheet, 1, []any{fmt.Sprintf("%d 年各设区市目标完成情况", r.Year)}); err != nil {
		return nil, err
	}
	if err := put(ProgressSheet, 2, strs(progressHeader)); err != nil {
		return nil, err
	}
	for i, p := range r.Progress {
		if err := put(ProgressSheet, 3+i, []any{p.City, p.Occupation, p.Achieved, p.Target, Rate(p.Achieved, p.Target)}); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("xlsx write: %w", err)
	}
	return buf.Bytes(), nil
}

func strs(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
