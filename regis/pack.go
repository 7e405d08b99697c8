package regis

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"time"
)

// A message being filled, then sent. The publisher appends each command's
// encoded bytes to buf, which always holds the start of the plain body, so
// the exact size of the message is known at every step without encoding it
// again. With compression on, the same bytes also stream into a gzip writer.
type message struct {
	id     string
	ts     int64
	limit  int
	buf    []byte // envelope, then `"cmds":[` and the commands so far
	envLen int    // bytes of envelope in buf
	n      int    // commands

	// Compression: zbuf receives the gzip stream of the commands array.
	zw       *gzip.Writer
	zlevel   int
	zbuf     *bytes.Buffer
	zFlushed int // len(zbuf) after the last flush (or after the header)
	zPending int // bytes written to zw since the last flush

	// Set when sealed.
	body       string
	compressed bool
	size       int // bytes of body
	rawLen     int // bytes of the commands array, uncompressed

	reserved int64 // buffer budget held for the commands
	timer    *time.Timer

	// Set when sent (or given up on).
	done chan struct{}
	err  error
}

var (
	gzipWriters [gzip.BestCompression + 1]sync.Pool // by level
	zipBuffers  = sync.Pool{New: func() any { return new(bytes.Buffer) }}

	bodyBuffers sync.Pool // of *[]byte
)

// maxPooledBuffer keeps the buffers of very large compressed messages out
// of the pool.
const maxPooledBuffer = 4 << 20

func getBodyBuffer(size int) []byte {
	if bp, ok := bodyBuffers.Get().(*[]byte); ok && cap(*bp) >= size {
		return (*bp)[:0]
	}
	return make([]byte, 0, size)
}

func putBodyBuffer(buf []byte) {
	if cap(buf) == 0 || cap(buf) > maxPooledBuffer {
		return
	}
	buf = buf[:0]
	bodyBuffers.Put(&buf)
}

func getGzipWriter(level int) *gzip.Writer {
	if zw, ok := gzipWriters[level].Get().(*gzip.Writer); ok {
		return zw
	}
	zw, _ := gzip.NewWriterLevel(nil, level) // level checked by Options
	return zw
}

func (m *message) putGzipWriter() {
	m.zw.Reset(nil)
	gzipWriters[m.zlevel].Put(m.zw)
	zipBuffers.Put(m.zbuf)
	m.zw, m.zbuf = nil, nil
}

// startMessage opens a message. limit is the largest body in bytes; level
// is the gzip level, zero for no compression.
func startMessage(id string, origin Origin, ts int64, limit, level int) *message {
	m := &message{id: id, ts: ts, limit: limit, done: make(chan struct{})}
	m.buf = appendEnvelope(getBodyBuffer(limit), id, origin, ts)
	m.envLen = len(m.buf)
	m.buf = append(m.buf, plainOpen...)
	m.buf = append(m.buf, '[')
	if level != 0 {
		m.zlevel = level
		m.zbuf = zipBuffers.Get().(*bytes.Buffer)
		m.zbuf.Reset()
		m.zw = getGzipWriter(level)
		m.zw.Reset(m.zbuf)
		_, _ = m.zw.Write([]byte{'['}) // writes the gzip header
		m.zFlushed = m.zbuf.Len()
		m.zPending = 1
	}
	return m
}

// gzipBound bounds the compressed bytes that n more input bytes produce,
// closing the stream included, with compress/flate at the default level:
//   - a block never costs more than its fixed-Huffman encoding, at most 9
//     bits per input byte (literals are 8 or 9 bits; matches are at least 4
//     bytes long and cost at most 31 bits), plus a 3-bit header, the 7-bit
//     end-of-block code and byte alignment; stored and dynamic blocks are
//     chosen only when smaller;
//   - a block ends after 16,384 tokens (so at least 16,384 input bytes;
//     level 1 makes blocks of up to 65,535 bytes), at a flush or at the close;
//   - closing adds an empty final stored block (≤ 5 bytes) and the 8-byte
//     gzip trailer.
func gzipBound(n int) int {
	return n + n/8 + 1 + 5*(n/16384+2) + 5 + 8
}

func base64Len(n int) int { return base64.StdEncoding.EncodedLen(n) }

// compressedFits reports whether the message, compressed, stays within its
// limit if pending more input bytes follow the last flush.
func (m *message) compressedFits(pending int) bool {
	return m.envLen+len(zipOpen)+base64Len(m.zFlushed+gzipBound(pending))+len(zipClose) <= m.limit
}

// plainSize is the size of the plain body if extra more bytes of commands
// are added.
func (m *message) plainSize(extra int) int {
	return len(m.buf) + extra + len("]") + len(plainClose)
}

// add appends one encoded command if the message can take it. The first
// command of a message is always tried as a whole; a command is refused only
// when even an empty message cannot carry it, which the caller reports.
//
// Plain messages are exact: a command goes in if and only if the body,
// closed after it, is within the limit. Compressed messages use a proven
// upper bound of the compressed size (gzipBound) and flush the compressor to
// learn the exact size so far only when the bound says no, so a compressed
// message is full to within about one command's compressed size.
func (m *message) add(cmd []byte) bool {
	sep := 0
	if m.n > 0 {
		sep = 1
	}
	extra := sep + len(cmd)
	switch {
	case m.plainSize(extra) <= m.limit:
	case m.zw == nil:
		return false
	case m.compressedFits(m.zPending + extra + 1):
	case m.n == 0:
		// Alone in its message, the command either fits compressed or
		// nowhere: compress it and measure.
		m.write(cmd, sep)
		m.flush()
		if !m.compressedFits(1) {
			return false
		}
		m.n++
		return true
	default:
		m.flush()
		if !m.compressedFits(extra + 1) {
			return false
		}
	}
	m.write(cmd, sep)
	m.n++
	return true
}

func (m *message) write(cmd []byte, sep int) {
	if sep == 1 {
		m.buf = append(m.buf, ',')
	}
	m.buf = append(m.buf, cmd...)
	if m.zw != nil {
		if sep == 1 {
			_, _ = m.zw.Write([]byte{','})
		}
		_, _ = m.zw.Write(cmd)
		m.zPending += sep + len(cmd)
	}
}

func (m *message) flush() {
	if m.zPending == 0 {
		return
	}
	_ = m.zw.Flush() // writes to a bytes.Buffer: no error
	m.zFlushed = m.zbuf.Len()
	m.zPending = 0
}

// full reports that no command can be added: the smallest command,
// ["DEL","k"], would not fit. Compressed messages are never reported full
// here; the next add finds out.
func (m *message) full() bool {
	return m.zw == nil && m.plainSize(len(`,["DEL","k"]`)) > m.limit
}

// errInternalSize would mean gzipBound is wrong.
var errInternalSize = errors.New("regis: internal error: a sealed message exceeds the size limit")

// seal closes the message and builds its body: compressed if compression is
// on and makes it smaller, or is needed to fit.
func (m *message) seal() error {
	m.buf = append(m.buf, ']')
	m.rawLen = len(m.buf) - m.envLen - len(plainOpen)
	m.buf = append(m.buf, plainClose...)
	plain := len(m.buf)
	if m.zw != nil {
		_, _ = m.zw.Write([]byte{']'})
		_ = m.zw.Close()
		z := m.zbuf.Bytes()
		zipped := m.envLen + len(zipOpen) + base64Len(len(z)) + len(zipClose)
		if zipped < plain || plain > m.limit {
			body := make([]byte, 0, zipped)
			body = append(body, m.buf[:m.envLen]...)
			body = append(body, zipOpen...)
			body = base64.StdEncoding.AppendEncode(body, z)
			body = append(body, zipClose...)
			m.body, m.compressed = string(body), true
		}
		m.putGzipWriter()
	}
	if !m.compressed {
		m.body = string(m.buf)
	}
	m.size = len(m.body)
	putBodyBuffer(m.buf)
	m.buf = nil
	if len(m.body) > m.limit {
		return fmt.Errorf("%w (%d > %d bytes)", errInternalSize, len(m.body), m.limit)
	}
	return nil
}

// discard drops a message that was never sealed.
func (m *message) discard() {
	if m.zw != nil {
		m.putGzipWriter()
	}
	putBodyBuffer(m.buf)
	m.buf = nil
}
