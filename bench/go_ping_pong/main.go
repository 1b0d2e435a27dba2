// Go's side of cacophony_bench's ChanRoundTrip (bench/runtime_bench.cpp): main sends an int on
// an unbuffered channel, an echo goroutine sends it back on another; one round trip is two
// parks. Prints the nanoseconds per round trip over N round trips. GOMAXPROCS comes from the
// environment: 1 is one worker, 2 lets the two goroutines sit on two threads.
//
//	go_ping_pong [round trips=1000000]
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"
)

func main() {
	n := 1000000
	if len(os.Args) > 1 {
		v, err := strconv.Atoi(os.Args[1])
		if err != nil || v < 1 {
			fmt.Fprintf(os.Stderr, "usage: %s [round trips]\n", os.Args[0])
			os.Exit(2)
		}
		n = v
	}
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v
		}
		close(pong)
	}()
	start := time.Now()
	for i := 0; i < n; i++ {
		ping <- i
		<-pong
	}
	elapsed := time.Since(start)
	close(ping)
	<-pong
	fmt.Printf("%d round trips, GOMAXPROCS %d: %.0f ns per round trip\n",
		n, runtime.GOMAXPROCS(0), float64(elapsed.Nanoseconds())/float64(n))
}
