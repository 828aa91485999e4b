// Seed 000's verification (Go crypto/hmac), timed in-process: HMAC-SHA256
// over the raw body, hex by fmt.Sprintf("%x"), subtle.ConstantTimeCompare
// on the strings, and the RFC 3339 timestamp check. Prints "go <size> <ns>",
// the median of 7 rounds of ns per verification.
// Run: go run benches/seeds/go_verify.go
package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"sort"
	"strings"
	"time"
)

const secret = "benchmark-shared-secret-0123456789"

func verify(timestampHeader, signatureHeader string, body []byte) bool {
	ts, err := time.Parse(time.RFC3339, timestampHeader)
	if err != nil {
		return false
	}
	drift := time.Since(ts)
	if drift > 5*time.Minute || drift < -5*time.Minute {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	expectedSig := fmt.Sprintf("%x", mac.Sum(nil))
	return subtle.ConstantTimeCompare([]byte(signatureHeader), []byte(expectedSig)) == 1
}

func main() {
	for _, size := range []int{1024, 16384} {
		body := []byte(strings.Repeat("x", size))
		timestamp := time.Now().UTC().Format(time.RFC3339)
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write(body)
		signature := fmt.Sprintf("%x", mac.Sum(nil))
		iterations := 200000
		if size > 1024 {
			iterations = 40000
		}
		for i := 0; i < iterations; i++ {
			verify(timestamp, signature, body)
		}
		rounds := make([]float64, 7)
		for round := range rounds {
			start := time.Now()
			for i := 0; i < iterations; i++ {
				if !verify(timestamp, signature, body) {
					panic("verification failed")
				}
			}
			rounds[round] = float64(time.Since(start).Nanoseconds()) / float64(iterations)
		}
		sort.Float64s(rounds)
		fmt.Printf("go %d %.0f\n", size, rounds[3])
	}
}
