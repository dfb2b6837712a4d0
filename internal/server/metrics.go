package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus series, on a registry of its own
// (no package-level state, several servers per process in tests).
type metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	statements *prometheus.CounterVec
	stmtTime   *prometheus.HistogramVec
	authFail   *prometheus.CounterVec
	handler    http.Handler
}

func newMetrics() *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tipgate_http_requests_total", Help: "HTTP requests by binding and status code."}, []string{"binding", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "tipgate_http_request_duration_seconds", Help: "HTTP request latency by binding.",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16)}, []string{"binding"})
	m.statements = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tipgate_statements_total", Help: "Statements ended, by binding and final status."}, []string{"binding", "status"})
	m.stmtTime = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "tipgate_statement_duration_seconds", Help: "Statement run time by binding.",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2, 18)}, []string{"binding"})
	m.authFail = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tipgate_auth_failures_total", Help: "Refused authentications by binding and reason code."}, []string{"binding", "reason"})
	m.reg.MustRegister(m.requests, m.latency, m.statements, m.stmtTime, m.authFail,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return m
}

func (m *metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) { m.handler.ServeHTTP(w, r) }

func (m *metrics) observe(binding string, code int, d time.Duration) {
	m.requests.WithLabelValues(binding, strconv.Itoa(code)).Inc()
	m.latency.WithLabelValues(binding).Observe(d.Seconds())
}

// statementEnded and authFailed are the dataapi observer.
func (m *metrics) statementEnded(binding, status string, d time.Duration) {
	m.statements.WithLabelValues(binding, status).Inc()
	m.stmtTime.WithLabelValues(binding).Observe(d.Seconds())
}

func (m *metrics) authFailed(binding, reason string) {
	m.authFail.WithLabelValues(binding, reason).Inc()
}

// activeGauge reports the statements running now.
func (m *metrics) activeGauge(active func() int) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "tipgate_active_statements", Help: "Statements submitted or running."},
		func() float64 { return float64(active()) }))
}
