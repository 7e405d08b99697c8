package lambda

import (
	"strconv"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// publishLocked publishes $LATEST as a new version (or returns the latest
// published version when the code and configuration have not changed).
func (s *Service) publishLocked(f *function, description string, now time.Time) *version {
	if n := len(f.versionOrder); n > 0 {
		if last := f.versions[f.versionOrder[n-1]]; last.from == f.cur {
			return last
		}
	}
	v := *f.cur
	v.from = f.cur
	v.name = strconv.Itoa(f.nextVersion)
	v.cfg = f.cur.cfg.clone()
	if description != "" {
		v.cfg.description = description
	}
	v.revision = core.NewRequestID()
	v.lastModified = now
	f.nextVersion++
	f.versions[v.name] = &v
	f.versionOrder = append(f.versionOrder, v.name)
	return &v
}

func (s *Service) publishVersion(req *core.Request) (any, *core.APIError) {
	ref, err := resolve(req, req.Param("FunctionName"))
	if err != nil {
		return nil, err
	}
	var in struct {
		CodeSha256  string `json:"CodeSha256"`
		Description string `json:"Description"`
		RevisionID  string `json:"RevisionId"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	f, _, err := s.lookupLocked(req, functionRef{name: ref.name})
	if err != nil {
		return nil, err
	}
	if err := checkUpdatableLocked(f, in.RevisionID, now); err != nil {
		return nil, err
	}
	if in.CodeSha256 != "" && in.CodeSha256 != f.cur.code.sha256 {
		return nil, errInvalidParameter("CodeSHA256 (%s) is different from current CodeSHA256 in $LATEST (%s). Please try again with the CodeSHA256 in $LATEST.", in.CodeSha256, f.cur.code.sha256)
	}
	v := s.publishLocked(f, in.Description, now)
	return s.configuration(f, v, now), nil
}

func (s *Service) listVersions(req *core.Request) (any, *core.APIError) {
	ref, err := resolve(req, req.Param("FunctionName"))
	if err != nil {
		return nil, err
	}
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	f, _, err := s.lookupLocked(req, functionRef{name: ref.name})
	if err != nil {
		return nil, err
	}
	out := struct {
		Versions []functionConfiguration `json:"Versions"`
	}{Versions: []functionConfiguration{s.configuration(f, f.cur, now)}}
	for _, n := range f.versionOrder {
		out.Versions = append(out.Versions, s.configuration(f, f.versions[n], now))
	}
	return out, nil
}

func versionsOf(f *function) []*version {
	out := make([]*version, 0, len(f.versions))
	for _, v := range f.versions {
		out = append(out, v)
	}
	return out
}
