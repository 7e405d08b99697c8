package route53

import (
	"encoding/xml"
	"sort"
	"strings"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// Tags of hosted zones and health checks.

type xmlTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type xmlResourceTagSet struct {
	ResourceType string   `xml:"ResourceType"`
	ResourceID   string   `xml:"ResourceId"`
	Tags         []xmlTag `xml:"Tags>Tag"`
}

// tagsOf returns the tag map of a hosted zone or health check.
func (s *Service) tagsOf(resourceType, id string) (map[string]string, *core.APIError) {
	switch resourceType {
	case "hostedzone":
		z, err := s.zoneByID(id)
		if err != nil {
			return nil, err
		}
		return z.tags, nil
	case "healthcheck":
		hc := s.healthChecks[stripPrefix(id)]
		if hc == nil {
			return nil, noSuchHealthCheck(id)
		}
		return hc.tags, nil
	}
	return nil, invalidInput("1 validation error detected: Value '%s' at 'resourceType' failed to satisfy constraint: Member must satisfy enum value set: [healthcheck, hostedzone]", resourceType)
}

func tagSet(resourceType, id string, tags map[string]string) xmlResourceTagSet {
	set := xmlResourceTagSet{ResourceType: resourceType, ResourceID: stripPrefix(id), Tags: []xmlTag{}}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		set.Tags = append(set.Tags, xmlTag{Key: k, Value: tags[k]})
	}
	return set
}

func (s *Service) changeTagsForResource(req *core.Request) (any, *core.APIError) {
	var in struct {
		AddTags       []xmlTag `xml:"AddTags>Tag"`
		RemoveTagKeys []string `xml:"RemoveTagKeys>Key"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if len(in.AddTags) > 10 || len(in.RemoveTagKeys) > 10 {
		return nil, invalidInput("1 validation error detected: AddTags and RemoveTagKeys accept at most 10 members each")
	}
	for _, t := range in.AddTags {
		if t.Key == "" || len(t.Key) > 128 || len(t.Value) > 256 {
			return nil, invalidInput("Invalid tag: keys are 1-128 characters and values at most 256 (key %q)", t.Key)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tags, err := s.tagsOf(req.Param("ResourceType"), req.Param("ResourceId"))
	if err != nil {
		return nil, err
	}
	for _, k := range in.RemoveTagKeys {
		delete(tags, k)
	}
	for _, t := range in.AddTags {
		tags[t.Key] = t.Value
	}
	if len(tags) > 50 {
		return nil, invalidInput("a resource can have at most 50 tags")
	}
	return nil, nil
}

func (s *Service) listTagsForResource(req *core.Request) (any, *core.APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tags, err := s.tagsOf(req.Param("ResourceType"), req.Param("ResourceId"))
	if err != nil {
		return nil, err
	}
	return struct {
		XMLName        xml.Name          `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListTagsForResourceResponse"`
		ResourceTagSet xmlResourceTagSet `xml:"ResourceTagSet"`
	}{ResourceTagSet: tagSet(req.Param("ResourceType"), req.Param("ResourceId"), tags)}, nil
}

func (s *Service) listTagsForResources(req *core.Request) (any, *core.APIError) {
	var in struct {
		ResourceIDs []string `xml:"ResourceIds>ResourceId"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if len(in.ResourceIDs) == 0 || len(in.ResourceIDs) > 10 {
		return nil, invalidInput("1 validation error detected: Value at 'resourceIds' failed to satisfy constraint: Member must have length between 1 and 10")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := struct {
		XMLName         xml.Name            `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListTagsForResourcesResponse"`
		ResourceTagSets []xmlResourceTagSet `xml:"ResourceTagSets>ResourceTagSet"`
	}{}
	for _, id := range in.ResourceIDs {
		tags, err := s.tagsOf(req.Param("ResourceType"), strings.TrimSpace(id))
		if err != nil {
			return nil, err
		}
		out.ResourceTagSets = append(out.ResourceTagSets, tagSet(req.Param("ResourceType"), id, tags))
	}
	return out, nil
}
