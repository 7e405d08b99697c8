// Package secretsmanager emulates AWS Secrets Manager over its JSON 1.1
// protocol (X-Amz-Target: secretsmanager.<Operation>): secrets with string or
// binary values, versions and staging labels (AWSCURRENT, AWSPREVIOUS),
// tags, scheduled deletion with a recovery window on the emulator clock,
// restore and listing with filters.
//
// Secrets live in the region of the call that created them. Their ARNs have
// AWS's form arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6
// random characters>, and every operation accepts the name, the full ARN or
// the partial ARN (without the random suffix) as SecretId.
//
// Known differences from AWS: KmsKeyId is stored and reported but nothing
// is encrypted; rotation, replication, resource policies and
// BatchGetSecretValue are not implemented; a secret scheduled for deletion
// is purged lazily, the first time the service looks at it after its
// deletion date.
package secretsmanager

import (
	"encoding/json"
	"net/http"
	"sort"
	"sync"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// Service is the emulated Secrets Manager.
type Service struct {
	env *core.Env
	api *core.API

	mu sync.Mutex
	// secrets by ARN.
	secrets map[string]*secret
}

var _ core.Service = (*Service)(nil)

// New returns a Secrets Manager service for env.
func New(env *core.Env) *Service {
	s := &Service{env: env, secrets: map[string]*secret{}}
	s.api = &core.API{
		Wires:    []core.Wire{protocol{core.JSONWire{JSONProtocol: core.JSONProtocol{Version: "1.1", TargetPrefix: "secretsmanager"}}}},
		Handlers: make(map[string]core.Handler, len(handlers)),
	}
	for op, h := range handlers {
		s.api.Handlers[op] = func(req *core.Request) (any, *core.APIError) { return h(s, req) }
	}
	return s
}

// SigningName implements core.Service.
func (s *Service) SigningName() string { return "secretsmanager" }

// Protocol implements core.Service.
func (s *Service) Protocol() core.Protocol { return s.api }

// Inventory implements core.Service: every secret, including those scheduled
// for deletion (they still exist until their recovery window ends).
func (s *Service) Inventory() []core.Resource {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purgeLocked()
	out := make([]core.Resource, 0, len(s.secrets))
	for _, sec := range s.secrets {
		out = append(out, core.Resource{Service: "secretsmanager", Region: sec.region, Type: "secret", ID: sec.arn})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

type handler func(s *Service, req *core.Request) (any, *core.APIError)

var handlers = map[string]handler{
	"CreateSecret":             (*Service).createSecret,
	"GetSecretValue":           (*Service).getSecretValue,
	"PutSecretValue":           (*Service).putSecretValue,
	"UpdateSecret":             (*Service).updateSecret,
	"DescribeSecret":           (*Service).describeSecret,
	"DeleteSecret":             (*Service).deleteSecret,
	"RestoreSecret":            (*Service).restoreSecret,
	"ListSecrets":              (*Service).listSecrets,
	"ListSecretVersionIds":     (*Service).listSecretVersionIDs,
	"TagResource":              (*Service).tagResource,
	"UntagResource":            (*Service).untagResource,
	"UpdateSecretVersionStage": (*Service).updateSecretVersionStage,
}

// ServeAWS implements core.Service.
func (s *Service) ServeAWS(w http.ResponseWriter, req *core.Request) { s.api.Serve(w, req) }

// protocol is awsJson1_1 with Secrets Manager's error body: the __type has no
// namespace and the message member is "Message".
type protocol struct{ core.JSONWire }

// WriteError implements core.Protocol.
func (p protocol) WriteError(w http.ResponseWriter, req *core.Request, e *core.APIError) {
	out, _ := json.Marshal(map[string]string{"__type": e.Code, "Message": e.Message})
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("x-amzn-RequestId", req.ID)
	w.WriteHeader(e.HTTPStatus())
	_, _ = w.Write(out)
}

// ------------------------------------------------------------------ errors

func errNotFound() *core.APIError {
	return core.Errorf("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
}

func errInvalidParameter(format string, args ...any) *core.APIError {
	return core.Errorf("InvalidParameterException", format, args...)
}

func errInvalidRequest(format string, args ...any) *core.APIError {
	return core.Errorf("InvalidRequestException", format, args...)
}

func errMarkedForDeletion() *core.APIError {
	return errInvalidRequest("You can't perform this operation on the secret because it was marked for deletion.")
}

func errValidation(value any, field, constraint string) *core.APIError {
	return core.Errorf("ValidationException", "1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: %s", value, field, constraint)
}

func errMissing(field string) *core.APIError {
	return core.Errorf("ValidationException", "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", field)
}
