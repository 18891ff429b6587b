package overviewbench

import (
	"os"
	"strconv"
	"time"

	"minside/backend/internal/store/storetest"
)

// cpuNow is the CPU time used so far by this process (the portal and the load generator) and by
// every PostgreSQL process of this machine (zero where there is none, or /proc cannot be read):
// the two shares of what one request costs, which a rate alone mixes up.
type cpuNow struct{ self, postgres time.Duration }

func readCPU() cpuNow {
	return cpuNow{self: storetest.SelfCPU(), postgres: postgresCPU()}
}

func (c cpuNow) sub(o cpuNow) cpuNow {
	return cpuNow{self: c.self - o.self, postgres: c.postgres - o.postgres}
}

// postgresCPU sums the CPU time of the processes named postgres.
func postgresCPU() time.Duration {
	entries, _ := os.ReadDir("/proc")
	var total time.Duration
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if name, cpu, ok := storetest.ProcessCPU(pid); ok && name == "postgres" {
			total += cpu
		}
	}
	return total
}
