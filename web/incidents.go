package web

// The 赛场记录 (incident log, docs/oversight-incidents.md): the chief's page
// and its PDF, and the judge tablet's endpoints (the judge's own login).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"skillscore"
	"skillscore/certificates"
	"skillscore/incidents"
	"skillscore/scoring"
	"skillscore/sheets"
	"skillscore/store"
)

// IncidentStore is what the 赛场记录 needs. The judging store provides it
// (the same *store.Store), as with SessionsStore.
type IncidentStore interface {
	Schedule(ctx context.Context, eventID int64) ([]store.SessionState, error)
	Incidents(ctx context.Context, eventID int64, session string) ([]store.Incident, error)
	Incident(ctx context.Context, eventID, id int64) (store.Incident, error)
	IncidentStations(ctx context.Context, judgeID int64) ([]store.IncidentStation, error)
	RecordIncident(ctx context.Context, n store.NewIncident) (store.Incident, error)
	AckIncident(ctx context.Context, eventID, id int64, ack, note, actor string) (store.Incident, error)
	AckIncidentPIN(ctx context.Context, eventID, id int64, digits, actor string) (store.Incident, error)
	SessionTimeAdded(ctx context.Context, eventID int64, session string) (map[int64]int, error)
}

func (s *Server) incidentStore(w http.ResponseWriter, r *http.Request) (IncidentStore, bool) {
	st, ok := s.judging.(IncidentStore)
	if !ok {
		s.fail(w, r, skillscore.Errorf(skillscore.EUnavailable, "赛场记录功能未启用"))
	}
	return st, ok
}

// incidentsRoute is eventRoute for the chief's 赛场记录 pages. The log is
// read by the chief, the organizer, the 监督 and the 仲裁 only: it names
// contestants and what they did, so the other read-only roles (observer,
// 督导员, 审核员) do not see it, and it is never public.
func (s *Server) incidentsRoute(h func(http.ResponseWriter, *http.Request, *authed, store.Event, IncidentStore)) http.HandlerFunc {
	return s.eventRoute(func(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
		if !incidentReader(r, u) {
			s.fail(w, r, skillscore.Errorf(skillscore.EForbidden, "赛场记录仅裁判长、组织者、监督和仲裁可以查看"))
			return
		}
		st, ok := s.incidentStore(w, r)
		if !ok {
			return
		}
		h(w, r, u, ev, st)
	}, RoleChief, RoleMonitor, RoleArbiter)
}

func incidentReader(r *http.Request, u *authed) bool {
	for _, role := range []string{RoleOrganizer, RoleChief, RoleMonitor, RoleArbiter} {
		if scopeHas(r, u.Access, role) {
			return true
		}
	}
	return false
}

// incidentWriter: the chief (or the organizer) enters and answers entries
// on the page; the 监督 and 仲裁 read.
func incidentWriter(r *http.Request, u *authed) bool {
	return scopeHas(r, u.Access, RoleChief) || scopeHas(r, u.Access, RoleOrganizer)
}

// ---- the chief's page -------------------------------------------------------

type incidentsPage struct {
	Title, CSRF, EventCode, EventName string
	Terms                             scoring.Terms
	Writer                            bool
	Sessions                          []incidentSession
	Current                           *store.SessionState
	Rows                              []incidentRow
	Kinds                             []incidentKind
	Form                              incidentForm
	Corrects                          *store.Incident
	Message, Error                    string
	// Evidence: the evidence store is configured, so each entry links to
	// its photos and clips (every reader of this page sees them).
	Evidence bool
}

type incidentSession struct {
	Code, Name string
	Count      int
}

type incidentKind struct {
	Value string `json:"value"`
	Name  string `json:"name"`
}

type incidentRow struct {
	store.Incident
	Cells    []string
	KindName string
	Added    string
	// EvidenceCount and EvidenceText: the photos and clips attached
	// ("2 张照片、1 段视频"), beside the link to them.
	EvidenceCount int
	EvidenceText  string
}

// incidentForm is what was typed, kept on a refusal.
type incidentForm struct {
	Station, Kind, Occurred, AddedMin, AddedSec, Description, Reason string
	Corrects                                                         int64
}

func (s *Server) handleIncidents(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st IncidentStore) {
	form := incidentForm{Kind: incidents.Equipment, Occurred: time.Now().In(skillscore.China()).Format("15:04")}
	code := r.URL.Query().Get("s")
	var corrects *store.Incident
	if c := r.URL.Query().Get("corrects"); c != "" && incidentWriter(r, u) {
		id, _ := strconv.ParseInt(c, 10, 64)
		old, err := st.Incident(r.Context(), ev.ID, id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		corrects, code = &old, old.Session
		form = incidentForm{Station: old.Station, Kind: old.Kind, Occurred: old.Occurred, Description: old.Description, Corrects: old.ID,
			AddedMin: strconv.Itoa(old.AddedSeconds / 60), AddedSec: strconv.Itoa(old.AddedSeconds % 60)}
	}
	s.renderIncidents(w, r, u, ev, st, code, form, corrects, "", http.StatusOK)
}

func (s *Server) renderIncidents(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st IncidentStore, code string,
	form incidentForm, corrects *store.Incident, errMsg string, status int) {
	ctx := r.Context()
	all, err := st.Schedule(ctx, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	entries, err := st.Incidents(ctx, ev.ID, "")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := scoring.TermsFor(ev.Kind)
	page := incidentsPage{Title: ev.Name + " · 赛场记录", CSRF: u.CSRF, EventCode: ev.Code, EventName: ev.Name, Terms: t,
		Writer: incidentWriter(r, u), Form: form, Corrects: corrects, Message: r.URL.Query().Get("msg"), Error: errMsg,
		Evidence: s.evidence != nil}
	for _, k := range incidents.Kinds {
		page.Kinds = append(page.Kinds, incidentKind{k, incidents.KindNames[k]})
	}
	count := map[string]int{}
	byID := map[int64]int{}
	for _, e := range entries {
		count[e.Session]++
		byID[e.ID] = e.No
	}
	for i, x := range all {
		page.Sessions = append(page.Sessions, incidentSession{Code: x.Code, Name: x.Name, Count: count[x.Code]})
		if x.Code == code {
			page.Current = &all[i]
		}
	}
	if code != "" && page.Current == nil {
		s.fail(w, r, skillscore.Errorf(skillscore.ENotFound, "本赛项没有场次 %s", code))
		return
	}
	media, err := s.evidenceMedia(ctx, ev.ID, "incident", 0)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, e := range entries {
		if code != "" && e.Session != code {
			continue
		}
		m := media[e.ID]
		page.Rows = append(page.Rows, incidentRow{Incident: e, Cells: sheets.IncidentRow(e, byID, t),
			KindName: incidents.KindNames[e.Kind], Added: incidents.FormatAdded(e.AddedSeconds),
			EvidenceCount: m[store.MediaPhoto] + m[store.MediaClip], EvidenceText: mediaText(m)})
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := s.tmpl.RenderChrome(w, "incidents", page, chrome(r)); err != nil {
		s.log.ErrorContext(ctx, "render incidents", "err", err)
	}
}

// evidenceMedia counts the photos and clips attached to each target of a
// kind (targetID 0: every target of it), by target id then media kind;
// none without an evidence store.
func (s *Server) evidenceMedia(ctx context.Context, eventID int64, kind string, targetID int64) (map[int64]map[string]int, error) {
	media := map[int64]map[string]int{}
	if s.evidence == nil {
		return media, nil
	}
	attached, err := s.evidence.List(ctx, eventID, kind, targetID)
	if err != nil {
		return nil, err
	}
	for _, a := range attached {
		if media[a.TargetID] == nil {
			media[a.TargetID] = map[string]int{}
		}
		media[a.TargetID][a.Media]++
	}
	return media, nil
}

// mediaText says what is attached: "2 张照片、1 段视频", "" for nothing.
func mediaText(m map[string]int) string {
	var parts []string
	if n := m[store.MediaPhoto]; n > 0 {
		parts = append(parts, strconv.Itoa(n)+" 张照片")
	}
	if n := m[store.MediaClip]; n > 0 {
		parts = append(parts, strconv.Itoa(n)+" 段视频")
	}
	return strings.Join(parts, "、")
}

// formInt reads a small whole number typed in a form ("" is 0).
func formInt(v, what string) (int, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || len(v) > 4 {
		return 0, skillscore.Errorf(skillscore.EInvalid, "%s应为整数", what)
	}
	return n, nil
}

// handleIncidentRecord is the chief's entry (or correction) from the page.
func (s *Server) handleIncidentRecord(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st IncidentStore) {
	if !incidentWriter(r, u) {
		s.fail(w, r, skillscore.Errorf(skillscore.EForbidden, "只有裁判长可以在此录入赛场记录；监督、仲裁只能查看"))
		return
	}
	form := incidentForm{Station: r.PostFormValue("station"), Kind: r.PostFormValue("kind"), Occurred: r.PostFormValue("occurred"),
		AddedMin: r.PostFormValue("added_min"), AddedSec: r.PostFormValue("added_sec"), Description: r.PostFormValue("description"),
		Reason: r.PostFormValue("reason")}
	code := r.PostFormValue("session")
	var corrects *store.Incident
	err := func() error {
		if c := r.PostFormValue("corrects"); c != "" {
			id, err := strconv.ParseInt(c, 10, 64)
			if err != nil {
				return skillscore.Errorf(skillscore.ENotFound, "本赛项没有这条赛场记录")
			}
			old, err := st.Incident(r.Context(), ev.ID, id)
			if err != nil {
				return err
			}
			corrects, form.Corrects = &old, id
		}
		min, err := formInt(form.AddedMin, "补时的分")
		if err != nil {
			return err
		}
		sec, err := formInt(form.AddedSec, "补时的秒")
		if err != nil {
			return err
		}
		_, err = st.RecordIncident(r.Context(), store.NewIncident{EventID: ev.ID, Session: code, Station: form.Station,
			Input: incidents.Input{Kind: form.Kind, Occurred: form.Occurred, AddedMin: min, AddedSec: sec, Description: form.Description,
				Corrects: form.Corrects, Reason: form.Reason},
			Actor: u.User.Username, EnteredName: u.User.Name, EnteredRole: "chief"})
		return err
	}()
	if err != nil {
		if HTTPStatus(err) >= 500 || HTTPStatus(err) == http.StatusForbidden {
			s.fail(w, r, err)
			return
		}
		s.renderIncidents(w, r, u, ev, st, code, form, corrects, skillscore.ErrorMessage(err), HTTPStatus(err))
		return
	}
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/incidents?s="+code, "incident-recorded"), http.StatusSeeOther)
}

// handleIncidentAck is the chief's record of the contestant's answer: to be
// signed on the printed log (待签字), or refused.
func (s *Server) handleIncidentAck(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st IncidentStore) {
	if !incidentWriter(r, u) {
		s.fail(w, r, skillscore.Errorf(skillscore.EForbidden, "只有裁判长可以记录选手确认；监督、仲裁只能查看"))
		return
	}
	id, err := strconv.ParseInt(r.PathValue("incident"), 10, 64)
	if err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.ENotFound, "本赛项没有这条赛场记录"))
		return
	}
	e, err := st.AckIncident(r.Context(), ev.ID, id, r.PostFormValue("ack"), r.PostFormValue("note"), u.User.Username)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/incidents?s="+e.Session, "incident-ack"), http.StatusSeeOther)
}

// handleIncidentsPDF prints the log, of one session with ?s=.
func (s *Server) handleIncidentsPDF(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st IncidentStore) {
	code := r.URL.Query().Get("s")
	entries, err := st.Incidents(r.Context(), ev.ID, code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name := ev.Code + "-赛场记录.pdf"
	if code != "" {
		name = ev.Code + "-" + code + "-赛场记录.pdf"
	}
	s.writePDF(w, r, name, func(buf *bytes.Buffer, fonts certificates.Fonts) error {
		return sheets.WriteIncidentLog(buf, fonts, sheets.IncidentLog{EventName: ev.Name, Session: code, Terms: scoring.TermsFor(ev.Kind),
			Entries: entries, Printed: time.Now()})
	})
}

// ---- the judge's tablet -------------------------------------------------------

// tabletIncident is an entry as a judge's tablet sees it: the contestant
// by station and anonymous code only, as everywhere on the tablet.
type tabletIncident struct {
	ID          int64  `json:"id"`
	No          int    `json:"no"`
	Session     string `json:"session"`
	Station     string `json:"station"`
	Contestant  string `json:"contestant"`
	Kind        string `json:"kind"`
	KindName    string `json:"kind_name"`
	Occurred    string `json:"occurred"`
	Added       string `json:"added"`
	Description string `json:"description"`
	EnteredName string `json:"entered_name"`
	Ack         string `json:"ack"`
	AckName     string `json:"ack_name"`
	Corrects    int    `json:"corrects,omitempty"`     // number of the entry this corrects
	CorrectedBy int    `json:"corrected_by,omitempty"` // number of the entry correcting this one
	// Photos and Clips count the evidence attached to the entry: the
	// tablet shows how many, never the files (judges see no evidence).
	Photos int `json:"photos"`
	Clips  int `json:"clips"`
}

type tabletIncidents struct {
	Stations  []store.IncidentStation `json:"stations"`
	Incidents []tabletIncident        `json:"incidents"`
	Kinds     []incidentKind          `json:"kinds"`
	// Camera: the server keeps evidence, so each entry offers the camera.
	Camera bool `json:"camera"`
}

// judgeIncidents authenticates the tablet and loads the judge's stations.
func (s *Server) judgeIncidents(w http.ResponseWriter, r *http.Request) (store.Judge, IncidentStore, []store.IncidentStation, bool) {
	if !s.needJudging(w, r) {
		return store.Judge{}, nil, nil, false
	}
	st, ok := s.incidentStore(w, r)
	if !ok {
		return store.Judge{}, nil, nil, false
	}
	j, err := s.judges.TabletJudge(r.Context(), r, s.clientIP(r))
	if err != nil {
		s.fail(w, r, err)
		return store.Judge{}, nil, nil, false
	}
	stations, err := st.IncidentStations(r.Context(), j.ID)
	if err != nil {
		s.fail(w, r, err)
		return store.Judge{}, nil, nil, false
	}
	return j, st, stations, true
}

func stationKey(session, station string) string { return session + "\x00" + station }

func (s *Server) tabletIncidentList(ctx context.Context, st IncidentStore, j store.Judge, stations []store.IncidentStation) (tabletIncidents, error) {
	out := tabletIncidents{Stations: stations, Incidents: []tabletIncident{}, Camera: s.evidence != nil}
	if out.Stations == nil {
		out.Stations = []store.IncidentStation{}
	}
	for _, k := range incidents.Kinds {
		out.Kinds = append(out.Kinds, incidentKind{k, incidents.KindNames[k]})
	}
	mine := map[string]bool{}
	for _, x := range stations {
		mine[stationKey(x.Session, x.Station)] = true
	}
	entries, err := st.Incidents(ctx, j.EventID, "")
	if err != nil {
		return out, err
	}
	byID := map[int64]int{}
	for _, e := range entries {
		byID[e.ID] = e.No
	}
	media, err := s.evidenceMedia(ctx, j.EventID, "incident", 0)
	if err != nil {
		return out, err
	}
	for _, e := range entries {
		if mine[stationKey(e.Session, e.Station)] {
			t := tabletIncidentOf(e, byID)
			t.Photos, t.Clips = media[e.ID][store.MediaPhoto], media[e.ID][store.MediaClip]
			out.Incidents = append(out.Incidents, t)
		}
	}
	return out, nil
}

func tabletIncidentOf(e store.Incident, byID map[int64]int) tabletIncident {
	t := tabletIncident{ID: e.ID, No: e.No, Session: e.Session, Station: e.Station, Contestant: e.Code, Kind: e.Kind,
		KindName: incidents.KindNames[e.Kind], Occurred: e.Occurred, Added: incidents.FormatAdded(e.AddedSeconds),
		Description: e.Description, EnteredName: e.EnteredName, Ack: e.Ack, AckName: incidents.AckNames[e.Ack]}
	if e.Corrects != nil {
		t.Corrects = byID[*e.Corrects]
	}
	if e.CorrectedBy != nil {
		t.CorrectedBy = byID[*e.CorrectedBy]
	}
	return t
}

// handleJudgeIncidents is GET /api/v1/judge/incidents: the judge's
// stations and the entries at them.
func (s *Server) handleJudgeIncidents(w http.ResponseWriter, r *http.Request) {
	j, st, stations, ok := s.judgeIncidents(w, r)
	if !ok {
		return
	}
	out, err := s.tabletIncidentList(r.Context(), st, j, stations)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, out)
}

// judgeIncidentRequest is the body of POST /api/v1/judge/incidents.
type judgeIncidentRequest struct {
	Session     string `json:"session"`
	Station     string `json:"station"`
	Kind        string `json:"kind"`
	Occurred    string `json:"occurred"`
	AddedMin    int    `json:"added_min"`
	AddedSec    int    `json:"added_sec"`
	Description string `json:"description"`
	Corrects    int64  `json:"corrects"`
	Reason      string `json:"reason"`
}

// maxIncidentBody bounds a tablet's incident request.
const maxIncidentBody = 8 << 10

func decodeJSONBody(r *http.Request, v any) error {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxIncidentBody+1))
	if err != nil {
		return skillscore.Wrap(skillscore.EInvalid, err, "无法读取请求")
	}
	if len(data) > maxIncidentBody {
		return skillscore.Errorf(skillscore.ETooLarge, "请求过大")
	}
	if err := json.Unmarshal(data, v); err != nil {
		return skillscore.Wrap(skillscore.EInvalid, err, "请求不是有效的 JSON")
	}
	return nil
}

// handleJudgeIncidentRecord is POST /api/v1/judge/incidents: a judge's
// entry at one of their stations.
func (s *Server) handleJudgeIncidentRecord(w http.ResponseWriter, r *http.Request) {
	j, st, stations, ok := s.judgeIncidents(w, r)
	if !ok {
		return
	}
	var req judgeIncidentRequest
	if err := decodeJSONBody(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if !hasStation(stations, req.Session, req.Station) {
		s.fail(w, r, skillscore.Errorf(skillscore.EForbidden, "场次 %s 赛位 %s 不是您评分的赛位：不能录入", clipText(strings.ToValidUTF8(req.Session, "?")), clipText(strings.ToValidUTF8(req.Station, "?"))))
		return
	}
	e, err := st.RecordIncident(r.Context(), store.NewIncident{EventID: j.EventID, Session: req.Session, Station: req.Station,
		Input: incidents.Input{Kind: req.Kind, Occurred: req.Occurred, AddedMin: req.AddedMin, AddedSec: req.AddedSec,
			Description: req.Description, Corrects: req.Corrects, Reason: req.Reason},
		Actor: "judge:" + strconv.FormatInt(j.ID, 10), EnteredName: j.Name, EnteredRole: "judge"})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, tabletIncidentOf(e, map[int64]int{}))
}

// judgeAckRequest is the body of POST /api/v1/judge/incidents/{incident}/ack.
type judgeAckRequest struct {
	Ack  string `json:"ack"` // pin | paper | refused
	PIN  string `json:"pin"` // the last 4 of the contestant's 证件号码
	Note string `json:"note"`
}

// handleJudgeIncidentAck is the contestant's answer on the tablet: the
// PIN pad (last 4 of the 证件号码), 待签字 or a refusal.
func (s *Server) handleJudgeIncidentAck(w http.ResponseWriter, r *http.Request) {
	j, st, stations, ok := s.judgeIncidents(w, r)
	if !ok {
		return
	}
	var req judgeAckRequest
	if err := decodeJSONBody(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("incident"), 10, 64)
	if err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.ENotFound, "没有这条赛场记录"))
		return
	}
	e, err := st.Incident(r.Context(), j.EventID, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !hasStation(stations, e.Session, e.Station) {
		s.fail(w, r, skillscore.Errorf(skillscore.EForbidden, "第 %d 号记录不是您评分的赛位的记录", e.No))
		return
	}
	actor := "judge:" + strconv.FormatInt(j.ID, 10)
	if req.Ack == incidents.PIN {
		e, err = st.AckIncidentPIN(r.Context(), j.EventID, id, req.PIN, actor)
	} else {
		e, err = st.AckIncident(r.Context(), j.EventID, id, req.Ack, req.Note, actor)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, tabletIncidentOf(e, map[int64]int{}))
}

// handleJudgeIncidentEvidence is POST /api/v1/judge/incidents/{incident}/evidence:
// a photo or clip from the tablet camera for an entry at a station the
// judge scores (the rule for entering one) or entered by them, before or
// after the contestant's answer — evidence adds to the entry, it changes
// nothing of it. The body is the file, streamed as for a sheet; the store
// checks the same rule again when it records it.
func (s *Server) handleJudgeIncidentEvidence(w http.ResponseWriter, r *http.Request) {
	// Who asks first: a request without a tablet's login is refused as
	// such, whether or not this server stores evidence.
	j, st, stations, ok := s.judgeIncidents(w, r)
	if !ok || !s.needEvidence(w, r) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.evidence.Limits().Largest()+1)
	refuse := func(err error) {
		// Drained (bounded) so that the tablet reads the answer.
		io.Copy(io.Discard, r.Body)
		s.fail(w, r, err)
	}
	id, err := strconv.ParseInt(r.PathValue("incident"), 10, 64)
	if err != nil {
		refuse(skillscore.Errorf(skillscore.ENotFound, "没有这条赛场记录"))
		return
	}
	e, err := st.Incident(r.Context(), j.EventID, id)
	if err != nil {
		refuse(err)
		return
	}
	actor := "judge:" + strconv.FormatInt(j.ID, 10)
	if !hasStation(stations, e.Session, e.Station) && e.EnteredBy != actor {
		refuse(skillscore.Errorf(skillscore.EForbidden, "第 %d 号记录不是您评分的赛位的记录：不能附证据", e.No))
		return
	}
	s.attachFromTablet(w, r, store.EvidenceCheck{EventID: j.EventID, TargetKind: "incident", TargetID: e.ID, JudgeID: j.ID},
		actor, fmt.Sprintf("附在赛场记录第 %d 号上", e.No))
}

func hasStation(stations []store.IncidentStation, session, station string) bool {
	for _, x := range stations {
		if x.Session == session && x.Station == station {
			return true
		}
	}
	return false
}
