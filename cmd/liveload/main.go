// Command liveload measures the live spectator streams under load: it opens
// thousands of spectator websockets from its own process against a server
// it starts as a child process (the same binary, "liveload server"), drives
// standings updates at a fixed rate by writing real judges' marks, and
// reports delivery latency, server CPU and memory per viewer. It runs the
// same load against the shared-bytes hub and against the plain hub (each
// update encoded and framed per viewer) in one run, so the two figures are
// comparable. Mode "programme" measures the programme big screen instead:
// each viewer holds the programme board's websocket; mode "programme-poll"
// has each viewer long-poll the board over HTTP instead, as before the
// websocket, for comparison (programme.go). Everything stays on the
// loopback interface.
//
//	go run ./cmd/liveload -viewers 10000 -rate 5 -duration 30s
//	go run ./cmd/liveload -viewers 10000 -modes programme,shared -events 82
//	go run ./cmd/liveload -viewers 10000 -modes programme,programme-poll,shared -events 82
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"skillscore/demo"
	"skillscore/live"
	"skillscore/live/livetest"
	"skillscore/privacy"
	"skillscore/store"
	"skillscore/templates"
	"skillscore/web"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	if len(os.Args) > 1 && os.Args[1] == "server" {
		err = runServer(ctx, os.Args[2:])
	} else {
		err = runDriver(ctx, os.Args[1:])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "liveload:", err)
		os.Exit(1)
	}
}

// raiseFileLimit lifts the open-file limit to its hard maximum: 10,000
// websockets need more descriptors than the usual soft limit of 1,024.
func raiseFileLimit(want uint64) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return err
	}
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return err
	}
	if lim.Cur < want {
		return fmt.Errorf("open-file limit is %d, need %d (raise the hard limit: ulimit -Hn)", lim.Cur, want)
	}
	return nil
}

// cpuSeconds is the process's user+system CPU time so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// rssBytes reads the resident set size from /proc.
func rssBytes() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	var size, rss int64
	fmt.Sscan(string(b), &size, &rss)
	return rss * int64(os.Getpagesize())
}

// memStat is the server's memory after a full GC.
type memStat struct {
	Heap  int64 `json:"heap"`  // heap in use
	Stack int64 `json:"stack"` // goroutine stacks
	RSS   int64 `json:"rss"`
}

func measureMem() memStat {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return memStat{Heap: int64(ms.HeapInuse), Stack: int64(ms.StackInuse), RSS: rssBytes()}
}

// runServer is the child process: the demo event in a fresh SQLite file,
// the live service in the chosen mode behind the real web handler. It
// answers commands on stdin, one per line: "mem" (memory after GC),
// "viewers", "run RATE DURATION" (write marks at RATE per second, then
// report CPU seconds used), "quit".
func runServer(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	mode := fs.String("mode", "shared", "shared | plain | programme | programme-poll")
	dir := fs.String("data", "", "directory for the SQLite file")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the measured run to this file")
	perEvent := fs.Int("contestants", 100, "programme mode: contestants in each running event (one mark each)")
	events := fs.Int("events", 4, "programme mode: running events besides the demo programme's three")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := raiseFileLimit(0); err != nil {
		return err
	}
	clock := &demo.Clock{}
	// The demo programme's rosters seal 证件号码: a throwaway key in memory.
	keys, err := privacy.NewMemory()
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(*dir, "liveload.db"), store.Options{Now: clock.Now, Keys: keys})
	if err != nil {
		return err
	}
	defer st.Close()
	var markers []*livetest.Marker
	if isProgramme(*mode) {
		if markers, err = setupProgramme(ctx, st, clock, *events, *perEvent); err != nil {
			return err
		}
	} else {
		ev, err := demo.Create(ctx, st)
		if err != nil {
			return err
		}
		// The load's marks are never submitted: the public board moves with
		// them only as sports-style live marks (docs/live.md).
		if _, err := st.SetLiveSettings(ctx, ev.ID, false, true, "liveload"); err != nil {
			return err
		}
		marker, err := livetest.NewMarker(ctx, st, demo.EventCode)
		if err != nil {
			return err
		}
		markers = append(markers, marker)
	}
	tmpl, err := templates.New()
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	svc := live.New(live.Config{Source: st, Programmes: st, Logger: log, Plain: *mode == "plain",
		// A viewer may lag 64 frames (13 s at 5 updates a second) before
		// it is called slow: the load generator shares the CPU.
		SendQueue: 64})
	defer svc.Close()
	srv := &http.Server{Handler: web.New(web.Config{Store: st, Templates: tmpl, Logger: log, Live: svc})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go srv.Serve(ln)
	defer srv.Close()
	out := bufio.NewWriter(os.Stdout)
	reply := func(v any) {
		b, _ := json.Marshal(v)
		out.Write(append(b, '\n'))
		out.Flush()
	}
	reply(map[string]string{"addr": ln.Addr().String()})
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		f := strings.Fields(in.Text())
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "mem":
			reply(measureMem())
		case "viewers":
			switch *mode {
			case "programme":
				reply(map[string]int{"viewers": svc.ProgrammeViewers(demo.ProgrammeCode)})
			case "programme-poll":
				reply(map[string]int{"viewers": svc.ProgrammeWaiters(demo.ProgrammeCode)})
			default:
				reply(map[string]int{"viewers": svc.Viewers()})
			}
		case "cpu":
			reply(map[string]float64{"cpu": cpuSeconds()})
		case "profile":
			if *profile == "" {
				reply(map[string]bool{"ok": false})
				break
			}
			if f[1] == "start" {
				pf, err := os.Create(*profile)
				if err != nil {
					return err
				}
				defer pf.Close()
				if err := pprof.StartCPUProfile(pf); err != nil {
					return err
				}
			} else {
				pprof.StopCPUProfile()
			}
			reply(map[string]bool{"ok": true})
		case "run":
			var rate float64
			var dur time.Duration
			fmt.Sscan(f[1], &rate)
			dur, _ = time.ParseDuration(f[2])
			t := time.NewTicker(time.Duration(float64(time.Second) / rate))
			end := time.After(dur)
			updates := 0
			// When each mark committed (µs), for the programme viewers'
			// delays; the event board's frames carry their own.
			var commits []int64
		loop:
			for {
				select {
				case <-ctx.Done():
					t.Stop()
					return ctx.Err()
				case <-end:
					break loop
				case <-t.C:
					marker := markers[updates%len(markers)]
					rev, err := marker.Next(ctx)
					if err != nil {
						return err
					}
					commits = append(commits, time.Now().UnixMicro())
					svc.EventChanged(ctx, marker.Event.ID, rev)
					updates++
				}
			}
			t.Stop()
			reply(map[string]any{"updates": updates, "commits": commits})
		case "quit":
			return nil
		}
	}
	return in.Err()
}

// child is a running server process.
type child struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
}

func (c *child) ask(cmd string, v any) error {
	if _, err := fmt.Fprintln(c.in, cmd); err != nil {
		return err
	}
	if !c.out.Scan() {
		return fmt.Errorf("server ended: %v", c.out.Err())
	}
	return json.Unmarshal(c.out.Bytes(), v)
}

func startServer(mode, profile string, events, contestants int) (*child, string, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, "", err
	}
	dir, err := os.MkdirTemp("", "liveload-")
	if err != nil {
		return nil, "", err
	}
	cmd := exec.Command(exe, "server", "-mode", mode, "-data", dir, "-cpuprofile", profile, "-events", strconv.Itoa(events), "-contestants", strconv.Itoa(contestants))
	cmd.Stderr = os.Stderr
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	c := &child{cmd: cmd, in: in, out: bufio.NewScanner(out)}
	var hello struct{ Addr string }
	if !c.out.Scan() {
		cmd.Wait()
		return nil, "", errors.New("server did not start")
	}
	if err := json.Unmarshal(c.out.Bytes(), &hello); err != nil {
		return nil, "", err
	}
	go func() {
		cmd.Wait()
		os.RemoveAll(dir)
	}()
	return c, hello.Addr, nil
}

// stats gathers what the viewers saw.
type stats struct {
	mu        sync.Mutex
	latencies []time.Duration
	frames    atomic.Int64 // every frame received after the snapshot
	bytes     atomic.Int64 // their payload bytes
	gaps      atomic.Int64 // updates that did not follow the viewer's revision
	dropped   atomic.Int64 // viewers whose connection ended during the run
	measuring atomic.Bool
	// The programme viewers': every answer (a changed board or a long
	// poll's timeout), refused or malformed answers, the marks shown on the
	// first board, and each viewer's changed boards.
	polls, errors atomic.Int64
	base          atomic.Int64
	answers       []answer
}

func (s *stats) add(local []time.Duration, answers []answer) {
	s.mu.Lock()
	s.latencies = append(s.latencies, local...)
	s.answers = append(s.answers, answers...)
	s.mu.Unlock()
}

// field reads the integer after key (`"name":`) in a frame. The load
// generator shares the CPU with the server, so it skips full JSON decoding.
func field(data, key []byte) (int64, bool) {
	i := bytes.Index(data, key)
	if i < 0 {
		return 0, false
	}
	var n int64
	for j := i + len(key); j < len(data) && data[j] >= '0' && data[j] <= '9'; j++ {
		n = n*10 + int64(data[j]-'0')
	}
	return n, true
}

var (
	keyRevision  = []byte(`"revision":`)
	keyFrom      = []byte(`"from":`)
	keyAt        = []byte(`"at":`)
	updatePrefix = []byte(`{"type":"update"`)
)

type result struct {
	mode                  string
	viewers, connected    int
	updates               int
	frames                int64
	gaps, dropped         int64
	p50, p90, p99, max    time.Duration
	polls, errors         int64         // programme: every answer, refused or malformed ones
	marksSeen             int           // programme: (mark, viewer) deliveries measured
	atP50, atP99, atMax   time.Duration // programme websocket: per frame, from its "at" as the event board's
	elapsed               float64       // s from the first mark until frames stopped
	serverCPU, clientCPU  float64
	frameBytes            float64 // mean payload of a delivered frame
	idleHeap, idleStack   float64 // bytes per viewer
	idleRSS               float64
	msgsPerCPU            float64
	cpuPerViewerPerSec    float64 // µs of server CPU per viewer per second
	loadBefore, loadAfter string
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func runMode(ctx context.Context, mode string, n int, rate float64, dur time.Duration, sources, readers int, batch time.Duration, profile string, events int) (result, error) {
	r := result{mode: mode, viewers: n, loadBefore: loadavg()}
	if profile != "" {
		profile += "." + mode
	}
	// One contestant per programme mark, with some to spare.
	c, addr, err := startServer(mode, profile, events, int(rate*dur.Seconds())/events+20)
	if err != nil {
		return r, err
	}
	defer func() {
		fmt.Fprintln(c.in, "quit")
		c.in.Close()
	}()
	var before memStat
	if err := c.ask("mem", &before); err != nil {
		return r, err
	}
	// The first viewer starts the event's hub; take the baseline after it.
	path := "/api/v1/events/" + demo.EventCode + "/live"
	poll, progWS := mode == "programme-poll", mode == "programme"
	prog := poll || progWS
	if progWS {
		path = "/api/v1/programmes/" + demo.ProgrammeCode + "/live"
	}
	tcpAddr, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		return r, err
	}
	st := &stats{}
	st.base.Store(-1)
	var ready, done sync.WaitGroup
	// On every return the reading loops stop, and are waited for.
	defer done.Wait()
	vctx, cancel := context.WithCancel(ctx)
	defer cancel()
	loops := make([]*loop, readers)
	for i := range loops {
		if loops[i], err = newLoop(st, &ready, batch); err != nil {
			return r, err
		}
		loops[i].host = addr
		done.Add(1)
		go func() {
			defer done.Done()
			loops[i].run(vctx)
		}()
	}
	dial := func(i int) error {
		ip := net.IPv4(127, 0, 0, byte(2+i%sources))
		var fd int
		var rest []byte
		var err error
		if poll {
			fd, err = dialPoll(ip, tcpAddr)
		} else {
			fd, rest, err = dialRaw(ip, tcpAddr, path)
		}
		if err != nil {
			return err
		}
		ready.Add(1)
		loops[i%len(loops)].add(fd, rest, poll, progWS)
		return nil
	}
	if err := dial(0); err != nil {
		return r, err
	}
	ready.Wait()
	if err := c.ask("mem", &before); err != nil {
		return r, err
	}
	sem := make(chan struct{}, 64)
	var dialErrs atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for i := 1; i < n; i++ {
		sem <- struct{}{}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			if err := dial(i); err != nil {
				dialErrs.Add(1)
				firstErr.CompareAndSwap(nil, err)
			}
		}(i)
	}
	wg.Wait()
	ready.Wait()
	if e := dialErrs.Load(); e > 0 {
		return r, fmt.Errorf("%d of %d websockets failed to open: %v", e, n, firstErr.Load())
	}
	// A programme viewer is counted once its second request (with since)
	// waits on the server; give the last ones a moment to get there.
	var v struct{ Viewers int }
	for t0 := time.Now(); ; time.Sleep(100 * time.Millisecond) {
		if err := c.ask("viewers", &v); err != nil {
			return r, err
		}
		if !poll || v.Viewers >= n || time.Since(t0) > 10*time.Second {
			break
		}
	}
	r.connected = v.Viewers
	var idle memStat
	if err := c.ask("mem", &idle); err != nil {
		return r, err
	}
	per := float64(n - 1)
	r.idleHeap = float64(idle.Heap-before.Heap) / per
	r.idleStack = float64(idle.Stack-before.Stack) / per
	r.idleRSS = float64(idle.RSS-before.RSS) / per
	st.measuring.Store(true)
	var cpu0, cpu1 struct{ CPU float64 }
	var ok struct{ OK bool }
	var run struct {
		Updates int
		Commits []int64
	}
	if err := c.ask("profile start", &ok); err != nil {
		return r, err
	}
	if err := c.ask("cpu", &cpu0); err != nil {
		return r, err
	}
	client0, t0 := cpuSeconds(), time.Now()
	if err := c.ask(fmt.Sprintf("run %g %s", rate, dur), &run); err != nil {
		return r, err
	}
	// The server's CPU counts until every frame is delivered: a hub that
	// falls behind pays for its backlog too. A hub that coalesced marks
	// sends fewer frames than marks, so "delivered" is when frames stop
	// arriving for a second.
	want := int64(run.Updates) * int64(n)
	last, quiet := st.frames.Load(), time.Now()
	for st.frames.Load() < want && time.Since(quiet) < time.Second {
		time.Sleep(50 * time.Millisecond)
		if f := st.frames.Load(); f != last {
			last, quiet = f, time.Now()
		}
	}
	r.elapsed = time.Since(t0).Seconds()
	if err := c.ask("cpu", &cpu1); err != nil {
		return r, err
	}
	r.clientCPU = cpuSeconds() - client0
	if err := c.ask("profile stop", &ok); err != nil {
		return r, err
	}
	st.measuring.Store(false)
	cancel()
	done.Wait()
	r.updates = run.Updates
	r.serverCPU = cpu1.CPU - cpu0.CPU
	r.frames = st.frames.Load()
	if r.frames > 0 {
		r.frameBytes = float64(st.bytes.Load()) / float64(r.frames)
	}
	r.gaps = st.gaps.Load()
	r.polls, r.errors = st.polls.Load(), st.errors.Load()
	if prog {
		// The websocket frames' own delays (from "at", when the server
		// heard of the change, as the event board is measured) aside; the
		// main figures are per (mark, viewer) from each mark's commit, as
		// the long poll's are.
		at := st.latencies
		slices.Sort(at)
		if len(at) > 0 {
			r.atP50, r.atP99, r.atMax = at[len(at)/2], at[len(at)*99/100], at[len(at)-1]
		}
		st.latencies = programmeLatencies(st.answers, run.Commits)
		r.marksSeen = len(st.latencies)
	}
	r.dropped = st.dropped.Load()
	r.loadAfter = loadavg()
	lat := st.latencies
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) > 0 {
		r.p50 = lat[len(lat)/2]
		r.p90 = lat[len(lat)*9/10]
		r.p99 = lat[len(lat)*99/100]
		r.max = lat[len(lat)-1]
	}
	if r.serverCPU > 0 {
		r.msgsPerCPU = float64(r.frames) / r.serverCPU
	}
	r.cpuPerViewerPerSec = r.serverCPU / dur.Seconds() / float64(n) * 1e6
	return r, nil
}

func runDriver(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("liveload", flag.ContinueOnError)
	n := fs.Int("viewers", 10000, "spectator websockets to open")
	rate := fs.Float64("rate", 5, "standings updates per second")
	dur := fs.Duration("duration", 30*time.Second, "how long to drive updates")
	modes := fs.String("modes", "shared,plain", "hubs to measure, in order: shared (encode once), plain (per viewer), programme (the programme board's websocket), programme-poll (its long polls)")
	sources := fs.Int("sources", 4, "loopback source addresses to spread the client ports over (127.0.0.2 …)")
	profile := fs.String("cpuprofile", "", "write each server's CPU profile of the run to FILE.MODE")
	readers := fs.Int("readers", runtime.GOMAXPROCS(0), "epoll loops reading the spectator sockets")
	batch := fs.Duration("batch", time.Millisecond, "how long a reader lets frames gather after each pass (counted in the delays)")
	events := fs.Int("events", 4, "programme mode: running events (the marks go round them) besides the demo programme's three")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := raiseFileLimit(uint64(*n) + 100); err != nil {
		return err
	}
	var rs []result
	for _, mode := range strings.Split(*modes, ",") {
		fmt.Fprintf(os.Stderr, "liveload: %s hub, %d viewers, %g updates/s for %s …\n", mode, *n, *rate, *dur)
		r, err := runMode(ctx, mode, *n, *rate, *dur, *sources, *readers, *batch, *profile, *events)
		if err != nil {
			return fmt.Errorf("%s: %w", mode, err)
		}
		rs = append(rs, r)
		// Let the closed connections' TIME_WAIT and the server's exit settle.
		time.Sleep(2 * time.Second)
	}
	fmt.Printf("| hub | viewers | marks (%g/s) | frames delivered (per viewer) | frames / s | gaps | dropped | errors | p50 | p90 | p99 | max | server CPU s | msgs / CPU s | CPU µs / viewer / s | load tool CPU s | bytes / frame | idle heap / viewer | idle stacks / viewer | idle RSS / viewer | load avg before → after |\n", *rate)
	fmt.Printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rs {
		fmt.Printf("| %s | %d (%d on server) | %d | %d (%.1f) | %.0f | %d | %d | %d | %s | %s | %s | %s | %.2f | %.0f | %.2f | %.2f | %.0f | %.1f KiB | %.1f KiB | %.1f KiB | %s → %s |\n",
			r.mode, r.viewers, r.connected, r.updates, r.frames, float64(r.frames)/float64(r.viewers), float64(r.frames)/r.elapsed,
			r.gaps, r.dropped, r.errors, ms(r.p50), ms(r.p90), ms(r.p99), ms(r.max), r.serverCPU, r.msgsPerCPU, r.cpuPerViewerPerSec,
			r.clientCPU, r.frameBytes, r.idleHeap/1024, r.idleStack/1024, r.idleRSS/1024, r.loadBefore, r.loadAfter)
	}
	for _, r := range rs {
		switch r.mode {
		case "programme-poll":
			fmt.Printf("\nprogramme-poll: %d answers in all (changed boards and long-poll timeouts), %d (mark, viewer) deliveries timed from each mark's commit, over %.1f s.\n",
				r.polls, r.marksSeen, r.elapsed)
		case "programme":
			fmt.Printf("\nprogramme (websocket): %d (mark, viewer) deliveries timed from each mark's commit, over %.1f s; per frame from its \"at\" (as the event board): p50 %s, p99 %s, max %s.\n",
				r.marksSeen, r.elapsed, ms(r.atP50), ms(r.atP99), ms(r.atMax))
		}
	}
	if len(rs) == 2 && rs[0].mode == "shared" && rs[1].mode == "plain" && rs[1].msgsPerCPU > 0 {
		fmt.Printf("\n%s delivers %.2f× the messages per server CPU-second of %s.\n", rs[0].mode, rs[0].msgsPerCPU/rs[1].msgsPerCPU, rs[1].mode)
	}
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

// isProgramme tells the modes that serve the programme board.
func isProgramme(mode string) bool { return mode == "programme" || mode == "programme-poll" }
