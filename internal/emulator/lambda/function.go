package lambda

import (
	"strings"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// Lambda limits.
const (
	maxRequestBody      = 69_905_067 // base64 of a 50 MB zip, plus the JSON around it
	maxUnzipped         = 262_144_000
	maxEnvSize          = 4096
	maxTags             = 50
	codeStorageLimit    = 75 << 30
	accountConcurrency  = 1000
	minUnreserved       = 100
	latest              = "$LATEST"
	lambdaPrincipal     = "lambda.amazonaws.com"
	timestampLayout     = "2006-01-02T15:04:05.000-0700"
	defaultTimeout      = 3
	defaultMemory       = 128
	defaultArchitecture = "x86_64"
)

// config is what a function version runs with.
type config struct {
	runtime      string
	role         string
	handler      string
	description  string
	timeout      int
	memory       int
	env          map[string]string
	envSet       bool
	subnets      []string
	sgs          []string
	ipv6         *bool
	architecture string
	ephemeral    int
	tracing      string
	logFormat    string
	logGroup     string
	kmsKeyARN    string
}

func (c config) clone() config {
	out := c
	if c.env != nil {
		out.env = make(map[string]string, len(c.env))
		for k, v := range c.env {
			out.env[k] = v
		}
	}
	out.subnets = append([]string(nil), c.subnets...)
	out.sgs = append([]string(nil), c.sgs...)
	return out
}

// version is an immutable function configuration and code: $LATEST at one
// revision, or a published version.
type version struct {
	name         string // "$LATEST" or "1", "2", …
	cfg          config
	code         *codePackage
	revision     string
	lastModified time.Time
	readyAt      time.Time // Pending (new) or InProgress (update) until then
	update       bool      // readyAt ends an update rather than the creation
	from         *version  // for published versions: the $LATEST they were published from
}

type function struct {
	region, name, arn string
	cur               *version // $LATEST as last configured
	prev              *version // $LATEST before an update in progress (still serving)
	versions          map[string]*version
	versionOrder      []string
	nextVersion       int
	tags              map[string]string
	reserved          *int
	inflight          int
	execs             map[string]*executor // by version revision
	logs              *logBuffer
}

func (f *function) allExecutors() []*executor {
	out := make([]*executor, 0, len(f.execs))
	for _, e := range f.execs {
		out = append(out, e)
	}
	return out
}

func functionKey(region, name string) string { return region + "\x00" + name }

// ------------------------------------------------------------ lookups

// functionRef is a parsed FunctionName parameter.
type functionRef struct {
	name, qualifier string
}

// parseFunctionName accepts a name, a full ARN or a partial ARN
// (123456789012:function:name), each optionally qualified (…:1, …:$LATEST).
func parseFunctionName(req *core.Request, raw string) (functionRef, *core.APIError) {
	if raw == "" {
		return functionRef{}, errValidation("null", "functionName", "Member must not be null")
	}
	s := raw
	if strings.HasPrefix(s, "arn:") {
		p, ok := core.ParseARN(s)
		if !ok || p.Service != "lambda" || !strings.HasPrefix(p.Resource, "function:") {
			return functionRef{}, errValidation(raw, "functionName", "Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?")
		}
		if p.Account != req.AccountID || p.Region != req.Region {
			return functionRef{}, errNotFound(raw)
		}
		s = strings.TrimPrefix(p.Resource, "function:")
	} else if parts := strings.SplitN(s, ":", 3); len(parts) >= 3 && parts[1] == "function" {
		if parts[0] != req.AccountID {
			return functionRef{}, errNotFound(raw)
		}
		s = parts[2]
	}
	name, qual, _ := strings.Cut(s, ":")
	if !functionNameRE.MatchString(name) || (qual != "" && !qualifierRE.MatchString(qual)) {
		return functionRef{}, errValidation(raw, "functionName", "Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?")
	}
	return functionRef{name: name, qualifier: qual}, nil
}

// resolve parses the FunctionName path label and the Qualifier query parameter.
func resolve(req *core.Request, label string) (functionRef, *core.APIError) {
	ref, err := parseFunctionName(req, label)
	if err != nil {
		return ref, err
	}
	if q := req.HTTP.URL.Query().Get("Qualifier"); q != "" {
		if !qualifierRE.MatchString(q) {
			return ref, errValidation(q, "qualifier", "Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)")
		}
		if ref.qualifier != "" && ref.qualifier != q {
			return ref, errInvalidParameter("The derived qualifier from the function name does not match the specified qualifier.")
		}
		ref.qualifier = q
	}
	return ref, nil
}

func (s *Service) functionARN(region, account, name string) string {
	return core.ARN("lambda", region, account, "function:"+name)
}

// lookupLocked finds a function and the version a reference names. For
// $LATEST it returns the configured version (which may be updating).
func (s *Service) lookupLocked(req *core.Request, ref functionRef) (*function, *version, *core.APIError) {
	f := s.functions[functionKey(req.Region, ref.name)]
	arn := s.functionARN(req.Region, req.AccountID, ref.name)
	if ref.qualifier != "" && ref.qualifier != latest {
		arn += ":" + ref.qualifier
	}
	if f == nil {
		return nil, nil, errNotFound(arn)
	}
	if ref.qualifier == "" || ref.qualifier == latest {
		return f, f.cur, nil
	}
	v := f.versions[ref.qualifier]
	if v == nil {
		return nil, nil, errNotFound(arn)
	}
	return f, v, nil
}

// serving returns the version that invocations of $LATEST run: the previous
// one while an update is in progress.
func (f *function) serving(now time.Time) *version {
	if f.prev != nil && now.Before(f.cur.readyAt) {
		return f.prev
	}
	f.prev = nil
	return f.cur
}

func (s *Service) totalCodeSizeLocked() int64 {
	var n int64
	for _, f := range s.functions {
		n += f.cur.code.size
		for _, v := range f.versions {
			n += v.code.size
		}
	}
	return n
}
