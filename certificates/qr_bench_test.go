package certificates

import "testing"

func BenchmarkEncodeQR(b *testing.B) {
	data := []byte("http://127.0.0.1:8080/verify?t=" + string(make([]byte, 430)))
	e := newQREncoder()
	for b.Loop() {
		if _, err := e.encode(data); err != nil {
			b.Fatal(err)
		}
	}
}
