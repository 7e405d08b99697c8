package lambda

import (
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// Execution limits.
const (
	initTimeout      = 10 * time.Second
	maxResponseBytes = 6 << 20
	logTailBytes     = 4096
	logPollInterval  = 50 * time.Millisecond
	credentialsTTL   = time.Hour
)

// workRoot is the directory holding unzipped code and process logs.
func (s *Service) workRoot() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return "", errors.New("the emulator is shutting down")
	}
	if s.workDir == "" {
		dir, err := os.MkdirTemp("", "regis-lambda-")
		if err != nil {
			return "", err
		}
		if err := os.MkdirAll(filepath.Join(dir, "code"), 0o755); err != nil {
			return "", err
		}
		s.workDir = dir
	}
	return s.workDir, nil
}

// roleCredentials returns temporary credentials of the execution role for a
// new process: from STS when it can issue them to the Lambda service
// principal, else random keys (an administrator user to the emulator).
func (s *Service) roleCredentials(region, roleARN, functionName string) core.Credentials {
	if a, ok := s.env.Lookup("sts").(core.ServiceRoleAssumer); ok {
		creds, err := a.AssumeRoleForService(roleARN, functionName, lambdaPrincipal, region, credentialsTTL)
		if err == nil {
			return creds
		}
		s.env.Logger.Warn("lambda: could not assume the execution role; the function gets unprivileged random keys", "role", roleARN, "err", err)
	}
	return core.Credentials{
		AccessKeyID:     "ASIA" + core.RandomID(16),
		SecretAccessKey: core.RandomHex(20),
		SessionToken:    core.RandomHex(64),
	}
}
