package overviewbench

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// cpuNow is the CPU time used so far by this process (the portal and the load generator) and by
// every PostgreSQL process of this machine (zero where there is none, or /proc cannot be read):
// the two shares of what one request costs, which a rate alone mixes up.
type cpuNow struct{ self, postgres time.Duration }

func readCPU() cpuNow {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return cpuNow{self: time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), postgres: postgresCPU()}
}

func (c cpuNow) sub(o cpuNow) cpuNow {
	return cpuNow{self: c.self - o.self, postgres: c.postgres - o.postgres}
}

// postgresCPU sums utime and stime of the processes named postgres, in clock ticks of 10 ms.
func postgresCPU() time.Duration {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var ticks int64
	for _, path := range stats {
		stat, err := os.ReadFile(path)
		if err != nil || !bytes.Contains(stat, []byte("(postgres)")) {
			continue
		}
		// After the command name in parentheses: utime and stime are fields 14 and 15.
		fields := bytes.Fields(stat[bytes.LastIndexByte(stat, ')')+1:])
		if len(fields) < 13 {
			continue
		}
		utime, _ := strconv.ParseInt(string(fields[11]), 10, 64)
		stime, _ := strconv.ParseInt(string(fields[12]), 10, 64)
		ticks += utime + stime
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}
