package logs

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// maxTags is the number of tags a log group may have.
const maxTags = 50

var (
	tagKeyRE   = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$`)
	tagValueRE = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
)

// validateTags checks tag keys and values against the model's constraints.
// tooMany reports more than 50 tags as TooManyTagsException (TagResource)
// rather than InvalidParameterException (CreateLogGroup, TagLogGroup).
func validateTags(tags map[string]string, field string, tooMany bool) *core.APIError {
	if len(tags) > maxTags {
		if tooMany {
			return core.Errorf("TooManyTagsException", "A resource can have no more than %d tags.", maxTags)
		}
		return errConstraint(len(tags), field, "Member must have length less than or equal to 50")
	}
	for k, v := range tags {
		if utf8.RuneCountInString(k) < 1 || utf8.RuneCountInString(k) > 128 || !tagKeyRE.MatchString(k) {
			return errConstraint(k, field+".key", `Member must satisfy regular expression pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$ and have length between 1 and 128`)
		}
		if utf8.RuneCountInString(v) > 256 || !tagValueRE.MatchString(v) {
			return errConstraint(v, field+".value", `Member must satisfy regular expression pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$ and have length less than or equal to 256`)
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return errInvalidParameter("Tag keys with the prefix aws: are reserved for AWS use.")
		}
	}
	return nil
}

// groupByARNLocked finds the log group a resource ARN names
// (arn:aws:logs:region:account:log-group:name, with or without ":*").
func (s *Service) groupByARNLocked(req *core.Request, arn string) (*group, *core.APIError) {
	if arn == "" {
		return nil, errMissing("resourceArn")
	}
	p, ok := core.ParseARN(arn)
	if !ok || p.Service != "logs" {
		return nil, errInvalidParameter("Invalid resource ARN %s.", arn)
	}
	name, isGroup := strings.CutPrefix(p.Resource, "log-group:")
	if !isGroup || p.Region != req.Region || p.Account != req.AccountID {
		return nil, core.Errorf("ResourceNotFoundException", "The specified resource does not exist.")
	}
	g := s.groups[groupKey(req.Region, strings.TrimSuffix(name, ":*"))]
	if g == nil {
		return nil, core.Errorf("ResourceNotFoundException", "The specified resource does not exist.")
	}
	return g, nil
}

// addTagsLocked merges tags into g, refusing a result of more than 50 tags.
func addTagsLocked(g *group, tags map[string]string, tooMany bool) *core.APIError {
	merged := map[string]string{}
	for k, v := range g.tags {
		merged[k] = v
	}
	for k, v := range tags {
		merged[k] = v
	}
	if err := validateTags(merged, "tags", tooMany); err != nil {
		return err
	}
	g.tags = merged
	return nil
}

func copyTags(t map[string]string) map[string]string {
	out := make(map[string]string, len(t))
	for k, v := range t {
		out[k] = v
	}
	return out
}

func (s *Service) tagResource(req *core.Request) (any, *core.APIError) {
	var in struct {
		ResourceArn string            `json:"resourceArn"`
		Tags        map[string]string `json:"tags"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, errConstraint("{}", "tags", "Member must have length greater than or equal to 1")
	}
	if err := validateTags(in.Tags, "tags", true); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.groupByARNLocked(req, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return nil, addTagsLocked(g, in.Tags, true)
}

func (s *Service) untagResource(req *core.Request) (any, *core.APIError) {
	var in struct {
		ResourceArn string   `json:"resourceArn"`
		TagKeys     []string `json:"tagKeys"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if in.TagKeys == nil {
		return nil, errMissing("tagKeys")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.groupByARNLocked(req, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	for _, k := range in.TagKeys {
		delete(g.tags, k)
	}
	return nil, nil
}

func (s *Service) listTagsForResource(req *core.Request) (any, *core.APIError) {
	var in struct {
		ResourceArn string `json:"resourceArn"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.groupByARNLocked(req, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return map[string]any{"tags": copyTags(g.tags)}, nil
}

// The older log-group tagging operations, on the path to deprecation.

func (s *Service) tagLogGroup(req *core.Request) (any, *core.APIError) {
	var in struct {
		LogGroupName string            `json:"logGroupName"`
		Tags         map[string]string `json:"tags"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if err := validGroupName(in.LogGroupName, "logGroupName"); err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, errConstraint("{}", "tags", "Member must have length greater than or equal to 1")
	}
	if err := validateTags(in.Tags, "tags", false); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.groupLocked(req.Region, in.LogGroupName)
	if err != nil {
		return nil, err
	}
	return nil, addTagsLocked(g, in.Tags, false)
}

func (s *Service) untagLogGroup(req *core.Request) (any, *core.APIError) {
	var in struct {
		LogGroupName string   `json:"logGroupName"`
		Tags         []string `json:"tags"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if err := validGroupName(in.LogGroupName, "logGroupName"); err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, errConstraint("[]", "tags", "Member must have length greater than or equal to 1")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.groupLocked(req.Region, in.LogGroupName)
	if err != nil {
		return nil, err
	}
	for _, k := range in.Tags {
		delete(g.tags, k)
	}
	return nil, nil
}

func (s *Service) listTagsLogGroup(req *core.Request) (any, *core.APIError) {
	var in struct {
		LogGroupName string `json:"logGroupName"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if err := validGroupName(in.LogGroupName, "logGroupName"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.groupLocked(req.Region, in.LogGroupName)
	if err != nil {
		return nil, err
	}
	return map[string]any{"tags": copyTags(g.tags)}, nil
}
