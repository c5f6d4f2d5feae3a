package live_test

import (
	"context"
	"testing"
	"time"

	"skillscore/live"
)

// TestJudgeNoticesReachOtherInstances: a judge's change published by one
// instance reaches the other instances' OnJudge (their tablets), not its
// own, whose tablets the judges service already told.
func TestJudgeNoticesReachOtherInstances(t *testing.T) {
	st := newStore(t)
	broker := subscribedBroker{live.NewLocal(), make(chan struct{}, 2)}
	type notice struct {
		judge   int64
		revoked bool
	}
	gotA, gotB := make(chan notice, 4), make(chan notice, 4)
	a := newEnv(t, st, live.Config{Broker: broker, PollInterval: time.Hour,
		OnJudge: func(j int64, r bool) { gotA <- notice{j, r} }})
	newEnv(t, st, live.Config{Broker: broker, PollInterval: time.Hour,
		OnJudge: func(j int64, r bool) { gotB <- notice{j, r} }})
	// A notice published before an instance subscribes is lost by design
	// (tablets catch up at their next operation); on a loaded machine B's
	// subscription can come after A's first publish, so wait for both.
	for range 2 {
		select {
		case <-broker.subscribed:
		case <-time.After(10 * time.Second):
			t.Fatal("an instance never subscribed to the broker")
		}
	}
	ctx := context.Background()
	a.svc.JudgeChanged(ctx, 1, 7, false)
	a.svc.JudgeChanged(ctx, 1, 8, true)
	// A third notice: once B has it, A's broker has finished delivering
	// the first two everywhere, A included.
	a.svc.JudgeChanged(ctx, 1, 9, false)
	for _, want := range []notice{{7, false}, {8, true}, {9, false}} {
		select {
		case got := <-gotB:
			if got != want {
				t.Fatalf("instance B heard %+v, want %+v", got, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("instance B never heard %+v", want)
		}
	}
	select {
	case got := <-gotA:
		t.Fatalf("instance A heard its own notice %+v", got)
	default:
	}
}

// subscribedBroker tells when each instance has subscribed: Local.Run calls
// resync once the subscriber is registered.
type subscribedBroker struct {
	*live.Local
	subscribed chan struct{}
}

func (b subscribedBroker) Run(ctx context.Context, deliver func(live.Notice), resync func()) {
	b.Local.Run(ctx, deliver, func() {
		resync()
		b.subscribed <- struct{}{}
	})
}
