package regis

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestEncodeDecodeRoundTrip(t *testing.T) {
	m := &Message{
		ID:          "m-1",
		Origin:      Origin{Region: "ap-southeast-1", Service: "hotels"},
		PublishedAt: time.UnixMilli(1732250000123),
		Commands: []Command{
			{Args: []string{"SET", "hotel:1", `{"name":"<Raffles> & co"}`}},
			{Args: []string{"DEL", "hotel:2"}, Version: 18446744073709551615},
			{Args: []string{"SET", "bin", "\xff\x00\xfe"}},
			{Args: []string{"SET", "bad-sqs-char", "a\uFFFEb"}, Version: 7},
		},
	}
	for _, comp := range []string{CompressionNone, CompressionGzip} {
		body, err := Encode(m, EncodeOptions{Compression: comp})
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(body, []byte(`\u003c`)) {
			t.Errorf("HTML escaping wastes bytes: %s", body)
		}
		got, err := Decode(body)
		if err != nil {
			t.Fatalf("%s: %v", comp, err)
		}
		if got.ID != m.ID || got.Origin != m.Origin || !got.PublishedAt.Equal(m.PublishedAt) || len(got.Commands) != len(m.Commands) {
			t.Fatalf("%s: got %+v", comp, got)
		}
		for i := range m.Commands {
			if strings.Join(got.Commands[i].Args, "|") != strings.Join(m.Commands[i].Args, "|") || got.Commands[i].Version != m.Commands[i].Version {
				t.Errorf("%s: command %d: got %q v%d", comp, i, got.Commands[i].Args, got.Commands[i].Version)
			}
		}
	}
}

func TestCompressionShrinksCompressibleData(t *testing.T) {
	m := &Message{ID: "x", PublishedAt: time.UnixMilli(1)}
	for i := 0; i < 2000; i++ {
		m.Commands = append(m.Commands, Command{Args: []string{"SET", "k", strings.Repeat("abc", 60)}})
	}
	plain, _ := Encode(m, EncodeOptions{})
	zipped, _ := Encode(m, EncodeOptions{Compression: CompressionGzip})
	if len(zipped)*10 > len(plain) {
		t.Fatalf("gzip %d bytes vs plain %d: expected >10x smaller", len(zipped), len(plain))
	}
	if !bytes.Contains(zipped, []byte(`"zip":"gzip"`)) {
		t.Fatal("compressed message not flagged")
	}
	// Incompressible tiny payloads stay plain.
	small := &Message{ID: "y", PublishedAt: time.UnixMilli(1), Commands: []Command{{Args: []string{"DEL", "k"}}}}
	out, _ := Encode(small, EncodeOptions{Compression: CompressionGzip})
	if bytes.Contains(out, []byte(`"zip"`)) {
		t.Fatalf("compressed a message gzip makes larger: %s", out)
	}
}

func TestDecodeRejects(t *testing.T) {
	bomb, _ := Gzip(bytes.Repeat([]byte(" "), MaxDecompressedSize+10))
	cases := map[string]string{
		"not json":        `hello`,
		"no version":      `{"id":"a","ts":1,"cmds":[["DEL","k"]]}`,
		"future version":  `{"regis":2,"id":"a","ts":1,"cmds":[["DEL","k"]]}`,
		"no id":           `{"regis":1,"ts":1,"cmds":[["DEL","k"]]}`,
		"no ts":           `{"regis":1,"id":"a","cmds":[["DEL","k"]]}`,
		"no cmds":         `{"regis":1,"id":"a","ts":1}`,
		"empty cmds":      `{"regis":1,"id":"a","ts":1,"cmds":[]}`,
		"number arg":      `{"regis":1,"id":"a","ts":1,"cmds":[["SET","k",1]]}`,
		"empty command":   `{"regis":1,"id":"a","ts":1,"cmds":[[]]}`,
		"args and b64":    `{"regis":1,"id":"a","ts":1,"cmds":[{"args":["DEL","k"],"b64":["REVM"]}]}`,
		"bad b64":         `{"regis":1,"id":"a","ts":1,"cmds":[{"b64":["!!"]}]}`,
		"unknown zip":     `{"regis":1,"id":"a","ts":1,"zip":"lz4","data":"AA=="}`,
		"bad gzip":        `{"regis":1,"id":"a","ts":1,"zip":"gzip","data":"AAAA"}`,
		"gzip bomb":       `{"regis":1,"id":"a","ts":1,"zip":"gzip","data":"` + b64(bomb) + `"}`,
		"negative ver":    `{"regis":1,"id":"a","ts":1,"cmds":[{"ver":-1,"args":["DEL","k"]}]}`,
		"data and no zip": `{"regis":1,"id":"a","ts":1,"cmds":[["DEL","k"]],"data":"AA=="}`,
	}
	for name, body := range cases {
		_, err := Decode([]byte(body))
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Errorf("%s: got %v, want a FormatError", name, err)
		}
	}
}
