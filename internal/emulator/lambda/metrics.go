package lambda

import (
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// Lambda's invocation metrics (namespace AWS/Lambda), as the Lambda
// Developer Guide's "Types of metrics for Lambda functions" defines them:
//
//	Invocations  every invocation that ran the function, successful or
//	             failed with a function error (throttled requests and other
//	             invocation errors are not counted);
//	Errors       the invocations that failed with a function error: the
//	             function's own, or the runtime's (Runtime.ExitError,
//	             Runtime.InvalidEntrypoint, Sandbox.Timedout…);
//	Duration     the time the function spent on the event, in milliseconds;
//	Throttles    the invocation requests refused for lack of concurrency.
//
// Each value is reported three times: for the account (no dimension), with
// FunctionName, and with FunctionName and Resource (the function name, with
// its qualifier when the invocation named a version).
const lambdaNamespace = "AWS/Lambda"

func (s *Service) publishMetrics(region string, ref functionRef, values map[string]float64, units map[string]string) {
	sink, ok := s.env.Lookup("monitoring").(core.MetricSink)
	if !ok {
		return
	}
	resource := ref.name
	if ref.qualifier != "" {
		resource += ":" + ref.qualifier
	}
	dimSets := []map[string]string{
		{},
		{"FunctionName": ref.name},
		{"FunctionName": ref.name, "Resource": resource},
	}
	now := s.env.Clock.Now()
	var out []core.ServiceMetric
	for name, v := range values {
		for _, dims := range dimSets {
			out = append(out, core.ServiceMetric{Namespace: lambdaNamespace, Name: name, Dimensions: dims, Value: v, Unit: units[name], Time: now})
		}
	}
	sink.PutServiceMetrics(region, out)
}

// countInvocation reports an invocation's Invocations, Errors and Duration.
// Invocations the emulator could not run (ServiceException: the function
// was being deleted, or the emulator shutting down) are not counted.
func (s *Service) countInvocation(region string, ref functionRef, res invResult) {
	if res.errorType == "ServiceException" {
		return
	}
	errors := 0.0
	if res.functionError != "" {
		errors = 1
	}
	s.publishMetrics(region, ref,
		map[string]float64{"Invocations": 1, "Errors": errors, "Duration": float64(res.duration) / float64(time.Millisecond)},
		map[string]string{"Invocations": "Count", "Errors": "Count", "Duration": "Milliseconds"})
}

// countThrottle reports a request refused with TooManyRequestsException.
func (s *Service) countThrottle(region string, ref functionRef) {
	s.publishMetrics(region, ref, map[string]float64{"Throttles": 1}, map[string]string{"Throttles": "Count"})
}
