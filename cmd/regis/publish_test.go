package main

import (
	"context"
	"io"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator"
	"github.com/regis-infra/terraform-provider-regis/regis"
)

const backfill = `["SET","k1","v1","EX","60"]
{"args":["HSET","h","f","v"]}
not json
["INCR","counter"]

# a comment
["DEL","k1", 42]
`

func decodeAll(t *testing.T, msgs []sqstypes.Message) (cmds []regis.Command, origins []regis.Origin) {
	t.Helper()
	for _, m := range msgs {
		msg, err := regis.Decode([]byte(aws.ToString(m.Body)))
		if err != nil {
			t.Fatalf("a published message does not decode: %v\n%s", err, aws.ToString(m.Body))
		}
		cmds = append(cmds, msg.Commands...)
		origins = append(origins, msg.Origin)
	}
	return cmds, origins
}

// receiveCommands receives messages from q until they carry n commands.
func receiveCommands(t *testing.T, q *testQueue, n int) (cmds []regis.Command, origins []regis.Origin) {
	t.Helper()
	for len(cmds) < n {
		c, o := decodeAll(t, receiveAll(t, q.client, q.url, 1))
		cmds, origins = append(cmds, c...), append(origins, o...)
	}
	return cmds, origins
}

func TestPublish(t *testing.T) {
	b := newTestBus(t)
	before := time.Now()
	r := b.run(t, backfill, "publish", "--topic-arn", b.topicARN, "--origin-region", otherRegion, "--service", "backfill", "--progress", "0")
	after := time.Now()
	if r.code != exitError {
		t.Errorf("exit code %d, want %d (two lines failed)", r.code, exitError)
	}
	for _, want := range []string{"line 3: want a JSON array of strings", "line 4: INCR refused: not idempotent"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q", want)
		}
	}
	if strings.Contains(r.stderr, "line 1:") || strings.Contains(r.stderr, "line 7:") || strings.Contains(r.stderr, "line 6:") {
		t.Errorf("good, blank or comment lines reported as errors:\n%s", r.stderr)
	}
	for _, want := range []string{"read 7 lines: 3 commands accepted, 2 lines refused", "published 3 commands in "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("summary lacks %q", want)
		}
	}

	for _, region := range busRegions {
		q := b.queues[region]
		cmds, origins := receiveCommands(t, q, 3)
		if len(cmds) != 3 {
			t.Fatalf("%s: %d commands arrived, want 3: %v", region, len(cmds), cmds)
		}
		for _, o := range origins {
			if o != (regis.Origin{Region: otherRegion, Service: "backfill"}) {
				t.Errorf("%s: origin %+v", region, o)
			}
		}
		set := cmds[0].Args
		// The relative TTL became an absolute one.
		if len(set) != 5 || set[0] != "SET" || set[1] != "k1" || set[2] != "v1" || set[3] != "PXAT" {
			t.Fatalf("%s: first command %q, want SET k1 v1 PXAT <ms>", region, set)
		}
		at, err := strconv.ParseInt(set[4], 10, 64)
		if err != nil || at < before.Add(time.Minute).UnixMilli() || at > after.Add(time.Minute).UnixMilli() {
			t.Errorf("%s: PXAT %s is not publish time + 60s (%d…%d)", region, set[4], before.Add(time.Minute).UnixMilli(), after.Add(time.Minute).UnixMilli())
		}
		if got := strings.Join(cmds[1].Args, " "); got != "HSET h f v" {
			t.Errorf("%s: second command %q", region, got)
		}
		if got := strings.Join(cmds[2].Args, " "); got != "DEL k1 42" {
			t.Errorf("%s: third command %q (numbers are taken as written)", region, got)
		}
	}
}

func TestPublishOrderedAndFailFast(t *testing.T) {
	b := newTestBus(t)
	in := `["SET","a","1"]
["SET","b","2","NX"]
["SET","c","3"]
`
	r := b.run(t, in, "publish", "--topic-arn", b.topicARN, "--origin-region", topicRegion, "--service", "s", "--ordered", "--fail-fast")
	if r.code != exitError || !strings.Contains(r.stderr, "line 2: SET refused") {
		t.Errorf("exit %d, stderr %q: want 1 and line 2 refused (NX cannot be ordered)", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "read 2 lines: 1 command accepted, 1 line refused") || !strings.Contains(r.stdout, "stopped at line 2 (--fail-fast)") {
		t.Errorf("--fail-fast did not stop at line 2:\n%s", r.stdout)
	}
	q := b.queues[topicRegion]
	cmds, _ := decodeAll(t, receiveAll(t, q.client, q.url, 1))
	if len(cmds) != 1 || cmds[0].Args[1] != "a" || cmds[0].Version == 0 {
		t.Errorf("arrived %+v, want SET a with a version", cmds)
	}
}

func TestPublishDryRun(t *testing.T) {
	var stdout, stderr strings.Builder
	// No topic, no AWS: the config loader must not even be needed.
	code := run(context.Background(), []string{"publish", "--dry-run", "--origin-region", "r", "--service", "s", "--progress", "0"},
		strings.NewReader(backfill), &stdout, &stderr)
	if code != exitError || !strings.Contains(stdout.String(), "dry run: read 7 lines: 3 commands would be published, 2 lines refused") ||
		!strings.Contains(stderr.String(), "line 4: INCR refused") {
		t.Errorf("exit %d\nstdout %q\nstderr %q", code, stdout.String(), stderr.String())
	}
}

func TestPublishInterrupted(t *testing.T) {
	b := newTestBus(t)
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan result, 1)
	go func() {
		done <- b.runCtx(ctx, t, pr, "publish", "--topic-arn", b.topicARN, "--origin-region", topicRegion, "--service", "s")
	}()
	if _, err := io.WriteString(pw, "[\"SET\",\"a\",\"1\"]\n[\"SET\",\"b\",\"2\"]\n"); err != nil {
		t.Fatal(err)
	}
	// Once they have arrived, interrupt while stdin is still open.
	receiveCommands(t, b.queues[topicRegion], 2)
	cancel()
	var r result
	select {
	case r = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("publish did not stop after Ctrl-C")
	}
	if r.code != exitInterrupted {
		t.Errorf("exit code %d, want %d", r.code, exitInterrupted)
	}
	if !strings.Contains(r.stdout, "published 2 commands") || !strings.Contains(r.stdout, "interrupted: lines after 2 were not read") {
		t.Errorf("summary does not report what was published:\n%s", r.stdout)
	}
}

func TestPublishFailures(t *testing.T) {
	b := newTestBus(t)
	t.Run("topic not found", func(t *testing.T) {
		r := b.run(t, `["DEL","a"]`, "publish", "--topic-arn", "arn:aws:sns:ap-southeast-1:"+b.emu.AccountID()+":nope", "--origin-region", "r", "--service", "s")
		if r.code != exitError || !strings.Contains(r.stderr, "not found") || strings.Contains(r.stdout, "read 1 line") {
			t.Errorf("exit %d, stderr %q, stdout %q: want an early 'not found'", r.code, r.stderr, r.stdout)
		}
	})
	t.Run("SNS refuses", func(t *testing.T) {
		for _, action := range []string{"Publish", "PublishBatch"} {
			b.emu.InjectFault(emulator.Fault{Service: "sns", Action: action, Times: -1, Code: "InvalidParameter", Message: "no way", Status: 400})
		}
		defer b.emu.ClearFaults()
		r := b.run(t, "[\"DEL\",\"a\"]\n[\"DEL\",\"b\"]\n\n[\"INCR\",\"c\"]\n[\"DEL\",\"d\"]\n", "publish", "--topic-arn", b.topicARN, "--origin-region", "r", "--service", "s")
		if r.code != exitError {
			t.Errorf("exit code %d, want 1", r.code)
		}
		// Lines 1, 2 and 5 were lost (usually in one message: "lines
		// 1-2, 5"); line 4 was refused before.
		if got := unpublishedLines(r.stderr); got != "1 2 5" || !strings.Contains(r.stderr, "SNS InvalidParameter: no way") {
			t.Errorf("lost lines %q; stderr does not name lines 1 2 5 and SNS's reason:\n%s", got, r.stderr)
		}
		if !strings.Contains(r.stdout, "published 0 commands") || !strings.Contains(r.stdout, "NOT published: 3 commands accepted") {
			t.Errorf("summary:\n%s", r.stdout)
		}
	})
}

// unpublishedLines parses "lines 1-2, 5: not published: …" reports.
func unpublishedLines(stderr string) string {
	var got []string
	for _, line := range strings.Split(stderr, "\n") {
		head, _, ok := strings.Cut(line, ": not published")
		if !ok {
			continue
		}
		head = strings.TrimPrefix(strings.TrimPrefix(head, "lines "), "line ")
		for _, part := range strings.Split(head, ", ") {
			lo, hi, isRange := strings.Cut(part, "-")
			a, _ := strconv.Atoi(lo)
			b := a
			if isRange {
				b, _ = strconv.Atoi(hi)
			}
			for n := a; n <= b; n++ {
				got = append(got, strconv.Itoa(n))
			}
		}
	}
	sort.Slice(got, func(i, j int) bool { x, _ := strconv.Atoi(got[i]); y, _ := strconv.Atoi(got[j]); return x < y })
	return strings.Join(got, " ")
}

func TestPublishProgress(t *testing.T) {
	b := newTestBus(t)
	pr, pw := io.Pipe()
	done := make(chan result, 1)
	go func() {
		done <- b.runCtx(context.Background(), t, pr, "publish", "--topic-arn", b.topicARN, "--origin-region", topicRegion, "--service", "s", "--progress", "5ms")
	}()
	if _, err := io.WriteString(pw, "[\"DEL\",\"a\"]\n"); err != nil {
		t.Fatal(err)
	}
	// While the input stays open after line 1, progress is reported.
	receiveCommands(t, b.queues[otherRegion], 1)
	time.Sleep(200 * time.Millisecond)
	pw.Close()
	r := <-done
	if r.code != exitOK || !strings.Contains(r.stderr, "progress: line 1, 1 command published in 1 message") {
		t.Errorf("exit %d, stderr %q: want a progress line", r.code, r.stderr)
	}
}
