//go:build race

// Package race reports whether the race detector is compiled in, so that
// tests that count allocations can skip themselves under it: its
// instrumentation changes what escapes to the heap.
package race

// Enabled is true when the program is built with -race.
const Enabled = true
