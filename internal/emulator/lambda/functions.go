package lambda

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// ------------------------------------------------------------ CreateFunction

func (s *Service) createFunction(req *core.Request, _ http.ResponseWriter, _ []string) (int, any, *core.APIError) {
	var in createFunctionInput
	if err := readBody(req, maxRequestBody, &in); err != nil {
		return 0, nil, err
	}
	if in.FunctionName == "" {
		return 0, nil, errValidation("null", "functionName", "Member must not be null")
	}
	ref, err := parseFunctionName(req, in.FunctionName)
	if err != nil {
		return 0, nil, err
	}
	if ref.qualifier != "" {
		return 0, nil, errInvalidParameter("Unsupported FunctionName: %s", in.FunctionName)
	}
	if in.PackageType != "" && in.PackageType != "Zip" && in.PackageType != "Image" {
		return 0, nil, errValidation(in.PackageType, "packageType", "Member must satisfy enum value set: [Zip, Image]")
	}
	if in.PackageType == "Image" || (in.Code != nil && in.Code.ImageURI != "") {
		return 0, nil, errInvalidParameter("The emulator runs only .zip deployment packages; container images (PackageType Image, ImageUri) are not supported.")
	}
	if in.Role == "" {
		return 0, nil, errValidation("null", "role", "Member must not be null")
	}
	if !roleARNRE.MatchString(in.Role) {
		return 0, nil, errValidation(in.Role, "role", "Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+")
	}
	if in.Code == nil {
		return 0, nil, errValidation("null", "code", "Member must not be null")
	}
	if in.Runtime == "" || in.Handler == "" {
		return 0, nil, errInvalidParameter("Runtime and Handler are mandatory parameters for functions created with deployment packages.")
	}
	if err := validateRuntime(in.Runtime); err != nil {
		return 0, nil, err
	}
	if len(in.Handler) > 128 {
		return 0, nil, errValidation(in.Handler, "handler", "Member must have length less than or equal to 128")
	}
	cfg := config{
		runtime: in.Runtime, role: in.Role, handler: in.Handler, timeout: defaultTimeout, memory: defaultMemory,
		architecture: defaultArchitecture, ephemeral: 512, tracing: "PassThrough", logFormat: "Text",
		logGroup: "/aws/lambda/" + ref.name, kmsKeyARN: in.KMSKeyArn,
	}
	if err := applyCommon(&cfg, in.Description, in.Timeout, in.MemorySize, in.Environment, in.VpcConfig, in.TracingConfig, in.EphemeralStorage, in.LoggingConfig); err != nil {
		return 0, nil, err
	}
	if len(in.Layers) > 0 {
		return 0, nil, errInvalidParameter("The emulator does not support layers.")
	}
	if len(in.FileSystemConfigs) > 0 {
		return 0, nil, errInvalidParameter("The emulator does not support file system configurations.")
	}
	if len(in.Architectures) > 1 {
		return 0, nil, errValidation("["+strings.Join(in.Architectures, ", ")+"]", "architectures", "Member must have length less than or equal to 1")
	}
	if len(in.Architectures) == 1 {
		if a := in.Architectures[0]; a != "x86_64" && a != "arm64" {
			return 0, nil, errValidation("["+a+"]", "architectures", "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]]")
		}
		cfg.architecture = in.Architectures[0]
	}
	if err := validateTags(in.Tags); err != nil {
		return 0, nil, err
	}
	code, err := codeFromInput(in.Code)
	if err != nil {
		return 0, nil, err
	}
	if err := s.checkRole(in.Role, len(cfg.subnets) > 0); err != nil {
		return 0, nil, err
	}

	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	key := functionKey(req.Region, ref.name)
	if s.functions[key] != nil {
		return 0, nil, errConflict("Function already exist: %s", ref.name)
	}
	if s.totalCodeSizeLocked()+code.size > codeStorageLimit {
		return 0, nil, core.Errorf("CodeStorageExceededException", "Code storage limit exceeded.")
	}
	f := &function{
		region: req.Region, name: ref.name, arn: s.functionARN(req.Region, req.AccountID, ref.name),
		versions: map[string]*version{}, nextVersion: 1, tags: map[string]string{}, execs: map[string]*executor{},
		logs: newLogBuffer(),
	}
	for k, v := range in.Tags {
		f.tags[k] = v
	}
	f.cur = &version{name: latest, cfg: cfg, code: code, revision: core.NewRequestID(), lastModified: now, readyAt: now.Add(s.stateDelay)}
	s.functions[key] = f
	out := f.cur
	if in.Publish {
		out = s.publishLocked(f, "", now)
	}
	return http.StatusCreated, s.configuration(f, out, now), nil
}

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

// ------------------------------------------------------------ Get / List / Delete

type getFunctionOutput struct {
	Configuration functionConfiguration `json:"Configuration"`
	Code          map[string]string     `json:"Code"`
	Tags          map[string]string     `json:"Tags,omitempty"`
	Concurrency   map[string]int        `json:"Concurrency,omitempty"`
}

func (s *Service) getFunction(req *core.Request, _ http.ResponseWriter, p []string) (int, any, *core.APIError) {
	ref, err := resolve(req, p[0])
	if err != nil {
		return 0, nil, err
	}
	base := s.endpointURL(req)
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	f, v, err := s.lookupLocked(req, ref)
	if err != nil {
		return 0, nil, err
	}
	out := getFunctionOutput{
		Configuration: s.configuration(f, v, now),
		Code: map[string]string{
			"RepositoryType": "S3",
			"Location":       base + "/_emulator/lambda/code/" + f.region + "/" + f.name + "/" + v.code.hexSHA + ".zip",
		},
	}
	if ref.qualifier == "" {
		out.Tags = copyTags(f.tags)
	}
	if f.reserved != nil {
		out.Concurrency = map[string]int{"ReservedConcurrentExecutions": *f.reserved}
	}
	return http.StatusOK, out, nil
}

func copyTags(t map[string]string) map[string]string {
	out := make(map[string]string, len(t))
	for k, v := range t {
		out[k] = v
	}
	return out
}

func (s *Service) getFunctionConfiguration(req *core.Request, _ http.ResponseWriter, p []string) (int, any, *core.APIError) {
	ref, err := resolve(req, p[0])
	if err != nil {
		return 0, nil, err
	}
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	f, v, err := s.lookupLocked(req, ref)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, s.configuration(f, v, now), nil
}

func pageParams(req *core.Request) (marker string, limit int, err *core.APIError) {
	q := req.HTTP.URL.Query()
	limit = 50
	if m := q.Get("MaxItems"); m != "" {
		n, perr := strconv.Atoi(m)
		if perr != nil || n < 1 || n > 10000 {
			return "", 0, errValidation(m, "maxItems", "Member must have value between 1 and 10000")
		}
		limit = n
	}
	return q.Get("Marker"), limit, nil
}

func (s *Service) listFunctions(req *core.Request, _ http.ResponseWriter, _ []string) (int, any, *core.APIError) {
	marker, limit, err := pageParams(req)
	if err != nil {
		return 0, nil, err
	}
	limit = min(limit, 50)
	all := req.HTTP.URL.Query().Get("FunctionVersion") == "ALL"
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	var list []functionConfiguration
	for _, f := range s.functions {
		if f.region != req.Region {
			continue
		}
		list = append(list, s.configuration(f, f.cur, now))
		if all {
			for _, name := range f.versionOrder {
				list = append(list, s.configuration(f, f.versions[name], now))
			}
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].FunctionArn < list[j].FunctionArn })
	out := struct {
		Functions  []functionConfiguration `json:"Functions"`
		NextMarker string                  `json:"NextMarker,omitempty"`
	}{Functions: []functionConfiguration{}}
	for _, c := range list {
		if marker != "" && c.FunctionArn <= marker {
			continue
		}
		if len(out.Functions) == limit {
			out.NextMarker = out.Functions[limit-1].FunctionArn
			break
		}
		out.Functions = append(out.Functions, c)
	}
	return http.StatusOK, out, nil
}

func (s *Service) deleteFunction(req *core.Request, _ http.ResponseWriter, p []string) (int, any, *core.APIError) {
	ref, err := resolve(req, p[0])
	if err != nil {
		return 0, nil, err
	}
	s.mu.Lock()
	f, _, err := s.lookupLocked(req, ref)
	if err != nil {
		s.mu.Unlock()
		return 0, nil, err
	}
	var retire []*executor
	if ref.qualifier != "" && ref.qualifier != latest {
		delete(f.versions, ref.qualifier)
		for i, n := range f.versionOrder {
			if n == ref.qualifier {
				f.versionOrder = append(f.versionOrder[:i], f.versionOrder[i+1:]...)
				break
			}
		}
		if e := f.execs["v:"+ref.qualifier]; e != nil {
			retire = append(retire, e)
			delete(f.execs, "v:"+ref.qualifier)
		}
	} else {
		if ref.qualifier == latest {
			s.mu.Unlock()
			return 0, nil, errInvalidParameter("$LATEST version cannot be deleted without deleting the function.")
		}
		delete(s.functions, functionKey(f.region, f.name))
		retire = f.allExecutors()
		f.execs = map[string]*executor{}
	}
	s.mu.Unlock()
	for _, e := range retire {
		e.retire()
	}
	return http.StatusNoContent, nil, nil
}

// ------------------------------------------------------------ updates

type updateCodeInput struct {
	ZipFile         []byte   `json:"ZipFile"`
	S3Bucket        string   `json:"S3Bucket"`
	S3Key           string   `json:"S3Key"`
	S3ObjectVersion string   `json:"S3ObjectVersion"`
	ImageURI        string   `json:"ImageUri"`
	Architectures   []string `json:"Architectures"`
	Publish         bool     `json:"Publish"`
	DryRun          bool     `json:"DryRun"`
	RevisionID      string   `json:"RevisionId"`
}

// checkUpdatableLocked refuses updates while the function is being created
// or updated, and stale RevisionIds.
func checkUpdatableLocked(f *function, revision string, now time.Time) *core.APIError {
	if now.Before(f.cur.readyAt) {
		if f.cur.update {
			return errConflict("The operation cannot be performed at this time. An update is in progress for resource: %s", f.arn)
		}
		return errConflict("The operation cannot be performed at this time. The function is currently in the following state: Pending")
	}
	if revision != "" && revision != f.cur.revision {
		return core.StatusErrorf(http.StatusPreconditionFailed, "PreconditionFailedException", "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
	}
	return nil
}

// beginUpdateLocked makes next the configured $LATEST, serving the current
// one until the update completes.
func (s *Service) beginUpdateLocked(f *function, next *version, now time.Time) {
	f.prev = f.cur
	next.revision = core.NewRequestID()
	next.lastModified = now
	next.readyAt = now.Add(s.stateDelay)
	next.update = true
	f.cur = next
}

func (s *Service) updateFunctionCode(req *core.Request, _ http.ResponseWriter, p []string) (int, any, *core.APIError) {
	ref, err := resolve(req, p[0])
	if err != nil {
		return 0, nil, err
	}
	var in updateCodeInput
	if err := readBody(req, maxRequestBody, &in); err != nil {
		return 0, nil, err
	}
	if ref.qualifier != "" && ref.qualifier != latest {
		return 0, nil, errInvalidParameter("Only $LATEST can be updated.")
	}
	code, err := codeFromInput(&functionCodeInput{ZipFile: in.ZipFile, S3Bucket: in.S3Bucket, S3Key: in.S3Key, S3ObjectVersion: in.S3ObjectVersion, ImageURI: in.ImageURI})
	if err != nil {
		return 0, nil, err
	}
	if len(in.Architectures) > 1 {
		return 0, nil, errValidation("["+strings.Join(in.Architectures, ", ")+"]", "architectures", "Member must have length less than or equal to 1")
	}
	if len(in.Architectures) == 1 && in.Architectures[0] != "x86_64" && in.Architectures[0] != "arm64" {
		return 0, nil, errValidation("["+in.Architectures[0]+"]", "architectures", "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]]")
	}
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	f, _, err := s.lookupLocked(req, ref)
	if err != nil {
		return 0, nil, err
	}
	if err := checkUpdatableLocked(f, in.RevisionID, now); err != nil {
		return 0, nil, err
	}
	if in.DryRun {
		v := *f.cur
		v.code = code
		return http.StatusOK, s.configuration(f, &v, now), nil
	}
	next := *f.cur
	next.cfg = f.cur.cfg.clone()
	next.code = code
	if len(in.Architectures) == 1 {
		next.cfg.architecture = in.Architectures[0]
	}
	s.beginUpdateLocked(f, &next, now)
	out := f.cur
	if in.Publish {
		out = s.publishLocked(f, "", now)
	}
	return http.StatusOK, s.configuration(f, out, now), nil
}

type updateConfigInput struct {
	Role             *string                `json:"Role"`
	Handler          *string                `json:"Handler"`
	Description      *string                `json:"Description"`
	Timeout          *int                   `json:"Timeout"`
	MemorySize       *int                   `json:"MemorySize"`
	VpcConfig        *vpcConfigInput        `json:"VpcConfig"`
	Environment      *environmentInput      `json:"Environment"`
	Runtime          *string                `json:"Runtime"`
	KMSKeyArn        *string                `json:"KMSKeyArn"`
	TracingConfig    *struct{ Mode string } `json:"TracingConfig"`
	RevisionID       string                 `json:"RevisionId"`
	Layers           []string               `json:"Layers"`
	EphemeralStorage *struct{ Size int }    `json:"EphemeralStorage"`
	LoggingConfig    *loggingConfig         `json:"LoggingConfig"`
}

func (s *Service) updateFunctionConfiguration(req *core.Request, _ http.ResponseWriter, p []string) (int, any, *core.APIError) {
	ref, err := resolve(req, p[0])
	if err != nil {
		return 0, nil, err
	}
	var in updateConfigInput
	if err := readBody(req, core.MaxRequestBody, &in); err != nil {
		return 0, nil, err
	}
	if ref.qualifier != "" && ref.qualifier != latest {
		return 0, nil, errInvalidParameter("Only $LATEST can be updated.")
	}
	if in.Runtime != nil {
		if err := validateRuntime(*in.Runtime); err != nil {
			return 0, nil, err
		}
	}
	if in.Role != nil && !roleARNRE.MatchString(*in.Role) {
		return 0, nil, errValidation(*in.Role, "role", "Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+")
	}
	if len(in.Layers) > 0 {
		return 0, nil, errInvalidParameter("The emulator does not support layers.")
	}
	s.mu.Lock()
	f, _, err := s.lookupLocked(req, ref)
	if err != nil {
		s.mu.Unlock()
		return 0, nil, err
	}
	cfg := f.cur.cfg.clone()
	s.mu.Unlock()
	if err := applyCommon(&cfg, in.Description, in.Timeout, in.MemorySize, in.Environment, in.VpcConfig, in.TracingConfig, in.EphemeralStorage, in.LoggingConfig); err != nil {
		return 0, nil, err
	}
	if in.Role != nil {
		cfg.role = *in.Role
	}
	if in.Handler != nil {
		cfg.handler = *in.Handler
	}
	if in.Runtime != nil {
		cfg.runtime = *in.Runtime
	}
	if in.KMSKeyArn != nil {
		cfg.kmsKeyARN = *in.KMSKeyArn
	}
	// The role is checked outside the lock (IAM is another service).
	if err := s.checkRole(cfg.role, len(cfg.subnets) > 0); err != nil {
		return 0, nil, err
	}
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.functions[functionKey(f.region, f.name)] != f {
		return 0, nil, errNotFound(f.arn)
	}
	if err := checkUpdatableLocked(f, in.RevisionID, now); err != nil {
		return 0, nil, err
	}
	// Fields not given keep the values they have now (another update may have
	// completed between the two locks).
	merged := f.cur.cfg.clone()
	if in.Description != nil {
		merged.description = cfg.description
	}
	if in.Timeout != nil {
		merged.timeout = cfg.timeout
	}
	if in.MemorySize != nil {
		merged.memory = cfg.memory
	}
	if in.Environment != nil {
		merged.env, merged.envSet = cfg.env, true
	}
	if in.VpcConfig != nil {
		merged.subnets, merged.sgs, merged.ipv6 = cfg.subnets, cfg.sgs, cfg.ipv6
	}
	if in.TracingConfig != nil {
		merged.tracing = cfg.tracing
	}
	if in.EphemeralStorage != nil {
		merged.ephemeral = cfg.ephemeral
	}
	if in.LoggingConfig != nil {
		merged.logFormat, merged.logGroup = cfg.logFormat, cfg.logGroup
	}
	if in.Role != nil {
		merged.role = cfg.role
	}
	if in.Handler != nil {
		merged.handler = cfg.handler
	}
	if in.Runtime != nil {
		merged.runtime = cfg.runtime
	}
	if in.KMSKeyArn != nil {
		merged.kmsKeyARN = cfg.kmsKeyARN
	}
	next := *f.cur
	next.cfg = merged
	s.beginUpdateLocked(f, &next, now)
	return http.StatusOK, s.configuration(f, f.cur, now), nil
}

func (s *Service) publishVersion(req *core.Request, _ http.ResponseWriter, p []string) (int, any, *core.APIError) {
	ref, err := resolve(req, p[0])
	if err != nil {
		return 0, nil, err
	}
	var in struct {
		CodeSha256  string `json:"CodeSha256"`
		Description string `json:"Description"`
		RevisionID  string `json:"RevisionId"`
	}
	if err := readBody(req, core.MaxRequestBody, &in); err != nil {
		return 0, nil, err
	}
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	f, _, err := s.lookupLocked(req, functionRef{name: ref.name})
	if err != nil {
		return 0, nil, err
	}
	if err := checkUpdatableLocked(f, in.RevisionID, now); err != nil {
		return 0, nil, err
	}
	if in.CodeSha256 != "" && in.CodeSha256 != f.cur.code.sha256 {
		return 0, nil, errInvalidParameter("CodeSHA256 (%s) is different from current CodeSHA256 in $LATEST (%s). Please try again with the CodeSHA256 in $LATEST.", in.CodeSha256, f.cur.code.sha256)
	}
	v := s.publishLocked(f, in.Description, now)
	return http.StatusCreated, s.configuration(f, v, now), nil
}

func (s *Service) listVersions(req *core.Request, _ http.ResponseWriter, p []string) (int, any, *core.APIError) {
	ref, err := resolve(req, p[0])
	if err != nil {
		return 0, nil, err
	}
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	f, _, err := s.lookupLocked(req, functionRef{name: ref.name})
	if err != nil {
		return 0, nil, err
	}
	out := struct {
		Versions []functionConfiguration `json:"Versions"`
	}{Versions: []functionConfiguration{s.configuration(f, f.cur, now)}}
	for _, n := range f.versionOrder {
		out.Versions = append(out.Versions, s.configuration(f, f.versions[n], now))
	}
	return http.StatusOK, out, nil
}
