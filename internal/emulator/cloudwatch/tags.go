package cloudwatch

import (
	"strings"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// alarmByARNLocked resolves an alarm ARN of this account and region.
func (s *Service) alarmByARNLocked(req *core.Request, arn string) (*alarm, *core.APIError) {
	if arn == "" {
		return nil, errMissingParameter("ResourceARN")
	}
	p, ok := core.ParseARN(arn)
	if !ok || p.Service != "cloudwatch" {
		return nil, errInvalidParameterValue("Invalid ARN %s", arn)
	}
	name, ok := strings.CutPrefix(p.Resource, "alarm:")
	if !ok {
		return nil, errResourceNotFoundException("Unknown resource %s", arn)
	}
	al := s.alarms[alarmKey(req.Region, name)]
	if al == nil || p.Region != req.Region || p.Account != req.AccountID {
		return nil, errResourceNotFoundException("Alarm %s does not exist.", arn)
	}
	return al, nil
}

func (s *Service) tagResource(req *core.Request, c *call) (any, *core.APIError) {
	var in resourceTagsInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.Tags == nil {
		return nil, errMissingParameter("Tags")
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	al, err := s.alarmByARNLocked(req, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	merged := mergeTags(append([]Tag(nil), al.tags...), in.Tags)
	if len(merged) > maxTags {
		return nil, errLimitExceeded("The resource would have more than 50 tags.")
	}
	al.tags = merged
	// The query protocol answers with an empty <…Result/>: the
	// model gives these outputs a result wrapper (botocore needs it).
	return struct{}{}, nil
}

func (s *Service) untagResource(req *core.Request, c *call) (any, *core.APIError) {
	var in resourceTagsInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.TagKeys == nil {
		return nil, errMissingParameter("TagKeys")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	al, err := s.alarmByARNLocked(req, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	drop := map[string]bool{}
	for _, k := range in.TagKeys {
		drop[k] = true
	}
	var kept []Tag
	for _, t := range al.tags {
		if !drop[t.Key] {
			kept = append(kept, t)
		}
	}
	al.tags = kept
	// The query protocol answers with an empty <…Result/>: the
	// model gives these outputs a result wrapper (botocore needs it).
	return struct{}{}, nil
}

func (s *Service) listTagsForResource(req *core.Request, c *call) (any, *core.APIError) {
	var in resourceTagsInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	al, err := s.alarmByARNLocked(req, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	return listTagsOutput{Tags: append([]Tag{}, al.tags...)}, nil
}
