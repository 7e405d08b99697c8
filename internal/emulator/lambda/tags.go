package lambda

import (
	"net/http"
	"strings"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// taggableLocked resolves a tag API resource: a function or an event
// source mapping ARN.
func (s *Service) taggableLocked(req *core.Request, arn string) (map[string]string, *core.APIError) {
	p, ok := core.ParseARN(arn)
	if !ok || p.Service != "lambda" {
		return nil, errValidation(arn, "resource", "Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|event-source-mapping:[0-9a-f-]{36})")
	}
	if p.Region != req.Region || p.Account != req.AccountID {
		return nil, errNotFound(arn)
	}
	if id, ok := strings.CutPrefix(p.Resource, "event-source-mapping:"); ok {
		m := s.mappings[id]
		if m == nil || m.region != req.Region || m.gone(s.env.Clock.Now()) {
			return nil, core.StatusErrorf(http.StatusNotFound, "ResourceNotFoundException", "The resource you requested does not exist.")
		}
		return m.tags, nil
	}
	name, ok := strings.CutPrefix(p.Resource, "function:")
	if !ok || strings.Contains(name, ":") {
		return nil, errInvalidParameter("Tags are not supported on qualified function ARNs: %s", arn)
	}
	f := s.functions[functionKey(req.Region, name)]
	if f == nil {
		return nil, errNotFound(arn)
	}
	return f.tags, nil
}

func (s *Service) listTags(req *core.Request, _ http.ResponseWriter, p []string) (int, any, *core.APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tags, err := s.taggableLocked(req, p[0])
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"Tags": copyTags(tags)}, nil
}

func (s *Service) tagResource(req *core.Request, _ http.ResponseWriter, p []string) (int, any, *core.APIError) {
	var in struct {
		Tags map[string]string `json:"Tags"`
	}
	if err := readBody(req, core.MaxRequestBody, &in); err != nil {
		return 0, nil, err
	}
	if in.Tags == nil {
		return 0, nil, errValidation("null", "tags", "Member must not be null")
	}
	if err := validateTags(in.Tags); err != nil {
		return 0, nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tags, err := s.taggableLocked(req, p[0])
	if err != nil {
		return 0, nil, err
	}
	merged := copyTags(tags)
	for k, v := range in.Tags {
		merged[k] = v
	}
	if len(merged) > maxTags {
		return 0, nil, errInvalidParameter("Number of tags exceeds resource tag limit.")
	}
	for k, v := range in.Tags {
		tags[k] = v
	}
	return http.StatusNoContent, nil, nil
}

func (s *Service) untagResource(req *core.Request, _ http.ResponseWriter, p []string) (int, any, *core.APIError) {
	keys := req.HTTP.URL.Query()["tagKeys"]
	if len(keys) == 0 {
		return 0, nil, errValidation("null", "tagKeys", "Member must not be null")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tags, err := s.taggableLocked(req, p[0])
	if err != nil {
		return 0, nil, err
	}
	for _, k := range keys {
		delete(tags, k)
	}
	return http.StatusNoContent, nil, nil
}
