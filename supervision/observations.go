// Package supervision is the 督导 of an assessment batch (认定批次): the
// progress of every exam room (考场) and sitting a 督导员 watches, and the
// 督导记录 they file and sign with a PIN of their own. It decides what a
// record must hold, what a signing PIN may be, the digest that seals a
// signed record and how a room's progress is counted. It has no I/O: no
// database, network or clock.
package supervision

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"skillscore"
)

// Choice is one answer of a structured observation: its stored value, its
// Chinese label and whether the 督导员 must say what they saw (any answer
// but the unremarkable one).
type Choice struct {
	Value, Label string
	NeedsNote    bool
}

// Item is one structured observation of a 督导记录.
type Item struct {
	Key, Label string
	Choices    []Choice
}

// Items are the four structured observations, in the order of the printed
// 督导记录: 考场秩序, 考评员到位, 考务执行, 违纪情况.
var Items = []Item{
	{Key: "order", Label: "考场秩序", Choices: []Choice{{"good", "良好", false}, {"fair", "一般", true}, {"poor", "混乱", true}}},
	{Key: "examiners", Label: "考评员到位", Choices: []Choice{{"all", "全部按时到位", false}, {"partial", "有缺位或迟到", true}}},
	{Key: "conduct", Label: "考务执行", Choices: []Choice{{"compliant", "符合规定", false}, {"deviation", "存在问题", true}}},
	{Key: "violations", Label: "违纪情况", Choices: []Choice{{"none", "未发现违纪", false}, {"found", "发现违纪", true}}},
}

// Limits of the free text, in characters.
const (
	MaxNote    = 500
	MaxRemarks = 2000
	MaxReason  = 500
)

// Observations are what a 督导员 records about one sitting in one room.
// Values maps each Item's key to a Choice value; Notes holds what was seen
// (required for any answer but the unremarkable one); Remarks is free text.
type Observations struct {
	Values  map[string]string
	Notes   map[string]string
	Remarks string
}

// Label is the Chinese label of an item's stored value ("" if unknown).
func Label(key, value string) string {
	for _, it := range Items {
		if it.Key != key {
			continue
		}
		for _, c := range it.Choices {
			if c.Value == value {
				return c.Label
			}
		}
	}
	return ""
}

// Check trims the observations and refuses an incomplete or oversized one,
// naming the item.
func (o *Observations) Check() error {
	if o.Values == nil {
		o.Values = map[string]string{}
	}
	if o.Notes == nil {
		o.Notes = map[string]string{}
	}
	for _, it := range Items {
		v := strings.TrimSpace(o.Values[it.Key])
		note := strings.TrimSpace(o.Notes[it.Key])
		o.Values[it.Key], o.Notes[it.Key] = v, note
		var ch *Choice
		for i := range it.Choices {
			if it.Choices[i].Value == v {
				ch = &it.Choices[i]
			}
		}
		switch {
		case v == "":
			return skillscore.Errorf(skillscore.EInvalid, "请选择“%s”", it.Label)
		case ch == nil:
			return skillscore.Errorf(skillscore.EInvalid, "“%s”的选项 %q 无效", it.Label, v)
		case ch.NeedsNote && note == "":
			return skillscore.Errorf(skillscore.EInvalid, "“%s”为“%s”时须写明具体情况", it.Label, ch.Label)
		case utf8.RuneCountInString(note) > MaxNote:
			return skillscore.Errorf(skillscore.EInvalid, "“%s”的说明不能超过 %d 字", it.Label, MaxNote)
		}
	}
	for k := range o.Values {
		if Label(k, o.Values[k]) == "" {
			delete(o.Values, k)
		}
	}
	for k := range o.Notes {
		if _, ok := o.Values[k]; !ok {
			delete(o.Notes, k)
		}
	}
	o.Remarks = strings.TrimSpace(o.Remarks)
	if utf8.RuneCountInString(o.Remarks) > MaxRemarks {
		return skillscore.Errorf(skillscore.EInvalid, "其他情况不能超过 %d 字", MaxRemarks)
	}
	return nil
}

// Progress is a sitting's state as the 督导员 saw it when signing; it is
// kept with the record, so the archive shows what the observations refer to.
type Progress struct {
	Expected   int // candidates scheduled in the sitting
	Present    int // signed in
	Absent     int // 缺考
	SheetsDone int // score sheets submitted
	SheetsDue  int // score sheets expected
}

// Record is one signed 督导记录. A correction is a new record whose
// Supersedes names the record it corrects; nothing is ever changed.
type Record struct {
	ID      int64
	EventID int64
	No      int // the event's own number, 1, 2, …
	// Event is the event's code, part of what is signed.
	Event            string
	RoomCode         string // "" when the sitting's venue names no exam room
	RoomName         string
	Session          string // the sitting's code
	SessionLabel     string // its name, day and times as shown when signed
	Obs              Observations
	Progress         Progress
	Supersedes       int64 // 0, or the id of the record this one corrects
	CorrectionReason string
	SignerID         int64
	Signer           string // username
	SignerName       string
	PINSetAt         time.Time // the PIN that signed: its setting time
	SignedAt         time.Time
	Digest           string // hex SHA-256 of the signed content (Digest)
	// SupersededBy is the id of the record correcting this one (0 if none);
	// not signed, found by the store.
	SupersededBy int64
}

// Digest is the hex SHA-256 over everything a record says and who signed
// it when, in a fixed order. It is stored with the record and written into
// the audit trail, and printed on the PDF: any later change of a stored
// record no longer matches it.
func Digest(r Record) string {
	type item struct {
		Key, Value, Note string
	}
	var items []item
	for _, it := range Items {
		items = append(items, item{it.Key, r.Obs.Values[it.Key], r.Obs.Notes[it.Key]})
	}
	// Times in whole microseconds, as the database keeps them.
	body, err := json.Marshal(struct {
		V                                         int
		Event                                     string
		No                                        int
		RoomCode, RoomName, Session, SessionLabel string
		Items                                     []item
		Remarks                                   string
		Progress                                  Progress
		Supersedes                                int64
		CorrectionReason, Signer, SignerName      string
		SignerID, PINSetAtMicros, SignedAtMicros  int64
	}{1, r.Event, r.No, r.RoomCode, r.RoomName, r.Session, r.SessionLabel, items, r.Obs.Remarks, r.Progress, r.Supersedes,
		r.CorrectionReason, r.Signer, r.SignerName, r.SignerID, r.PINSetAt.UnixMicro(), r.SignedAt.UnixMicro()})
	if err != nil {
		panic(err) // strings and integers always marshal
	}
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// Verify says what is wrong with a stored record, "" when nothing is: its
// content must still give its digest, and the digest must be the one the
// audit trail recorded when it was signed (audited: digests by record
// number). A record edited in the database fails the first; one edited
// with a digest recomputed, the second.
func Verify(r Record, audited map[int]string) string {
	switch d, ok := audited[r.No]; {
	case Digest(r) != r.Digest:
		return "记录内容与其签名摘要不符：签名后被改动过"
	case !ok:
		return "审计记录中没有这份记录的签名"
	case d != r.Digest:
		return "签名摘要与审计记录中的不符：签名后被改动过"
	}
	return ""
}

// Wrong PINs: after MaxPINFailures in a row, signing is locked for
// PINLockout, so a PIN of six digits cannot be tried through at the venue.
const (
	MaxPINFailures = 5
	PINLockout     = 15 * time.Minute
)

// CheckNewPIN refuses a signing PIN that is not 6–12 digits, does not match
// its repetition, or is one a bystander would guess first (one digit
// repeated, a run up or down).
func CheckNewPIN(pin, again string) error {
	if len(pin) < 6 || len(pin) > 12 || strings.Trim(pin, "0123456789") != "" {
		return skillscore.Errorf(skillscore.EInvalid, "签名 PIN 应为 6–12 位数字")
	}
	if pin != again {
		return skillscore.Errorf(skillscore.EInvalid, "两次输入的 PIN 不一致")
	}
	same, up, down := true, true, true
	for i := 1; i < len(pin); i++ {
		d := int(pin[i]) - int(pin[i-1])
		same = same && d == 0
		up = up && (d == 1 || d == -9)
		down = down && (d == -1 || d == 9)
	}
	if same || up || down {
		return skillscore.Errorf(skillscore.EInvalid, "PIN 过于简单（同一数字或连续数字），请另选")
	}
	return nil
}
