package lambda

import (
	"net/http"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

func (s *Service) putConcurrency(req *core.Request, _ http.ResponseWriter, p []string) (int, any, *core.APIError) {
	ref, err := resolve(req, p[0])
	if err != nil {
		return 0, nil, err
	}
	var in struct {
		ReservedConcurrentExecutions *int `json:"ReservedConcurrentExecutions"`
	}
	if err := readBody(req, core.MaxRequestBody, &in); err != nil {
		return 0, nil, err
	}
	if in.ReservedConcurrentExecutions == nil {
		return 0, nil, errValidation("null", "reservedConcurrentExecutions", "Member must not be null")
	}
	n := *in.ReservedConcurrentExecutions
	if n < 0 {
		return 0, nil, errValidation(n, "reservedConcurrentExecutions", "Member must have value greater than or equal to 0")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, _, err := s.lookupLocked(req, functionRef{name: ref.name})
	if err != nil {
		return 0, nil, err
	}
	others := 0
	for _, g := range s.functions {
		if g != f && g.region == f.region && g.reserved != nil {
			others += *g.reserved
		}
	}
	if accountConcurrency-others-n < minUnreserved {
		return 0, nil, errInvalidParameter("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [%d].", minUnreserved)
	}
	f.reserved = &n
	return http.StatusOK, map[string]int{"ReservedConcurrentExecutions": n}, nil
}

func (s *Service) getConcurrency(req *core.Request, _ http.ResponseWriter, p []string) (int, any, *core.APIError) {
	ref, err := resolve(req, p[0])
	if err != nil {
		return 0, nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, _, err := s.lookupLocked(req, functionRef{name: ref.name})
	if err != nil {
		return 0, nil, err
	}
	if f.reserved == nil {
		return http.StatusOK, struct{}{}, nil
	}
	return http.StatusOK, map[string]int{"ReservedConcurrentExecutions": *f.reserved}, nil
}

func (s *Service) deleteConcurrency(req *core.Request, _ http.ResponseWriter, p []string) (int, any, *core.APIError) {
	ref, err := resolve(req, p[0])
	if err != nil {
		return 0, nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, _, err := s.lookupLocked(req, functionRef{name: ref.name})
	if err != nil {
		return 0, nil, err
	}
	f.reserved = nil
	return http.StatusNoContent, nil, nil
}

func (s *Service) getAccountSettings(req *core.Request, _ http.ResponseWriter, _ []string) (int, any, *core.APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	count, reserved := 0, 0
	var size int64
	for _, f := range s.functions {
		if f.region != req.Region {
			continue
		}
		count++
		size += f.cur.code.size
		if f.reserved != nil {
			reserved += *f.reserved
		}
	}
	return http.StatusOK, map[string]any{
		"AccountLimit": map[string]any{
			"TotalCodeSize": int64(codeStorageLimit), "CodeSizeUnzipped": maxUnzipped, "CodeSizeZipped": 52428800,
			"ConcurrentExecutions": accountConcurrency, "UnreservedConcurrentExecutions": accountConcurrency - reserved,
		},
		"AccountUsage": map[string]any{"TotalCodeSize": size, "FunctionCount": count},
	}, nil
}
