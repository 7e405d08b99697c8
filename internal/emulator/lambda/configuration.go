package lambda

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

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

// runtimeVersionID is the 64 hex digits of a runtime's version ARN
// (arn:aws:lambda:<region>::runtime:<id>), stable per runtime.
func runtimeVersionID(runtime string) string {
	sum := sha256.Sum256([]byte("regis-emulator runtime " + runtime))
	return hex.EncodeToString(sum[:])
}
