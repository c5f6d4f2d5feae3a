// Package templates owns every embedded asset: the HTML pages and the static
// CSS/JS they use (later also PDF layouts). Pages are parsed once at start-up,
// so a missing or broken template fails the start, not a request.
package templates

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"skillscore"
)

//go:embed html static
var files embed.FS

// Set is the parsed pages plus the static files with their content hashes.
type Set struct {
	pages  map[string]*template.Template
	static map[string]asset // by hashed name, e.g. "style.3f2a9c1d.css"
	urls   map[string]string
}

type asset struct {
	name string
	body []byte
}

// New parses every page under html/ (each together with layout.html) and
// hashes every file under static/.
func New() (*Set, error) {
	s := &Set{pages: map[string]*template.Template{}, static: map[string]asset{}, urls: map[string]string{}}
	err := fs.WalkDir(files, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		name := path.Base(p)
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:4]) + ext
		s.static[hashed] = asset{name: name, body: body}
		s.urls[name] = "/static/" + hashed
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("templates: static: %w", err)
	}
	funcs := template.FuncMap{"static": s.StaticURL, "revealData": revealData, "clock": clock}
	entries, err := fs.ReadDir(files, "html")
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		if name == "layout.html" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(files, "html/layout.html", "html/"+name)
		if err != nil {
			return nil, fmt.Errorf("templates: %s: %w", name, err)
		}
		s.pages[strings.TrimSuffix(name, ".html")] = t
	}
	return s, nil
}

// StaticURL returns the content-hashed URL of a static file, so a tablet or
// the big screen never runs stale JS from its cache after an upgrade.
func (s *Set) StaticURL(name string) (string, error) {
	u, ok := s.urls[name]
	if !ok {
		return "", fmt.Errorf("templates: no static file %q", name)
	}
	return u, nil
}

// Chrome is the part of the page header that depends on who is looking:
// on a staff page the logged-in user and the session's CSRF token for the
// logout form (venue PCs are shared), on the public home page a login link.
type Chrome struct {
	User, Role, CSRF string
	LoginLink        bool
	// NavHidden are the event navigation's steps (data-step) the user may
	// not open; the layout hides them.
	NavHidden []string
}

// view is what the layout executes: the page's own data, which its blocks
// receive unchanged, and the header's chrome (nil on public pages).
type view struct {
	Data   any
	Chrome *Chrome
}

// Render executes a page into w without chrome. It renders into a buffer
// first, so a failing template never sends half a page with a 200 status.
func (s *Set) Render(w io.Writer, page string, data any) error {
	return s.RenderChrome(w, page, data, nil)
}

// RenderChrome is Render with the header's chrome.
func (s *Set) RenderChrome(w io.Writer, page string, data any, c *Chrome) error {
	t, ok := s.pages[page]
	if !ok {
		return fmt.Errorf("templates: no page %q", page)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, view{Data: data, Chrome: c}); err != nil {
		return fmt.Errorf("templates: render %s: %w", page, err)
	}
	_, err := buf.WriteTo(w)
	return err
}

// StaticHandler serves /static/{hashed name} with a year-long immutable cache:
// the name changes whenever the content does.
func (s *Set) StaticHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := s.static[path.Base(r.URL.Path)]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		http.ServeContent(w, r, a.name, time.Time{}, bytes.NewReader(a.body))
	})
}

// Favicon serves /favicon.ico, which browsers ask for on every page that
// names no icon: a fixed URL, so cached for a day rather than for ever.
func (s *Set) Favicon() http.Handler {
	hashed := path.Base(s.urls["favicon.ico"])
	a := s.static[hashed]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.Header().Set("ETag", `"`+hashed+`"`)
		w.Header().Set("Content-Type", "image/x-icon")
		http.ServeContent(w, r, a.name, time.Time{}, bytes.NewReader(a.body))
	})
}

//go:embed certificates
var certificateLayouts embed.FS

// CertificateLayouts returns the certificate PDF layouts (JSON, one file per
// kind of certificate), which package certificates parses.
func CertificateLayouts() fs.FS {
	sub, err := fs.Sub(certificateLayouts, "certificates")
	if err != nil {
		panic(err) // embedded at build time: cannot fail at run time
	}
	return sub
}

// clock formats t in China time for a page ({{.At.Time | clock "15:04"}}),
// so what people read does not depend on the server's TZ.
func clock(layout string, t time.Time) string { return t.In(skillscore.China()).Format(layout) }

// revealData is what the "reveal" block of layout.html needs: the event,
// the session's form token and the page the audit entry will name.
func revealData(eventCode, csrf, page string) map[string]string {
	return map[string]string{"EventCode": eventCode, "CSRF": csrf, "Page": page}
}
