package bus

import (
	"context"

	"github.com/regis-infra/terraform-provider-regis/internal/contract"
)

// The dead-letter queue of a region: SQS moves there the messages the
// consumer failed max_receive_count times, and the consumer sends poison
// messages there itself. The helpers it shares with the queue are in
// queue.go.

func ensureDLQ(ctx context.Context, op *regionOp) error {
	want := desiredQueueAttributes(op.e.spec, dlqVisibility, op.rs.Queue.DLQRetention)
	_, err := ensureQueueObject(ctx, op, "dead-letter queue", contract.DLQName(op.e.spec.Name), want, &op.ids.DLQURL, &op.ids.DLQARN)
	return err
}

func readDLQ(ctx context.Context, op *regionOp) error {
	attrs, err := readQueueObject(ctx, op, "dead-letter queue", &op.ids.DLQURL, &op.ids.DLQARN)
	if attrs != nil {
		op.rs.Queue.DLQRetention = atoi(attrs["MessageRetentionPeriod"], op.rs.Queue.DLQRetention)
	}
	return err
}

func deleteDLQ(ctx context.Context, op *regionOp) error {
	if op.ids.DLQURL == "" {
		return nil
	}
	if err := deleteQueue(ctx, op.e.c.SQS(ctx, op.region()), op.ids.DLQURL); err != nil {
		return op.fail("deleting the dead-letter queue", err)
	}
	op.ids.DLQURL, op.ids.DLQARN = "", ""
	return nil
}
