package lambda

import (
	"sync"
)

// logBuffer keeps the last lines a function wrote (and the platform lines).
type logBuffer struct {
	mu    sync.Mutex
	lines []string
	bytes int
}

const (
	maxLogLines = 20_000
	maxLogBytes = 8 << 20
)

func newLogBuffer() *logBuffer { return &logBuffer{} }

func (b *logBuffer) add(line string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lines = append(b.lines, line)
	b.bytes += len(line)
	drop := 0
	for len(b.lines)-drop > maxLogLines || b.bytes > maxLogBytes {
		b.bytes -= len(b.lines[drop])
		drop++
	}
	if drop > 0 {
		b.lines = append(b.lines[:0:0], b.lines[drop:]...)
	}
}

func (b *logBuffer) snapshot() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.lines...)
}
