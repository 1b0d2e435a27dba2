// A Go ticker, as the original cacophony times its beats: prints when each of N ticks of a
// time.Ticker was received, in nanoseconds since the start, one a line. Built by `make bench`;
// bench/scenario_bench.cpp runs it beside the runtime's own figures.
//
// Usage: go_ticker PERIOD_US TICKS
package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"time"
)

func main() {
	if len(os.Args) != 3 {
		usage()
	}
	periodUs, err1 := strconv.Atoi(os.Args[1])
	ticks, err2 := strconv.Atoi(os.Args[2])
	if err1 != nil || err2 != nil || periodUs <= 0 || ticks <= 0 {
		usage()
	}
	at := make([]time.Duration, 0, ticks)
	start := time.Now()
	ticker := time.NewTicker(time.Duration(periodUs) * time.Microsecond)
	for len(at) < ticks {
		<-ticker.C
		at = append(at, time.Since(start))
	}
	ticker.Stop()
	out := bufio.NewWriter(os.Stdout)
	for _, d := range at {
		fmt.Fprintln(out, d.Nanoseconds())
	}
	out.Flush()
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: go_ticker PERIOD_US TICKS")
	os.Exit(2)
}
