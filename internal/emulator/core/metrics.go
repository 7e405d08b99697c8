package core

import "time"

// ServiceMetric is one value of a metric that an AWS service publishes to
// CloudWatch for the customer's resources (AWS/Lambda Invocations, Errors,
// Duration, Throttles).
type ServiceMetric struct {
	Namespace  string
	Name       string
	Dimensions map[string]string
	Value      float64
	// Unit is a CloudWatch unit name ("Count", "Milliseconds").
	Unit string
	Time time.Time
}

// MetricSink is implemented by the CloudWatch service: services hand it the
// metrics they publish, in the region of the resource they describe. Unlike
// PutMetricData and EMF, it may write to the reserved AWS/ namespaces.
type MetricSink interface {
	PutServiceMetrics(region string, metrics []ServiceMetric)
}
