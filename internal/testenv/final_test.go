package testenv

import (
	"context"
	"testing"
)

func TestFinalDemo(t *testing.T) {
	st, ev := Demo(t)
	Final(t, st, ev.ID)
	if err := st.RequireFinal(context.Background(), ev.ID); err != nil {
		t.Fatal(err)
	}
}
