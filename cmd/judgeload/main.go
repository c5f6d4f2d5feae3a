// Command judgeload is the judge-tablet load benchmark (docs/benchmarks.md):
// it prepares one load event, or a programme of --events events sharing
// --contestants and --judges, in the database of a running skillscore server,
// then drives N simulated judges over real websockets against that server,
// each sending marks as fast as the acknowledgements return, and reports
// durable marks per second and acknowledgement latency.
//
//	skillscore serve --addr 127.0.0.1:8080 --db sqlite:/tmp/load.db &
//	go run ./cmd/judgeload --url http://127.0.0.1:8080 --db sqlite:/tmp/load.db --judges 200 --duration 60s
//	go run ./cmd/judgeload … --events 85 --contestants 3000 --judges 800 --rate 2000
//
// It sends traffic only to the server it is given, bounded in time.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"time"

	"skillscore/judges/loadgen"
	"skillscore/privacy"
	"skillscore/store"
)

type config struct {
	base, db, code, keyFile string
	events, contestants     int
	judges, per             int
	dur, drain              time.Duration
	rate                    float64
	warmup                  time.Duration
	pid                     int
}

func main() {
	var c config
	flag.StringVar(&c.base, "url", "http://127.0.0.1:8080", "地址 of the running skillscore server")
	flag.StringVar(&c.db, "db", "", "the same database the server uses (sqlite:PATH or mysql:DSN), to prepare the load events")
	flag.StringVar(&c.keyFile, "key-file", os.Getenv(privacy.EnvKeyFile), "the server's personal-data key file (contestants' 证件号码 are sealed)")
	flag.IntVar(&c.events, "events", 1, "events the contestants and judges are spread over")
	flag.IntVar(&c.contestants, "contestants", 0, "contestants in all (default judges × per)")
	flag.IntVar(&c.judges, "judges", 200, "simulated judges in all")
	flag.IntVar(&c.per, "per", 10, "contestants assigned to each judge, from its own event")
	flag.DurationVar(&c.dur, "duration", 60*time.Second, "how long to send new marks")
	flag.DurationVar(&c.drain, "drain", 15*time.Second, "how long to wait for the last acknowledgements")
	flag.Float64Var(&c.rate, "rate", 0, "total marks/s offered, spread over the judges (0: each judge sends as fast as acknowledgements return)")
	flag.DurationVar(&c.warmup, "warmup", 5*time.Second, "also report latency of the marks sent after this (every judge connects at the start)")
	flag.StringVar(&c.code, "event", "", "load event code, or prefix of the events' codes (default load-<time>)")
	flag.IntVar(&c.pid, "pid", 0, "the server's process id: report the CPU time it spent per mark (Linux /proc)")
	flag.Parse()
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "judgeload:", err)
		os.Exit(1)
	}
}

func run(c config) error {
	u, err := url.Parse(c.base)
	if err != nil || u.Host == "" {
		return fmt.Errorf("--url %q is not a server address", c.base)
	}
	if c.db == "" {
		return fmt.Errorf("--db is required (the server's database)")
	}
	if c.contestants == 0 {
		c.contestants = c.judges * c.per
	}
	if c.events < 1 || c.judges < c.events || c.contestants < c.events || c.per < 1 {
		return fmt.Errorf("--events, --judges, --contestants and --per must be at least 1, with a judge and a contestant for every event")
	}
	if c.code == "" {
		c.code = fmt.Sprintf("load-%d", time.Now().Unix())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var keys *privacy.Keyring
	if c.keyFile != "" {
		if keys, err = privacy.LoadFile(c.keyFile); err != nil {
			return err
		}
	}
	st, err := store.Open(ctx, c.db, store.Options{Keys: keys})
	if err != nil {
		return err
	}
	t0 := time.Now()
	setup, err := loadgen.PrepareProgramme(ctx, st, loadgen.Programme{Code: c.code, Events: c.events, Contestants: c.contestants,
		Judges: c.judges, Per: c.per})
	st.Close()
	if err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	fmt.Printf("prepared %s: %d events, %d contestants, %d judges × %d contestants × %d aspects in %v (dialect %s)\n", c.code,
		c.events, c.contestants, c.judges, c.per, loadgen.Aspects, time.Since(t0).Round(time.Millisecond), st.Dialect())
	offered := "as fast as acknowledgements return"
	if c.rate > 0 {
		offered = fmt.Sprintf("%.0f marks/s offered", c.rate)
	}
	cpu0, self0 := cpuTime(c.pid), cpuTime(os.Getpid())
	res := loadgen.Run(ctx, c.base, setup, loadgen.Options{Generate: c.dur, Drain: c.drain, Rate: c.rate, Warmup: c.warmup})
	cpu1, self1 := cpuTime(c.pid), cpuTime(os.Getpid())
	secs := res.Elapsed.Seconds()
	fmt.Printf("judges %d (%s), %v: %d marks acknowledged durable (%.0f marks/s), %d duplicates, %d rejected, %d reconnects, %d unacknowledged\n",
		c.judges, offered, res.Elapsed.Round(time.Millisecond), res.Acked, float64(res.Acked)/secs, res.Duplicates, res.Rejected, res.Reconnects, len(res.Unacked))
	fmt.Printf("acknowledgement latency: p50 %v  p90 %v  p99 %v  max %v\n", res.Percentile(50).Round(10*time.Microsecond),
		res.Percentile(90).Round(10*time.Microsecond), res.Percentile(99).Round(10*time.Microsecond), res.Percentile(100).Round(10*time.Microsecond))
	if len(res.Steady) > 0 {
		fmt.Printf("after the first %v: p50 %v  p90 %v  p99 %v  max %v (%d marks)\n", c.warmup, res.SteadyPercentile(50).Round(10*time.Microsecond),
			res.SteadyPercentile(90).Round(10*time.Microsecond), res.SteadyPercentile(99).Round(10*time.Microsecond),
			res.SteadyPercentile(100).Round(10*time.Microsecond), len(res.Steady))
	}
	if len(setup.Events) > 1 {
		// The spread over events: one event starved by another's lock
		// would show as a low minimum.
		var per []float64
		for _, ev := range setup.Events {
			per = append(per, float64(res.PerEvent[ev])/secs)
		}
		sort.Float64s(per)
		fmt.Printf("per event: min %.1f  median %.1f  max %.1f marks/s over %d events\n", per[0], per[len(per)/2], per[len(per)-1], len(per))
	}
	if c.pid > 0 && res.Acked > 0 {
		server := cpu1 - cpu0
		fmt.Printf("CPU time: server %v (%v per mark, %.2f cores busy), this load tool %v\n", server.Round(time.Millisecond),
			(server / time.Duration(res.Acked)).Round(time.Microsecond), server.Seconds()/secs, (self1 - self0).Round(time.Millisecond))
	}
	for _, e := range res.Errors {
		fmt.Println("  error:", e)
	}
	if res.Rejected > 0 {
		return fmt.Errorf("%d marks were rejected", res.Rejected)
	}
	return nil
}

// cpuTime is a process's user+system CPU time from /proc (0 when unknown).
func cpuTime(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name (which may hold spaces) start after ")".
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ is 100 on Linux
}
