package web

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// websocketPool lends write buffers to websocket connections only while they
// write a frame (gorilla's websocket.BufferPool).
type websocketPool struct{ p sync.Pool }

func (w *websocketPool) Get() any  { return w.p.Get() }
func (w *websocketPool) Put(v any) { w.p.Put(v) }

// sameOrigin reports whether a browser request comes from a page of this
// host (or from no page at all).
func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

// hijacker finds the connection-owning writer under the metrics wrapper:
// the websocket upgrader needs an http.Hijacker itself.
func hijacker(w http.ResponseWriter) http.ResponseWriter {
	for {
		if _, ok := w.(http.Hijacker); ok {
			return w
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return w
		}
		w = u.Unwrap()
	}
}
