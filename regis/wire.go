package regis

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
	"unicode/utf8"
)

// FormatVersion is the wire format version this package writes and reads.
const FormatVersion = 1

// MaxMessageSize is the SNS and SQS message size limit in bytes (256 KiB).
const MaxMessageSize = 262144

// MaxDecompressedSize bounds what a compressed message may expand to, so a
// hostile message cannot exhaust a consumer's memory.
const MaxDecompressedSize = 64 << 20

// Compression names.
const (
	CompressionNone = ""
	CompressionGzip = "gzip"
)

// Origin says where a message was published.
type Origin struct {
	Region  string `json:"region"`
	Service string `json:"service"`
}

// Command is one Redis command. Args[0] is the command name in upper case.
type Command struct {
	Args []string
	// Version orders writes in ordered mode: a write applies only if its
	// version is greater than the one stored for the key (or member). Zero
	// means unversioned.
	Version uint64
}

// Message is one wire message: a list of commands from one origin.
type Message struct {
	ID          string
	Origin      Origin
	PublishedAt time.Time
	Commands    []Command
}

// FormatError is a message a consumer cannot decode: it is poison and is
// never retried.
type FormatError struct {
	Reason string
}

func (e *FormatError) Error() string { return "regis: malformed message: " + e.Reason }

func formatErrorf(format string, args ...any) error {
	return &FormatError{Reason: fmt.Sprintf(format, args...)}
}

// IsText reports whether s can travel as a JSON string without loss through
// SNS and SQS: valid UTF-8 without the characters SQS refuses (U+FFFE,
// U+FFFF and unpaired surrogates, which Go never decodes anyway).
func IsText(s string) bool {
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 || c == '\uFFFE' || c == '\uFFFF' {
			return false
		}
		i += size
	}
	return true
}

type commandObject struct {
	Version uint64   `json:"ver,omitempty"`
	Args    []string `json:"args,omitempty"`
	B64     []string `json:"b64,omitempty"`
}

// MarshalJSON writes the compact form when it can: a bare array of strings
// for an unversioned text command, otherwise an object with "ver" and
// "args" (text) or "b64" (every argument base64 when one is not text).
func (c Command) MarshalJSON() ([]byte, error) {
	if len(c.Args) == 0 {
		// Not a valid command; keep encoding/json's spelling of it.
		if c.Version == 0 {
			return marshalNoHTMLEscape(c.Args)
		}
		return marshalNoHTMLEscape(commandObject{Version: c.Version, Args: c.Args})
	}
	return appendCommand(nil, c.Args, c.Version), nil
}

// UnmarshalJSON reads any of the three command forms.
func (c *Command) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return errors.New("empty command")
	}
	switch b[0] {
	case '[':
		var args []string
		if err := json.Unmarshal(b, &args); err != nil {
			return fmt.Errorf("command arguments must be strings: %w", err)
		}
		*c = Command{Args: args}
	case '{':
		var o commandObject
		if err := json.Unmarshal(b, &o); err != nil {
			return fmt.Errorf("bad command object: %w", err)
		}
		if (o.Args == nil) == (o.B64 == nil) {
			return errors.New(`a command object needs exactly one of "args" and "b64"`)
		}
		args := o.Args
		if o.B64 != nil {
			args = make([]string, len(o.B64))
			for i, s := range o.B64 {
				raw, err := base64.StdEncoding.DecodeString(s)
				if err != nil {
					return fmt.Errorf("argument %d is not base64: %w", i, err)
				}
				args[i] = string(raw)
			}
		}
		*c = Command{Args: args, Version: o.Version}
	default:
		return fmt.Errorf("a command must be an array or an object, got %.20s", b)
	}
	if len(c.Args) == 0 {
		return errors.New("a command needs at least its name")
	}
	return nil
}

type wireMessage struct {
	Format   *int            `json:"regis"`
	ID       string          `json:"id"`
	Origin   Origin          `json:"origin"`
	TS       int64           `json:"ts"`
	Commands json.RawMessage `json:"cmds,omitempty"`
	Zip      string          `json:"zip,omitempty"`
	Data     string          `json:"data,omitempty"`
}

// EncodeOptions tune Encode.
type EncodeOptions struct {
	// Compression is CompressionNone or CompressionGzip. With gzip the
	// commands are compressed only when that makes the message smaller.
	Compression string
}

// EncodeCommands returns the JSON array of the commands, as it appears in
// "cmds" (and, compressed, in "data").
func EncodeCommands(cmds []Command) ([]byte, error) {
	if cmds == nil {
		return []byte("null"), nil
	}
	n := 2
	for _, c := range cmds {
		n += 1 + maxWrapOverhead + 2
		for _, a := range c.Args {
			n += len(a) + 3
		}
	}
	out := make([]byte, 0, n)
	out = append(out, '[')
	for i, c := range cmds {
		if i > 0 {
			out = append(out, ',')
		}
		if len(c.Args) == 0 {
			b, err := c.MarshalJSON()
			if err != nil {
				return nil, err
			}
			out = append(out, b...)
			continue
		}
		out = appendCommand(out, c.Args, c.Version)
	}
	return append(out, ']'), nil
}

// Encode returns the wire form of m.
func Encode(m *Message, opts EncodeOptions) ([]byte, error) {
	cmds, err := EncodeCommands(m.Commands)
	if err != nil {
		return nil, err
	}
	return EncodeRaw(m, cmds, opts)
}

// EncodeRaw is Encode with the commands array already encoded, as
// EncodeCommands returns it. (The Publisher writes the same bytes with its
// own allocation-free writer, which the tests compare with EncodeRaw.)
func EncodeRaw(m *Message, cmds []byte, opts EncodeOptions) ([]byte, error) {
	format := FormatVersion
	w := wireMessage{Format: &format, ID: m.ID, Origin: m.Origin, TS: m.PublishedAt.UnixMilli(), Commands: cmds}
	switch opts.Compression {
	case CompressionNone:
	case CompressionGzip:
		z, err := Gzip(cmds)
		if err != nil {
			return nil, err
		}
		if enc := base64.StdEncoding.EncodedLen(len(z)); enc+len(`,"zip":"gzip","data":""`) < len(cmds)+len(`,"cmds":`) {
			w.Commands, w.Zip, w.Data = nil, CompressionGzip, base64.StdEncoding.EncodeToString(z)
		}
	default:
		return nil, fmt.Errorf("regis: unknown compression %q", opts.Compression)
	}
	return marshalNoHTMLEscape(w)
}

// Gzip compresses b at the default level.
func Gzip(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Decode parses a wire message. Every error it returns is a *FormatError:
// the message can never be applied and belongs in the dead-letter queue.
// Decode checks the format only; Validate checks each command.
func Decode(body []byte) (*Message, error) {
	if m, ok := decodeFast(body); ok {
		return m, nil
	}
	return decodeReference(body)
}

// decodeReference is the encoding/json decoder: the specification of Decode.
// decodeFast handles the common shapes many times faster and defers to it
// for anything doubtful; a differential fuzz test keeps the two equal.
func decodeReference(body []byte) (*Message, error) {
	var w wireMessage
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, formatErrorf("not a JSON object: %v", err)
	}
	if w.Format == nil {
		return nil, formatErrorf(`no "regis" format version: not a Regis message`)
	}
	if *w.Format != FormatVersion {
		return nil, formatErrorf("unknown format version %d (this consumer reads %d)", *w.Format, FormatVersion)
	}
	if w.ID == "" {
		return nil, formatErrorf(`missing "id"`)
	}
	if w.TS <= 0 {
		return nil, formatErrorf(`missing or invalid "ts"`)
	}
	cmds := []byte(w.Commands)
	switch w.Zip {
	case CompressionNone:
		if w.Data != "" {
			return nil, formatErrorf(`"data" without "zip"`)
		}
	case CompressionGzip:
		if len(cmds) != 0 {
			return nil, formatErrorf(`both "cmds" and "data"`)
		}
		z, err := base64.StdEncoding.DecodeString(w.Data)
		if err != nil {
			return nil, formatErrorf(`"data" is not base64: %v`, err)
		}
		if cmds, err = gunzip(z); err != nil {
			return nil, err
		}
	default:
		return nil, formatErrorf("unknown compression %q", w.Zip)
	}
	if len(bytes.TrimSpace(cmds)) == 0 {
		return nil, formatErrorf("no commands")
	}
	m := &Message{ID: w.ID, Origin: w.Origin, PublishedAt: time.UnixMilli(w.TS)}
	if err := json.Unmarshal(cmds, &m.Commands); err != nil {
		return nil, formatErrorf("bad commands: %v", err)
	}
	if len(m.Commands) == 0 {
		return nil, formatErrorf("no commands")
	}
	return m, nil
}

func gunzip(z []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		return nil, formatErrorf("bad gzip data: %v", err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, MaxDecompressedSize+1))
	if err != nil {
		return nil, formatErrorf("bad gzip data: %v", err)
	}
	if len(out) > MaxDecompressedSize {
		return nil, formatErrorf("decompressed commands exceed %d bytes", MaxDecompressedSize)
	}
	return out, nil
}

func marshalNoHTMLEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
