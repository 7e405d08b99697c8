package regis

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
)

// nullSNS accepts everything at once.
type nullSNS struct{}

func (nullSNS) Publish(context.Context, *sns.PublishInput, ...func(*sns.Options)) (*sns.PublishOutput, error) {
	return &sns.PublishOutput{}, nil
}

func (nullSNS) PublishBatch(_ context.Context, in *sns.PublishBatchInput, _ ...func(*sns.Options)) (*sns.PublishBatchOutput, error) {
	out := &sns.PublishBatchOutput{}
	for _, e := range in.PublishBatchRequestEntries {
		out.Successful = append(out.Successful, types.PublishBatchResultEntry{Id: e.Id})
	}
	return out, nil
}

// benchValues are 200-byte SET commands (20-byte keys) of three kinds.
func benchValues(kind string, n int) [][]string {
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"pool", "spa", "gym", "wifi", "bar", "sea view", "parking", "breakfast", "pets", "quiet"}
	out := make([][]string, n)
	for i := range out {
		key := fmt.Sprintf("hotel:%014d", i)
		size := 200 - len("SET") - len(key)
		var v string
		switch kind {
		case "json":
			v = fmt.Sprintf(`{"id":%d,"name":"Hotel %d","stars":%d,"tags":[`, i, rng.IntN(100000), 1+rng.IntN(5))
			for len(v) < size-20 {
				v += `"` + words[rng.IntN(len(words))] + `",`
			}
			v += `"end"]}`
			v += strings.Repeat(" ", size-len(v))
		case "random":
			v = randomText(rng, size)
		default:
			v = strings.Repeat("x", size)
		}
		out[i] = []string{"SET", key, v}
	}
	return out
}

func BenchmarkPublisher(b *testing.B) {
	for _, bc := range []struct {
		name, values, compression string
		level                     int
		ordered                   bool
	}{
		{"plain", "x", CompressionNone, 0, false},
		{"plain-ordered", "x", CompressionNone, 0, true},
		{"gzip-json", "json", CompressionGzip, 0, false},
		{"gzip1-json", "json", CompressionGzip, 1, false},
		{"gzip6-json", "json", CompressionGzip, 6, false},
		{"gzip-random", "random", CompressionGzip, 0, false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			cmds := benchValues(bc.values, 1<<14)
			p, err := NewPublisher(nullSNS{}, fakeTopic, Options{
				Origin:           Origin{Region: "ap-southeast-1", Service: "bench"},
				Compression:      bc.compression,
				CompressionLevel: bc.level,
				Ordered:          bc.ordered,
				Linger:           time.Hour,
			})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.SetBytes(200)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if _, err := p.publish(ctx, cmds[i%len(cmds)]); err != nil {
					b.Fatal(err)
				}
			}
			if err := p.Close(ctx); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			st := p.Stats()
			b.ReportMetric(float64(st.CommandsPublished)/float64(st.Messages), "cmds/msg")
			b.ReportMetric(float64(st.CommandBytes)/float64(st.Messages)/1024, "rawKiB/msg")
		})
	}
}

func BenchmarkPublisherParallel(b *testing.B) {
	cmds := benchValues("x", 1<<14)
	p, err := NewPublisher(nullSNS{}, fakeTopic, Options{Origin: Origin{Region: "ap-southeast-1", Service: "bench"}, Linger: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.SetBytes(200)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := rand.IntN(len(cmds))
		for pb.Next() {
			if _, err := p.publish(ctx, cmds[i%len(cmds)]); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
	if err := p.Close(ctx); err != nil {
		b.Fatal(err)
	}
}
