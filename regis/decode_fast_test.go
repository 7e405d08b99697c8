package regis

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"time"
)

// sameDecode checks that DecodeFast and Decode agree on body, and that the
// fast path never accepts what Decode refuses.
func sameDecode(t *testing.T, body []byte) (fast bool) {
	t.Helper()
	want, werr := decodeReference(body)
	fm, ok := decodeFast(body)
	if ok {
		if werr != nil {
			t.Fatalf("fast path accepted what Decode refuses (%v): %q", werr, body)
		}
		if !reflect.DeepEqual(fm, want) {
			t.Fatalf("fast path differs:\n fast %+v\n slow %+v\n body %q", fm, want, body)
		}
	}
	got, gerr := Decode(body)
	if (gerr == nil) != (werr == nil) || (gerr != nil && gerr.Error() != werr.Error()) || !reflect.DeepEqual(got, want) {
		t.Fatalf("DecodeFast %+v %v, Decode %+v %v: %q", got, gerr, want, werr, body)
	}
	return ok
}

func randomArg(rng *rand.Rand) string {
	pool := []string{"", "plain", "hotel:1", `{"name":"<Raffles> & co"}`, "tab\there", "quote\"back\\slash", "ünïcødé ✓ 𝄞",
		"\u2028\u2029", "\x00\x01\x1f", "\xff\xfe bin", "a\uFFFEb", "/slash/", strings.Repeat("x", 300)}
	if rng.Intn(4) == 0 {
		b := make([]byte, rng.Intn(20))
		rng.Read(b)
		return string(b)
	}
	return pool[rng.Intn(len(pool))]
}

// TestDecodeFastDifferential encodes random messages (text, binary and
// versioned commands, compressed or not) and checks the fast path takes
// them and agrees with Decode; then mutates them byte by byte.
func TestDecodeFastDifferential(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	fastHits := 0
	for i := 0; i < 400; i++ {
		var cmds []Command
		for j := 0; j < 1+rng.Intn(5); j++ {
			args := []string{"SET"}
			for k := 0; k < 1+rng.Intn(4); k++ {
				args = append(args, randomArg(rng))
			}
			var v uint64
			if rng.Intn(2) == 0 {
				v = rng.Uint64()
			}
			cmds = append(cmds, Command{Args: args, Version: v})
		}
		m := &Message{ID: fmt.Sprint("id-", i, randomArg(rng)), Origin: Origin{Region: "ap-southeast-1", Service: randomArg(rng)},
			PublishedAt: time.UnixMilli(1732250000123 + int64(i)), Commands: cmds}
		comp := CompressionNone
		if i%3 == 0 {
			comp = CompressionGzip
		}
		body, err := Encode(m, EncodeOptions{Compression: comp})
		if err != nil {
			t.Fatal(err)
		}
		if m.ID == "" {
			continue
		}
		if sameDecode(t, body) {
			fastHits++
		}
		// Mutations: each must still agree (usually by falling back).
		for k := 0; k < 20; k++ {
			mut := append([]byte(nil), body...)
			pos := rng.Intn(len(mut))
			switch rng.Intn(3) {
			case 0:
				mut[pos] = byte(rng.Intn(256))
			case 1:
				mut = append(mut[:pos], mut[pos+1:]...)
			case 2:
				alphabet := " {}[],:\"\\0-eE.nu"
				mut = append(mut[:pos], append([]byte{alphabet[rng.Intn(len(alphabet))]}, mut[pos:]...)...)
			}
			sameDecode(t, mut)
		}
	}
	if fastHits < 300 {
		t.Fatalf("the fast path took only %d of the well-formed messages", fastHits)
	}
}

// TestDecodeFastCorners pins encoding/json's lenient corners: whatever
// Decode makes of them, DecodeFast must make the same.
func TestDecodeFastCorners(t *testing.T) {
	bodies := []string{
		`{"regis":1,"id":"a","ts":1,"cmds":[["DEL","k"]]}`,
		` {"regis":1 , "id" : "a" ,"ts":1,"cmds":[ ["DEL" , "k"] ] } `,
		`{"REGIS":1,"id":"a","ts":1,"cmds":[["DEL","k"]]}`,
		`{"Regis":1,"Id":"a","TS":1,"Cmds":[["DEL","k"]]}`,
		`{"regis":1,"regis":1,"id":"a","ts":1,"cmds":[["DEL","k"]]}`,
		`{"regis":1,"id":"a","id":"b","ts":1,"cmds":[["DEL","k"]]}`,
		`{"regis":1,"id":"a","ts":1,"cmds":[["DEL","k"]],"cmds":[["DEL","j"]]}`,
		`{"regis":1.0,"id":"a","ts":1,"cmds":[["DEL","k"]]}`,
		`{"regis":1e0,"id":"a","ts":1,"cmds":[["DEL","k"]]}`,
		`{"regis":01,"id":"a","ts":1,"cmds":[["DEL","k"]]}`,
		`{"regis":null,"id":"a","ts":1,"cmds":[["DEL","k"]]}`,
		`{"regis":1,"id":"a","ts":-5,"cmds":[["DEL","k"]]}`,
		`{"regis":1,"id":"a","ts":99999999999999999999,"cmds":[["DEL","k"]]}`,
		`{"regis":1,"id":null,"ts":1,"cmds":[["DEL","k"]]}`,
		`{"regis":1,"id":"a\u0000","ts":1,"cmds":[["DEL","k"]]}`,
		`{"regis":1,"id":"\ud83d\ude00","ts":1,"cmds":[["DEL","k"]]}`,
		`{"regis":1,"id":"\ud83d","ts":1,"cmds":[["DEL","k"]]}`,
		`{"regis":1,"id":"\udc00x","ts":1,"cmds":[["DEL","k"]]}`,
		"{\"regis\":1,\"id\":\"\xff\",\"ts\":1,\"cmds\":[[\"DEL\",\"k\"]]}",
		"{\"regis\":1,\"id\":\"a\tb\",\"ts\":1,\"cmds\":[[\"DEL\",\"k\"]]}",
		`{"regis":1,"id":"a","ts":1,"cmds":[["DEL",null]]}`,
		`{"regis":1,"id":"a","ts":1,"cmds":[["DEL",1]]}`,
		`{"regis":1,"id":"a","ts":1,"cmds":[[]]}`,
		`{"regis":1,"id":"a","ts":1,"cmds":[]}`,
		`{"regis":1,"id":"a","ts":1,"cmds":null}`,
		`{"regis":1,"id":"a","ts":1,"cmds":[{"ver":5,"args":["DEL","k"]}]}`,
		`{"regis":1,"id":"a","ts":1,"cmds":[{"VER":5,"args":["DEL","k"]}]}`,
		`{"regis":1,"id":"a","ts":1,"cmds":[{"ver":null,"args":["DEL","k"]}]}`,
		`{"regis":1,"id":"a","ts":1,"cmds":[{"ver":-1,"args":["DEL","k"]}]}`,
		`{"regis":1,"id":"a","ts":1,"cmds":[{"ver":18446744073709551616,"args":["DEL","k"]}]}`,
		`{"regis":1,"id":"a","ts":1,"cmds":[{"ver":1,"args":null,"b64":["REVM","aw=="]}]}`,
		`{"regis":1,"id":"a","ts":1,"cmds":[{"b64":["REVM","aw=="]}]}`,
		"{\"regis\":1,\"id\":\"a\",\"ts\":1,\"cmds\":[{\"b64\":[\"RE\\nVM\",\"aw==\"]}]}",
		`{"regis":1,"id":"a","ts":1,"cmds":[{"b64":["REVM","aw="]}]}`,
		`{"regis":1,"id":"a","ts":1,"cmds":[{"args":[],"b64":[]}]}`,
		`{"regis":1,"id":"a","ts":1,"cmds":[{"args":["DEL","k"],"x":{"deep":[1,2,{"a":null}]}}]}`,
		`{"regis":1,"id":"a","ts":1,"cmds":[["DEL","k"]],"extra":[1,-2.5e+3,true,false,null,"s",{}]}`,
		`{"regis":1,"id":"a","ts":1,"cmds":[["DEL","k"]],"extra":01}`,
		`{"regis":1,"id":"a","ts":1,"cmds":[["DEL","k"]],"extra":1.}`,
		`{"regis":1,"id":"a","ts":1,"cmds":[["DEL","k"]]} x`,
		`{"regis":1,"id":"a","ts":1,"cmds":[["DEL","k"]],}`,
		`{"regis":1,"id":"a","ts":1,"origin":{"region":"r","service":"s","other":1},"cmds":[["DEL","k"]]}`,
		`{"regis":1,"id":"a","ts":1,"origin":{"Region":"r"},"cmds":[["DEL","k"]]}`,
		`{"regis":1,"id":"a","ts":1,"origin":null,"cmds":[["DEL","k"]]}`,
		`{"regis":1,"id":"a","ts":1,"zip":"","data":"","cmds":[["DEL","k"]]}`,
		`{"regis":1,"id":"a","ts":1,"zip":"gzip","data":""}`,
		`{"regis":1,"id":"a","ts":1,"zip":"gzip","data":"!!"}`,
		`{"regis":1,"id":"a","ts":1,"k\u0065y":1,"cmds":[["DEL","k"]]}`,
		`{"regis":1,"id":"a","ts":1,"r\u0065gis":1,"cmds":[["DEL","k"]]}`,
		`{"regis":1,"id":"a","ts":1,"ſ":1,"cmds":[["DEL","k"]]}`,
		`[1]`, `null`, ``, `"x"`, `{`, `{"regis":1`,
		`{"regis":1,"id":"a","ts":1,"cmds":[["DEL","k"]],"x":` + strings.Repeat("[", 2000) + strings.Repeat("]", 2000) + `}`,
	}
	z, _ := Gzip([]byte(`[["SET","k","v"],{"ver":3,"b64":["REVM","aw=="]}]`))
	bodies = append(bodies, `{"regis":1,"id":"a","ts":1,"zip":"gzip","data":"`+base64.StdEncoding.EncodeToString(z)+`"}`)
	zbad, _ := Gzip([]byte(`[["SET","k","v"]] trailing`))
	bodies = append(bodies, `{"regis":1,"id":"a","ts":1,"zip":"gzip","data":"`+base64.StdEncoding.EncodeToString(zbad)+`"}`)
	for _, b := range bodies {
		sameDecode(t, []byte(b))
	}
}

// FuzzDecodeFast: go test ./regis -run '^$' -fuzz FuzzDecodeFast
func FuzzDecodeFast(f *testing.F) {
	m := &Message{ID: "m-1", Origin: Origin{Region: "ap-southeast-1", Service: "hotels"}, PublishedAt: time.UnixMilli(1732250000123),
		Commands: []Command{{Args: []string{"SET", "hotel:1", `{"n":"<R> & co"}`}}, {Args: []string{"DEL", "h"}, Version: 7},
			{Args: []string{"SET", "bin", "\xff\x00"}}}}
	for _, comp := range []string{CompressionNone, CompressionGzip} {
		b, _ := Encode(m, EncodeOptions{Compression: comp})
		f.Add(b)
	}
	f.Add([]byte(`{"regis":1,"id":"a","ts":1,"cmds":[{"ver":1,"args":["DEL","k"]}],"x":[1,{"y":"\u00e9"}]}`))
	f.Add([]byte(`{"Regis":1,"id":"\ud83d\ude00","ts":1,"cmds":[["DEL","k"]]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > 1<<16 {
			return
		}
		sameDecode(t, body)
		if bytes.Contains(body, []byte(`"zip"`)) {
			return
		}
	})
}

func BenchmarkDecode(b *testing.B) {
	var cmds []Command
	for i := 0; i < 1000; i++ {
		cmds = append(cmds, Command{Args: []string{"SET", fmt.Sprintf("key:%06d", i), strings.Repeat("v", 200)}})
	}
	body, _ := Encode(&Message{ID: "x", Origin: Origin{Region: "r"}, PublishedAt: time.UnixMilli(1), Commands: cmds}, EncodeOptions{})
	b.Run("encoding/json", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for i := 0; i < b.N; i++ {
			if _, err := Decode(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("fast", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for i := 0; i < b.N; i++ {
			if _, err := Decode(body); err != nil {
				b.Fatal(err)
			}
		}
	})
}
