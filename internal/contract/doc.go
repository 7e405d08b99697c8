// Package contract is what the provider, the consumer Lambda and the regis
// CLI agree on, written once:
//
//   - the consumer's environment variables (env.go) and the parsing and
//     checking of its configuration (config.go, LoadConfig);
//   - the consumer's CloudWatch metrics: namespace, names, dimensions
//     (metrics.go);
//   - the message attributes and poison reasons of the dead letters
//     (dlq.go);
//   - the names of a bus's AWS objects (names.go).
//
// It imports the standard library only, so that the provider and the CLI
// can use it without linking the consumer's Redis, Sentry and Lambda
// runtime libraries (internal/consumer holds what needs them). A test in
// internal/walls_test.go keeps it so.
package contract
