package sqs_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/emulatortest"
	sqsemu "github.com/regis-infra/terraform-provider-regis/internal/emulator/sqs"
)

// TestDeliveryChaos checks the test hook that makes a standard queue use
// the freedoms SQS documents: receives in any order, and deletes that are
// lost so that a message is delivered again.
func TestDeliveryChaos(t *testing.T) {
	emu := emulatortest.Start(t)
	svc := emu.Service("sqs").(*sqsemu.Service)
	c := client(t, emu, usEast)
	url := createQueue(t, c, "chaos", map[string]string{"VisibilityTimeout": "30"})
	arn := queueARN(t, c, url)
	const n = 40
	for i := range n {
		send(t, c, url, strconv.Itoa(i))
	}

	// Without chaos: oldest first.
	first := receive(t, c, url, 1)
	if len(first) != 1 || aws.ToString(first[0].Body) != "0" {
		t.Fatalf("first receive without chaos = %v", first)
	}
	if _, err := c.DeleteMessage(ctx(t), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: first[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}

	// Shuffled receives.
	if err := svc.SetDeliveryChaos(arn, sqsemu.DeliveryChaos{Shuffle: true, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	del := func(h *string) {
		t.Helper()
		if _, err := c.DeleteMessage(ctx(t), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: h}); err != nil {
			t.Fatal(err)
		}
	}
	var bodies []string
	for {
		got := receive(t, c, url, 10)
		if len(got) == 0 {
			break
		}
		for _, m := range got {
			bodies = append(bodies, aws.ToString(m.Body))
			del(m.ReceiptHandle)
		}
	}
	inOrder := true
	seen := map[string]bool{}
	for i, b := range bodies {
		seen[b] = true
		if b != strconv.Itoa(i+1) {
			inOrder = false
		}
	}
	if inOrder || len(seen) != n-1 || len(bodies) != n-1 {
		t.Fatalf("shuffled receives: in order %t, %d received, %d distinct, want %d", inOrder, len(bodies), len(seen), n-1)
	}
	st, ok := svc.DeliveryChaosStats(arn)
	if !ok || st.Received != n-1 || st.OutOfOrder == 0 || st.LostDeletes != 0 {
		t.Fatalf("stats after shuffling = %+v, %t", st, ok)
	}

	// Lost deletes: every message comes back once, then its second delete
	// holds.
	if err := svc.SetDeliveryChaos(arn, sqsemu.DeliveryChaos{DuplicateProbability: 1, DuplicateDelay: 200 * time.Millisecond, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		send(t, c, url, "d"+strconv.Itoa(i))
	}
	count := map[string]int{}
	total := 0
	for deadline := time.Now().Add(10 * time.Second); total < 2*n && time.Now().Before(deadline); {
		for _, m := range receive(t, c, url, 10) {
			count[aws.ToString(m.Body)]++
			total++
			del(m.ReceiptHandle)
		}
	}
	time.Sleep(300 * time.Millisecond)
	if left := receive(t, c, url, 10); len(left) != 0 {
		t.Fatalf("messages deleted twice came back: %d", len(left))
	}
	for i := range n {
		if k := count["d"+strconv.Itoa(i)]; k != 2 {
			t.Fatalf("message d%d delivered %d times, want 2 (%v)", i, k, count)
		}
	}
	if st, ok := svc.DeliveryChaosStats(arn); !ok || st.LostDeletes != n {
		t.Fatalf("stats after lost deletes = %+v, %t", st, ok)
	}

	// Turned off: deletes hold, order is back.
	if err := svc.SetDeliveryChaos(arn, sqsemu.DeliveryChaos{}); err != nil {
		t.Fatal(err)
	}
	if _, ok := svc.DeliveryChaosStats(arn); ok {
		t.Fatal("stats of a queue without chaos")
	}

	// Refused: FIFO queues, bad probabilities, unknown queues.
	fifo := queueARN(t, c, createQueue(t, c, "chaos.fifo", map[string]string{"FifoQueue": "true"}))
	if err := svc.SetDeliveryChaos(fifo, sqsemu.DeliveryChaos{Shuffle: true}); err == nil {
		t.Fatal("chaos accepted on a FIFO queue")
	}
	if err := svc.SetDeliveryChaos(arn, sqsemu.DeliveryChaos{DuplicateProbability: 1.5}); err == nil {
		t.Fatal("probability 1.5 accepted")
	}
	if err := svc.SetDeliveryChaos(arn+"x", sqsemu.DeliveryChaos{Shuffle: true}); err == nil {
		t.Fatal("chaos accepted on a missing queue")
	}
}
