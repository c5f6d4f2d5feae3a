package exports

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"skillscore"
	"skillscore/store"
)

// bom makes Excel on Chinese Windows read the CSV as UTF-8 rather than GBK.
const bom = "\uFEFF"

// AuditHeader is the audit CSV's header row.
var AuditHeader = []string{"序号", "时间（北京时间）", "操作人", "操作", "对象", "详情", "前一哈希", "哈希"}

// AuditTime formats an audit entry's time as the CSV writes it.
func AuditTime(t time.Time) string {
	return t.In(skillscore.China()).Format("2006-01-02 15:04:05.000000")
}

func auditCSV(trail []store.AuditEntry) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(bom)
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	if err := w.Write(AuditHeader); err != nil {
		return nil, err
	}
	for _, e := range trail {
		if err := w.Write(CSVRecord(strconv.FormatInt(e.ID, 10), AuditTime(e.At.Time), e.Actor, e.Action, e.Subject, e.Detail, e.PrevHash, e.Hash)); err != nil {
			return nil, err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("audit csv: %w", err)
	}
	return buf.Bytes(), nil
}

// plainNumber is a cell that is wholly a decimal number, such as the
// deduction "-5": a spreadsheet reads it as that number, never as a formula.
var plainNumber = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?$`)

// CSVCell neutralises a cell a spreadsheet would run as a formula (OWASP's
// CSV injection advice): a value starting with =, +, -, @, tab or CR gets a
// leading single quote, so "=HYPERLINK(...)" from an uploaded file name
// stays text. A value already starting with ' gets one too, so the escape is
// reversible (drop one leading ' from any cell that has one) and the audit
// trail's hashes can still be checked against the file. A plain number such
// as "-5" is left alone: it cannot call a function or refer to a cell, and
// quoting it would turn a figure into text that no longer adds up.
func CSVCell(v string) string {
	if v == "" || plainNumber.MatchString(v) {
		return v
	}
	switch v[0] {
	case '=', '+', '-', '@', '\t', '\r', '\'':
		return "'" + v
	}
	return v
}

// CSVRecord neutralises every cell of a record (see CSVCell).
func CSVRecord(cells ...string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = CSVCell(c)
	}
	return out
}
