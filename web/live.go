package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gorilla/websocket"

	"skillscore"
	"skillscore/live"
)

// liveConfig is the spectator side of the server.
type liveConfig struct {
	svc       *live.Service
	chiefAuth func(*http.Request) error
	admin     LiveAdmin
	upgrader  websocket.Upgrader
}

func newLiveConfig(svc *live.Service, chiefAuth func(*http.Request) error, admin LiveAdmin) liveConfig {
	return liveConfig{
		svc:       svc,
		chiefAuth: chiefAuth,
		admin:     admin,
		upgrader: websocket.Upgrader{
			// Spectators only receive: a small read buffer is plenty, and a
			// pooled write buffer is held only while a frame is written, so
			// an idle viewer costs little memory.
			ReadBufferSize:  256,
			WriteBufferPool: &writePool,
			// The public view is public data: any site may embed it. The
			// chief judge's view rides on a login cookie, so it must come
			// from our own pages (the default same-origin check).
			CheckOrigin: func(r *http.Request) bool {
				if r.URL.Query().Get("view") == "chief" {
					return sameOrigin(r)
				}
				return true
			},
		},
	}
}

var writePool = websocketPool{}

// liveView reads the requested view, refusing the chief judge's view to
// anyone the configured check does not let in.
func (s *Server) liveView(r *http.Request) (live.View, error) {
	view, ok := live.ParseView(r.URL.Query().Get("view"))
	if !ok {
		return 0, skillscore.Errorf(skillscore.EInvalid, "视图 %q 无效：应为 public 或 chief", r.URL.Query().Get("view"))
	}
	if view == live.Chief {
		if s.live.chiefAuth == nil {
			return 0, skillscore.Errorf(skillscore.EUnauthorized, "裁判长视图需要登录")
		}
		if err := s.live.chiefAuth(r); err != nil {
			return 0, err
		}
	}
	return view, nil
}

// liveFeed finds the requested view of an event's stream.
func (s *Server) liveFeed(r *http.Request) (*live.Feed, error) {
	if s.live.svc == nil {
		return nil, skillscore.Errorf(skillscore.EUnavailable, "本服务未启用实时成绩")
	}
	view, err := s.liveView(r)
	if err != nil {
		return nil, err
	}
	return s.live.svc.Feed(r.Context(), r.PathValue("code"), view)
}

// resumeAt reads where a reconnecting viewer left off: ?epoch=E&since=R
// ("" and 0 for a new viewer).
func resumeAt(r *http.Request) (epoch string, since int64, err error) {
	q := r.URL.Query()
	if v := q.Get("since"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return "", 0, skillscore.Errorf(skillscore.EInvalid, "since 参数 %q 无效：应为非负整数（版本号）", v)
		}
		since = n
	}
	epoch = q.Get("epoch")
	if len(epoch) > 64 {
		return "", 0, skillscore.Errorf(skillscore.EInvalid, "epoch 参数过长")
	}
	return epoch, since, nil
}

// handleLiveSocket is the spectator websocket (docs/live.md).
func (s *Server) handleLiveSocket(w http.ResponseWriter, r *http.Request) {
	epoch, since, err := resumeAt(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	feed, err := s.liveFeed(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	conn, err := s.live.upgrader.Upgrade(hijacker(w), r, nil)
	if err != nil {
		return // the upgrader has answered with an HTTP error
	}
	// The live service owns the connection from here; the handler returns
	// so the request's memory is freed while the viewer watches. The chief
	// judge's view stays open only while the login that opened it lasts: a
	// screen left behind after 退出登录 must not go on showing unsealed marks.
	var admit live.Admit
	if feed.View() == live.Chief {
		cookies := r.Header.Values("Cookie") // not the whole request: it is freed
		admit = func(ctx context.Context) error {
			again, err := http.NewRequestWithContext(ctx, http.MethodGet, "/", nil)
			if err != nil {
				return err
			}
			again.Header["Cookie"] = cookies
			return s.live.chiefAuth(again)
		}
	}
	feed.Attach(conn, epoch, since, admit)
}

// handleLiveBoard is the JSON snapshot for viewers that cannot hold a
// websocket and for a front cache: the same bytes the websocket sends,
// revalidated by ETag, cacheable for one second.
func (s *Server) handleLiveBoard(w http.ResponseWriter, r *http.Request) {
	feed, err := s.liveFeed(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data, epoch, rev, err := feed.Snapshot()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	etag := `"` + epoch + "-" + strconv.FormatInt(rev, 10) + `"`
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Vary", "Accept-Encoding")
	if r.URL.Query().Get("view") == "chief" {
		h.Set("Cache-Control", "private, no-cache")
	} else {
		// One second keeps a front cache in step with the live stream while
		// it absorbs a hall's worth of polling phones.
		h.Set("Cache-Control", "public, max-age=1, stale-while-revalidate=2")
	}
	if match := r.Header.Get("If-None-Match"); match != "" && match == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.Write(data)
}

// pageView reads the view of a page (not a stream): someone not logged in
// who asks for the chief judge's view goes to the login page and comes
// back, instead of a page that waits for a stream it may never get.
func (s *Server) pageView(w http.ResponseWriter, r *http.Request) (live.View, bool) {
	view, err := s.liveView(r)
	if err == nil {
		return view, true
	}
	if skillscore.ErrorCode(err) == skillscore.EUnauthorized && s.accounts != nil {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return 0, false
	}
	s.fail(w, r, err)
	return 0, false
}

type livePage struct {
	Title     string
	EventName string
	Code      string
	View      string
	Rotate    int // seconds the big screen shows one screenful
}

func (s *Server) livePage(w http.ResponseWriter, r *http.Request, page string) {
	ev, err := s.store.EventByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	view, ok := s.pageView(w, r)
	if !ok {
		return
	}
	p := livePage{Title: ev.Name + " · 实时成绩", EventName: ev.Name, Code: ev.Code, View: view.String(), Rotate: 10}
	if v := r.URL.Query().Get("rotate"); v != "" {
		// A venue may turn the big screen faster or slower than every 10 s.
		n, err := strconv.Atoi(v)
		if err != nil || n < 2 || n > 120 {
			s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "rotate 参数 %q 无效：应为 2–120 之间的整数（秒）", v))
			return
		}
		p.Rotate = n
	}
	s.render(w, r, page, p)
}

// handleBigScreen is the hall's 1920×1080 board (大屏).
func (s *Server) handleBigScreen(w http.ResponseWriter, r *http.Request) {
	s.livePage(w, r, "bigscreen")
}

// handlePhone is the phone view with a tab per group.
func (s *Server) handlePhone(w http.ResponseWriter, r *http.Request) { s.livePage(w, r, "phone") }
