// Command bootstrap is the Regis consumer Lambda for the provided.al2023
// runtime (arm64 or x86_64). It reads its configuration from the environment
// variables documented in internal/contract/env.go, builds the Redis
// client, the DLQ sender and the Sentry reporter once per container, and
// serves SQS batches through the Lambda Runtime API (AWS_LAMBDA_RUNTIME_API).
//
// An invalid configuration fails the init phase: the reason goes to the
// Runtime API's init/error endpoint, to the log and to Sentry when
// SENTRY_DSN is set, and the process exits.
//
// AWS SDK clients honour AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE>, so
// the same binary runs against the project's emulator.
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/redis/go-redis/v9"

	"github.com/regis-infra/terraform-provider-regis/internal/consumer"
	"github.com/regis-infra/terraform-provider-regis/internal/contract"
)

func main() {
	cfg, err := contract.LoadConfigFromEnv()
	log := consumer.NewLogger(os.Stderr, cfg.LogLevel)
	var reporter consumer.Reporter
	if cfg.SentryDSN != "" {
		r, serr := consumer.NewSentryReporter(cfg.SentryDSN, cfg, nil)
		if serr != nil {
			log.Error("Sentry disabled", "error", serr.Error())
		} else {
			reporter = r
		}
	}
	if err == nil {
		var h *consumer.Handler
		if h, err = setup(cfg, log, reporter); err == nil {
			log.Debug("regis consumer ready", "config", cfg.String())
			lambda.Start(h.Handle)
			return
		}
	}
	fail(cfg, err, log, reporter)
}

// setup builds what lives as long as the container.
func setup(cfg contract.Config, log *slog.Logger, reporter consumer.Reporter) (*consumer.Handler, error) {
	redis.SetLogger(consumer.RedisLogger{L: log})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var dlq consumer.DLQSender
	var sm consumer.SecretsClient
	if cfg.DLQURL != "" || cfg.RedisAuthSecretARN != "" {
		awsCfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, err
		}
		if cfg.DLQURL != "" {
			dlq = &consumer.SQSDLQ{Client: sqs.NewFromConfig(awsCfg), QueueURL: cfg.DLQURL}
		}
		if cfg.RedisAuthSecretARN != "" {
			sm = secretsmanager.NewFromConfig(awsCfg)
		}
	}
	creds, err := consumer.ResolveCredentials(ctx, cfg, sm)
	if err != nil {
		return nil, err
	}
	return consumer.NewHandler(consumer.Options{
		Config:   cfg,
		Redis:    consumer.NewRedisClient(cfg, creds, consumer.ClientOptions{}),
		DLQ:      dlq,
		Logger:   log,
		Reporter: reporter,
	}), nil
}

// fail reports an init failure everywhere someone may look: an error log
// line that says why, the InitFailures metric, Sentry, and the Runtime
// API's init/error (which Lambda counts as a function error); then exits.
func fail(cfg contract.Config, err error, log *slog.Logger, reporter consumer.Reporter) {
	log.Error("regis consumer init failed: "+err.Error(), "bus", cfg.BusName, "error", err.Error())
	if merr := consumer.WriteInitFailure(os.Stdout, cfg, time.Now()); merr != nil {
		log.Error("write EMF metrics", "error", merr.Error())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if reporter != nil {
		reporter.InitError(err)
		reporter.Flush(ctx)
	}
	if perr := consumer.PostInitError(ctx, nil, os.Getenv(contract.EnvLambdaRuntimeAPI), err); perr != nil {
		log.Error("could not report the init error to the Runtime API", "error", perr.Error())
	}
	os.Exit(1)
}
