// Go's side of cacophony_parked_bench (bench/parked_tasks.cpp): N goroutines park on one channel,
// then are released by its close and joined. Prints the same figures, read the same way from
// /proc/self/status, so the two lines can be set side by side. GOMAXPROCS comes from the
// environment, as in any Go program.
//
//	go_parked [goroutines=1000000]
package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// statusKiB reads one "Vm...:" line of /proc/self/status, in KiB.
func statusKiB(key string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		line := lines.Text()
		if strings.HasPrefix(line, key) {
			field := strings.TrimSuffix(strings.TrimSpace(line[len(key):]), "kB")
			n, _ := strconv.ParseInt(strings.TrimSpace(field), 10, 64)
			return n
		}
	}
	return -1
}

func nsPer(d time.Duration, n int) float64 { return float64(d.Nanoseconds()) / float64(n) }

func main() {
	n := 1000000
	if len(os.Args) > 1 {
		v, err := strconv.Atoi(os.Args[1])
		if err != nil || v < 1 {
			fmt.Fprintf(os.Stderr, "usage: %s [goroutines]\n", os.Args[0])
			os.Exit(2)
		}
		n = v
	}
	release := make(chan int)
	var done sync.WaitGroup
	rss, pte := statusKiB("VmRSS:"), statusKiB("VmPTE:")
	start := time.Now()
	done.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			<-release
			done.Done()
		}()
	}
	spawned := time.Now()
	// Every goroutine reaches its receive and parks: wait until the runtime counts them all.
	for runtime.NumGoroutine() < n+1 {
		runtime.Gosched()
	}
	time.Sleep(100 * time.Millisecond)
	parkedRSS, parkedPTE := statusKiB("VmRSS:"), statusKiB("VmPTE:")
	joining := time.Now()
	close(release)
	done.Wait()
	joined := time.Now()
	fmt.Printf("%d goroutines, GOMAXPROCS %d: %.0f ns per spawn, %.0f ns per release and join, "+
		"%.0f resident bytes per parked goroutine (+%.0f of page tables)\n",
		n, runtime.GOMAXPROCS(0), nsPer(spawned.Sub(start), n), nsPer(joined.Sub(joining), n),
		float64(parkedRSS-rss)*1024/float64(n), float64(parkedPTE-pte)*1024/float64(n))
}
