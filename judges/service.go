// Package judges is everything about the people who score: judge logins
// bound to a tablet, panels and assignments with their conflict checks
// (回避), the judge protocol over websocket and HTTP, the group-commit writer
// that acknowledges a mark only after it is durable, and the chief judge's
// lock, reopen and sign-off. It never talks SQL (that is store's) and never
// computes scores (that is scoring's).
package judges

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math/big"
	"strconv"
	"sync"
	"time"

	"skillscore"
	"skillscore/scoring"
	"skillscore/signkeys"
	"skillscore/store"
)

// Store is what the judges package needs from the database.
type Store interface {
	Event(ctx context.Context, id int64) (store.Event, error)
	EventByCode(ctx context.Context, code string) (store.Event, error)
	Modules(ctx context.Context, eventID int64) ([]store.Module, error)
	Contestants(ctx context.Context, eventID int64) ([]store.Contestant, error)
	Judges(ctx context.Context, eventID int64) ([]store.Judge, error)
	Judge(ctx context.Context, id int64) (store.Judge, error)
	Panels(ctx context.Context, eventID int64) ([]store.PanelMember, error)
	Assignments(ctx context.Context, eventID int64) ([]store.Assignment, error)
	AddAssignments(ctx context.Context, eventID int64, as []store.Assignment, actor string) error
	Relations(ctx context.Context, eventID int64) ([]store.Relation, error)
	Sheets(ctx context.Context, eventID int64) ([]store.Sheet, error)
	JudgeMarks(ctx context.Context, judgeID int64) ([]store.SheetMark, error)
	JudgeAssignments(ctx context.Context, judgeID int64) ([]store.JudgeAssignment, error)
	JudgeSheets(ctx context.Context, judgeID int64) ([]store.Sheet, error)
	LastOp(ctx context.Context, actor string) (string, error)
	ApplyOps(ctx context.Context, ops []store.SheetOp) ([]store.OpResult, error)
	SetSheetStatus(ctx context.Context, eventID, sheetID int64, status, reason, actor string) (store.Sheet, int64, error)
	LockSubmitted(ctx context.Context, eventID, moduleID int64, actor string) ([]store.Sheet, int64, error)
	IssueTicket(ctx context.Context, t store.JudgeTicket, actor string) (store.JudgeTicket, error)
	TicketByHash(ctx context.Context, hash string) (store.JudgeTicket, error)
	TicketFailed(ctx context.Context, ticketID int64) (int, error)
	RedeemTicket(ctx context.Context, ticketID int64, d store.JudgeDevice) error
	DeviceJudge(ctx context.Context, tokenHash string) (store.Judge, store.JudgeTicket, error)
	RevokeJudgeAccess(ctx context.Context, judgeID int64, actor string) (int, error)
	JudgeSigningRequired(ctx context.Context, eventID int64) (bool, error)
	JudgeSigningKey(ctx context.Context, judgeID int64) (store.SigningKey, error)
	SetJudgeSigningKey(ctx context.Context, judgeID int64, k signkeys.Sealed, actor string) (store.SigningKey, error)
	SigningKeyFailed(ctx context.Context, keyRef int64, actor string) (store.SigningKey, error)
	SigningKeyGood(ctx context.Context, keyRef int64) error
}

// defaultMySQLWriters: in the 85-event MariaDB judge load 4 writers beat 1
// (docs/benchmarks.md, "Programme scale: 85 events"); other counts were not
// measured.
const defaultMySQLWriters = 4

// Config tunes a Service; zero values take the defaults.
type Config struct {
	Logger *slog.Logger
	Now    func() time.Time
	// MaxBatch caps how many operations one commit carries (default 512).
	MaxBatch int
	// Writers is how many group-commit writers share the events, each
	// event always on the same one. Default: 1 on SQLite, which runs one
	// write transaction at a time anyway; defaultMySQLWriters on MySQL,
	// where different events' batches commit in parallel.
	Writers int
	// MaxMessageBytes is the largest websocket message accepted (default 16 KiB).
	MaxMessageBytes int
	// RatePerSecond and Burst limit the messages of one websocket
	// connection, and the operations of one login over HTTP sync (defaults
	// 200/s, burst 1000: a tablet replaying a long offline queue fits, a
	// flood does not). HTTP sync from one client address may carry
	// addressShare times as much: the tablets of a venue behind one NAT.
	RatePerSecond float64
	Burst         int
	// HelloTimeout is how long a new websocket may take to send its hello
	// (default 15 s).
	HelloTimeout time.Duration
	// TicketTTL is how long an issued judge login stays redeemable (default 7 days).
	TicketTTL time.Duration
	// OnCommit, if set, is called after each committed batch with the event
	// ids and revisions it produced (live streams hang on it).
	OnCommit func(eventID, revision int64)
	// Peers, if set, carries a judge's changes to the other server
	// instances that share the database, whose tablets this one cannot
	// reach; they apply them with PeerChanged.
	Peers Peers
}

// Peers tells the other server instances that a judge's tablets must
// reload their view (a sheet locked or reopened, new assignments) or, with
// revoked, that the judge's logins were revoked.
type Peers interface {
	JudgeChanged(ctx context.Context, eventID, judgeID int64, revoked bool)
}

// PeerChanged applies another instance's change to this instance's tablets
// of the judge.
func (s *Service) PeerChanged(judgeID int64, revoked bool) {
	if revoked {
		s.hub.revoke(judgeID)
		return
	}
	s.hub.reload(judgeID)
}

// tellPeers passes a change on to the other instances.
func (s *Service) tellPeers(ctx context.Context, eventID, judgeID int64, revoked bool) {
	if s.cfg.Peers != nil {
		s.cfg.Peers.JudgeChanged(ctx, eventID, judgeID, revoked)
	}
}

// Service runs judge sessions.
type Service struct {
	st  Store
	log *slog.Logger
	cfg Config
	now func() time.Time

	writer writers
	hub    *hub
	logins *Limiter
	// HTTP sync's limits, per login token (by hash) and per client address.
	syncLogins, syncAddrs *rates
	// kdfSlots bounds the argon2id derivations running at once (19 MiB
	// each): a wave of submits queues here instead of exhausting memory.
	kdfSlots chan struct{}
}

// New starts a Service and its writer; Close stops them.
func New(st Store, cfg Config) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 512
	}
	if cfg.MaxMessageBytes <= 0 {
		cfg.MaxMessageBytes = 16 << 10
	}
	if cfg.RatePerSecond <= 0 {
		cfg.RatePerSecond = 200
	}
	if cfg.Burst <= 0 {
		cfg.Burst = 1000
	}
	if cfg.TicketTTL <= 0 {
		cfg.TicketTTL = 7 * 24 * time.Hour
	}
	if cfg.HelloTimeout <= 0 {
		cfg.HelloTimeout = 15 * time.Second
	}
	s := &Service{st: st, log: cfg.Logger, cfg: cfg, now: cfg.Now, hub: newHub(),
		logins:     NewLimiter(10, time.Minute, cfg.Now),
		syncLogins: newRates(cfg.RatePerSecond, cfg.Burst),
		syncAddrs:  newRates(addressShare*cfg.RatePerSecond, addressShare*cfg.Burst),
		kdfSlots:   make(chan struct{}, 4)}
	if cfg.Writers <= 0 {
		cfg.Writers = 1
		if d, ok := st.(interface{ Dialect() store.Dialect }); ok && d.Dialect() == store.MySQL {
			cfg.Writers = defaultMySQLWriters
		}
	}
	s.writer = newWriters(cfg.Writers, st, cfg.MaxBatch, cfg.Logger, cfg.OnCommit)
	return s
}

// Close stops the writer after the operations already queued are applied,
// and closes every judge connection.
func (s *Service) Close() {
	s.hub.closeAll()
	s.writer.close()
}

// hashToken is how tokens and tickets are stored: SHA-256, hex. They are
// 256-bit random, so a plain hash suffices.
func hashToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashPIN salts and hashes a PIN. A 6-digit PIN has a million values, so no
// hash makes a stolen database safe against guessing; what protects a PIN is
// the limit on tries (maxPINFailures per ticket, the per-address limiter),
// and the salt only keeps equal PINs from looking equal.
func hashPIN(pin string) string {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		panic(err)
	}
	s := hex.EncodeToString(salt)
	return s + "$" + pinDigest(s, pin)
}

func pinDigest(salt, pin string) string {
	sum := sha256.Sum256([]byte(salt + ":" + pin))
	return hex.EncodeToString(sum[:])
}

func checkPIN(stored, pin string) bool {
	for i := 0; i < len(stored); i++ {
		if stored[i] == '$' {
			want := stored[i+1:]
			got := pinDigest(stored[:i], pin)
			return subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
		}
	}
	return false
}

// maxPINFailures is how many wrong PINs a ticket survives.
const maxPINFailures = 5

// Login is what the organizer hands a judge: the ticket goes in the QR code
// (as a login URL), the PIN on the card. Both are shown once.
type Login struct {
	Judge     store.Judge
	Ticket    string
	PIN       string
	ExpiresAt time.Time
}

// IssueLogin creates a one-time login for a judge.
func (s *Service) IssueLogin(ctx context.Context, judgeID int64, actor string) (Login, error) {
	j, err := s.st.Judge(ctx, judgeID)
	if err != nil {
		return Login{}, err
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return Login{}, err
	}
	pin := fmt.Sprintf("%06d", n.Int64())
	ticket := randomToken()
	exp := s.now().Add(s.cfg.TicketTTL)
	if _, err := s.st.IssueTicket(ctx, store.JudgeTicket{JudgeID: judgeID, TicketHash: hashToken(ticket),
		PINHash: hashPIN(pin), ExpiresAt: store.Time{Time: exp}}, actor); err != nil {
		return Login{}, err
	}
	return Login{Judge: j, Ticket: ticket, PIN: pin, ExpiresAt: exp}, nil
}

// Redeem exchanges a ticket and its PIN for a device token. Wrong PINs count
// against the ticket (it dies after maxPINFailures) and against the address.
func (s *Service) Redeem(ctx context.Context, ticket, pin, device, remote string) (token string, j store.Judge, err error) {
	if !s.logins.Allow(remote) {
		return "", store.Judge{}, skillscore.Errorf(skillscore.ERateLimited, "尝试次数过多，请一分钟后再试")
	}
	if ticket == "" || len(ticket) > 100 {
		return "", store.Judge{}, skillscore.Errorf(skillscore.EUnauthorized, "登录码无效")
	}
	t, err := s.st.TicketByHash(ctx, hashToken(ticket))
	if err != nil {
		return "", store.Judge{}, err
	}
	if t.Failures >= maxPINFailures {
		return "", store.Judge{}, skillscore.Errorf(skillscore.EUnauthorized, "PIN 错误次数过多，该登录码已失效，请向组织者重新领取")
	}
	if !checkPIN(t.PINHash, pin) {
		n, err := s.st.TicketFailed(ctx, t.ID)
		if err != nil {
			return "", store.Judge{}, err
		}
		if n >= maxPINFailures {
			return "", store.Judge{}, skillscore.Errorf(skillscore.EUnauthorized, "PIN 错误次数过多，该登录码已失效，请向组织者重新领取")
		}
		return "", store.Judge{}, skillscore.Errorf(skillscore.EUnauthorized, "PIN 错误，还可尝试 %d 次", maxPINFailures-n)
	}
	if len(device) > 200 {
		device = device[:200]
	}
	token = randomToken()
	if err := s.st.RedeemTicket(ctx, t.ID, store.JudgeDevice{TokenHash: hashToken(token), Label: device}); err != nil {
		return "", store.Judge{}, err
	}
	j, err = s.st.Judge(ctx, t.JudgeID)
	return token, j, err
}

// Revoke ends every tablet session of a judge, now: open connections are
// told and closed.
func (s *Service) Revoke(ctx context.Context, judgeID int64, actor string) (int, error) {
	n, err := s.st.RevokeJudgeAccess(ctx, judgeID, actor)
	if err != nil {
		return 0, err
	}
	s.hub.revoke(judgeID)
	if s.cfg.Peers != nil {
		// The notice names the event; only a shared deployment needs it.
		if j, err := s.st.Judge(ctx, judgeID); err == nil {
			s.tellPeers(ctx, j.EventID, judgeID, true)
		}
	}
	return n, nil
}

// session is an authenticated tablet.
type session struct {
	judge  store.Judge
	ticket store.JudgeTicket
	token  string
}

func (s *Service) authenticate(ctx context.Context, token string) (*session, error) {
	if token == "" || len(token) > 100 {
		return nil, skillscore.Errorf(skillscore.EUnauthorized, "缺少或无效的登录令牌")
	}
	j, t, err := s.st.DeviceJudge(ctx, hashToken(token))
	if err != nil {
		return nil, err
	}
	return &session{judge: j, ticket: t, token: token}, nil
}

func actorOf(j store.Judge) string { return "judge:" + strconv.FormatInt(j.ID, 10) }

// Limiter allows n attempts per window per key (a remote address): PIN and
// password guessing are limited with it.
type Limiter struct {
	mu     sync.Mutex
	n      int
	window time.Duration
	now    func() time.Time
	hits   map[string][]time.Time
}

// NewLimiter returns a Limiter of n attempts per window.
func NewLimiter(n int, window time.Duration, now func() time.Time) *Limiter {
	return &Limiter{n: n, window: window, now: now, hits: map[string][]time.Time{}}
}

// Allow counts an attempt and reports whether it is within the limit.
func (l *Limiter) Allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	kept := l.hits[key][:0]
	for _, t := range l.hits[key] {
		if now.Sub(t) < l.window {
			kept = append(kept, t)
		}
	}
	if len(kept) >= l.n {
		l.hits[key] = kept
		return false
	}
	l.hits[key] = append(kept, now)
	if len(l.hits) > 10000 { // bounded memory under a spray of addresses
		clear(l.hits)
	}
	return true
}

// bucket is a token bucket: one websocket connection's messages, or (in
// rates) one login's or one address's HTTP sync operations.
type bucket struct {
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func (b *bucket) refill(now time.Time) {
	if b.last.IsZero() {
		b.tokens, b.last = b.burst, now
	}
	if now.After(b.last) {
		b.tokens += now.Sub(b.last).Seconds() * b.rate
		b.last = now
	}
	if b.tokens > b.burst {
		b.tokens = b.burst
	}
}

func (b *bucket) allow(now time.Time) bool { return b.take(now, 1) == 1 }

// take grants up to n messages and returns how many.
func (b *bucket) take(now time.Time, n int) int {
	b.refill(now)
	k := min(n, int(b.tokens))
	b.tokens -= float64(k)
	return k
}

// addressShare is how many logins' worth of HTTP sync one client address
// may carry.
const addressShare = 10

// maxRateKeys bounds the buckets rates keeps (a spray of addresses).
const maxRateKeys = 10000

// rates are token buckets by key, all with the same rate and burst.
type rates struct {
	mu          sync.Mutex
	rate, burst float64
	buckets     map[string]*bucket
}

func newRates(rate float64, burst int) *rates {
	return &rates{rate: rate, burst: float64(burst), buckets: map[string]*bucket{}}
}

// take grants up to n messages to key and returns how many.
func (r *rates) take(key string, n int, now time.Time) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.buckets[key]
	if b == nil {
		if len(r.buckets) >= maxRateKeys {
			// A full bucket is the same as none: forget those first.
			for k, old := range r.buckets {
				if old.refill(now); old.tokens >= old.burst {
					delete(r.buckets, k)
				}
			}
			if len(r.buckets) >= maxRateKeys {
				clear(r.buckets)
			}
		}
		b = &bucket{rate: r.rate, burst: r.burst}
		r.buckets[key] = b
	}
	return b.take(now, n)
}

// give returns n granted but unused messages to key.
func (r *rates) give(key string, n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if b := r.buckets[key]; b != nil {
		b.tokens = min(b.tokens+float64(n), b.burst)
	}
}

// decimalOf converts stored fixed-point to the scoring type.
func decimalOf(v int64) scoring.Decimal { return scoring.Decimal(v) }
