// Command judgeload is the judge-tablet load benchmark (docs/benchmarks.md):
// it prepares a load event in the database of a running skillscore server,
// then drives N simulated judges over real websockets against that server,
// each sending marks as fast as the acknowledgements return, and reports
// durable marks per second and acknowledgement latency.
//
//	skillscore serve --addr 127.0.0.1:8080 --db sqlite:/tmp/load.db &
//	go run ./cmd/judgeload --url http://127.0.0.1:8080 --db sqlite:/tmp/load.db --judges 200 --duration 60s
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
	"strconv"
	"strings"
	"time"

	"skillscore/judges/loadgen"
	"skillscore/store"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "地址 of the running skillscore server")
	db := flag.String("db", "", "the same database the server uses (sqlite:PATH or mysql:DSN), to prepare the load event")
	n := flag.Int("judges", 200, "simulated judges")
	per := flag.Int("per", 10, "contestants assigned to each judge")
	dur := flag.Duration("duration", 60*time.Second, "how long to send new marks")
	drain := flag.Duration("drain", 15*time.Second, "how long to wait for the last acknowledgements")
	code := flag.String("event", "", "load event code (default load-<time>)")
	pid := flag.Int("pid", 0, "the server's process id: report the CPU time it spent per mark (Linux /proc)")
	flag.Parse()
	if err := run(*base, *db, *n, *per, *dur, *drain, *code, *pid); err != nil {
		fmt.Fprintln(os.Stderr, "judgeload:", err)
		os.Exit(1)
	}
}

func run(base, db string, n, per int, dur, drain time.Duration, code string, pid int) error {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return fmt.Errorf("--url %q is not a server address", base)
	}
	if db == "" {
		return fmt.Errorf("--db is required (the server's database)")
	}
	if n < 1 || per < 1 {
		return fmt.Errorf("--judges and --per must be at least 1")
	}
	if code == "" {
		code = fmt.Sprintf("load-%d", time.Now().Unix())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	st, err := store.Open(ctx, db, store.Options{})
	if err != nil {
		return err
	}
	t0 := time.Now()
	setup, err := loadgen.Prepare(ctx, st, code, n, per)
	st.Close()
	if err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	fmt.Printf("prepared %s: %d judges × %d contestants × %d aspects in %v (dialect %s)\n", code, n, per, loadgen.Aspects,
		time.Since(t0).Round(time.Millisecond), st.Dialect())
	cpu0, self0 := cpuTime(pid), cpuTime(os.Getpid())
	res := loadgen.Run(ctx, base, setup, loadgen.Options{Generate: dur, Drain: drain})
	cpu1, self1 := cpuTime(pid), cpuTime(os.Getpid())
	secs := res.Elapsed.Seconds()
	fmt.Printf("judges %d, %v: %d marks acknowledged durable (%.0f marks/s), %d duplicates, %d rejected, %d reconnects, %d unacknowledged\n",
		n, res.Elapsed.Round(time.Millisecond), res.Acked, float64(res.Acked)/secs, res.Duplicates, res.Rejected, res.Reconnects, len(res.Unacked))
	fmt.Printf("acknowledgement latency: p50 %v  p90 %v  p99 %v  max %v\n", res.Percentile(50).Round(10*time.Microsecond),
		res.Percentile(90).Round(10*time.Microsecond), res.Percentile(99).Round(10*time.Microsecond), res.Percentile(100).Round(10*time.Microsecond))
	if pid > 0 && res.Acked > 0 {
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
