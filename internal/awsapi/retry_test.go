package awsapi_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	awstypes "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/regis-infra/terraform-provider-regis/internal/awsapi"
)

func TestRetryWhen(t *testing.T) {
	calls := 0
	prior := &awstypes.PriorRequestNotComplete{}
	got, err := awsapi.RetryWhen(context.Background(), 10*time.Second, func(context.Context) (int, error) {
		calls++
		if calls < 3 {
			return 0, prior
		}
		return 42, nil
	}, awsapi.IsA[*awstypes.PriorRequestNotComplete])
	if err != nil || calls != 3 || got != 42 {
		t.Errorf("retried %d times, got %d, err %v; want 42 on the third call", calls, got, err)
	}
	calls = 0
	other := errors.New("boom")
	if _, err := awsapi.RetryWhen(context.Background(), 10*time.Second, func(context.Context) (int, error) { calls++; return 0, other }, func(error) bool { return false }); !errors.Is(err, other) || calls != 1 {
		t.Errorf("non-retryable error: %v after %d calls", err, calls)
	}
}

// A timeout shorter than the first wait: one call, and its error as it came.
func TestRetryWhenTimeout(t *testing.T) {
	calls := 0
	prior := &awstypes.PriorRequestNotComplete{}
	_, err := awsapi.RetryWhen(context.Background(), awsapi.FirstDelay/2, func(context.Context) (struct{}, error) {
		calls++
		return struct{}{}, prior
	}, awsapi.IsA[*awstypes.PriorRequestNotComplete])
	if calls != 1 || !errors.Is(err, prior) || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("%d calls, err %v; want one call and the AWS error alone", calls, err)
	}
}

// Cancelled during a wait: the AWS error and the cancellation, both.
func TestRetryWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	prior := &awstypes.PriorRequestNotComplete{}
	calls := 0
	_, err := awsapi.RetryWhen(ctx, time.Minute, func(context.Context) (struct{}, error) {
		calls++
		cancel()
		return struct{}{}, prior
	}, awsapi.IsA[*awstypes.PriorRequestNotComplete])
	if calls != 1 || !awsapi.IsA[*awstypes.PriorRequestNotComplete](err) || !errors.Is(err, context.Canceled) {
		t.Errorf("%d calls, err %v; want one call, the AWS error and context.Canceled", calls, err)
	}
}

func TestWaitForState(t *testing.T) {
	ctx := context.Background()
	seq := func(states ...string) awsapi.StatusFunc[string] {
		i := 0
		return func(context.Context) (string, string, error) {
			s := states[min(i, len(states)-1)]
			i++
			return "obj-" + s, s, nil
		}
	}
	got, err := awsapi.WaitForState(ctx, 10*time.Second, []string{"Creating", "Updating"}, []string{"Applied"}, seq("Creating", "Updating", "Applied"))
	if err != nil || got != "obj-Applied" {
		t.Errorf("Creating → Updating → Applied: %q, %v", got, err)
	}
	_, err = awsapi.WaitForState(ctx, 10*time.Second, []string{"Updating"}, []string{"Applied"}, seq("Updating", "Failed"))
	var use *awsapi.UnexpectedStateError
	if !errors.As(err, &use) || use.State != "Failed" {
		t.Errorf("Failed: want UnexpectedStateError, got %v", err)
	}
	got, err = awsapi.WaitForState(ctx, 400*time.Millisecond, []string{"Updating"}, []string{"Applied"}, seq("Updating"))
	var te *awsapi.TimeoutError
	if err == nil || !strings.Contains(err.Error(), "timed out") || !errors.As(err, &te) || te.LastState != `"Updating"` || got != "obj-Updating" {
		t.Errorf("never Applied: want a timeout and the last object, got %q, %v", got, err)
	}
	got, err = awsapi.WaitForState(ctx, 10*time.Second, []string{"Deleting"}, []string{""}, seq("Deleting", ""))
	if err != nil || got != "obj-" {
		t.Errorf("deletion: %q, %v", got, err)
	}
	boom := errors.New("AccessDenied")
	_, err = awsapi.WaitForState(ctx, 10*time.Second, []string{"Creating"}, []string{"Applied"}, func(context.Context) (string, string, error) { return "", "", boom })
	if !errors.Is(err, boom) || errors.As(err, &te) {
		t.Errorf("a failed read ends the wait with its error: %v", err)
	}
}

func TestWaitForStateCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	_, err := awsapi.WaitForState(ctx, time.Minute, []string{"Creating"}, []string{"Applied"}, func(context.Context) (string, string, error) {
		cancel()
		return "x", "Creating", nil
	})
	var te *awsapi.TimeoutError
	if !errors.Is(err, context.Canceled) || errors.As(err, &te) {
		t.Errorf("cancelled: want context.Canceled and no timeout, got %v", err)
	}
}

func TestQuoteStates(t *testing.T) {
	if got := awsapi.QuoteStates([]string{"Applied", ""}); got != `"Applied" or (gone)` {
		t.Errorf("QuoteStates = %s", got)
	}
}
