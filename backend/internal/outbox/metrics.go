package outbox

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the outbox's Prometheus series, shared by every worker and the janitor of a process.
type Metrics struct {
	processed *prometheus.CounterVec
	messages  *prometheus.GaugeVec
	waiting   *prometheus.GaugeVec
	cleaned   *prometheus.CounterVec
	vacuums   prometheus.Counter
}

// NewMetrics registers the outbox series with reg (nil: unregistered, still usable). Registering
// twice on one registry reuses the series already there.
func NewMetrics(reg *prometheus.Registry) *Metrics {
	m := &Metrics{
		processed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "minside_outbox_processed_total",
			Help: "Outbox messages handled, by topic and result (done, retry, dead).",
		}, []string{"topic", "result"}),
		messages: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "minside_outbox_messages",
			Help: "Outbox messages by topic and status (pending, dead), as last counted by the janitor.",
		}, []string{"topic", "status"}),
		waiting: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "minside_outbox_oldest_ready_seconds",
			Help: "How long the oldest pending message that is due has waited, by topic (0 when none): workers that fall behind or stop show here first.",
		}, []string{"topic"}),
		cleaned: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "minside_janitor_deleted_total",
			Help: "Expired rows deleted by the janitor, by table.",
		}, []string{"table"}),
		vacuums: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "minside_janitor_outbox_vacuums_total",
			Help: "Times the janitor vacuumed the outbox table because dead row versions piled up faster than autovacuum cleared them (PostgreSQL).",
		}),
	}
	if reg != nil {
		m.processed = register(reg, m.processed)
		m.messages = register(reg, m.messages)
		m.waiting = register(reg, m.waiting)
		m.cleaned = register(reg, m.cleaned)
		m.vacuums = register(reg, m.vacuums)
	}
	return m
}

func register[C prometheus.Collector](reg *prometheus.Registry, c C) C {
	if err := reg.Register(c); err != nil {
		var already prometheus.AlreadyRegisteredError
		if errors.As(err, &already) {
			if existing, ok := already.ExistingCollector.(C); ok {
				return existing
			}
		}
		panic(err) // a name clash with another series is a programming error
	}
	return c
}

func (m *Metrics) observe(topic, result string) {
	if m != nil {
		m.processed.WithLabelValues(topic, result).Inc()
	}
}

// Processed reads the counter of one topic and result (for tests and the health page).
func (m *Metrics) Processed(topic, result string) float64 {
	if m == nil {
		return 0
	}
	return counterValue(m.processed.WithLabelValues(topic, result))
}

// Vacuums reads how many times the janitor vacuumed the outbox (for benchmarks and tests).
func (m *Metrics) Vacuums() float64 {
	if m == nil {
		return 0
	}
	return counterValue(m.vacuums)
}
