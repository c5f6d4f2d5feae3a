package judges

import (
	"encoding/json"
	"errors"
	"strings"

	"skillscore"
	"skillscore/scoring"
)

// ProtocolVersion is the version of the judge protocol (docs/protocol.md). A
// hello with another version is refused with code "invalid".
const ProtocolVersion = 1

// Message types, client to server.
const (
	TypeHello  = "hello"
	TypeMark   = "mark"
	TypeClear  = "clear"
	TypeSubmit = "submit"
	TypePing   = "ping"
)

// Message types, server to client.
const (
	TypeWelcome = "welcome" // the judge's whole state: after hello, and again when assignments change
	TypeAck     = "ack"     // an operation is durable (or was already: dup)
	TypeReject  = "reject"  // an operation was refused; nothing of it is stored
	TypeError   = "error"   // a message that is not an operation was refused
	TypeSheet   = "sheet"   // the chief judge locked or reopened a sheet
	TypePong    = "pong"
	TypeRevoked = "revoked" // the organizer revoked this tablet; the connection closes
)

// ClientMessage is any message a tablet sends. Fields not used by a type are
// ignored.
type ClientMessage struct {
	Type       string          `json:"type"`
	V          int             `json:"v,omitempty"`
	Token      string          `json:"token,omitempty"`
	LastAck    string          `json:"last_ack,omitempty"`
	Op         string          `json:"op,omitempty"`
	Contestant string          `json:"contestant,omitempty"` // the anonymous code
	Module     string          `json:"module,omitempty"`
	Aspect     string          `json:"aspect,omitempty"`
	Value      json.RawMessage `json:"value,omitempty"` // a decimal as a JSON number or string
	Multiplier json.RawMessage `json:"multiplier,omitempty"`
	PIN        string          `json:"pin,omitempty"`
	ID         json.RawMessage `json:"id,omitempty"` // ping: any JSON value, echoed in the pong as sent
}

// isOperation reports whether a message type is an operation, which must
// carry a valid op id.
func isOperation(typ string) bool { return typ == TypeMark || typ == TypeClear || typ == TypeSubmit }

// errBadOp is the one answer to an operation whose op id is missing, null,
// not a string, empty, too long or not printable ASCII: however it is wrong,
// the client gets the same code and message.
func errBadOp() error {
	return skillscore.Errorf(skillscore.EInvalid, "操作编号 op 必须为 1–64 个可见 ASCII 字符（不含空格），操作未保存")
}

// DecodeClient parses one client message. Errors are coded "invalid" with a
// Chinese message, and carry the type and the op id when they could be
// read, so the rejection can name the operation (and a bad hello can close
// the connection). An operation's op id is checked first: a bad one gets
// errBadOp whatever else is wrong.
func DecodeClient(data []byte) (ClientMessage, error) {
	var m ClientMessage
	if err := json.Unmarshal(data, &m); err != nil {
		// Recover the type and op id for the rejection.
		var loose map[string]json.RawMessage
		var out ClientMessage
		if json.Unmarshal(data, &loose) == nil {
			_ = json.Unmarshal(loose["type"], &out.Type)
			var op string
			opErr := json.Unmarshal(loose["op"], &op)
			if isOperation(out.Type) && (opErr != nil || !validOpID(op)) {
				return out, errBadOp()
			}
			if validOpID(op) {
				out.Op = op
			}
		}
		var te *json.UnmarshalTypeError
		msg := "消息不是有效的 JSON"
		if errors.As(err, &te) {
			msg = "字段 " + te.Field + " 的类型错误"
		}
		return out, skillscore.Wrap(skillscore.EInvalid, err, msg)
	}
	if m.Type == "" {
		return m, skillscore.Errorf(skillscore.EInvalid, "消息缺少 type 字段")
	}
	if isOperation(m.Type) && !validOpID(m.Op) {
		return ClientMessage{Type: m.Type}, errBadOp()
	}
	return m, nil
}

// parseValue reads a decimal sent as a JSON number or string, exactly.
func parseValue(raw json.RawMessage, what string) (scoring.Decimal, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return 0, skillscore.Errorf(skillscore.EInvalid, "缺少%s", what)
	}
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, skillscore.Errorf(skillscore.EInvalid, "%s不是数字", what)
		}
	} else if s[0] != '-' && (s[0] < '0' || s[0] > '9') {
		return 0, skillscore.Errorf(skillscore.EInvalid, "%s不是数字", what)
	}
	d, err := scoring.ParseDecimal(s)
	if err != nil {
		// Say which of the three it is: the judge fixes each differently.
		msg := what + "不是数字"
		if frac, ok := decimalText(s); ok && frac > 4 {
			msg = what + "最多 4 位小数"
		} else if ok {
			msg = what + "超出范围"
		}
		return 0, skillscore.Wrap(skillscore.EInvalid, err, msg)
	}
	return d, nil
}

// decimalText reports whether s is written as a decimal (optional sign,
// digits, optional point and digits) and how many decimals it has.
func decimalText(s string) (frac int, ok bool) {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	i, f, dot := strings.Cut(s, ".")
	if i == "" && f == "" || dot && f == "" {
		return 0, false
	}
	for _, r := range i + f {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	return len(f), true
}

// Ack is the acknowledgement of a durable operation.
type Ack struct {
	Type     string `json:"type"` // ack
	Op       string `json:"op"`
	Revision int64  `json:"rev"`
	Dup      bool   `json:"dup,omitempty"`
}

// Reject refuses one operation (or, as type "error", a message that is not
// one). Code is one of skillscore's error codes.
type Reject struct {
	Type    string `json:"type"` // reject | error
	Op      string `json:"op,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// rejectOf answers a message: a reject when it is an operation (or names
// one), else an error. A bad op id is never echoed.
func rejectOf(m ClientMessage, err error) Reject {
	t := TypeError
	if isOperation(m.Type) || m.Op != "" {
		t = TypeReject
	}
	op := ""
	if validOpID(m.Op) {
		op = m.Op
	}
	return Reject{Type: t, Op: op, Code: skillscore.ErrorCode(err), Message: skillscore.ErrorMessage(err)}
}

// Pong answers a ping with its id, as sent.
type Pong struct {
	Type string          `json:"type"` // pong
	ID   json.RawMessage `json:"id,omitempty"`
}

// Welcome is the judge's whole state.
type Welcome struct {
	Type        string        `json:"type"` // welcome
	V           int           `json:"v"`
	Judge       JudgeInfo     `json:"judge"`
	Event       EventInfo     `json:"event"`
	Modules     []ModuleInfo  `json:"modules"`
	Assignments []SheetState  `json:"assignments"`
	LastAck     string        `json:"last_ack"` // the newest operation of this judge that is stored
	Signing     SigningInfo   `json:"signing"`  // the judge's own signing key (docs/oversight-signing.md)
	Limits      ProtocolLimit `json:"limits"`
}

// JudgeInfo is who is logged in.
type JudgeInfo struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// EventInfo names the event, and the words the tablet uses for its people
// and places: 裁判/选手/赛位 at a competition, 考评员/考生/座位 at an
// assessment (scoring.TermsFor).
type EventInfo struct {
	Code  string        `json:"code"`
	Name  string        `json:"name"`
	Kind  string        `json:"kind"`
	Terms scoring.Terms `json:"terms"`
}

// ModuleInfo is a module the judge scores, with its rubric.
type ModuleInfo struct {
	Code    string       `json:"code"`
	Name    string       `json:"name"`
	Aspects []AspectInfo `json:"aspects"`
}

// AspectInfo is what a tablet needs to show one aspect and its input.
type AspectInfo struct {
	Code        string           `json:"code"`
	Name        string           `json:"name"`
	Kind        string           `json:"kind"` // judgement | measurement | deduction | veto
	Max         scoring.Decimal  `json:"max"`
	Description string           `json:"description,omitempty"`
	Scale       int              `json:"scale,omitempty"` // judgement: 0..scale
	Descriptors []string         `json:"descriptors,omitempty"`
	Measure     *scoring.Measure `json:"measure,omitempty"`
	Unit        *scoring.Decimal `json:"unit,omitempty"`       // deduction: points per occurrence (value is a count)
	CountUnit   string           `json:"count_unit,omitempty"` // what such a deduction counts (分钟), shown beside its field
	Multiplier  bool             `json:"multiplier,omitempty"`
}

// SheetState is one assigned sheet: contestant code, station, status and the
// current marks by aspect code.
type SheetState struct {
	Module     string                     `json:"module"`
	Contestant string                     `json:"contestant"`
	Station    string                     `json:"station,omitempty"`
	Status     string                     `json:"status"` // open | submitted | locked
	Marks      map[string]scoring.Decimal `json:"marks"`
}

// SheetPush tells a tablet that the chief judge changed a sheet's status.
type SheetPush struct {
	Type       string `json:"type"` // sheet
	Module     string `json:"module"`
	Contestant string `json:"contestant"`
	Status     string `json:"status"`
	Reason     string `json:"reason,omitempty"`
	Revision   int64  `json:"rev"`
}

// ProtocolLimit tells the client the server's limits.
type ProtocolLimit struct {
	MaxMessageBytes int     `json:"max_message_bytes"`
	RatePerSecond   float64 `json:"rate_per_second"`
	Burst           int     `json:"burst"`
	HeartbeatSecs   int     `json:"heartbeat_seconds"`
}
