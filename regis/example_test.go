package regis_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/regis-infra/terraform-provider-regis/regis"
)

// printSNS stands in for *sns.Client in the examples: it prints what it is
// asked to publish.
type printSNS struct {
	mu     sync.Mutex
	bodies []string
	quiet  bool
}

func (c *printSNS) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.bodies = append(c.bodies, aws.ToString(in.Message))
	if !c.quiet {
		fmt.Println(aws.ToString(in.Message))
	}
	return &sns.PublishOutput{MessageId: aws.String("sns-1")}, nil
}

func (c *printSNS) PublishBatch(ctx context.Context, in *sns.PublishBatchInput, _ ...func(*sns.Options)) (*sns.PublishBatchOutput, error) {
	out := &sns.PublishBatchOutput{}
	for _, e := range in.PublishBatchRequestEntries {
		_, _ = c.Publish(ctx, &sns.PublishInput{Message: e.Message})
		out.Successful = append(out.Successful, types.PublishBatchResultEntry{Id: e.Id})
	}
	return out, nil
}

// exampleOptions fixes the clock and message ids so the output is stable.
func exampleOptions() regis.Options {
	n := 0
	return regis.Options{
		Origin:       regis.Origin{Region: "ap-southeast-1", Service: "hotels"},
		Now:          func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) },
		NewMessageID: func() string { n++; return fmt.Sprintf("01JNM6Z8Q3-%04d", n) },
	}
}

func ExamplePublisher() {
	ctx := context.Background()
	client := &printSNS{} // in a service: sns.NewFromConfig(cfg)
	pub, err := regis.NewPublisher(client, "arn:aws:sns:ap-southeast-1:123456789012:regis", exampleOptions())
	if err != nil {
		panic(err)
	}
	defer pub.Close(ctx)

	// Published commands are checked at once, and sent in a few
	// milliseconds, packed with others.
	res, err := pub.Set(ctx, "hotel:42", `{"name":"Raffles","stars":5}`, regis.TTL(time.Hour))
	if err != nil {
		panic(err) // a *regis.CommandError: not sent
	}
	if _, err := pub.HSet(ctx, "hotel:42:rooms", "101", "free", "102", "taken"); err != nil {
		panic(err)
	}
	if _, err := pub.Del(ctx, "hotel:41"); err != nil {
		panic(err)
	}

	// Waiting is optional: Wait returns once SNS has the message.
	if err := res.Wait(ctx); err != nil {
		panic(err) // a *regis.PublishError
	}
	// Output:
	// {"regis":1,"id":"01JNM6Z8Q3-0001","origin":{"region":"ap-southeast-1","service":"hotels"},"ts":1772366400000,"cmds":[["SET","hotel:42","{\"name\":\"Raffles\",\"stars\":5}","PXAT","1772370000000"],["HSET","hotel:42:rooms","101","free","102","taken"],["DEL","hotel:41"]]}
}

func ExamplePublisher_Do() {
	ctx := context.Background()
	pub, err := regis.NewPublisher(&printSNS{}, "arn:aws:sns:ap-southeast-1:123456789012:regis", exampleOptions())
	if err != nil {
		panic(err)
	}
	defer pub.Close(ctx)

	// Do checks any command against the allow-list.
	_, err = pub.Do(ctx, "INCR", "visits")
	var ce *regis.CommandError
	fmt.Println(errors.As(err, &ce), err)

	// Relative expiry becomes absolute, so a late redelivery cannot extend it.
	if _, err := pub.Do(ctx, "setex", "session:9", "60", "alice"); err != nil {
		panic(err)
	}
	if err := pub.Flush(ctx); err != nil {
		panic(err)
	}
	// Output:
	// true regis: INCR refused: not idempotent: a redelivered increment counts twice
	// {"regis":1,"id":"01JNM6Z8Q3-0001","origin":{"region":"ap-southeast-1","service":"hotels"},"ts":1772366400000,"cmds":[["SET","session:9","alice","PXAT","1772366460000"]]}
}

func ExamplePublisher_ordered() {
	ctx := context.Background()
	opts := exampleOptions()
	opts.Ordered = true
	opts.NodeID = 42 // usually left zero: random
	pub, err := regis.NewPublisher(&printSNS{}, "arn:aws:sns:ap-southeast-1:123456789012:regis", opts)
	if err != nil {
		panic(err)
	}
	defer pub.Close(ctx)

	r1, _ := pub.Set(ctx, "price:42", "120")
	r2, _ := pub.Set(ctx, "price:42", "135")
	_, err = pub.Set(ctx, "price:43", "99", regis.NX())
	fmt.Println(err)
	if err := pub.Flush(ctx); err != nil {
		panic(err)
	}
	fmt.Println(r1.Version() < r2.Version(), regis.VersionTime(r2.Version()).UTC(), regis.VersionNode(r2.Version()))
	// Output:
	// regis: SET refused: NX depends on the current value and cannot be ordered
	// {"regis":1,"id":"01JNM6Z8Q3-0001","origin":{"region":"ap-southeast-1","service":"hotels"},"ts":1772366400000,"cmds":[{"ver":153833648947200042,"args":["SET","price:42","120"]},{"ver":153833648947204138,"args":["SET","price:42","135"]}]}
	// true 2026-03-01 12:00:00 +0000 UTC 42
}

func ExampleNormalize() {
	now := time.UnixMilli(1772366400000)
	for _, cmd := range []string{
		"set k v ex 60",
		"SETNX k v",
		"EXPIRE k 30",
		"HMSET h f v",
		"LPUSH queue job",
	} {
		canon, err := regis.Normalize(strings.Fields(cmd), now)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(strings.Join(canon, " "))
	}
	// Output:
	// SET k v PXAT 1772366460000
	// SET k v NX
	// PEXPIREAT k 1772366430000
	// HSET h f v
	// regis: LPUSH refused: not idempotent: a redelivered push adds the element twice
}

func ExampleDecode() {
	body := `{"regis":1,"id":"m-1","origin":{"region":"eu-west-1","service":"search"},"ts":1772366400000,` +
		`"cmds":[["DEL","k"],{"ver":153833648947200042,"args":["SET","a","1"]},{"b64":["U0VU","Ymlu","/wA="]}]}`
	m, err := regis.Decode([]byte(body))
	if err != nil {
		panic(err)
	}
	fmt.Println(m.ID, m.Origin.Service, m.PublishedAt.UTC().Format(time.RFC3339))
	for _, c := range m.Commands {
		fmt.Printf("%q %d %v\n", c.Args, c.Version, regis.Validate(c.Args, c.Version != 0))
	}
	// Output:
	// m-1 search 2026-03-01T12:00:00Z
	// ["DEL" "k"] 0 <nil>
	// ["SET" "a" "1"] 153833648947200042 <nil>
	// ["SET" "bin" "\xff\x00"] 0 <nil>
}

func ExampleVersionTime() {
	v := uint64(153833648947204138)
	fmt.Println(regis.VersionTime(v).UTC(), regis.VersionNode(v))
	fmt.Printf("%020d\n", v) // how consumers compare versions: as 20-digit strings
	// Output:
	// 2026-03-01 12:00:00 +0000 UTC 42
	// 00153833648947204138
}
