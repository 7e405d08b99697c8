package regis

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"
)

// referenceCommand is Command.MarshalJSON as first written, with
// encoding/json: the fast encoder must produce the same bytes.
func referenceCommand(c Command) []byte {
	text := true
	for _, a := range c.Args {
		if !IsText(a) {
			text = false
		}
	}
	var v any
	switch {
	case text && c.Version == 0:
		v = c.Args
	case text:
		v = commandObject{Version: c.Version, Args: c.Args}
	default:
		enc := make([]string, len(c.Args))
		for i, a := range c.Args {
			enc[i] = base64.StdEncoding.EncodeToString([]byte(a))
		}
		v = commandObject{Version: c.Version, B64: enc}
	}
	b, err := marshalNoHTMLEscape(v)
	if err != nil {
		panic(err)
	}
	return b
}

// jsonRoundTrip is what a string becomes through encoding/json.
func jsonRoundTrip(s string) string {
	b, _ := json.Marshal(s)
	var out string
	_ = json.Unmarshal(b, &out)
	return out
}

// checkRoundTrip encodes a message of one command both ways and decodes it.
func checkRoundTrip(t *testing.T, args []string, version uint64, id, region string, compression string) {
	t.Helper()
	c := Command{Args: args, Version: version}
	fast, err := c.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if ref := referenceCommand(c); !bytes.Equal(fast, ref) {
		t.Fatalf("command %q v%d:\nfast      %s\nreference %s", args, version, fast, ref)
	}
	m := &Message{ID: id, Origin: Origin{Region: region, Service: "svc"}, PublishedAt: time.UnixMilli(1_750_000_000_000), Commands: []Command{c, {Args: []string{"DEL", "x"}}}}
	body, err := Encode(m, EncodeOptions{Compression: compression})
	if err != nil {
		t.Fatal(err)
	}
	if IsText(id) && IsText(region) && !IsText(string(body)) {
		t.Fatalf("the body is not text SQS accepts: %q", body)
	}
	got, err := Decode(body)
	if err != nil {
		t.Fatalf("%v\n%s", err, body)
	}
	if got.ID != jsonRoundTrip(id) || got.Origin.Region != jsonRoundTrip(region) || len(got.Commands) != 2 {
		t.Fatalf("got %+v", got)
	}
	g := got.Commands[0]
	if g.Version != version || len(g.Args) != len(args) {
		t.Fatalf("got %q v%d, want %q v%d", g.Args, g.Version, args, version)
	}
	for i := range args {
		if g.Args[i] != args[i] {
			t.Fatalf("argument %d: got %q, want %q", i, g.Args[i], args[i])
		}
	}

	// The publisher's envelope writer matches EncodeRaw.
	cmds, _ := EncodeCommands(m.Commands)
	ref, _ := EncodeRaw(m, cmds, EncodeOptions{})
	mine := appendEnvelope(nil, m.ID, m.Origin, m.PublishedAt.UnixMilli())
	mine = append(append(append(mine, plainOpen...), cmds...), plainClose...)
	if !bytes.Equal(mine, ref) {
		t.Fatalf("envelope:\nmine %s\nref  %s", mine, ref)
	}
}

func TestEncodeMatchesEncodingJSON(t *testing.T) {
	for _, args := range [][]string{
		{"SET", "k", "v"},
		{"SET", "k", `quote " backslash \ slash / <html> & 'single'`},
		{"SET", "k", "\x00\x01\x07\b\f\n\r\t\x1f\x7f"},
		{"SET", "k", "é 中 😀 \u2028 \u2029"},
		{"SET", "k", "\xff"},
		{"SET", "k", "a\uFFFEb"},
		{"SET", "k", "\uFFFF"},
		{"SET", "k", "\xed\xa0\x80"}, // a surrogate half
		{"SET", "", ""},
		{"DEL"},
	} {
		for _, v := range []uint64{0, 1, 1 << 63} {
			for _, comp := range []string{CompressionNone, CompressionGzip} {
				checkRoundTrip(t, args, v, "id-<1>", "ap-southeast-1", comp)
			}
		}
	}
	// Empty and nil argument lists keep encoding/json's spelling.
	for _, c := range []Command{{}, {Args: []string{}}, {Version: 3}} {
		got, _ := c.MarshalJSON()
		if ref := referenceCommand(c); !bytes.Equal(got, ref) {
			t.Errorf("%+v: %s, want %s", c, got, ref)
		}
	}
	for _, cmds := range [][]Command{nil, {}} {
		got, _ := EncodeCommands(cmds)
		ref, _ := marshalNoHTMLEscape(cmds)
		if !bytes.Equal(got, ref) {
			t.Errorf("%#v: %s, want %s", cmds, got, ref)
		}
	}
}

func FuzzEncodeDecode(f *testing.F) {
	f.Add("SET", "key", []byte("value"), uint64(0), false, "id")
	f.Add("HSET", "h\x00", []byte("\xff\xfe"), uint64(1<<40), true, "x")
	f.Add("SET", "k", []byte("\u2028\"\\\n"), uint64(18446744073709551615), true, "<id>")
	f.Add("DEL", "\uFFFE", []byte{}, uint64(5), false, "\xff")
	f.Fuzz(func(t *testing.T, name, key string, value []byte, version uint64, gz bool, id string) {
		if id == "" {
			id = "id"
		}
		comp := CompressionNone
		if gz {
			comp = CompressionGzip
		}
		checkRoundTrip(t, []string{name, key, string(value)}, version, id, key, comp)
	})
}

// TestGzipBound checks the bound the publisher packs compressed messages
// with, on data that compresses well, badly and worst (bytes ≥ 0x90 cost 9
// bits as fixed-Huffman literals).
func TestGzipBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	kinds := map[string]func(n int) []byte{
		"zeros": func(n int) []byte { return make([]byte, n) },
		"text":  func(n int) []byte { return []byte(randomText(rng, n)) },
		"high": func(n int) []byte {
			b := make([]byte, n)
			for i := range b {
				b[i] = byte(0x90 + rng.IntN(0x70))
			}
			return b
		},
		"random": func(n int) []byte {
			b := make([]byte, n)
			for i := range b {
				b[i] = byte(rng.Uint32())
			}
			return b
		},
		"json": func(n int) []byte {
			var b []byte
			for len(b) < n {
				b = append(b, `{"id":12,"name":"Hotel","tags":["pool","spa"]},`...)
			}
			return b[:n]
		},
	}
	for _, level := range []int{gzip.BestSpeed, 2, 4, gzip.DefaultCompression, gzip.BestCompression} {
		for name, gen := range kinds {
			for _, n := range []int{0, 1, 100, 16385, 70000, 200000} {
				for _, prefix := range []int{0, 40000} {
					// Stream prefix bytes, flush (as the packer does), then n more
					// bytes in small writes, then close: the growth after the flush
					// is within gzipBound(n).
					var buf bytes.Buffer
					zw, _ := gzip.NewWriterLevel(&buf, level)
					_, _ = zw.Write(gen(prefix))
					_ = zw.Flush()
					flushed := buf.Len()
					data := gen(n)
					for len(data) > 0 {
						k := min(len(data), 1+rng.IntN(400))
						_, _ = zw.Write(data[:k])
						data = data[k:]
					}
					_ = zw.Close()
					if grew := buf.Len() - flushed; grew > gzipBound(n) {
						t.Errorf("level %d, %s, %d bytes after %d: grew %d > bound %d", level, name, n, prefix, grew, gzipBound(n))
					}
				}
			}
		}
	}
}
