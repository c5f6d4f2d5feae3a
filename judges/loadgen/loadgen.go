// Package loadgen drives simulated judges over real websockets against a
// running skillscore server: the load benchmark (cmd/judgeload) and the
// crash test (kill -9 while judges send) both use it. Each simulated judge
// behaves like the tablet: one operation in flight, the same id resent after
// a reconnect until it is acknowledged.
package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"skillscore/judges"
	"skillscore/store"
)

// Aspects per contestant in the load event's one module.
const Aspects = 10

// Judge is one simulated judge's credentials and the sheets it may mark.
type Judge struct {
	Event       string // code of the judge's event
	Code        string
	Token       string
	Contestants []string // anonymous codes assigned to it
}

// Setup is a prepared load: one or more events and their judges.
type Setup struct {
	EventCode string   // the one event's code, or the prefix of the events' codes
	Events    []string // every event's code
	Judges    []Judge
}

// rules of the load event: one judged module of ten judgement aspects.
func rules() string {
	var as []string
	for i := 1; i <= Aspects; i++ {
		as = append(as, fmt.Sprintf(`{"code":"P%d","name":"操作要点%d","kind":"judgement","max":10}`, i, i))
	}
	return `{"schema":"skillscore.rules/v1","name":"评分压测","kind":"competition","groups":[{"code":"g","name":"职工组"}],` +
		`"modules":[{"code":"P","name":"实操","part":"practical","weight":100,"max":100,` +
		`"panel":{"judges":1,"method":"mean","missing":"present","min_judges":1},"aspects":[` + strings.Join(as, ",") + `]}],` +
		`"total":{"rounding":{"mode":"half_up","places":2}}}`
}

// Prepare creates a fresh load event with n judges, each assigned per
// contestants of its own, and logs every judge in (tickets redeemed in
// process). code names the event; it must not exist yet.
func Prepare(ctx context.Context, st *store.Store, code string, n, per int) (Setup, error) {
	return PrepareProgramme(ctx, st, Programme{Code: code, Events: 1, Contestants: n * per, Judges: n, Per: per})
}

// Programme is the shape of a multi-event load: Contestants and Judges are
// totals, spread as evenly as they divide over Events.
type Programme struct {
	Code        string // the event's code when Events is 1, else the prefix of "<code>-e01" …
	Events      int
	Contestants int
	Judges      int
	Per         int // contestants on each judge's sheets, all of the judge's own event
}

// PrepareProgramme creates the events of p, each with its share of the
// contestants and judges; judge k of an event is assigned Per of that
// event's contestants from the k·Per-th on (cyclically, so judges of a small
// event share contestants, each on its own sheet). Every judge is logged in.
func PrepareProgramme(ctx context.Context, st *store.Store, p Programme) (Setup, error) {
	if p.Events < 1 || p.Judges < p.Events || p.Contestants < p.Events || p.Per < 1 {
		return Setup{}, fmt.Errorf("load programme %+v: every event needs a judge and a contestant", p)
	}
	svc := judges.New(st, judges.Config{})
	defer svc.Close()
	setup := Setup{EventCode: p.Code}
	for e := 0; e < p.Events; e++ {
		code := p.Code
		if p.Events > 1 {
			code = fmt.Sprintf("%s-e%02d", p.Code, e+1)
		}
		// Event e gets the e-th even share of each total.
		share := func(total int) int { return (e+1)*total/p.Events - e*total/p.Events }
		js, err := prepareEvent(ctx, st, svc, code, share(p.Contestants), share(p.Judges), p.Per)
		if err != nil {
			return Setup{}, fmt.Errorf("event %s: %w", code, err)
		}
		setup.Events = append(setup.Events, code)
		setup.Judges = append(setup.Judges, js...)
	}
	return setup, nil
}

func prepareEvent(ctx context.Context, st *store.Store, svc *judges.Service, code string, nc, nj, per int) ([]Judge, error) {
	var mods []store.Module
	var as []store.Aspect
	for i := 1; i <= Aspects; i++ {
		as = append(as, store.Aspect{Code: fmt.Sprintf("P%d", i), Name: fmt.Sprintf("操作要点%d", i), Kind: "judgement", MaxMarks: 100000})
	}
	mods = append(mods, store.Module{Code: "P", Name: "实操", Kind: "practical", Weight: 1000000, MaxMarks: 1000000, Aspects: as})
	ev, err := st.CreateEvent(ctx, store.NewEvent{
		Event: store.Event{Code: code, Name: "评分压测 " + code, Kind: "competition", Occupation: "养老护理员", Year: 2026,
			Status: "running", Rules: rules()},
		Groups:  []store.Group{{Code: "g", Name: "职工组"}},
		Modules: mods,
	}, "loadgen")
	if err != nil {
		return nil, err
	}
	dbMods, err := st.Modules(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	moduleID := dbMods[0].ID
	var cs []store.Contestant
	for i := 0; i < nc; i++ {
		c, s := fmt.Sprintf("L%05d", i+1), fmt.Sprintf("%04d", i+1)
		cs = append(cs, store.Contestant{Name: fmt.Sprintf("压测选手%d", i+1), Gender: "女", IDType: "其他",
			IDNumber: fmt.Sprintf("LOAD-%s-%d", code, i+1), GroupCode: "g", Code: &c, Station: &s})
	}
	if cs, err = st.AddContestants(ctx, ev.ID, cs, "loadgen"); err != nil {
		return nil, err
	}
	var out []Judge
	var assignments []store.Assignment
	for j := 0; j < nj; j++ {
		jd, err := st.AddJudge(ctx, store.Judge{EventID: ev.ID, Code: fmt.Sprintf("J%03d", j+1), Name: fmt.Sprintf("压测裁判%d", j+1)},
			[]store.PanelMember{{ModuleID: moduleID}}, "loadgen")
		if err != nil {
			return nil, err
		}
		sj := Judge{Event: code, Code: jd.Code}
		for k := 0; k < min(per, nc); k++ {
			c := cs[(j*per+k)%nc]
			assignments = append(assignments, store.Assignment{ModuleID: moduleID, JudgeID: jd.ID, ContestantID: c.ID})
			sj.Contestants = append(sj.Contestants, *c.Code)
		}
		l, err := svc.IssueLogin(ctx, jd.ID, "loadgen")
		if err != nil {
			return nil, err
		}
		if sj.Token, _, err = svc.Redeem(ctx, l.Ticket, l.PIN, "loadgen", "loadgen-"+code+"-"+jd.Code); err != nil {
			return nil, err
		}
		out = append(out, sj)
	}
	if err := st.AddAssignments(ctx, ev.ID, assignments, "loadgen"); err != nil {
		return nil, err
	}
	return out, nil
}

// Op is one mark a simulated judge sent.
type Op struct {
	ID         string
	Judge      string
	Contestant string
	Aspect     string
	Value      int
}

// Result is what a run measured.
type Result struct {
	Acked      int             // operations acknowledged as new
	Duplicates int             // acknowledged as already stored (replays after a reconnect)
	Rejected   int             // refused (should be 0)
	Reconnects int             // connections re-established after a failure
	Elapsed    time.Duration   // from start until generation stopped
	Latencies  []time.Duration // send → acknowledgement, per acknowledged operation
	Steady     []time.Duration // the same, of operations sent after Options.Warmup
	Ops        []Op            // every operation acknowledged (new or duplicate), in ack order per judge
	Unacked    []Op            // operations still unacknowledged when the run ended
	Errors     []string        // first few rejection or connection messages
	PerEvent   map[string]int  // operations acknowledged as new, by event code
}

// Percentile returns the p-th percentile (0–100) of the latencies.
func (r *Result) Percentile(p float64) time.Duration { return percentile(r.Latencies, p) }

// SteadyPercentile is Percentile of the operations sent after the warm-up.
func (r *Result) SteadyPercentile(p float64) time.Duration { return percentile(r.Steady, p) }

func percentile(l []time.Duration, p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	ls := append([]time.Duration(nil), l...)
	sort.Slice(ls, func(i, j int) bool { return ls[i] < ls[j] })
	i := int(float64(len(ls)-1) * p / 100)
	return ls[i]
}

// Options tune Run.
type Options struct {
	// Generate is how long new operations are made; after it, Run keeps
	// resending what is unacknowledged until Drain has passed.
	Generate time.Duration
	Drain    time.Duration
	// OnAck, if set, is called for every acknowledged operation (from the
	// judges' goroutines).
	OnAck func(Op)
	// Rate, if above 0, is the total marks per second offered, spread
	// evenly over the judges: each judge sends its k-th mark at its k-th
	// tick (or at once when it is behind), and latency counts from the
	// tick, so a server that falls behind shows it instead of slowing the
	// senders. 0: every judge sends as fast as acknowledgements return.
	Rate float64
	// Warmup: latencies of operations sent (or due) later than this after
	// the start are also kept apart in Result.Steady, so the figure without
	// every judge's connection and hello at once can be told.
	Warmup time.Duration
}

// Run drives every judge of the setup against base (http://host:port).
func Run(ctx context.Context, base string, setup Setup, opt Options) *Result {
	wsURL := "ws" + strings.TrimPrefix(base, "http") + "/api/v1/judge/ws"
	res := &Result{PerEvent: map[string]int{}}
	var mu sync.Mutex
	genCtx, stopGen := context.WithTimeout(ctx, opt.Generate)
	defer stopGen()
	drainCtx, stopDrain := context.WithTimeout(ctx, opt.Generate+opt.Drain)
	defer stopDrain()
	start := time.Now()
	var wg sync.WaitGroup
	for i, j := range setup.Judges {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sim := &simJudge{j: j, url: wsURL, prefix: fmt.Sprintf("%s-%s-%d", j.Event, j.Code, start.UnixNano()%1e9), seed: i}
			if opt.Rate > 0 {
				// Ticks spread over the first interval, so the judges do not
				// all send at the same instant.
				sim.interval = time.Duration(float64(len(setup.Judges)) / opt.Rate * float64(time.Second))
				sim.tick = start.Add(sim.interval * time.Duration(i) / time.Duration(len(setup.Judges)))
			}
			sim.run(genCtx, drainCtx, func(kind string, op Op, lat time.Duration, msg string) {
				mu.Lock()
				defer mu.Unlock()
				switch kind {
				case "ack", "dup":
					if kind == "ack" {
						res.Acked++
						res.PerEvent[j.Event]++
					} else {
						res.Duplicates++
					}
					res.Latencies = append(res.Latencies, lat)
					if opt.Warmup > 0 && time.Since(start)-lat >= opt.Warmup {
						res.Steady = append(res.Steady, lat)
					}
					res.Ops = append(res.Ops, op)
					if opt.OnAck != nil {
						opt.OnAck(op)
					}
				case "reject":
					res.Rejected++
					if len(res.Errors) < 10 {
						res.Errors = append(res.Errors, msg)
					}
				case "reconnect":
					res.Reconnects++
				case "unacked":
					res.Unacked = append(res.Unacked, op)
				case "error":
					if len(res.Errors) < 10 {
						res.Errors = append(res.Errors, msg)
					}
				}
			})
		}()
	}
	<-genCtx.Done()
	res.Elapsed = time.Since(start)
	wg.Wait()
	return res
}

type simJudge struct {
	j      Judge
	url    string
	prefix string
	seed   int
	n      int
	ws     *websocket.Conn
	// With a rate: the time between a judge's marks and its next tick.
	interval time.Duration
	tick     time.Time
}

func (s *simJudge) dial(ctx context.Context) error {
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	ws, _, err := d.DialContext(ctx, s.url, http.Header{})
	if err != nil {
		return err
	}
	if err := ws.WriteJSON(map[string]any{"type": "hello", "v": 1, "token": s.j.Token}); err != nil {
		ws.Close()
		return err
	}
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	var w struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	}
	if err := ws.ReadJSON(&w); err != nil {
		ws.Close()
		return err
	}
	if w.Type != judges.TypeWelcome {
		ws.Close()
		return errors.New("hello refused: " + w.Message)
	}
	s.ws = ws
	return nil
}

// next makes the judge's next operation: it walks its sheets and aspects,
// setting values 0–3 in turn.
func (s *simJudge) next() Op {
	s.n++
	k := s.n + s.seed
	return Op{
		ID:         fmt.Sprintf("%s-%d", s.prefix, s.n),
		Judge:      s.j.Code,
		Contestant: s.j.Contestants[(k/Aspects)%len(s.j.Contestants)],
		Aspect:     fmt.Sprintf("P%d", k%Aspects+1),
		Value:      k % 4,
	}
}

// waitTick sleeps until the judge's next tick; false when generation ended
// first.
func (s *simJudge) waitTick(gen context.Context) bool {
	d := time.Until(s.tick)
	if d <= 0 {
		return gen.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-gen.Done():
		return false
	}
}

// run sends one operation at a time: a new one while generating, the
// unacknowledged one again after any failure, until drained.
func (s *simJudge) run(gen, drain context.Context, report func(kind string, op Op, lat time.Duration, msg string)) {
	var pending *Op
	backoff := 50 * time.Millisecond
	defer func() {
		if s.ws != nil {
			s.ws.Close()
		}
		if pending != nil {
			report("unacked", *pending, 0, "")
		}
	}()
	connected, everConnected := false, false
	var due time.Time // when the pending operation was due (with a rate)
	for {
		if pending == nil {
			if s.interval > 0 {
				if !s.waitTick(gen) {
					return
				}
				due = s.tick
				s.tick = s.tick.Add(s.interval)
			}
			if gen.Err() != nil {
				return
			}
			op := s.next()
			pending = &op
		}
		if drain.Err() != nil {
			return
		}
		if !connected {
			if err := s.dial(drain); err != nil {
				time.Sleep(backoff)
				backoff = min(2*backoff, 2*time.Second)
				continue
			}
			if everConnected {
				report("reconnect", Op{}, 0, "")
			}
			backoff = 50 * time.Millisecond
			connected, everConnected = true, true
		}
		op := *pending
		sent := time.Now()
		if s.interval > 0 {
			sent = due
		}
		err := s.ws.WriteJSON(map[string]any{"type": "mark", "op": op.ID, "contestant": op.Contestant, "module": "P",
			"aspect": op.Aspect, "value": op.Value})
		var reply struct {
			Type    string `json:"type"`
			Op      string `json:"op"`
			Dup     bool   `json:"dup"`
			Code    string `json:"code"`
			Message string `json:"message"`
		}
		for err == nil {
			s.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
			var raw json.RawMessage
			if err = s.ws.ReadJSON(&raw); err != nil {
				break
			}
			reply.Type, reply.Op, reply.Dup = "", "", false
			json.Unmarshal(raw, &reply)
			if reply.Op == op.ID && (reply.Type == judges.TypeAck || reply.Type == judges.TypeReject) {
				break
			}
		}
		if err != nil {
			// The connection broke: the operation may or may not be stored;
			// the same id goes again after the reconnect.
			report("error", op, 0, "connection: "+err.Error())
			s.ws.Close()
			s.ws, connected = nil, false
			continue
		}
		switch {
		case reply.Type == judges.TypeAck && reply.Dup:
			report("dup", op, time.Since(sent), "")
		case reply.Type == judges.TypeAck:
			report("ack", op, time.Since(sent), "")
		case reply.Code == "rate_limited" || reply.Code == "unavailable":
			time.Sleep(200 * time.Millisecond)
			continue // not refused for what it is: send it again
		default:
			report("reject", op, 0, reply.Code+": "+reply.Message)
		}
		pending = nil
	}
}
