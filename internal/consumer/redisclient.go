package consumer

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/regis-infra/terraform-provider-regis/internal/contract"
)

// SecretsClient is the part of the Secrets Manager client the consumer uses
// (*secretsmanager.Client satisfies it).
type SecretsClient interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// Credentials are the Redis AUTH user name and token.
type Credentials struct {
	Username string
	Password string
}

// ResolveCredentials returns the AUTH credentials: the token from the
// environment, or the one fetched from Secrets Manager (once per container:
// call it at init).
func ResolveCredentials(ctx context.Context, cfg contract.Config, sm SecretsClient) (Credentials, error) {
	creds := Credentials{Username: cfg.RedisUsername, Password: cfg.RedisAuthToken}
	if cfg.RedisAuthSecretARN == "" {
		return creds, nil
	}
	if sm == nil {
		return creds, errors.New("regis consumer: no Secrets Manager client for " + contract.EnvRedisAuthSecretARN)
	}
	out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &cfg.RedisAuthSecretARN})
	if err != nil {
		return creds, fmt.Errorf("regis consumer: fetch the Redis AUTH secret %s: %w", cfg.RedisAuthSecretARN, err)
	}
	if out.SecretString == nil {
		return creds, fmt.Errorf("regis consumer: secret %s has no SecretString (binary secrets are not supported)", cfg.RedisAuthSecretARN)
	}
	user, pass, err := ParseAuthSecret(*out.SecretString)
	if err != nil {
		return creds, fmt.Errorf("regis consumer: secret %s: %w", cfg.RedisAuthSecretARN, err)
	}
	creds.Password = pass
	if user != "" {
		creds.Username = user
	}
	return creds, nil
}

// ParseAuthSecret reads a SecretString: the raw token, or a JSON object
// with "password", "token" or "auth_token" and an optional "username". The
// error never quotes the secret.
func ParseAuthSecret(s string) (username, password string, err error) {
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "{") {
		if t == "" {
			return "", "", errors.New("the secret is empty")
		}
		return "", t, nil
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(t), &obj); err != nil {
		return "", "", errors.New("the secret looks like JSON but does not parse")
	}
	str := func(k string) (string, bool, error) {
		v, ok := obj[k]
		if !ok {
			return "", false, nil
		}
		sv, isStr := v.(string)
		if !isStr {
			return "", true, fmt.Errorf("%q in the secret is not a string", k)
		}
		return sv, true, nil
	}
	for _, k := range []string{"password", "token", "auth_token"} {
		v, ok, err := str(k)
		if err != nil {
			return "", "", err
		}
		if ok && v != "" {
			password = v
			break
		}
	}
	if password == "" {
		return "", "", errors.New(`the secret's JSON has no non-empty "password", "token" or "auth_token"`)
	}
	username, _, err = str("username")
	if err != nil {
		return "", "", err
	}
	return username, password, nil
}

// ClientOptions tune NewRedisClient beyond Config (tests).
type ClientOptions struct {
	// RootCAs replaces the system roots for TLS verification (nil: the
	// system roots, which SSL_CERT_FILE / SSL_CERT_DIR can point elsewhere).
	RootCAs *x509.CertPool
	// PoolSize per node; default 4 (one invocation at a time per container).
	PoolSize int
}

// NewRedisClient builds the one Redis client of a container: standalone
// (the primary endpoint) or cluster (configuration endpoint), with TLS and
// AUTH as configured. It does not connect; the first command does.
func NewRedisClient(cfg contract.Config, creds Credentials, opts ClientOptions) redis.UniversalClient {
	o := &redis.UniversalOptions{
		Addrs:                 cfg.RedisAddrs,
		IsClusterMode:         cfg.RedisCluster,
		Username:              creds.Username,
		Password:              creds.Password,
		Protocol:              2,
		DisableIdentity:       true,
		ContextTimeoutEnabled: true,
		DialTimeout:           3 * time.Second,
		DialerRetries:         2,
		DialerRetryTimeout:    50 * time.Millisecond,
		ReadTimeout:           5 * time.Second,
		WriteTimeout:          5 * time.Second,
		MaxRetries:            2,
		MinRetryBackoff:       8 * time.Millisecond,
		MaxRetryBackoff:       256 * time.Millisecond,
		PoolSize:              opts.PoolSize,
		PoolTimeout:           5 * time.Second,
		MaxRedirects:          8,
		// Maintenance notifications are a Redis Enterprise feature; the
		// handshake would cost a round trip on every new connection.
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	}
	if o.PoolSize == 0 {
		o.PoolSize = 4
	}
	if cfg.RedisTLS {
		o.TLSConfig = &tls.Config{
			MinVersion: tls.VersionTLS12,
			ServerName: cfg.RedisTLSServerName,
			RootCAs:    opts.RootCAs,
		}
	}
	return redis.NewUniversalClient(o)
}
