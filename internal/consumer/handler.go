package consumer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/aws/aws-lambda-go/events"
	"github.com/redis/go-redis/v9"

	"github.com/regis-infra/terraform-provider-regis/internal/contract"
	"github.com/regis-infra/terraform-provider-regis/regis"
)

// Options build a Handler. Config, Redis and (normally) DLQ are required.
type Options struct {
	Config contract.Config
	// Redis is the container's one client (NewRedisClient).
	Redis redis.UniversalClient
	// DLQ receives poison messages. Nil: poison messages are reported as
	// failed, so the source queue's redrive policy moves them.
	DLQ DLQSender
	// Logger for structured logs; nil: JSON on stderr at Config.LogLevel.
	Logger *slog.Logger
	// Metrics receives the EMF lines; nil: stdout.
	Metrics io.Writer
	// Reporter receives failure summaries (Sentry); nil: none.
	Reporter Reporter
	// Now is the clock; nil: time.Now.
	Now func() time.Time
	// MaxChunkCommands bounds the commands sent in one pipeline round trip
	// (whole messages; a bigger message is one chunk). The deadline is
	// checked between chunks. Default DefaultMaxChunkCommands.
	MaxChunkCommands int
}

// DefaultMaxChunkCommands is the default pipeline chunk size.
const DefaultMaxChunkCommands = 1024

// Handler processes SQS events. It is safe for one invocation at a time
// (Lambda's model); the Redis client is shared across invocations.
type Handler struct {
	cfg      contract.Config
	redis    redis.UniversalClient
	dlq      DLQSender
	log      *slog.Logger
	metrics  io.Writer
	reporter Reporter
	now      func() time.Time
	chunk    int
	cluster  bool
	metaTTL  string // ordered-mode metadata TTL in ms: tombstone window + refresh
	refresh  string // ordered-mode metadata TTL renewal period in ms
	// refreshMs is refresh as a number.
	refreshMs int64
}

// NewHandler returns a Handler.
func NewHandler(o Options) *Handler {
	h := &Handler{
		cfg: o.Config, redis: o.Redis, dlq: o.DLQ, log: o.Logger, metrics: o.Metrics,
		reporter: o.Reporter, now: o.Now, chunk: o.MaxChunkCommands,
	}
	if h.log == nil {
		h.log = NewLogger(os.Stderr, o.Config.LogLevel)
	}
	if h.metrics == nil {
		h.metrics = os.Stdout
	}
	if h.reporter == nil {
		h.reporter = nopReporter{}
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.chunk <= 0 {
		h.chunk = DefaultMaxChunkCommands
	}
	if _, ok := o.Redis.(*redis.ClusterClient); ok {
		h.cluster = true
	}
	ttl := h.cfg.TombstoneTTL
	if ttl <= 0 {
		ttl = contract.DefaultTombstoneTTL
	}
	refresh := min(ttl/8, time.Hour)
	h.metaTTL = strconv.FormatInt((ttl + refresh).Milliseconds(), 10)
	h.refresh = strconv.FormatInt(refresh.Milliseconds(), 10)
	h.refreshMs = refresh.Milliseconds()
	return h
}

// NewLogger returns the JSON slog logger the consumer uses.
func NewLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	switch level {
	case "debug":
		l = slog.LevelDebug
	case "warn":
		l = slog.LevelWarn
	case "error":
		l = slog.LevelError
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

// outcome of one record.
const (
	statePending = iota
	stateApplied
	stateFailed
	statePoison
)

type item struct {
	rec    *events.SQSMessage
	msg    *regis.Message
	origin string
	state  int
	reason string    // poison reason
	err    string    // poison or transient error
	cause  string    // transient: the error as Redis or the network gave it
	stale  int       // ordered mode: commands that were older than the stored version
	at     time.Time // when it was applied
}

func (it *item) poison(reason, err string) {
	if it.state == stateFailed {
		return // a transient failure wins: the retry will tell
	}
	if it.state != statePoison {
		it.state, it.reason, it.err = statePoison, reason, err
	}
}

// fail marks the item failed transiently: err describes it (which
// command), cause is the underlying error as Redis or the network gave it.
func (it *item) fail(err, cause string) {
	if it.state != stateFailed {
		it.state, it.err, it.cause = stateFailed, err, cause
	}
}

// Handle processes one SQS batch: every record ends applied, poisoned (sent
// to the DLQ, reported as a success so SQS deletes it) or failed (reported
// in BatchItemFailures so SQS delivers it again). It returns an error only
// when a failed record has no messageId to report, which makes Lambda retry
// the whole batch rather than lose it.
func (h *Handler) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	items := make([]item, len(ev.Records))
	for i := range ev.Records {
		items[i].rec = &ev.Records[i]
	}
	applyCtx, cancel, applyDeadline := h.applyContext(ctx)
	defer cancel()
	// Decoding (CPU) and applying (mostly waiting on Redis) overlap: a
	// goroutine decodes the records in order and hands over chunks of whole
	// messages, which are applied in the same order.
	chunks := make(chan []int, 4)
	go h.decodeChunks(items, chunks)
	h.apply(applyCtx, applyDeadline, items, chunks)

	letters, owners := h.deadLetters(items)
	if len(letters) > 0 {
		errs := make([]error, len(letters))
		cause := causeNoDLQ
		if h.dlq == nil {
			for i := range errs {
				errs[i] = errors.New("no DLQ configured (" + contract.EnvDLQURL + "): left to the source queue's redrive policy")
			}
		} else {
			errs = h.dlq.Send(ctx, letters)
		}
		for j, it := range owners {
			l := letters[j]
			if errs[j] != nil {
				if h.dlq != nil {
					cause = "DLQ: " + errs[j].Error()
				}
				it.state, it.cause = stateFailed, cause
				h.log.Warn("poison message not sent to the DLQ; reported failed",
					"message_id", l.SourceMessageID, "reason", l.Reason, "error", l.Error, "dlq_error", errs[j].Error())
				continue
			}
			h.log.Warn("poison message sent to the DLQ", "message_id", l.SourceMessageID, "regis_id", regisID(it),
				"origin_region", l.OriginRegion, "reason", l.Reason, "error", l.Error)
		}
	}

	var resp events.SQSEventResponse
	stats := invocationStats{}
	sum := Summary{Bus: h.cfg.BusName, Region: h.cfg.Region, Records: len(items), Poisoned: map[string]int{}}
	var missingID bool
	var cause string // of the first transient failure
	for i := range items {
		it := &items[i]
		o := stats.origin(it.origin)
		switch it.state {
		case stateApplied:
			o.messagesApplied++
			o.commandsApplied += len(it.msg.Commands)
			o.commandsStale += it.stale
		case statePoison:
			o.messagesPoisoned++
			if o.poisonByReason == nil {
				o.poisonByReason = map[string]int{}
			}
			o.poisonByReason[it.reason]++
			sum.Poisoned[it.reason]++
			if sum.FirstPoison == "" {
				sum.FirstPoison = it.reason + ": " + it.err
			}
		default:
			o.messagesFailed++
			sum.Failed++
			if sum.FirstFailure == "" {
				sum.FirstFailure = it.err
			}
			if cause == "" && it.cause != causeNoDLQ {
				// Poison kept for want of a DLQ is by design, not a failure
				// to report (it is logged above).
				cause = it.cause
				if cause == "" {
					cause = it.err
				}
			}
			if it.rec.MessageId == "" {
				missingID = true
				continue
			}
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: it.rec.MessageId})
		}
	}
	h.addLag(items, stats)
	var failure *batchFailure
	if cause != "" {
		f := classifyFailure(cause)
		failure = &f
		h.log.Error(f.message, "failure", f.kind, "bus", h.cfg.BusName, "failed", sum.Failed, "records", len(items),
			"first_error", sum.FirstFailure, "retry", "SQS delivers the failed messages again after the visibility timeout")
	}
	if err := writeEMF(h.metrics, h.cfg.MetricsNamespace, h.cfg.Region, h.cfg.BusName, h.now(), stats, failure); err != nil {
		h.log.Error("write EMF metrics", "error", err.Error())
	}
	if sum.Failed > 0 || len(sum.Poisoned) > 0 {
		h.reporter.Summary(sum)
		h.reporter.Flush(ctx)
	}
	if missingID {
		return resp, errors.New("regis consumer: a failed record has no messageId to report; failing the whole batch so that nothing is lost")
	}
	return resp, nil
}

func regisID(it *item) string {
	if it.msg != nil {
		return it.msg.ID
	}
	return ""
}

// applyContext returns the context Redis work runs under: the invocation's
// deadline minus a margin kept for DLQ sends, logs and metrics.
func (h *Handler) applyContext(ctx context.Context) (context.Context, context.CancelFunc, time.Time) {
	deadline, ok := ctx.Deadline()
	if !ok {
		c, cancel := context.WithCancel(ctx)
		return c, cancel, time.Time{}
	}
	margin := h.cfg.DeadlineMargin
	if margin <= 0 {
		margin = time.Until(deadline) / 10
		margin = max(200*time.Millisecond, min(margin, 2*time.Second))
	}
	d := deadline.Add(-margin)
	c, cancel := context.WithDeadline(ctx, d)
	return c, cancel, d
}

// prepare unwraps, decodes and validates a record.
func (h *Handler) prepare(it *item) {
	body := it.rec.Body
	if len(body) == 0 {
		it.poison(contract.ReasonEmptyBody, "the SQS message body is empty")
		return
	}
	payload, reason, err := unwrap(body)
	if err != nil {
		it.poison(reason, err.Error())
		return
	}
	m, err := regis.Decode(payload)
	if err != nil {
		it.poison(formatReason(err), err.Error())
		return
	}
	it.msg, it.origin = m, m.Origin.Region
	for i, c := range m.Commands {
		if err := regis.Validate(c.Args, h.cfg.Ordered); err != nil {
			it.poison(commandReason(err), fmt.Sprintf("command %d: %v", i, err))
			return
		}
		if h.cfg.Ordered {
			if reason, msg := checkOrdered(c); reason != "" {
				it.poison(reason, fmt.Sprintf("command %d: %s", i, msg))
				return
			}
		}
	}
}

// snsEnvelope is the JSON SNS wraps a message in without raw delivery.
type snsEnvelope struct {
	Type    string          `json:"Type"`
	Message json.RawMessage `json:"Message"`
}

// unwrap returns the Regis message inside an SQS body: the body itself
// (raw delivery) or the Message of an SNS notification envelope.
func unwrap(body string) ([]byte, string, error) {
	// The decoders only read their input, so the body is not copied.
	b := unsafe.Slice(unsafe.StringData(body), len(body))
	// Publishers write "regis" first; and a raw Regis message has no
	// top-level "Type" member, while the bytes "Type" followed by a quote
	// cannot occur inside a JSON string value without a backslash: so raw
	// bodies skip the envelope parse.
	if strings.HasPrefix(body, `{"regis":`) || !strings.Contains(body, `"Type"`) {
		return b, "", nil
	}
	var env snsEnvelope
	if json.Unmarshal(b, &env) != nil || env.Type != "Notification" {
		return b, "", nil //nolint:nilerr // not an envelope: Decode judges the body and reports why
	}
	var msg string
	if len(env.Message) == 0 || json.Unmarshal(env.Message, &msg) != nil {
		return nil, contract.ReasonBadEnvelope, errors.New(`SNS notification envelope without a string "Message"`)
	}
	return []byte(msg), "", nil
}

// deadLetters lists the poison items as dead letters.
func (h *Handler) deadLetters(items []item) ([]DeadLetter, []*item) {
	var letters []DeadLetter
	var owners []*item
	for i := range items {
		it := &items[i]
		if it.state != statePoison {
			continue
		}
		letters = append(letters, DeadLetter{
			SourceMessageID: it.rec.MessageId,
			Body:            it.rec.Body,
			Reason:          it.reason,
			Error:           it.err,
			OriginRegion:    it.origin,
			Bus:             h.cfg.BusName,
			Attributes:      it.rec.MessageAttributes,
		})
		owners = append(owners, it)
	}
	return letters, owners
}

// addLag records the replication lag of the applied items.
func (h *Handler) addLag(items []item, stats invocationStats) {
	for i := range items {
		it := &items[i]
		if it.state != stateApplied || it.msg == nil {
			continue
		}
		o := stats.origin(it.origin)
		lag := float64(it.at.Sub(it.msg.PublishedAt).Microseconds()) / 1000
		if lag < 0 {
			lag = 0 // publisher clock ahead of ours
		}
		o.lagSumMs += lag
		if lag > o.lagMaxMs {
			o.lagMaxMs = lag
		}
	}
}
