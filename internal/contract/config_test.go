package contract

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadConfigDefaults(t *testing.T) {
	c, err := LoadConfig(env(map[string]string{EnvRedisAddrs: "primary.example:6379", EnvRegion: "eu-west-1"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.TombstoneTTL != 7*24*time.Hour || c.MetricsNamespace != "Regis" || c.Ordered || c.RedisCluster || c.RedisTLS {
		t.Fatalf("defaults: %+v", c)
	}
	c, err = LoadConfig(env(map[string]string{
		EnvRedisAddrs: " a:1, b:2 ", EnvRedisCluster: "true", EnvRedisTLS: "1", EnvOrdered: "TRUE",
		EnvTombstoneTTL: "240h", EnvDLQURL: "https://sqs.eu-west-1.amazonaws.com/1/dlq", EnvMetricsNamespace: "Custom",
		EnvRedisAuthSecretARN: "arn:aws:secretsmanager:eu-west-1:1:secret:x",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.RedisAddrs, ",") != "a:1,b:2" || !c.RedisCluster || !c.RedisTLS || !c.Ordered || c.TombstoneTTL != 240*time.Hour || c.MetricsNamespace != "Custom" {
		t.Fatalf("parsed: %+v", c)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	_, err := LoadConfig(env(map[string]string{
		EnvRedisAddrs: "nohostport,x:99999", EnvRedisCluster: "maybe", EnvTombstoneTTL: "10m",
		EnvRedisAuthToken: "tok-SECRET", EnvRedisAuthSecretARN: "not-an-arn",
		EnvMetricsNamespace: "AWS/Lambda", EnvLogLevel: "loud", EnvDLQURL: "queue", EnvDeadlineMargin: "soon",
	}))
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("got %v", err)
	}
	msg := err.Error()
	for _, name := range []string{EnvRedisAddrs, EnvRedisCluster, EnvTombstoneTTL, EnvRedisAuthToken, EnvRedisAuthSecretARN,
		EnvMetricsNamespace, EnvLogLevel, EnvDLQURL, EnvDeadlineMargin} {
		if !strings.Contains(msg, name+":") {
			t.Errorf("error does not name %s: %s", name, msg)
		}
	}
	if strings.Contains(msg, "tok-SECRET") {
		t.Fatal("the error quotes the AUTH token")
	}
	if _, err := LoadConfig(env(nil)); err == nil || !strings.Contains(err.Error(), EnvRedisAddrs) {
		t.Fatalf("missing addrs: %v", err)
	}
	if _, err := LoadConfig(env(map[string]string{EnvRedisAddrs: "a:1,b:2"})); err == nil {
		t.Fatal("two addresses without cluster mode accepted")
	}
}

func TestConfigStringHidesToken(t *testing.T) {
	c := Config{RedisAddrs: []string{"a:1"}, RedisAuthToken: "tok-SECRET"}
	if s := c.String(); strings.Contains(s, "tok-SECRET") || !strings.Contains(s, "redacted") {
		t.Fatal(s)
	}
}
