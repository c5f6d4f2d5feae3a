package judges

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"skillscore"
	"skillscore/store"
)

const (
	heartbeat = 20 * time.Second // server ping interval
	pongWait  = 50 * time.Second // a tablet silent this long is gone
	writeWait = 10 * time.Second
	// floodWindow: more than 4 × burst rate-limited messages within it
	// close the connection (4008). Counted over a window, not in a row: a
	// flood gets a message through at every refill.
	floodWindow = 10 * time.Second
	sendBuffer  = 2048 // queued outgoing messages before a connection counts as too slow

	// Close codes beyond the standard ones (4000–4999 are the application's).
	CloseUnauthorized = 4001 // bad, missing or revoked token: log in again
	CloseRateLimited  = 4008 // kept flooding after rejections
)

var upgrader = websocket.Upgrader{
	ReadBufferSize:  4096,
	WriteBufferSize: 4096,
	// The default origin check (Origin must match Host) stays: a page on
	// another site cannot open a judge session in the tablet's browser.
}

// ServeWS upgrades a request to the judge protocol over websocket; remote
// is the client's address (its hellos count against the address's
// allowance, as HTTP sync requests do).
func (s *Service) ServeWS(w http.ResponseWriter, r *http.Request, remote string) {
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered with an HTTP error
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	c := &conn{s: s, ws: ws, out: make(chan []byte, sendBuffer), ctx: ctx, cancel: cancel, remote: remote,
		limit: bucket{rate: s.cfg.RatePerSecond, burst: float64(s.cfg.Burst)}}
	ws.SetReadLimit(int64(s.cfg.MaxMessageBytes))
	// The hello deadline is a timer, not the read deadline, which pongs
	// push back: a client must say hello in time, whatever else it sends.
	helloTimer := time.AfterFunc(s.cfg.HelloTimeout, func() {
		c.mu.Lock()
		greeted := c.greeted
		c.mu.Unlock()
		if !greeted {
			c.send(rejectOf(ClientMessage{}, skillscore.Errorf(skillscore.EInvalid, "连接后 %d 秒内未收到 hello，连接已关闭",
				int(s.cfg.HelloTimeout.Seconds()))))
			c.closeWith(websocket.ClosePolicyViolation, "no hello")
		}
	})
	defer helloTimer.Stop()
	go c.writeLoop()
	c.readLoop()
}

// conn is one tablet's websocket session.
type conn struct {
	s      *Service
	ws     *websocket.Conn
	out    chan []byte
	ctx    context.Context
	cancel context.CancelFunc
	remote string

	mu    sync.Mutex
	sess  *session
	view  *view
	close struct {
		once   sync.Once
		code   int
		reason string
	}
	limit bucket
	// loginKey is the hash of the token once the hello succeeded: the
	// connection's messages count against the login's allowance too, so
	// more connections buy no more rate. Read and written by readLoop only.
	loginKey string
	// Rate-limited messages in the current flood window.
	floodStart time.Time
	floodCount int
	// greeted: a hello arrived (the hello timer no longer applies).
	greeted bool
	// reloading: a view reload is running; reloadAgain: another was asked
	// for meanwhile (a chief locking many sheets), done once it ends.
	reloading, reloadAgain bool
}

// send queues a message without ever blocking: a client that does not read
// is dropped, never waited for.
func (c *conn) send(msg any) {
	b, err := json.Marshal(msg)
	if err != nil {
		c.s.log.Error("judge ws: marshal", "err", err)
		return
	}
	select {
	case <-c.ctx.Done():
	case c.out <- b:
	default:
		c.s.log.Warn("judge ws: client too slow, dropping it")
		c.closeWith(websocket.CloseTryAgainLater, "too slow")
	}
}

// closeWith ends the connection with a close frame (sent by the write loop
// after what is queued).
func (c *conn) closeWith(code int, reason string) {
	c.close.once.Do(func() {
		c.close.code, c.close.reason = code, reason
		c.cancel()
	})
}

func (c *conn) shutdown() { c.closeWith(websocket.CloseGoingAway, "server stopping") }

func (c *conn) revoke() {
	c.send(Reject{Type: TypeRevoked, Code: skillscore.EUnauthorized, Message: "该平板的登录已被组织者撤销，请重新登录"})
	c.closeWith(CloseUnauthorized, "revoked")
}

func (c *conn) requestReload() {
	c.mu.Lock()
	if c.reloading {
		c.reloadAgain = true
		c.mu.Unlock()
		return
	}
	c.reloading = true
	c.mu.Unlock()
	// One reload at a time per connection, so the last welcome sent is
	// the newest view; requests during one make exactly one more.
	go func() {
		for {
			c.mu.Lock()
			sess := c.sess
			c.reloadAgain = false
			c.mu.Unlock()
			if sess != nil {
				if v, err := c.s.loadView(c.ctx, sess.judge); err != nil {
					c.s.log.Warn("judge ws: reload view", "err", err)
				} else {
					c.mu.Lock()
					c.view = v
					c.mu.Unlock()
					c.send(v.welcome)
				}
			}
			c.mu.Lock()
			if !c.reloadAgain {
				c.reloading = false
				c.mu.Unlock()
				return
			}
			c.mu.Unlock()
		}
	}()
}

func (c *conn) writeLoop() {
	ping := time.NewTicker(heartbeat)
	defer ping.Stop()
	defer c.ws.Close()
	for {
		select {
		case b := <-c.out:
			c.ws.SetWriteDeadline(time.Now().Add(writeWait))
			if err := c.ws.WriteMessage(websocket.TextMessage, b); err != nil {
				c.closeWith(websocket.CloseAbnormalClosure, "")
				return
			}
		case <-ping.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				c.closeWith(websocket.CloseAbnormalClosure, "")
				return
			}
		case <-c.ctx.Done():
			// Flush what is queued (acks, the revocation), then close.
			for {
				select {
				case b := <-c.out:
					c.ws.SetWriteDeadline(time.Now().Add(writeWait))
					if c.ws.WriteMessage(websocket.TextMessage, b) != nil {
						return
					}
					continue
				default:
				}
				break
			}
			if c.close.code != websocket.CloseAbnormalClosure && c.close.code != 0 {
				c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(c.close.code, c.close.reason),
					time.Now().Add(writeWait))
			}
			return
		}
	}
}

func (c *conn) readLoop() {
	defer func() {
		c.mu.Lock()
		sess := c.sess
		c.mu.Unlock()
		if sess != nil {
			c.s.hub.remove(sess.judge.ID, c)
		}
		c.closeWith(websocket.CloseNormalClosure, "")
	}()
	c.ws.SetReadDeadline(time.Now().Add(pongWait))
	c.ws.SetPongHandler(func(string) error {
		c.ws.SetReadDeadline(time.Now().Add(pongWait))
		return nil
	})
	for {
		typ, data, err := c.ws.ReadMessage()
		if err != nil {
			if errors.Is(err, websocket.ErrReadLimit) {
				c.s.log.Warn("judge ws: message over the size limit", "limit", c.s.cfg.MaxMessageBytes)
			}
			return
		}
		if c.ctx.Err() != nil {
			return
		}
		c.ws.SetReadDeadline(time.Now().Add(pongWait))
		if typ != websocket.TextMessage {
			c.send(rejectOf(ClientMessage{}, skillscore.Errorf(skillscore.EInvalid, "只接受 JSON 文本消息，连接已关闭")))
			c.closeWith(websocket.CloseUnsupportedData, "binary frame")
			return
		}
		now := c.s.now()
		if !c.limit.allow(now) || c.loginKey != "" && c.s.syncLogins.take(c.loginKey, 1, now) == 0 {
			m, _ := DecodeClient(data)
			c.send(rejectOf(m, skillscore.Errorf(skillscore.ERateLimited, "消息过于频繁，请稍后重试（未保存）")))
			if now.Sub(c.floodStart) >= floodWindow || now.Before(c.floodStart) {
				c.floodStart, c.floodCount = now, 0
			}
			if c.floodCount++; c.floodCount > 4*c.s.cfg.Burst {
				c.closeWith(CloseRateLimited, "rate limited")
				return
			}
			continue
		}
		c.handle(data)
	}
}

func (c *conn) handle(data []byte) {
	m, err := DecodeClient(data)
	c.mu.Lock()
	sess, v := c.sess, c.view
	if m.Type == TypeHello {
		c.greeted = true
	}
	c.mu.Unlock()
	if err != nil {
		c.send(rejectOf(m, err))
		if sess == nil {
			// An unreadable first message (a v or token of the wrong
			// type) is a wrong protocol, like a wrong version.
			c.closeWith(websocket.ClosePolicyViolation, "bad hello")
		}
		return
	}
	if m.Type == TypeHello {
		if sess != nil {
			c.send(rejectOf(ClientMessage{}, skillscore.Errorf(skillscore.EInvalid, "已经登录，不需要再次 hello")))
			return
		}
		c.hello(m)
		return
	}
	if sess == nil {
		c.send(rejectOf(m, skillscore.Errorf(skillscore.EUnauthorized, "请先发送 hello 登录")))
		c.closeWith(CloseUnauthorized, "hello first")
		return
	}
	switch m.Type {
	case TypePing:
		c.send(Pong{Type: TypePong, ID: m.ID})
	case TypeMark, TypeClear, TypeSubmit:
		op, err := v.resolve(m)
		if err == nil && m.Type == TypeSubmit {
			op.SignWith, err = c.s.checkSubmitPIN(c.ctx, sess, m.PIN)
		}
		if err != nil {
			c.send(rejectOf(m, err))
			return
		}
		op.Device = hashToken(sess.token)
		c.s.writer.submit(c.ctx, op, func(r store.OpResult, err error) {
			c.send(resultMessage(m.Op, r, err))
			// Revoked through another server instance: this one heard no
			// push, the store refused the operation.
			if skillscore.ErrorCode(cmp.Or(err, r.Err)) == skillscore.EUnauthorized {
				c.closeWith(CloseUnauthorized, "revoked")
			}
		})
	default:
		c.send(rejectOf(m, skillscore.Errorf(skillscore.EInvalid, "未知的消息类型 %q", clip(m.Type))))
	}
}

func (c *conn) hello(m ClientMessage) {
	if m.V != ProtocolVersion {
		c.send(rejectOf(ClientMessage{}, skillscore.Errorf(skillscore.EInvalid, "协议版本 %d 不受支持，服务器使用第 %d 版，请刷新页面", m.V, ProtocolVersion)))
		c.closeWith(websocket.ClosePolicyViolation, "protocol version")
		return
	}
	// Each hello loads a whole view: a connection's own limit cannot stop
	// a client that opens new ones, so hellos count against the address's
	// and the login's allowance, shared with HTTP sync.
	limited := skillscore.Errorf(skillscore.ERateLimited, "连接过于频繁，请稍后重试")
	if c.s.syncAddrs.take(c.remote, 1, c.s.now()) == 0 {
		c.send(rejectOf(ClientMessage{}, limited))
		c.closeWith(CloseRateLimited, "rate limited")
		return
	}
	sess, err := c.s.authenticate(c.ctx, m.Token)
	if err != nil {
		c.send(rejectOf(ClientMessage{}, err))
		if skillscore.ErrorCode(err) != skillscore.EUnauthorized {
			// The database failed, not the token: 4001 would make the
			// tablet drop a good login.
			c.closeWith(websocket.CloseInternalServerErr, "login check")
			return
		}
		c.closeWith(CloseUnauthorized, "unauthorized")
		return
	}
	loginKey := hashToken(m.Token)
	if c.s.syncLogins.take(loginKey, 1, c.s.now()) == 0 {
		c.send(rejectOf(ClientMessage{}, limited))
		c.closeWith(CloseRateLimited, "rate limited")
		return
	}
	v, err := c.s.loadView(c.ctx, sess.judge)
	if err != nil {
		c.send(rejectOf(ClientMessage{}, err))
		c.closeWith(websocket.CloseInternalServerErr, "view")
		return
	}
	c.mu.Lock()
	c.sess, c.view = sess, v
	c.mu.Unlock()
	c.loginKey = loginKey
	c.s.hub.add(sess.judge.ID, c)
	c.send(v.welcome)
}

func resultMessage(op string, r store.OpResult, err error) any {
	if err == nil {
		err = r.Err
	}
	if err != nil {
		return rejectOf(ClientMessage{Type: TypeMark, Op: op}, err)
	}
	return Ack{Type: TypeAck, Op: op, Revision: r.Revision, Dup: r.Duplicate}
}

// bearer reads "Authorization: Bearer TOKEN".
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
		return strings.TrimSpace(tok)
	}
	return ""
}
