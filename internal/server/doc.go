// Package server assembles a running tipgate from its configuration: the
// warehouse engine, the Data API service and its AWS and REST bindings, the
// token endpoint, the embedded development IdP when enabled, health,
// readiness and Prometheus metrics, request ids and structured logs, and a
// graceful shutdown. It holds wiring only; every rule lives in the
// packages it wires.
package server
