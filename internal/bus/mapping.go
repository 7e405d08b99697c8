package bus

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/regis-infra/terraform-provider-regis/internal/awsapi"
	"github.com/regis-infra/terraform-provider-regis/internal/busdiscovery"
	"github.com/regis-infra/terraform-provider-regis/internal/createonce"
)

// Event source mapping states (the Lambda API returns them as strings).
const (
	mappingCreating  = "Creating"
	mappingEnabling  = "Enabling"
	mappingEnabled   = "Enabled"
	mappingDisabling = "Disabling"
	mappingDisabled  = "Disabled"
	mappingUpdating  = "Updating"
	mappingDeleting  = "Deleting"
	mappingWait      = 10 * time.Minute
)

// reportBatchItemFailures is the response type that makes Lambda honour the
// consumer's batchItemFailures. Without it Lambda ignores the reply and
// deletes the whole batch: the bus sets it on every mapping, always.
const reportBatchItemFailures = lambdatypes.FunctionResponseTypeReportBatchItemFailures

func createMapping(ctx context.Context, c *lambda.Client, queueARN, function string, rs *regionSpec) (*lambda.CreateEventSourceMappingOutput, error) {
	in := &lambda.CreateEventSourceMappingInput{
		EventSourceArn:                 aws.String(queueARN),
		FunctionName:                   aws.String(function),
		BatchSize:                      aws.Int32(int32(rs.Consumer.BatchSize)),
		MaximumBatchingWindowInSeconds: aws.Int32(int32(rs.Consumer.BatchingWindow)),
		ScalingConfig:                  &lambdatypes.ScalingConfig{MaximumConcurrency: aws.Int32(int32(rs.Consumer.MaxConcurrency))},
		FunctionResponseTypes:          []lambdatypes.FunctionResponseType{reportBatchItemFailures},
		Enabled:                        aws.Bool(true),
	}
	// Lambda has no idempotency token for mappings: after a lost answer,
	// look for the mapping from this queue to this function before creating
	// another (Lambda refuses a second one with ResourceConflictException,
	// and the first would be left outside the state).
	return createonce.Do(ctx, createonce.Attempts(c.Options().Retryer),
		func(ctx context.Context) (*lambda.CreateEventSourceMappingOutput, error) {
			return awsapi.RetryWhen(ctx, iamPropagationTimeout, func(ctx context.Context) (*lambda.CreateEventSourceMappingOutput, error) {
				return c.CreateEventSourceMapping(ctx, in, lambdaOnce)
			}, iamNotPropagated)
		},
		func(ctx context.Context) (*lambda.CreateEventSourceMappingOutput, bool, error) {
			m, err := busdiscovery.FindMapping(ctx, c, queueARN, function)
			if err != nil || m == nil {
				return nil, false, err
			}
			return &lambda.CreateEventSourceMappingOutput{UUID: m.UUID, EventSourceArn: m.EventSourceArn, FunctionArn: m.FunctionArn, State: m.State}, true, nil
		},
		func(err error) bool { return awsapi.IsA[*lambdatypes.ResourceConflictException](err) },
	)
}

func findMapping(ctx context.Context, c *lambda.Client, uuid string) (*lambda.GetEventSourceMappingOutput, error) {
	out, err := c.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(uuid)})
	if awsapi.IsA[*lambdatypes.ResourceNotFoundException](err) {
		return nil, awsapi.NewNotFound("event source mapping "+uuid, err)
	}
	if err != nil {
		return nil, err
	}
	if aws.ToString(out.State) == mappingDeleting {
		return nil, awsapi.NewNotFound("event source mapping "+uuid+" (deleting)", nil)
	}
	return out, nil
}

// waitMappingSettled waits until the mapping is Enabled or Disabled. A
// mapping that disappears meanwhile is an error.
func waitMappingSettled(ctx context.Context, c *lambda.Client, uuid string) (*lambda.GetEventSourceMappingOutput, error) {
	out, err := awsapi.WaitForState(ctx, mappingWait,
		[]string{mappingCreating, mappingEnabling, mappingDisabling, mappingUpdating},
		[]string{mappingEnabled, mappingDisabled},
		func(ctx context.Context) (*lambda.GetEventSourceMappingOutput, string, error) {
			// findMapping's not-found error ends the wait.
			out, err := findMapping(ctx, c, uuid)
			if err != nil {
				return nil, "", err
			}
			return out, aws.ToString(out.State), nil
		})
	if use, ok := errors.AsType[*awsapi.UnexpectedStateError](err); ok && out != nil {
		use.Message = aws.ToString(out.StateTransitionReason)
	}
	if err != nil {
		return out, fmt.Errorf("waiting for event source mapping %s to be enabled: %w", uuid, err)
	}
	return out, nil
}

// waitMappingDeleted waits for a deleted mapping to disappear, so that the
// function and queue are not deleted under a mapping still polling them.
func waitMappingDeleted(ctx context.Context, c *lambda.Client, uuid string) error {
	_, err := awsapi.WaitForState(ctx, mappingWait, []string{mappingDeleting}, []string{""},
		func(ctx context.Context) (*lambda.GetEventSourceMappingOutput, string, error) {
			// Any state but gone keeps the wait going: the mapping was
			// asked to go.
			out, err := c.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(uuid)})
			if awsapi.IsA[*lambdatypes.ResourceNotFoundException](err) {
				return nil, "", nil
			}
			if err != nil {
				return nil, "", err
			}
			return out, mappingDeleting, nil
		})
	if err != nil {
		return fmt.Errorf("waiting for event source mapping %s to be deleted: %w", uuid, err)
	}
	return nil
}

func hasReportBatchItemFailures(m *lambda.GetEventSourceMappingOutput) bool {
	return slices.Contains(m.FunctionResponseTypes, reportBatchItemFailures)
}

func mappingConcurrency(m *lambda.GetEventSourceMappingOutput) int64 {
	if m.ScalingConfig == nil || m.ScalingConfig.MaximumConcurrency == nil {
		return 0
	}
	return int64(*m.ScalingConfig.MaximumConcurrency)
}

// mappingUpdate returns the update that brings the mapping to the spec, or
// nil.
func mappingUpdate(m *lambda.GetEventSourceMappingOutput, uuid, functionARN string, rs *regionSpec) *lambda.UpdateEventSourceMappingInput {
	in := &lambda.UpdateEventSourceMappingInput{UUID: aws.String(uuid)}
	changed := false
	if int64(aws.ToInt32(m.BatchSize)) != rs.Consumer.BatchSize {
		in.BatchSize, changed = aws.Int32(int32(rs.Consumer.BatchSize)), true
	}
	if int64(aws.ToInt32(m.MaximumBatchingWindowInSeconds)) != rs.Consumer.BatchingWindow {
		in.MaximumBatchingWindowInSeconds, changed = aws.Int32(int32(rs.Consumer.BatchingWindow)), true
	}
	if mappingConcurrency(m) != rs.Consumer.MaxConcurrency {
		in.ScalingConfig, changed = &lambdatypes.ScalingConfig{MaximumConcurrency: aws.Int32(int32(rs.Consumer.MaxConcurrency))}, true
	}
	if !hasReportBatchItemFailures(m) || len(m.FunctionResponseTypes) != 1 {
		in.FunctionResponseTypes, changed = []lambdatypes.FunctionResponseType{reportBatchItemFailures}, true
	}
	if s := aws.ToString(m.State); s == mappingDisabled || s == mappingDisabling {
		in.Enabled, changed = aws.Bool(true), true
	}
	if functionARN != "" && aws.ToString(m.FunctionArn) != functionARN {
		in.FunctionName, changed = aws.String(functionARN), true
	}
	if m.FilterCriteria != nil && len(m.FilterCriteria.Filters) > 0 {
		in.FilterCriteria, changed = &lambdatypes.FilterCriteria{}, true
	}
	if !changed {
		return nil
	}
	return in
}

// mappingSourceDriftPrefix starts the drift entry of a mapping that reads
// another queue: Update replaces the mapping (a new UUID).
const mappingSourceDriftPrefix = "event source mapping: reads "

// mappingDrift lists what is wrong with a mapping beyond the arguments.
func mappingDrift(m *lambda.GetEventSourceMappingOutput, queueARN, functionARN string) []string {
	var out []string
	if !hasReportBatchItemFailures(m) {
		out = append(out, "event source mapping: ReportBatchItemFailures is off, so a batch with one failed message would be deleted whole")
	}
	if s := aws.ToString(m.State); s == mappingDisabled || s == mappingDisabling {
		out = append(out, "event source mapping: disabled")
	}
	if aws.ToString(m.EventSourceArn) != queueARN {
		out = append(out, mappingSourceDriftPrefix+aws.ToString(m.EventSourceArn)+" instead of the region's queue")
	}
	if functionARN != "" && aws.ToString(m.FunctionArn) != functionARN {
		out = append(out, "event source mapping: invokes "+aws.ToString(m.FunctionArn)+" instead of the consumer")
	}
	if m.FilterCriteria != nil && len(m.FilterCriteria.Filters) > 0 {
		out = append(out, "event source mapping: has filter criteria, which drop commands")
	}
	return out
}

func updateMapping(ctx context.Context, c *lambda.Client, in *lambda.UpdateEventSourceMappingInput) error {
	_, err := retryConflict(ctx, func(ctx context.Context) (*lambda.UpdateEventSourceMappingOutput, error) {
		return c.UpdateEventSourceMapping(ctx, in)
	})
	return err
}

func deleteMapping(ctx context.Context, c *lambda.Client, uuid string) error {
	_, err := retryConflict(ctx, func(ctx context.Context) (*lambda.DeleteEventSourceMappingOutput, error) {
		return c.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: aws.String(uuid)})
	})
	if awsapi.IsA[*lambdatypes.ResourceNotFoundException](err) {
		return nil
	}
	return err
}

// findMappingFor returns the mapping from queueARN to the function, or
// else the first mapping of the queue (regis_bus_status).
func findMappingFor(ctx context.Context, c *lambda.Client, queueARN, function string) (*lambdatypes.EventSourceMappingConfiguration, error) {
	p := lambda.NewListEventSourceMappingsPaginator(c, &lambda.ListEventSourceMappingsInput{EventSourceArn: aws.String(queueARN)})
	var first *lambdatypes.EventSourceMappingConfiguration
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for i := range page.EventSourceMappings {
			m := &page.EventSourceMappings[i]
			if first == nil {
				first = m
			}
			if a, ok := parseARN(aws.ToString(m.FunctionArn)); ok && (a.Resource == "function:"+function) {
				return m, nil
			}
		}
	}
	if first == nil {
		return nil, awsapi.NewNotFound("event source mapping of "+queueARN, nil)
	}
	return first, nil
}

// ------------------------------------------------------------ the reconciler

// convergeMapping brings the recorded mapping to the spec. A mapping that
// reads another queue is deleted (its source cannot change), and one that
// is gone loses its id.
func convergeMapping(ctx context.Context, op *regionOp, lc *lambda.Client) error {
	ids := op.ids
	m, err := findMapping(ctx, lc, ids.MappingUUID)
	switch {
	case awsapi.IsNotFound(err):
		ids.MappingUUID = ""
		return nil
	case err != nil:
		return op.fail("reading the event source mapping", err)
	case aws.ToString(m.EventSourceArn) != ids.QueueARN:
		if err := deleteMapping(ctx, lc, ids.MappingUUID); err != nil {
			return op.fail("deleting the event source mapping of another queue", err)
		}
		ids.MappingUUID = ""
		return nil
	}
	if s := aws.ToString(m.State); s != mappingEnabled && s != mappingDisabled {
		if m, err = waitMappingSettled(ctx, lc, ids.MappingUUID); err != nil {
			return op.fail("waiting for the event source mapping", err)
		}
	}
	if in := mappingUpdate(m, ids.MappingUUID, ids.FunctionARN, op.rs); in != nil {
		if err := updateMapping(ctx, lc, in); err != nil {
			return op.fail("updating the event source mapping", err)
		}
		if _, err := waitMappingSettled(ctx, lc, ids.MappingUUID); err != nil {
			return op.fail("waiting for the event source mapping", err)
		}
	}
	return nil
}

// ensureMapping: the event source mapping from the queue to the function,
// always reporting batch item failures.
func ensureMapping(ctx context.Context, op *regionOp) error {
	ids := op.ids
	lc := op.e.c.Lambda(ctx, op.region())
	if ids.MappingUUID != "" {
		if err := convergeMapping(ctx, op, lc); err != nil {
			return err
		}
	}
	if ids.MappingUUID != "" {
		return nil
	}
	out, err := createMapping(ctx, lc, ids.QueueARN, ids.FunctionARN, op.rs)
	if awsapi.IsA[*lambdatypes.ResourceConflictException](err) {
		// A mapping from the queue to the function exists outside the
		// state: adopt it and bring it to the spec.
		m, ferr := busdiscovery.FindMapping(ctx, lc, ids.QueueARN, ids.FunctionARN)
		if ferr != nil {
			return op.fail("looking up the existing event source mapping", ferr)
		}
		if m != nil {
			ids.MappingUUID = aws.ToString(m.UUID)
			return convergeMapping(ctx, op, lc)
		}
	}
	if err != nil {
		return op.fail("creating the event source mapping", err)
	}
	ids.MappingUUID = aws.ToString(out.UUID)
	if _, err := waitMappingSettled(ctx, lc, ids.MappingUUID); err != nil {
		return op.fail("enabling the event source mapping", err)
	}
	return nil
}

func readMapping(ctx context.Context, op *regionOp) error {
	ids, rs := op.ids, op.rs
	if ids.MappingUUID == "" {
		return nil
	}
	m, err := findMapping(ctx, op.e.c.Lambda(ctx, op.region()), ids.MappingUUID)
	switch {
	case awsapi.IsNotFound(err):
		ids.MappingUUID = ""
		op.missing("event source mapping")
		return nil
	case err != nil:
		return op.fail("reading the event source mapping", err)
	}
	rs.Consumer.BatchSize = int64(aws.ToInt32(m.BatchSize))
	rs.Consumer.BatchingWindow = int64(aws.ToInt32(m.MaximumBatchingWindowInSeconds))
	rs.Consumer.MaxConcurrency = mappingConcurrency(m)
	functionARN := ids.FunctionARN
	if functionARN == "" {
		functionARN = op.recorded.FunctionARN
	}
	op.note(mappingDrift(m, op.queueARN(), functionARN)...)
	return nil
}

func deleteMappingObject(ctx context.Context, op *regionOp) error {
	ids := op.ids
	if ids.MappingUUID == "" {
		return nil
	}
	lc := op.e.c.Lambda(ctx, op.region())
	if err := deleteMapping(ctx, lc, ids.MappingUUID); err != nil {
		return op.fail("deleting the event source mapping", err)
	}
	if err := waitMappingDeleted(ctx, lc, ids.MappingUUID); err != nil {
		return op.fail("deleting the event source mapping", err)
	}
	ids.MappingUUID = ""
	return nil
}
