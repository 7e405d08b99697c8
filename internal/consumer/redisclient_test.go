package consumer

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/regis-infra/terraform-provider-regis/internal/contract"
	"github.com/regis-infra/terraform-provider-regis/internal/redistest"
)

type fakeSecrets struct {
	value *string
	err   error
	calls int
}

func (f *fakeSecrets) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	return &secretsmanager.GetSecretValueOutput{ARN: in.SecretId, SecretString: f.value}, nil
}

func TestResolveCredentials(t *testing.T) {
	arn := "arn:aws:secretsmanager:eu-west-1:123456789012:secret:redis-auth"
	cfg := contract.Config{RedisAuthSecretARN: arn, RedisUsername: "envuser"}
	for _, tc := range []struct {
		secret, user, pass string
	}{
		{"raw-Token-1", "envuser", "raw-Token-1"},
		{"  raw-Token-2\n", "envuser", "raw-Token-2"},
		{`{"password":"p-1"}`, "envuser", "p-1"},
		{`{"token":"p-2","username":"alice"}`, "alice", "p-2"},
		{`{"auth_token":"p-3"}`, "envuser", "p-3"},
	} {
		sm := &fakeSecrets{value: &tc.secret}
		c, err := ResolveCredentials(context.Background(), cfg, sm)
		if err != nil || c.Username != tc.user || c.Password != tc.pass || sm.calls != 1 {
			t.Errorf("%q: got %+v %v (%d calls)", tc.secret, c, err, sm.calls)
		}
	}
	for _, bad := range []string{"", `{"password":""}`, `{"password":42,"note":"SEKRIT"}`, `{"x":"SEKRIT"}`, `{SEKRIT`} {
		_, err := ResolveCredentials(context.Background(), cfg, &fakeSecrets{value: &bad})
		if err == nil {
			t.Errorf("%q accepted", bad)
		} else if strings.Contains(err.Error(), "SEKRIT") {
			t.Errorf("error quotes the secret: %v", err)
		}
	}
	if _, err := ResolveCredentials(context.Background(), cfg, &fakeSecrets{err: errors.New("AccessDeniedException")}); err == nil || !strings.Contains(err.Error(), arn) {
		t.Errorf("fetch error: %v", err)
	}
	if _, err := ResolveCredentials(context.Background(), cfg, &fakeSecrets{}); err == nil {
		t.Error("binary secret accepted")
	}
	// Without a secret ARN the environment's token is used, no call made.
	sm := &fakeSecrets{}
	c, err := ResolveCredentials(context.Background(), contract.Config{RedisAuthToken: "envtok"}, sm)
	if err != nil || c.Password != "envtok" || sm.calls != 0 {
		t.Errorf("env token: %+v %v %d", c, err, sm.calls)
	}
}

// TestTLSAndAuth runs the handler against a TLS-only redis-server with
// requirepass, verifying the certificate against the test CA, and through
// the environment with the token from a (fake) secret; a certificate the
// client cannot verify is always refused.
func TestTLSAndAuth(t *testing.T) {
	const token = "tls-AUTH-token-4242"
	srv := redistest.Start(t, redistest.Options{TLS: true, Password: token})

	hs := newHarness(t, []string{srv.Addr}, harnessOpts{tls: srv.TLS, creds: Credentials{Password: token}})
	resp := hs.handle(t, event(record("a", body(t, "a", "us-east-1", time.Now(), cmd(0, "SET", "k", "v")))))
	if len(resp.BatchItemFailures) != 0 {
		t.Fatalf("TLS+AUTH: %v\n%s", resp.BatchItemFailures, hs.logs)
	}
	if d := diffStates(map[string]string{"k": "string v ttl=none"}, dump(t, hs.rdb)); d != "" {
		t.Fatal(d)
	}

	// The environment path: token from Secrets Manager, the test CA given
	// as the roots (in the Lambda: the system roots, or SSL_CERT_FILE).
	secret := `{"password":"` + token + `"}`
	vars := map[string]string{
		contract.EnvRedisAddrs: srv.Addr, contract.EnvRedisTLS: "true",
		contract.EnvRedisAuthSecretARN: "arn:aws:secretsmanager:eu-west-1:1:secret:x",
		// The test-only switch of earlier versions is gone: it must not
		// turn verification off.
		"REGIS_REDIS_TLS_SKIP_VERIFY": "true",
	}
	cfg, err := contract.LoadConfig(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	creds, err := ResolveCredentials(context.Background(), cfg, &fakeSecrets{value: &secret})
	if err != nil {
		t.Fatal(err)
	}
	rdb := NewRedisClient(cfg, creds, ClientOptions{RootCAs: srv.TLS.Pool})
	defer rdb.Close()
	if v, err := rdb.Get(context.Background(), "k").Result(); err != nil || v != "v" {
		t.Fatalf("client verifying against the test CA: %q %v", v, err)
	}

	// Verification is always on: a CA the client does not trust is refused.
	strict := NewRedisClient(cfg, creds, ClientOptions{})
	defer strict.Close()
	if err := strict.Ping(context.Background()).Err(); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("unverified certificate accepted: %v", err)
	}

	// A wrong token is a transient failure (configuration), not poison.
	bad := newHarness(t, []string{srv.Addr}, harnessOpts{tls: srv.TLS, creds: Credentials{Password: "wrong"}})
	resp = bad.handle(t, event(record("b", body(t, "b", "us-east-1", time.Now(), cmd(0, "SET", "k2", "v")))))
	if strings.Join(failedIDs(resp), ",") != "b" || len(bad.dlq.Letters()) != 0 {
		t.Fatalf("wrong password: failures %v letters %v\n%s", resp.BatchItemFailures, bad.dlq.Letters(), bad.logs)
	}
	if strings.Contains(bad.logs.String(), "wrong\"") || strings.Contains(bad.logs.String(), token) {
		t.Fatalf("a password appears in the logs: %s", bad.logs)
	}
}
