package cloudwatch

import (
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

var _ core.MetricSink = (*Service)(nil)

// PutServiceMetrics implements core.MetricSink: the metrics AWS services
// publish for the customer's resources (AWS/Lambda Invocations, Errors,
// Duration, Throttles), stored as PutMetricData stores one value each.
// Values without a time are stamped with the emulator's clock.
func (s *Service) PutServiceMetrics(region string, metrics []core.ServiceMetric) {
	if len(metrics) == 0 {
		return
	}
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range metrics {
		if m.Namespace == "" || m.Name == "" {
			continue
		}
		dims := make([]Dimension, 0, len(m.Dimensions))
		for k, v := range m.Dimensions {
			dims = append(dims, Dimension{Name: k, Value: v})
		}
		t := m.Time
		if t.IsZero() {
			t = now
		}
		v := m.Value
		s.addSampleLocked(region, m.Namespace, m.Name, dims, sample{t: t, count: 1, sum: v, min: v, max: v, values: []float64{v}, unit: m.Unit})
	}
}
