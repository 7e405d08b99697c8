package core

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"regexp"
	"strings"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/iampolicy"
)

// Request is the context of one API call: who made it, to which service and
// region, and the hooks of the emulator that serves it.
type Request struct {
	// ID is the request id returned in x-amzn-RequestId.
	ID string
	// Region is the region of the credential scope: every resource lives in one.
	Region string
	// Service is the SigV4 signing name, e.g. "sqs", "monitoring".
	Service string
	// AccessKey is the access key id that signed the request.
	AccessKey string
	// AccountID is the emulated account.
	AccountID string
	// Action is the operation, set by Begin.
	Action string
	// HTTP is the underlying request.
	HTTP *http.Request

	hooks Hooks
	// input is the call's input, set by API.Serve.
	input Input
}

// Hooks are the emulator-wide checks run when a service starts an action.
type Hooks interface {
	// BeforeAction records the call and returns an injected fault, if any.
	BeforeAction(req *Request) *APIError
}

// Authorizer is implemented by the emulator's hooks: it decides, as IAM
// does, whether the identity that signed a request may perform an action on
// a resource (see Request.Authorize).
type Authorizer interface {
	// Authorize returns nil when the caller may perform action on the
	// target, or the AccessDenied error AWS would answer. target is called
	// only when the caller's permissions are checked.
	Authorize(req *Request, action string, target func() AuthzTarget) *APIError
}

// AuthzTarget is what an action acts on, for Request.AuthorizeTarget.
type AuthzTarget struct {
	// Resource is the ARN of the resource ("*" for actions on none).
	Resource string
	// Policy is the resource's own policy (an SQS queue policy), nil when
	// it has none. In the caller's own account an Allow in it grants the
	// action as an identity policy would, and a Deny in it denies.
	Policy *iampolicy.Document
}

// NewRequest builds a request context. Services are handed one by the emulator.
func NewRequest(r *http.Request, scope Scope, accountID string, hooks Hooks) *Request {
	return &Request{
		ID:        NewRequestID(),
		Region:    scope.Region,
		Service:   scope.Service,
		AccessKey: scope.AccessKey,
		AccountID: accountID,
		HTTP:      r,
		hooks:     hooks,
	}
}

// Begin must be called by a service once it knows the action, before doing
// any work: it records the call (for tests that enumerate calls) and returns
// an injected fault the service must answer with instead.
func (r *Request) Begin(action string) *APIError {
	r.Action = action
	if r.hooks == nil {
		return nil
	}
	return r.hooks.BeforeAction(r)
}

// Authorize checks that the identity that signed the request may perform
// action ("sqs:ReceiveMessage") on resourceARN, as AWS does: a request made
// with the temporary credentials of an IAM role session (AssumeRole, or a
// Lambda function acting as its execution role) is allowed only when the
// role's permission policies allow the action on the resource and none
// denies it; it is answered AccessDenied (HTTP 403) otherwise. The
// emulator's ordinary callers (long-term access keys, the emulated
// account's administrators) are not restricted. Services call it once they
// know the resource, without holding their own locks (it asks STS and IAM).
func (r *Request) Authorize(action, resourceARN string) *APIError {
	return r.AuthorizeTarget(action, func() AuthzTarget { return AuthzTarget{Resource: resourceARN} })
}

// AuthorizeTarget is Authorize for a target that costs something to work
// out (a request body to read, a resource policy to look up): target is
// called only when the caller's permissions are checked.
func (r *Request) AuthorizeTarget(action string, target func() AuthzTarget) *APIError {
	a, ok := r.hooks.(Authorizer)
	if !ok {
		return nil
	}
	return a.Authorize(r, action, target)
}

// Scope is what a SigV4 credential scope says about a request.
type Scope struct {
	AccessKey string
	Date      string
	Region    string
	Service   string
}

var credentialRE = regexp.MustCompile(`Credential=([^/,\s]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request`)

// ParseScope reads the SigV4 credential scope from the Authorization header
// or, for presigned URLs, the X-Amz-Credential query parameter.
func ParseScope(r *http.Request) (Scope, bool) {
	if auth := r.Header.Get("Authorization"); strings.HasPrefix(auth, "AWS4-HMAC-SHA256") {
		if m := credentialRE.FindStringSubmatch(auth); m != nil {
			return Scope{AccessKey: m[1], Date: m[2], Region: m[3], Service: m[4]}, true
		}
	}
	if cred := r.URL.Query().Get("X-Amz-Credential"); cred != "" {
		parts := strings.Split(cred, "/")
		if len(parts) == 5 && parts[4] == "aws4_request" {
			return Scope{AccessKey: parts[0], Date: parts[1], Region: parts[2], Service: parts[3]}, true
		}
	}
	return Scope{}, false
}

// NewRequestID returns a random request id in the UUID form AWS uses.
func NewRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// RandomHex returns n random bytes hex-encoded.
func RandomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// RandomID returns an upper-case alphanumeric id of length n, like the ids of
// Route 53 objects or IAM unique ids.
func RandomID(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

var regionRE = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$`)

// ValidRegion reports whether s looks like an AWS region name.
func ValidRegion(s string) bool { return regionRE.MatchString(s) }

// ARN builds arn:aws:service:region:account:resource.
func ARN(service, region, account, resource string) string {
	return "arn:aws:" + service + ":" + region + ":" + account + ":" + resource
}

// ParsedARN is an ARN split into its parts.
type ParsedARN struct {
	Partition, Service, Region, Account, Resource string
}

// ParseARN splits an ARN; ok is false when s is not one.
func ParseARN(s string) (ParsedARN, bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" {
		return ParsedARN{}, false
	}
	return ParsedARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}, true
}

// Resource is one object in the emulator's inventory.
type Resource struct {
	Service string `json:"service"`
	Region  string `json:"region"`
	Type    string `json:"type"`
	// ID is the ARN where the object has one, else its id or URL.
	ID string `json:"id"`
}

// Service is one emulated AWS service.
type Service interface {
	// SigningName is the SigV4 service name the emulator routes on, e.g. "sqs".
	SigningName() string
	// Protocol encodes errors before the service sees the request.
	Protocol() Protocol
	// ServeAWS handles one API call.
	ServeAWS(w http.ResponseWriter, req *Request)
	// Inventory lists every object the service holds, in every region.
	Inventory() []Resource
}

// AdminService is a service with test-only HTTP hooks, mounted by the
// emulator under /_emulator/<signing name>/.
type AdminService interface {
	AdminHandler() http.Handler
}

// Closer is a service holding goroutines or processes to stop on shutdown.
type Closer interface {
	Close() error
}
