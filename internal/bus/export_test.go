package bus

import (
	"context"

	"github.com/regis-infra/terraform-provider-regis/internal/busdiscovery"
	"github.com/regis-infra/terraform-provider-regis/internal/conns"
)

// DestroyForTest deletes a bus and all its regions out of band, as the
// regis_bus resource's Delete would, finding its objects by name as import
// does. id is the bus's id or its topic's ARN. _disappears tests use it.
func DestroyForTest(ctx context.Context, c *conns.AWSClient, id string) error {
	name, home, err := parseBusID(id)
	if err != nil {
		return err
	}
	found, err := busdiscovery.Find(ctx, discoveryClients{ctx: ctx, c: c}, busdiscovery.Query{Name: name, HomeRegion: home, AccountID: c.AccountID})
	if err != nil {
		return err
	}
	e := &engine{c: c, spec: &busSpec{Name: name, HomeRegion: home}, topicARN: found.TopicARN}
	for region, r := range found.Regions {
		if err := e.deleteRegion(ctx, region, idsFromDiscovery(r)); err != nil {
			return err
		}
	}
	if found.TopicARN == "" {
		return nil
	}
	return deleteTopic(ctx, c.SNS(ctx, home), found.TopicARN)
}
