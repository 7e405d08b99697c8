package lambda

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/iam"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/iampolicy"
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

// ------------------------------------------------------------ JSON shapes

type vpcConfigInput struct {
	SubnetIDs               []string `json:"SubnetIds"`
	SecurityGroupIDs        []string `json:"SecurityGroupIds"`
	Ipv6AllowedForDualStack *bool    `json:"Ipv6AllowedForDualStack"`
}

type environmentInput struct {
	Variables map[string]string `json:"Variables"`
}

type functionCodeInput struct {
	ZipFile         []byte `json:"ZipFile"`
	S3Bucket        string `json:"S3Bucket"`
	S3Key           string `json:"S3Key"`
	S3ObjectVersion string `json:"S3ObjectVersion"`
	ImageURI        string `json:"ImageUri"`
}

type createFunctionInput struct {
	FunctionName         string                 `json:"FunctionName"`
	Runtime              string                 `json:"Runtime"`
	Role                 string                 `json:"Role"`
	Handler              string                 `json:"Handler"`
	Code                 *functionCodeInput     `json:"Code"`
	Description          *string                `json:"Description"`
	Timeout              *int                   `json:"Timeout"`
	MemorySize           *int                   `json:"MemorySize"`
	Publish              bool                   `json:"Publish"`
	VpcConfig            *vpcConfigInput        `json:"VpcConfig"`
	PackageType          string                 `json:"PackageType"`
	Environment          *environmentInput      `json:"Environment"`
	KMSKeyArn            string                 `json:"KMSKeyArn"`
	TracingConfig        *struct{ Mode string } `json:"TracingConfig"`
	Tags                 map[string]string      `json:"Tags"`
	Layers               []string               `json:"Layers"`
	Architectures        []string               `json:"Architectures"`
	EphemeralStorage     *struct{ Size int }    `json:"EphemeralStorage"`
	LoggingConfig        *loggingConfig         `json:"LoggingConfig"`
	ImageConfig          any                    `json:"ImageConfig"`
	FileSystemConfigs    []any                  `json:"FileSystemConfigs"`
	CodeSigningConfigArn string                 `json:"CodeSigningConfigArn"`
}

type loggingConfig struct {
	LogFormat           string `json:"LogFormat,omitempty"`
	ApplicationLogLevel string `json:"ApplicationLogLevel,omitempty"`
	SystemLogLevel      string `json:"SystemLogLevel,omitempty"`
	LogGroup            string `json:"LogGroup,omitempty"`
}

type vpcConfigResponse struct {
	SubnetIDs               []string `json:"SubnetIds"`
	SecurityGroupIDs        []string `json:"SecurityGroupIds"`
	VpcID                   string   `json:"VpcId"`
	Ipv6AllowedForDualStack bool     `json:"Ipv6AllowedForDualStack"`
}

type functionConfiguration struct {
	FunctionName               string             `json:"FunctionName"`
	FunctionArn                string             `json:"FunctionArn"`
	Runtime                    string             `json:"Runtime,omitempty"`
	Role                       string             `json:"Role"`
	Handler                    string             `json:"Handler,omitempty"`
	CodeSize                   int64              `json:"CodeSize"`
	Description                string             `json:"Description"`
	Timeout                    int                `json:"Timeout"`
	MemorySize                 int                `json:"MemorySize"`
	LastModified               string             `json:"LastModified"`
	CodeSha256                 string             `json:"CodeSha256"`
	Version                    string             `json:"Version"`
	VpcConfig                  *vpcConfigResponse `json:"VpcConfig,omitempty"`
	Environment                *environmentInput  `json:"Environment,omitempty"`
	KMSKeyArn                  string             `json:"KMSKeyArn,omitempty"`
	TracingConfig              map[string]string  `json:"TracingConfig"`
	RevisionID                 string             `json:"RevisionId"`
	State                      string             `json:"State"`
	StateReason                string             `json:"StateReason,omitempty"`
	StateReasonCode            string             `json:"StateReasonCode,omitempty"`
	LastUpdateStatus           string             `json:"LastUpdateStatus,omitempty"`
	LastUpdateStatusReason     string             `json:"LastUpdateStatusReason,omitempty"`
	LastUpdateStatusReasonCode string             `json:"LastUpdateStatusReasonCode,omitempty"`
	PackageType                string             `json:"PackageType"`
	Architectures              []string           `json:"Architectures"`
	EphemeralStorage           map[string]int     `json:"EphemeralStorage"`
	SnapStart                  map[string]string  `json:"SnapStart"`
	RuntimeVersionConfig       map[string]string  `json:"RuntimeVersionConfig,omitempty"`
	LoggingConfig              loggingConfig      `json:"LoggingConfig"`
}

// configuration renders a version as AWS's FunctionConfiguration.
func (s *Service) configuration(f *function, v *version, now time.Time) functionConfiguration {
	c := v.cfg
	arn := f.arn
	if v.name != latest {
		arn += ":" + v.name
	}
	out := functionConfiguration{
		FunctionName:     f.name,
		FunctionArn:      arn,
		Runtime:          c.runtime,
		Role:             c.role,
		Handler:          c.handler,
		CodeSize:         v.code.size,
		Description:      c.description,
		Timeout:          c.timeout,
		MemorySize:       c.memory,
		LastModified:     v.lastModified.UTC().Format(timestampLayout),
		CodeSha256:       v.code.sha256,
		Version:          v.name,
		KMSKeyArn:        c.kmsKeyARN,
		TracingConfig:    map[string]string{"Mode": c.tracing},
		RevisionID:       v.revision,
		State:            "Active",
		LastUpdateStatus: "Successful",
		PackageType:      "Zip",
		Architectures:    []string{c.architecture},
		EphemeralStorage: map[string]int{"Size": c.ephemeral},
		SnapStart:        map[string]string{"ApplyOn": "None", "OptimizationStatus": "Off"},
		LoggingConfig:    loggingConfig{LogFormat: c.logFormat, LogGroup: c.logGroup},
	}
	if c.runtime != "" {
		out.RuntimeVersionConfig = map[string]string{"RuntimeVersionArn": "arn:aws:lambda:" + f.region + "::runtime:" + runtimeVersionID(c.runtime)}
	}
	if len(c.subnets) > 0 || len(c.sgs) > 0 {
		out.VpcConfig = &vpcConfigResponse{SubnetIDs: c.subnets, SecurityGroupIDs: c.sgs, Ipv6AllowedForDualStack: c.ipv6 != nil && *c.ipv6}
	}
	if c.envSet {
		out.Environment = &environmentInput{Variables: c.env}
		if out.Environment.Variables == nil {
			out.Environment.Variables = map[string]string{}
		}
	}
	if now.Before(v.readyAt) {
		if v.update {
			out.LastUpdateStatus = "InProgress"
			out.LastUpdateStatusReason = "The function is being created."
			out.LastUpdateStatusReasonCode = "Creating"
		} else {
			out.State = "Pending"
			out.StateReason = "The function is being created."
			out.StateReasonCode = "Creating"
			out.LastUpdateStatus = "InProgress"
			out.LastUpdateStatusReason = "The function is being created."
			out.LastUpdateStatusReasonCode = "Creating"
		}
	}
	return out
}

func runtimeVersionID(runtime string) string {
	sum := 0
	for _, c := range runtime {
		sum = sum*31 + int(c)
	}
	return fmt.Sprintf("%064x", sum)[:64]
}

// ------------------------------------------------------------ helpers

func writeJSON(w http.ResponseWriter, req *core.Request, status int, v any, errType string) {
	out, err := json.Marshal(v)
	if err != nil {
		out = []byte(`{"message":"internal error"}`)
		status = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-RequestId", req.ID)
	if errType != "" {
		w.Header().Set("X-Amzn-ErrorType", errType)
	}
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// readBody reads a JSON request body of at most limit bytes into v.
func readBody(req *core.Request, limit int64, v any) *core.APIError {
	body, err := io.ReadAll(io.LimitReader(req.HTTP.Body, limit+1))
	if err != nil {
		return errInvalidRequestContent("Could not read the request body: %v", err)
	}
	if int64(len(body)) > limit {
		return core.StatusErrorf(http.StatusRequestEntityTooLarge, "RequestTooLargeException", "Request must be smaller than %d bytes for the %s operation", limit, req.Action)
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return errInvalidRequestContent("Could not parse request body into json: %v", err)
	}
	return nil
}

var (
	functionNameRE = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)
	roleARNRE      = regexp.MustCompile(`^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+$`)
	envKeyRE       = regexp.MustCompile(`^[a-zA-Z]([a-zA-Z0-9_])+$`)
	qualifierRE    = regexp.MustCompile(`^(\$LATEST|[a-zA-Z0-9_-]+)$`)
)

// reservedEnvKeys may not be set by functions.
var reservedEnvKeys = map[string]bool{
	"_HANDLER": true, "_X_AMZN_TRACE_ID": true, "AWS_DEFAULT_REGION": true, "AWS_REGION": true,
	"AWS_EXECUTION_ENV": true, "AWS_LAMBDA_FUNCTION_NAME": true, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": true,
	"AWS_LAMBDA_FUNCTION_VERSION": true, "AWS_LAMBDA_INITIALIZATION_TYPE": true, "AWS_LAMBDA_LOG_GROUP_NAME": true,
	"AWS_LAMBDA_LOG_STREAM_NAME": true, "AWS_ACCESS_KEY": true, "AWS_ACCESS_KEY_ID": true, "AWS_SECRET_ACCESS_KEY": true,
	"AWS_SESSION_TOKEN": true, "AWS_LAMBDA_RUNTIME_API": true, "LAMBDA_TASK_ROOT": true, "LAMBDA_RUNTIME_DIR": true,
}

var runtimes = map[string]bool{}

func init() {
	for _, r := range strings.Fields(`nodejs nodejs4.3 nodejs6.10 nodejs8.10 nodejs10.x nodejs12.x nodejs14.x nodejs16.x nodejs18.x nodejs20.x nodejs22.x nodejs24.x
		java8 java8.al2 java11 java17 java21 java25 python2.7 python3.6 python3.7 python3.8 python3.9 python3.10 python3.11 python3.12 python3.13 python3.14
		dotnetcore1.0 dotnetcore2.0 dotnetcore2.1 dotnetcore3.1 dotnet6 dotnet8 dotnet10 nodejs4.3-edge go1.x ruby2.5 ruby2.7 ruby3.2 ruby3.3 ruby3.4 ruby4.0
		provided provided.al2 provided.al2023`) {
		runtimes[r] = true
	}
}

// deprecatedRuntimes can no longer be used to create or update functions.
var deprecatedRuntimes = map[string]bool{
	"nodejs": true, "nodejs4.3": true, "nodejs6.10": true, "nodejs8.10": true, "nodejs10.x": true, "nodejs12.x": true, "nodejs14.x": true,
	"nodejs4.3-edge": true, "java8": true, "python2.7": true, "python3.6": true, "python3.7": true, "python3.8": true,
	"dotnetcore1.0": true, "dotnetcore2.0": true, "dotnetcore2.1": true, "dotnetcore3.1": true, "dotnet6": true,
	"go1.x": true, "ruby2.5": true, "ruby2.7": true, "provided": true,
}

func customRuntime(r string) bool {
	return r == "provided.al2023" || r == "provided.al2" || r == "provided"
}

func validateRuntime(r string) *core.APIError {
	if !runtimes[r] {
		return errValidation(r, "runtime", "Member must satisfy enum value set: [nodejs20.x, nodejs22.x, java17, java21, python3.11, python3.12, python3.13, dotnet8, ruby3.3, ruby3.4, provided.al2, provided.al2023, …]")
	}
	if deprecatedRuntimes[r] {
		return errInvalidParameter("The runtime parameter of %s is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.", r)
	}
	return nil
}

func validateEnv(env map[string]string) *core.APIError {
	var reserved []string
	for k := range env {
		if reservedEnvKeys[k] {
			reserved = append(reserved, k)
		}
	}
	if len(reserved) > 0 {
		sort.Strings(reserved)
		return errInvalidParameter("Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: %s", strings.Join(reserved, ", "))
	}
	for k := range env {
		if !envKeyRE.MatchString(k) {
			return errValidation(k, "environment.variables.key", "Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+")
		}
	}
	js, _ := json.Marshal(env)
	if len(js) > maxEnvSize {
		return errInvalidParameter("Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: %s", js)
	}
	return nil
}

func validateTags(tags map[string]string) *core.APIError {
	if len(tags) > maxTags {
		return errInvalidParameter("Number of tags exceeds resource tag limit.")
	}
	for k, v := range tags {
		if k == "" || utf8.RuneCountInString(k) > 128 {
			return errValidation(k, "tags.key", "Member must have length between 1 and 128")
		}
		if utf8.RuneCountInString(v) > 256 {
			return errValidation(v, "tags.value", "Member must have length less than or equal to 256")
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return errInvalidParameter("Tag keys with the prefix aws: are reserved for AWS use.")
		}
	}
	return nil
}

// checkRole verifies that the execution role exists and trusts Lambda, and,
// for a function in a VPC, that it allows the ENI actions Lambda performs.
func (s *Service) checkRole(roleARN string, vpc bool) *core.APIError {
	dir, _ := s.env.Lookup("iam").(core.RoleDirectory)
	if dir == nil {
		return errInvalidParameter("The role defined for the function cannot be assumed by Lambda.")
	}
	info, ok := dir.RoleByARN(roleARN)
	if !ok || !iam.TrustsService(info, lambdaPrincipal, nil) {
		return errInvalidParameter("The role defined for the function cannot be assumed by Lambda.")
	}
	if vpc {
		for _, action := range []string{"CreateNetworkInterface", "DescribeNetworkInterfaces", "DeleteNetworkInterface"} {
			if iam.Allowed(info, "ec2:"+action, "*", nil) != iampolicy.Allow {
				return errInvalidParameter("The provided execution role does not have permissions to call %s on EC2", action)
			}
		}
	}
	return nil
}

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

// applyCommon applies the settings CreateFunction and UpdateFunctionConfiguration share.
func applyCommon(cfg *config, desc *string, timeout, memory *int, env *environmentInput, vpc *vpcConfigInput,
	tracing *struct{ Mode string }, eph *struct{ Size int }, logging *loggingConfig) *core.APIError {
	if desc != nil {
		if utf8.RuneCountInString(*desc) > 256 {
			return errValidation(*desc, "description", "Member must have length less than or equal to 256")
		}
		cfg.description = *desc
	}
	if timeout != nil {
		if *timeout < 1 {
			return errValidation(*timeout, "timeout", "Member must have value greater than or equal to 1")
		}
		if *timeout > 900 {
			return errValidation(*timeout, "timeout", "Member must have value less than or equal to 900")
		}
		cfg.timeout = *timeout
	}
	if memory != nil {
		if *memory < 128 {
			return errValidation(*memory, "memorySize", "Member must have value greater than or equal to 128")
		}
		if *memory > 10240 {
			return errValidation(*memory, "memorySize", "Member must have value less than or equal to 10240")
		}
		cfg.memory = *memory
	}
	if env != nil {
		if err := validateEnv(env.Variables); err != nil {
			return err
		}
		cfg.env = map[string]string{}
		for k, v := range env.Variables {
			cfg.env[k] = v
		}
		cfg.envSet = true
	}
	if vpc != nil {
		if len(vpc.SubnetIDs) > 16 {
			return errValidation(len(vpc.SubnetIDs), "vpcConfig.subnetIds", "Member must have length less than or equal to 16")
		}
		if len(vpc.SecurityGroupIDs) > 5 {
			return errValidation(len(vpc.SecurityGroupIDs), "vpcConfig.securityGroupIds", "Member must have length less than or equal to 5")
		}
		for _, id := range vpc.SubnetIDs {
			if !strings.HasPrefix(id, "subnet-") {
				return core.Errorf("InvalidSubnetIDException", "The subnet ID '%s' does not exist", id)
			}
		}
		for _, id := range vpc.SecurityGroupIDs {
			if !strings.HasPrefix(id, "sg-") {
				return core.Errorf("InvalidSecurityGroupIDException", "The security group ID '%s' does not exist", id)
			}
		}
		if (len(vpc.SubnetIDs) == 0) != (len(vpc.SecurityGroupIDs) == 0) {
			return errInvalidParameter("SubnetIds and SecurityGroupIds must coexist or be both empty list.")
		}
		cfg.subnets = append([]string{}, vpc.SubnetIDs...)
		cfg.sgs = append([]string{}, vpc.SecurityGroupIDs...)
		cfg.ipv6 = vpc.Ipv6AllowedForDualStack
	}
	if tracing != nil {
		if tracing.Mode != "Active" && tracing.Mode != "PassThrough" {
			return errValidation(tracing.Mode, "tracingConfig.mode", "Member must satisfy enum value set: [Active, PassThrough]")
		}
		cfg.tracing = tracing.Mode
	}
	if eph != nil {
		if eph.Size < 512 || eph.Size > 10240 {
			return errValidation(eph.Size, "ephemeralStorage.size", "Member must have value between 512 and 10240")
		}
		cfg.ephemeral = eph.Size
	}
	if logging != nil {
		if logging.LogFormat != "" {
			if logging.LogFormat != "Text" && logging.LogFormat != "JSON" {
				return errValidation(logging.LogFormat, "loggingConfig.logFormat", "Member must satisfy enum value set: [JSON, Text]")
			}
			cfg.logFormat = logging.LogFormat
		}
		if logging.LogGroup != "" {
			cfg.logGroup = logging.LogGroup
		}
	}
	return nil
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

// ------------------------------------------------------------ concurrency

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

// ------------------------------------------------------------ tags

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
