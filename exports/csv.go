package exports

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"time"

	"skillscore/store"
)

// bom makes Excel on Chinese Windows read the CSV as UTF-8 rather than GBK.
const bom = "\uFEFF"

// AuditHeader is the audit CSV's header row.
var AuditHeader = []string{"序号", "时间（北京时间）", "操作人", "操作", "对象", "详情", "前一哈希", "哈希"}

// AuditTime formats an audit entry's time as the CSV writes it.
func AuditTime(t time.Time) string {
	return t.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05.000000")
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
		if err := w.Write([]string{strconv.FormatInt(e.ID, 10), AuditTime(e.At.Time), e.Actor, e.Action, e.Subject, e.Detail, e.PrevHash, e.Hash}); err != nil {
			return nil, err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("audit csv: %w", err)
	}
	return buf.Bytes(), nil
}
