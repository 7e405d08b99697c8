package regis_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/regis-infra/terraform-provider-regis/regis"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the generated examples in docs/wire-format.md")

const wireFormatDoc = "../docs/wire-format.md"

// docExamples publishes the messages docs/wire-format.md quotes, with a
// Publisher and a fixed clock, so the documentation shows real messages.
func docExamples(t *testing.T) map[string]string {
	t.Helper()
	ctx := context.Background()
	publish := func(mutate func(*regis.Options), do func(p *regis.Publisher) error) []string {
		t.Helper()
		client := &printSNS{quiet: true}
		opts := exampleOptions()
		if mutate != nil {
			mutate(&opts)
		}
		p, err := regis.NewPublisher(client, "arn:aws:sns:ap-southeast-1:123456789012:regis", opts)
		if err != nil {
			t.Fatal(err)
		}
		if err := do(p); err != nil {
			t.Fatal(err)
		}
		if err := p.Close(ctx); err != nil {
			t.Fatal(err)
		}
		return client.bodies
	}
	ex := map[string]string{}

	plain := publish(nil, func(p *regis.Publisher) error {
		steps := []func() (*regis.Result, error){
			func() (*regis.Result, error) {
				return p.Set(ctx, "hotel:42", `{"name":"Raffles","stars":5}`, regis.TTL(time.Hour))
			},
			func() (*regis.Result, error) { return p.HSet(ctx, "hotel:42:rooms", "101", "free", "102", "taken") },
			func() (*regis.Result, error) { return p.Do(ctx, "EXPIRE", "hotel:42:rooms", "600") },
			func() (*regis.Result, error) {
				return p.ZAdd(ctx, "hotels:by-price", regis.Z{Score: 219.5, Member: "hotel:42"})
			},
			func() (*regis.Result, error) { return p.SRem(ctx, "hotels:full", "hotel:42") },
			func() (*regis.Result, error) { return p.Del(ctx, "hotel:41", "hotel:41:rooms") },
			func() (*regis.Result, error) { return p.Set(ctx, "thumb:42", "\x89PNG\r\n\x1a\n\x00") },
		}
		for _, s := range steps {
			if _, err := s(); err != nil {
				return err
			}
		}
		return nil
	})
	ex["plain"] = pretty(t, plain[0])
	ex["plain-wire"] = plain[0]

	ordered := publish(func(o *regis.Options) { o.Ordered, o.NodeID = true, 42 }, func(p *regis.Publisher) error {
		if _, err := p.Set(ctx, "price:42", "120", regis.TTL(24*time.Hour)); err != nil {
			return err
		}
		if _, err := p.HSet(ctx, "hotel:42:rooms", "101", "taken"); err != nil {
			return err
		}
		_, err := p.Del(ctx, "price:41")
		return err
	})
	ex["ordered"] = pretty(t, ordered[0])

	compressed := publish(func(o *regis.Options) { o.Compression = regis.CompressionGzip }, func(p *regis.Publisher) error {
		for i := range 8 {
			if _, err := p.Set(ctx, fmt.Sprintf("hotel:%d", i), fmt.Sprintf(`{"name":"Hotel %d","city":"Singapore","stars":4}`, i)); err != nil {
				return err
			}
		}
		return nil
	})
	ex["compressed"] = compressed[0]
	m, err := regis.Decode([]byte(compressed[0]))
	if err != nil {
		t.Fatal(err)
	}
	cmds, _ := regis.EncodeCommands(m.Commands)
	ex["compressed-cmds"] = string(cmds)
	return ex
}

// pretty lays a message out one field and one command per line; the
// values keep their exact wire spelling.
func pretty(t *testing.T, body string) string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %v", err)
	}
	var b strings.Builder
	b.WriteString("{")
	for i := 0; dec.More(); i++ {
		key, _ := dec.Token()
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			t.Fatal(err)
		}
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "\n  %q: ", key)
		if key != "cmds" {
			b.Write(raw)
			continue
		}
		var cmds []json.RawMessage
		if err := json.Unmarshal(raw, &cmds); err != nil {
			t.Fatal(err)
		}
		b.WriteString("[")
		for j, c := range cmds {
			if j > 0 {
				b.WriteString(",")
			}
			b.WriteString("\n    ")
			b.Write(c)
		}
		b.WriteString("\n  ]")
	}
	b.WriteString("\n}")
	return b.String()
}

var exampleBlock = regexp.MustCompile("(?s)(<!-- example:([a-z-]+) -->\n```[a-z]*\n)(.*?)(```)")

// TestWireFormatDocExamples keeps the examples of docs/wire-format.md real:
// each is what this package publishes. Run with -update-docs to refresh them.
func TestWireFormatDocExamples(t *testing.T) {
	doc, err := os.ReadFile(wireFormatDoc)
	if err != nil {
		t.Fatal(err)
	}
	ex := docExamples(t)
	found := map[string]bool{}
	out := exampleBlock.ReplaceAllStringFunc(string(doc), func(block string) string {
		sm := exampleBlock.FindStringSubmatch(block)
		name, text := sm[2], sm[3]
		want, ok := ex[name]
		want += "\n"
		if !ok {
			t.Errorf("the doc has an example %q the test does not generate", name)
			return block
		}
		found[name] = true
		if text != want && !*updateDocs {
			t.Errorf("example %q is stale: run go test ./regis -run TestWireFormatDocExamples -update-docs\ndoc:\n%s\nwant:\n%s", name, text, want)
		}
		return sm[1] + want + sm[4]
	})
	for name := range ex {
		if !found[name] {
			t.Errorf("example %q is missing from the doc", name)
		}
	}
	// Every quoted message decodes.
	for name, body := range ex {
		if strings.HasSuffix(name, "-cmds") {
			continue
		}
		if _, err := regis.Decode([]byte(body)); err != nil {
			t.Errorf("example %q: %v", name, err)
		}
	}
	if *updateDocs && !t.Failed() && out != string(doc) {
		if err := os.WriteFile(wireFormatDoc, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestWireFormatDocListsRefusals checks the doc names every command the
// allow-list refuses for a reason of its own, and every canonical command.
func TestWireFormatDocListsRefusals(t *testing.T) {
	doc, err := os.ReadFile(wireFormatDoc)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{
		"INCR", "INCRBY", "INCRBYFLOAT", "DECR", "DECRBY", "HINCRBY", "HINCRBYFLOAT", "ZINCRBY", "APPEND", "SETRANGE",
		"LPUSH", "RPUSH", "LPUSHX", "RPUSHX", "LPOP", "RPOP", "LINSERT", "LSET", "LREM", "LTRIM", "RENAME", "RENAMENX",
		"GETSET", "GETDEL", "SPOP", "BITFIELD", "PFADD", "XADD",
		"SET", "MSET", "DEL", "UNLINK", "HSET", "HDEL", "SADD", "SREM", "ZADD", "ZREM", "PEXPIREAT", "PERSIST",
		"SETEX", "PSETEX", "SETNX", "HMSET", "EXPIRE", "PEXPIRE", "EXPIREAT",
	} {
		if !regexp.MustCompile("`" + name + "\\b").Match(doc) {
			t.Errorf("docs/wire-format.md does not mention `%s`", name)
		}
	}
}
