package judges

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"skillscore"
	"skillscore/store"
)

// MaxHTTPOps is how many operations one HTTP sync request may carry.
const MaxHTTPOps = 500

// SyncRequest is the body of POST /api/v1/judge/sync: the same operations as
// the websocket protocol, for networks that block websockets.
type SyncRequest struct {
	Ops []json.RawMessage `json:"ops"`
}

// SyncResponse answers each operation in order, after its commit.
type SyncResponse struct {
	Results []any `json:"results"`
}

// Sync applies a batch of operations sent over HTTP. Each result is an Ack
// or a Reject, exactly as over websocket; the call returns after the commit.
// remote is the client's address: operations are rate-limited per login
// and per address, and a request with none left is refused (rate_limited,
// HTTP 429) before it costs a query.
func (s *Service) Sync(ctx context.Context, token, remote string, body io.Reader) (SyncResponse, error) {
	limited := skillscore.Errorf(skillscore.ERateLimited, "同步过于频繁，请稍后重试（未保存）")
	if s.syncAddrs.take(remote, 1, s.now()) == 0 {
		return SyncResponse{}, limited
	}
	sess, err := s.authenticate(ctx, token)
	if err != nil {
		return SyncResponse{}, err
	}
	data, err := io.ReadAll(io.LimitReader(body, int64(MaxHTTPOps*s.cfg.MaxMessageBytes)+1))
	if err != nil {
		return SyncResponse{}, skillscore.Wrap(skillscore.EInvalid, err, "无法读取请求")
	}
	if len(data) > MaxHTTPOps*s.cfg.MaxMessageBytes {
		return SyncResponse{}, skillscore.Errorf(skillscore.ETooLarge, "请求过大")
	}
	var req SyncRequest
	if err := json.Unmarshal(data, &req); err != nil {
		return SyncResponse{}, skillscore.Wrap(skillscore.EInvalid, err, "请求不是有效的 JSON：应为 {\"ops\": [...]}")
	}
	if len(req.Ops) > MaxHTTPOps {
		return SyncResponse{}, skillscore.Errorf(skillscore.ETooLarge, "一次最多同步 %d 条操作", MaxHTTPOps)
	}
	// Each operation is one message of the login's and of the address's
	// allowance (a request without any, one); those beyond are refused.
	login, now := hashToken(token), s.now()
	granted := s.syncLogins.take(login, max(1, len(req.Ops)), now)
	if g := s.syncAddrs.take(remote, granted, now); g < granted {
		s.syncLogins.give(login, granted-g)
		granted = g
	}
	if granted == 0 {
		return SyncResponse{}, limited
	}
	v, err := s.loadView(ctx, sess.judge)
	if err != nil {
		return SyncResponse{}, err
	}
	out := SyncResponse{Results: make([]any, len(req.Ops))}
	type pending struct {
		i  int
		op string
		ch chan any
	}
	var waits []pending
	for i, raw := range req.Ops {
		// Over HTTP every result answers the operation at its index: a
		// reject, never an error.
		if len(raw) > s.cfg.MaxMessageBytes {
			out.Results[i] = asReject(rejectOf(ClientMessage{}, skillscore.Errorf(skillscore.ETooLarge, "单条操作超过 %d 字节", s.cfg.MaxMessageBytes)))
			continue
		}
		m, err := DecodeClient(raw)
		if err == nil && i >= granted {
			err = skillscore.Errorf(skillscore.ERateLimited, "同步过于频繁，请稍后重试（未保存）")
		}
		if err == nil {
			switch m.Type {
			case TypeMark, TypeClear, TypeSubmit:
			default:
				err = skillscore.Errorf(skillscore.EInvalid, "未知的操作类型 %q", clip(m.Type))
			}
		}
		var op store.SheetOp
		if err == nil {
			op, err = v.resolve(m)
		}
		if err == nil && m.Type == TypeSubmit {
			op.SignWith, err = s.checkSubmitPIN(ctx, sess, m.PIN)
		}
		if err != nil {
			out.Results[i] = asReject(rejectOf(m, err))
			continue
		}
		op.Device = login
		ch := make(chan any, 1)
		waits = append(waits, pending{i: i, op: m.Op, ch: ch})
		opID := m.Op
		s.writer.submit(ctx, op, func(r store.OpResult, err error) { ch <- resultMessage(opID, r, err) })
	}
	for _, p := range waits {
		out.Results[p.i] = <-p.ch
	}
	return out, nil
}

func asReject(r Reject) Reject {
	r.Type = TypeReject
	return r
}

// State returns the judge's welcome (assignments, rubric, marks, last ack)
// for a tablet on HTTP. Each call is one message of the login's and the
// address's sync allowance: a view costs several queries.
func (s *Service) State(ctx context.Context, token, remote string) (Welcome, error) {
	limited := skillscore.Errorf(skillscore.ERateLimited, "请求过于频繁，请稍后重试")
	if s.syncAddrs.take(remote, 1, s.now()) == 0 {
		return Welcome{}, limited
	}
	sess, err := s.authenticate(ctx, token)
	if err != nil {
		return Welcome{}, err
	}
	if s.syncLogins.take(hashToken(token), 1, s.now()) == 0 {
		return Welcome{}, limited
	}
	v, err := s.loadView(ctx, sess.judge)
	if err != nil {
		return Welcome{}, err
	}
	return v.welcome, nil
}

// ServeSync is the HTTP handler of POST /api/v1/judge/sync; remote is the
// client's address (the rate limit's key), fail renders errors (the web
// layer's one error table).
func (s *Service) ServeSync(w http.ResponseWriter, r *http.Request, remote string, fail func(error)) {
	res, err := s.Sync(r.Context(), bearer(r), remote, r.Body)
	if err != nil {
		fail(err)
		return
	}
	writeJSON(w, res)
}

// ServeState is the HTTP handler of GET /api/v1/judge/state; remote is the
// client's address.
func (s *Service) ServeState(w http.ResponseWriter, r *http.Request, remote string, fail func(error)) {
	res, err := s.State(r.Context(), bearer(r), remote)
	if err != nil {
		fail(err)
		return
	}
	writeJSON(w, res)
}

// LoginRequest is the body of POST /api/v1/judge/login.
type LoginRequest struct {
	Ticket string `json:"ticket"`
	PIN    string `json:"pin"`
	Device string `json:"device"`
}

// LoginResponse carries the device token the tablet keeps.
type LoginResponse struct {
	Token string    `json:"token"`
	Judge JudgeInfo `json:"judge"`
	Event string    `json:"event"`
}

// ServeLogin is the HTTP handler of POST /api/v1/judge/login.
func (s *Service) ServeLogin(w http.ResponseWriter, r *http.Request, remote string, fail func(error)) {
	var req LoginRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, 4096))
	if err := dec.Decode(&req); err != nil {
		fail(skillscore.Wrap(skillscore.EInvalid, err, "请求不是有效的 JSON"))
		return
	}
	tok, j, err := s.Redeem(r.Context(), req.Ticket, req.PIN, req.Device, remote)
	if err != nil {
		fail(err)
		return
	}
	ev, err := s.st.Event(r.Context(), j.EventID)
	if err != nil {
		fail(err)
		return
	}
	writeJSON(w, LoginResponse{Token: tok, Judge: JudgeInfo{Code: j.Code, Name: j.Name}, Event: ev.Code})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil && !errors.Is(err, http.ErrHandlerTimeout) {
		return
	}
}
