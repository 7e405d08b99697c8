package bus

import (
	"context"
	"fmt"

	"github.com/regis-infra/terraform-provider-regis/internal/conns"
)

// DestroyForTest deletes a bus and all its regions out of band, as the
// regis_bus resource's Delete would, finding the regions as import does.
// _disappears tests use it.
func DestroyForTest(ctx context.Context, c *conns.AWSClient, topicARN string) error {
	a, ok := parseARN(topicARN)
	if !ok {
		return fmt.Errorf("%q is not a topic ARN", topicARN)
	}
	e := &engine{c: c, spec: &busSpec{Name: a.Resource, HomeRegion: a.Region}, topicARN: topicARN}
	regions, err := e.discover(ctx)
	if err != nil {
		return err
	}
	for region, ids := range regions {
		if err := e.deleteRegion(ctx, region, ids); err != nil {
			return err
		}
	}
	return deleteTopic(ctx, c.SNS(ctx, a.Region), topicARN)
}
