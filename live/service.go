package live

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"skillscore"
	"skillscore/store"
)

// Source is what live reads from the database.
type Source interface {
	EventByCode(ctx context.Context, code string) (store.Event, error)
	Snapshot(ctx context.Context, eventID int64) (store.Snapshot, error)
	LiveState(ctx context.Context, eventID int64) (store.LiveState, error)
	EventRevision(ctx context.Context, eventID int64) (int64, error)
	CaptureFrozenBoard(ctx context.Context, eventID, revision int64, board string) (store.LiveState, error)
}

// Config wires a Service. Zero durations take the defaults noted.
type Config struct {
	Source Source
	// Broker joins several instances; nil means this instance is alone.
	Broker Broker
	Logger *slog.Logger
	// Registry receives the live metrics; nil registers nothing.
	Registry prometheus.Registerer
	// MinInterval is the least time between two recomputes of one event
	// (default 100 ms): a burst of marks becomes one update.
	MinInterval time.Duration
	// PollInterval is how often each hub checks its event's revision in the
	// database (default 1 s), the safety net under notifications.
	PollInterval time.Duration
	// PingInterval is how often viewers are pinged (default 30 s).
	PingInterval time.Duration
	// WriteWait bounds one write to a viewer (default 10 s).
	WriteWait time.Duration
	// SendQueue is how many frames a viewer may lag behind before it is
	// dropped (default 16).
	SendQueue int
	// History is how many updates each stream keeps for viewers catching up
	// (default 64).
	History int
	// Plain turns the hub into the load test's baseline: every update is
	// encoded and framed per viewer instead of once.
	Plain bool
	// Now is the clock for freeze times; nil means time.Now.
	Now func() time.Time
	// Programmes reads programmes for their boards; nil: no programme
	// boards.
	Programmes ProgrammeSource
	// OnJudge receives the other instances' judge notices (a judge's
	// tablets must reload, or were revoked): judges.Service.PeerChanged.
	OnJudge func(judgeID int64, revoked bool)
}

// Service runs the hubs of every watched event. It owns their goroutines,
// the revision poller and the broker's: Close stops them all.
type Service struct {
	cfg     Config
	log     *slog.Logger
	origin  string // this instance's id on the broker
	metrics *metrics
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	publish chan Notice

	mu     sync.Mutex
	closed bool
	hubs   map[int64]*hub
	byCode map[string]*hub
	progs  map[string]*progHub // programme boards by programme code
}

// New starts a Service.
func New(cfg Config) *Service {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&cfg.MinInterval, 100*time.Millisecond)
	def(&cfg.PollInterval, time.Second)
	def(&cfg.PingInterval, 30*time.Second)
	def(&cfg.WriteWait, 10*time.Second)
	if cfg.SendQueue == 0 {
		cfg.SendQueue = 16
	}
	if cfg.History == 0 {
		cfg.History = 64
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	b := make([]byte, 8)
	rand.Read(b)
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{
		cfg: cfg, log: cfg.Logger, origin: hex.EncodeToString(b), metrics: newMetrics(cfg.Registry),
		ctx: ctx, cancel: cancel, publish: make(chan Notice, 1024),
		hubs: map[int64]*hub{}, byCode: map[string]*hub{}, progs: map[string]*progHub{},
	}
	s.goRun(s.poll)
	if cfg.Broker != nil {
		s.goRun(func(ctx context.Context) { cfg.Broker.Run(ctx, s.deliver, s.resyncAll) })
		s.goRun(s.publishLoop)
	}
	return s
}

// track counts n goroutines the service will own; false once it is closing.
func (s *Service) track(n int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(n)
	return true
}

func (s *Service) goRun(fn func(ctx context.Context)) {
	if !s.track(1) {
		return
	}
	go func() {
		defer s.wg.Done()
		fn(s.ctx)
	}()
}

// Close stops every hub (viewers are told the server is going away), the
// poller and the broker, and waits for them.
func (s *Service) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
}

func (s *Service) now() time.Time {
	if s.cfg.Now != nil {
		return s.cfg.Now()
	}
	return time.Now()
}

// EventChanged is the writers' hook: call it after a commit that moved
// eventID to revision. It returns at once; viewers everywhere catch up.
func (s *Service) EventChanged(ctx context.Context, eventID, revision int64) {
	now := time.Now()
	s.mu.Lock()
	h := s.hubs[eventID]
	s.mu.Unlock()
	if h != nil {
		h.notify(revision, now)
	}
	s.kickProgrammes(eventID, now)
	s.offer(Notice{EventID: eventID, Revision: revision, Origin: s.origin})
}

// offer hands a notice to the broker without waiting. When the broker is
// far behind (Redis stalled) it is dropped: the other instances' polls see
// a revision anyway, and the store refuses a revoked tablet's operations.
func (s *Service) offer(n Notice) {
	if s.cfg.Broker == nil {
		return
	}
	select {
	case s.publish <- n:
	default:
	}
}

// JudgeChanged carries a judge's change to the other instances (it makes
// the Service a judges.Peers): their tablets of the judge reload their view
// or, revoked, are logged out. Like EventChanged it does not wait.
func (s *Service) JudgeChanged(_ context.Context, eventID, judgeID int64, revoked bool) {
	s.offer(Notice{EventID: eventID, Judge: judgeID, Revoked: revoked, Origin: s.origin})
}

func (s *Service) publishLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case n := <-s.publish:
			// Failures are logged once by the broker; polls cover the gap.
			_ = s.cfg.Broker.Publish(ctx, n)
		}
	}
}

// deliver takes a notice from another instance.
func (s *Service) deliver(n Notice) {
	if n.Origin == s.origin {
		return
	}
	if n.Judge != 0 {
		if s.cfg.OnJudge != nil {
			s.cfg.OnJudge(n.Judge, n.Revoked)
		}
		return
	}
	s.mu.Lock()
	h := s.hubs[n.EventID]
	s.mu.Unlock()
	if h != nil {
		h.notify(n.Revision, time.Now())
	}
	s.kickProgrammes(n.EventID, time.Now())
}

// resyncAll makes every hub check the database now: the broker calls it when
// it (re)connects, since notices may have been lost while it was away.
func (s *Service) resyncAll() {
	for _, h := range s.hubList() {
		h.poke()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, h := range s.progs {
		h.poke()
	}
}

func (s *Service) hubList() []*hub {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*hub, 0, len(s.hubs))
	for _, h := range s.hubs {
		out = append(out, h)
	}
	return out
}

// poll checks each watched event's revision every PollInterval.
func (s *Service) poll(ctx context.Context) {
	t := time.NewTicker(s.cfg.PollInterval)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, h := range s.hubList() {
			rev, err := s.cfg.Source.EventRevision(ctx, h.eventID)
			if err != nil {
				if !failing && ctx.Err() == nil {
					s.log.Error("live: revision poll failed", "event", h.code, "err", err)
				}
				failing = true
				continue
			}
			failing = false
			h.notify(rev, time.Now())
		}
	}
}

// Feed returns a view of an event's stream, starting the event's hub on
// first use and waiting for its first board.
func (s *Service) Feed(ctx context.Context, code string, view View) (*Feed, error) {
	if s.ctx.Err() != nil {
		return nil, skillscore.Errorf(skillscore.EUnavailable, "实时成绩服务已停止")
	}
	s.mu.Lock()
	h := s.byCode[code]
	s.mu.Unlock()
	if h == nil {
		ev, err := s.cfg.Source.EventByCode(ctx, code)
		if err != nil {
			return nil, err
		}
		s.mu.Lock()
		created := false
		if h = s.hubs[ev.ID]; h == nil {
			h, created = newHub(s, ev.ID, ev.Code), true
			s.hubs[ev.ID], s.byCode[ev.Code] = h, h
		}
		s.mu.Unlock()
		if created {
			s.goRun(h.run)
		}
	}
	select {
	case <-h.ready:
	case <-ctx.Done():
		return nil, skillscore.Wrap(skillscore.EUnavailable, ctx.Err(), "实时成绩暂不可用，请稍后重试")
	case <-s.ctx.Done():
		return nil, skillscore.Errorf(skillscore.EUnavailable, "实时成绩服务已停止")
	}
	h.mu.Lock()
	err := h.err
	ok := h.streams[view].board != nil
	h.mu.Unlock()
	if !ok {
		var se *skillscore.Error
		if errors.As(err, &se) {
			return nil, err
		}
		if err == nil {
			err = errors.New("no board yet")
		}
		return nil, skillscore.Wrap(skillscore.EUnavailable, fmt.Errorf("live %s: %w", code, err), "实时成绩暂不可用，请稍后重试")
	}
	return &Feed{h: h, view: view}, nil
}

// Viewers counts the connected viewers of every event.
func (s *Service) Viewers() int {
	n := 0
	for _, h := range s.hubList() {
		n += h.viewerCount()
	}
	return n
}

type metrics struct {
	viewers prometheus.Gauge
	drops   *prometheus.CounterVec
	fanOut  prometheus.Histogram
	delay   prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		viewers: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "skillscore_live_viewers", Help: "Connected spectator websockets.",
		}),
		drops: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "skillscore_live_dropped_total", Help: "Spectators disconnected by the server, by reason (slow, hostile).",
		}, []string{"reason"}),
		fanOut: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "skillscore_live_fanout_seconds", Help: "Time to hand one frame to every viewer of a stream.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}),
		delay: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "skillscore_live_update_delay_seconds", Help: "From hearing of a change to the end of its fan-out.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}),
	}
	if reg != nil {
		reg.MustRegister(m.viewers, m.drops, m.fanOut, m.delay)
	}
	return m
}

func (m *metrics) dropped(reason string) { m.drops.WithLabelValues(reason).Inc() }
