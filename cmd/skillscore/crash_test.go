package main

import (
	"context"
	"encoding/json"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skillscore/internal/testenv"
	"skillscore/judges/loadgen"
	"skillscore/store"
)

// TestKill9WhileJudgesSend runs the real binary, has 20 simulated judges send
// marks over websockets, kills the server with SIGKILL in the middle,
// restarts it on the same address and lets the judges reconnect and replay
// what was not acknowledged. Then: every operation is stored exactly once,
// every acknowledged one survived the crash, the stored marks are the last
// each judge sent, and the audit chain is intact.
func TestKill9WhileJudgesSend(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: not in -short")
	}
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "crash.db")
	ctx := context.Background()
	st, err := store.Open(ctx, db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	setup, err := loadgen.Prepare(ctx, st, "crash", 20, 3)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	p := start(t, "serve", "--addr", "127.0.0.1:0", "--db", db)
	addr := strings.TrimPrefix(p.base, "http://")

	acked := make(chan loadgen.Op, 1<<16)
	done := make(chan *loadgen.Result, 1)
	go func() {
		done <- loadgen.Run(ctx, p.base, setup, loadgen.Options{Generate: 4 * time.Second, Drain: 30 * time.Second,
			OnAck: func(op loadgen.Op) {
				select {
				case acked <- op:
				default:
				}
			}})
	}()
	// Let marks flow, then pull the plug mid-stream.
	var before []loadgen.Op
	for n := 0; n < 200; n++ {
		select {
		case op := <-acked:
			before = append(before, op)
		case <-time.After(10 * time.Second):
			t.Fatal("no marks acknowledged before the kill")
		}
	}
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-p.done
	// Everything acknowledged so far must be in the database after the crash.
drainAcks:
	for {
		select {
		case op := <-acked:
			before = append(before, op)
		default:
			break drainAcks
		}
	}
	time.Sleep(300 * time.Millisecond) // judges find the server gone and queue
	var p2 *proc
	for i := 0; i < 50 && p2 == nil; i++ {
		// The port is free again once the killed process is reaped.
		if ln, err := net.Listen("tcp", addr); err == nil {
			ln.Close()
			p2 = start(t, "serve", "--addr", addr, "--db", db)
		} else {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if p2 == nil {
		t.Fatalf("could not restart on %s", addr)
	}
	res := <-done
	p2.stop(t)

	if res.Rejected != 0 || len(res.Unacked) != 0 {
		t.Fatalf("after the crash: %d rejected, %d never acknowledged (%v)", res.Rejected, len(res.Unacked), res.Errors)
	}
	if res.Reconnects == 0 {
		t.Fatalf("no judge reconnected: the kill came too late (%d marks)", res.Acked)
	}
	st, err = store.Open(ctx, db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ev, err := st.EventByCode(ctx, "crash")
	if err != nil {
		t.Fatal(err)
	}
	trail, err := st.AuditFor(ctx, ev.ID, "", "")
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]int{}
	for _, e := range trail {
		if e.Action != "sheet.mark" {
			continue
		}
		var d struct{ Op string }
		json.Unmarshal([]byte(e.Detail), &d)
		stored[d.Op]++
	}
	// Every operation the judges made was acknowledged (as new, or as a
	// duplicate when its first copy committed but the ack was lost in the
	// crash), and each is stored exactly once.
	sent := map[string]bool{}
	last := map[string]int{} // judge|contestant|aspect → last value sent
	for _, op := range res.Ops {
		sent[op.ID] = true
		last[op.Judge+"|"+op.Contestant+"|"+op.Aspect] = op.Value
	}
	for id := range sent {
		if stored[id] != 1 {
			t.Errorf("operation %s stored %d times", id, stored[id])
		}
	}
	if len(stored) != len(sent) {
		t.Errorf("%d operations stored, %d made by the judges", len(stored), len(sent))
	}
	for _, op := range before {
		if stored[op.ID] != 1 {
			t.Errorf("operation %s was acknowledged before the crash but is stored %d times", op.ID, stored[op.ID])
		}
	}
	marks, err := st.Marks(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	cs, _ := st.Contestants(ctx, ev.ID)
	code := map[int64]string{}
	for _, c := range cs {
		code[c.ID] = *c.Code
	}
	for _, m := range marks {
		k := m.JudgeCode + "|" + code[m.ContestantID] + "|" + m.AspectCode
		if want, ok := last[k]; ok && m.Value != int64(want)*10000 {
			t.Errorf("%s stored %d, the judge's last value was %d", k, m.Value, want)
		}
	}
	if bad, n, err := st.VerifyAudit(ctx); err != nil || bad != 0 {
		t.Fatalf("audit chain after the crash: broken at %d of %d (%v)", bad, n, err)
	}
	t.Logf("%d operations, %d acknowledged before the kill, %d duplicates acknowledged on replay, %d reconnects",
		len(sent), len(before), res.Duplicates, res.Reconnects)
}
