// Package consumer is the logic of the Regis consumer Lambda: it decodes the
// SQS records of one invocation (raw Regis messages or SNS envelopes),
// checks every command against the allow-list, applies the commands to the
// region's Redis with pipelines (optionally in ordered mode, see ordered.go),
// sends poison messages to the region's dead-letter queue, and reports the
// messages that failed transiently as batch item failures so SQS retries
// them. It writes one CloudWatch EMF line per origin region per invocation
// and structured logs, and reports to Sentry when configured.
//
// The package does no AWS or Redis set-up of its own beyond what Config
// describes; lambda/main.go wires it to the real clients.
package consumer
