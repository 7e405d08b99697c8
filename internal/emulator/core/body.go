package core

import (
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"strings"
)

// Request bodies are read whole before any answer is written, on every path
// (success, error, injected fault, refused credentials): a server that
// answers while the client is still sending makes net/http clients drop the
// connection, and the answer with it.

// MaxRequestBody bounds the request bodies the wires read (a REST route may
// allow more, see Route.MaxBody).
const MaxRequestBody = 8 << 20

// ErrBodyTooLarge is ReadBody's error for a body over its limit.
var ErrBodyTooLarge = errors.New("request body too large")

// ReadBody reads a request's whole body, at most limit bytes of it after
// inflating a gzip Content-Encoding (the SDKs compress large CloudWatch
// PutMetricData requests). Beyond limit it returns ErrBodyTooLarge with the
// rest of the body unread.
func ReadBody(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	var rd io.Reader = r.Body
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(io.LimitReader(r.Body, limit+1))
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		rd = zr
	}
	body, err := io.ReadAll(io.LimitReader(rd, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > limit {
		return nil, ErrBodyTooLarge
	}
	return body, nil
}

// drainLimit is how much of a body DrainBody reads; a client still sending
// beyond it has its connection closed after the answer (net/http does).
const drainLimit = MaxRequestBody

// DrainBody reads and discards what is left of a request's body (at most
// drainLimit bytes), so that an answer written next does not overtake it.
func DrainBody(r *http.Request) {
	if r == nil || r.Body == nil || r.Body == http.NoBody {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, drainLimit))
}

// trimmedEmpty reports whether a body holds nothing but white space.
func trimmedEmpty(body []byte) bool { return len(strings.TrimSpace(string(body))) == 0 }
