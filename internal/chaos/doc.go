// Package chaos measures whether a Regis replication bus loses anything when
// things break.
//
// The chaos run (TestChaos_plain and TestChaos_ordered, acceptance tests:
// TF_ACC, `make chaos`) creates a regis_bus over three regions with
// Terraform, each region with its own real redis-server, and publishes
// 100,000 commands through it with regis.Publisher while:
//
//   - the Redis of one region is killed for 10 seconds mid-run and started
//     again from its append-only file (a node crash and restart): the
//     consumer reports the messages it could not apply as batch item
//     failures and SQS delivers them again after the visibility timeout;
//   - every message is delivered at least twice and in shuffled order: the
//     emulator's SQS is told (sqs.Service.SetDeliveryChaos) to use the
//     freedoms SQS documents for standard queues, "best-effort ordering"
//     (receives take visible messages in random order) and "at-least-once
//     delivery" (the first delete of every message is lost, as when a
//     server holding a copy is unavailable, so the copy comes back after a
//     random delay). The consumer is not special-cased in any way;
//   - 1% of the messages are poison, a mix of reasons (malformed JSON, an
//     unknown format version, INCR or FLUSHALL smuggled into a hand-built
//     message, bad arguments, a decompression bomb, WRONGTYPE…), injected
//     by a thin SNS client wrapper between the publisher and SNS.
//
// At the end every region's Redis is compared, key by key (type, value,
// fields, members and scores, TTL presence and expiry within a tolerance),
// with a Model: the state of applying every published command once, in the
// order it was published. Every poison message must be in the DLQ of every
// region with its reason, the DLQ-not-empty alarm must have fired in every
// region, and no valid command may be lost.
//
// # Where plain mode diverges, and why that is expected
//
// Plain mode applies each command as it arrives. Idempotent commands make
// a duplicate harmless when nothing else wrote the key in between, but not
// a late one: when two writes to the same key (or hash field, or member, or
// TTL) are applied in the other order, the older one wins. Three things
// reorder them in the run, as they do on AWS: shuffled receives (an older
// message received after a newer one), duplicates (the surviving copy of a
// message comes back seconds after newer writes were applied, and applies
// its old values again), and the outage (messages that failed come back a
// visibility timeout later, after newer ones were applied elsewhere in the
// queue). SET k a then SET k b, applied b then a, leaves a; a DEL applied
// after a later SET removes a key the model has; a late copy of PEXPIREAT
// brings back an older expiry. So in plain mode, and only there, keys that
// received at least two distinct writes may differ from the model — and
// the regions differ from each other too, each having seen its own order. The run counts them and asserts that every difference is of that
// kind: the key had two or more distinct writes, and what Redis holds is
// made only of values that were published for it (a value, field value,
// member, score or expiry some write carried), never of anything else.
// Keys written once (the "once:" keys, a fifth of the commands) must match
// exactly in both modes: they detect lost messages.
//
// Ordered mode (regis.Options.Ordered, consumer ordered = true) applies a
// write only if its version is newer than what the key holds (the others
// are counted as CommandsStale), so the order of delivery does not matter
// and every key must equal the model, in every region. Expiries are
// compared to within TTLSlack (2 s) of the absolute time the publisher
// computed from a relative TTL: a relative TTL applied as such by a copy
// delivered seconds later would show.
//
// # Running it
//
//	make chaos    # both modes; or:
//	TF_ACC=1 go test ./internal/chaos/... -run Chaos -v -timeout 40m
//
// REGIS_RELIABILITY_OUT=<dir> writes each mode's summary as
// <dir>/chaos-<mode>.json. For development: REGIS_CHAOS_COMMANDS (default
// 100000), REGIS_CHAOS_OUTAGE=pause (SIGSTOP the Redis instead of killing
// it), REGIS_CHAOS_SEED (replay a stream; each run logs its seed). The
// other tests of the package check the model against a real Redis and the
// consumer against shuffled duplicates without AWS, in seconds. The
// stream avoids the two documented differences of ordered mode with Redis
// (see internal/consumer/ordered.go): it never sends PEXPIREAT or PERSIST
// to a missing key, and never empties a collection by removing members
// (only DEL empties one), so the model is exact for both.
package chaos
