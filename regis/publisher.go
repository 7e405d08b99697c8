package regis

import (
	"compress/gzip"
	"context"
	crand "crypto/rand"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
)

// SNSAPI is the part of the SNS client (*sns.Client) a Publisher uses.
// Tests can supply a fake.
type SNSAPI interface {
	Publish(ctx context.Context, params *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
	PublishBatch(ctx context.Context, params *sns.PublishBatchInput, optFns ...func(*sns.Options)) (*sns.PublishBatchOutput, error)
}

// Limits and defaults.
const (
	// MaxBatchSize is the most a PublishBatch call may carry: the sum of
	// its messages' sizes (and at most MaxBatchEntries messages).
	MaxBatchSize = 262144
	// MaxBatchEntries is the most messages a PublishBatch call may carry.
	MaxBatchEntries = 10
	// MaxRaisedMessageSize is the largest Options.MaxMessageBytes accepted:
	// 1 MiB, for topics and queues configured for it.
	MaxRaisedMessageSize = 1 << 20

	defaultLinger           = 20 * time.Millisecond
	defaultMaxBufferedBytes = 16 << 20
	defaultConcurrency      = 4
	defaultCompressionLevel = 4
	defaultMaxRetries       = 3
	defaultRetryBackoff     = 100 * time.Millisecond
	maxRetryBackoff         = 5 * time.Second
	maxMessageIDLen         = 128
	minMessageBytes         = 1024
)

// ReservedKeyPrefix starts the keys where consumers in ordered mode keep
// version metadata. Ordered publishers refuse commands that write such keys.
const ReservedKeyPrefix = "__regis:"

// ErrClosed is returned by commands published after Close.
var ErrClosed = errors.New("regis: publisher closed")

// Options configure a Publisher. Only Origin is required.
type Options struct {
	// Origin names the region and service that publish (both required).
	// Consumers report it in their logs and metrics.
	Origin Origin

	// Ordered stamps every command with a version from a hybrid logical
	// clock, so that consumers apply a write only if it is newer than the
	// one they hold for the key, whatever order messages arrive in. Commands
	// whose effect depends on the current value (SET NX/XX/KEEPTTL, ZADD
	// NX/XX/GT/LT/CH, PEXPIREAT NX/XX/GT/LT) are refused: they cannot be
	// ordered. See VersionTime for the layout of a version.
	Ordered bool

	// NodeID sets the low 12 bits of every version (1–4095). Zero picks a
	// random node id, which keeps versions from different publishers apart
	// with high probability; set distinct ids when the deployment can
	// assign them (for example from a task index) to make that certain.
	NodeID int

	// Linger is how long a partly filled message may wait for more commands
	// before it is sent. Zero means 20 ms. A full message is sent at once.
	Linger time.Duration

	// MaxMessageBytes is the largest message body. Zero means
	// MaxMessageSize (256 KiB). Up to MaxRaisedMessageSize (1 MiB) when the
	// topic and every subscribed queue accept messages that large; messages
	// over 256 KiB are sent one per Publish call.
	MaxMessageBytes int

	// Compression is CompressionNone or CompressionGzip. With gzip a message
	// is compressed when that makes it smaller, and messages of compressible
	// commands carry far more than MaxMessageBytes of commands. Compression
	// costs CPU on the publisher and the consumer.
	Compression string

	// CompressionLevel is the gzip level, from 1 (fastest) to 9 (smallest).
	// Zero means 4: on JSON values about three times faster than gzip's
	// default level 6, for about 13% more bytes.
	CompressionLevel int

	// MaxBufferedBytes bounds the encoded commands the publisher holds,
	// from the call that publishes them until SNS has accepted (or finally
	// refused) their message. When it is reached, publishing blocks until
	// space is freed, its context is done or the publisher is closed, so a
	// slow or failing SNS slows publishers down instead of growing memory
	// without limit. Zero means 16 MiB. It must be at least MaxMessageBytes.
	MaxBufferedBytes int

	// Concurrency is the number of SNS calls in flight at once. Zero means 4.
	Concurrency int

	// MaxRetries is how many times a batch entry that SNS failed with a
	// server-side error (SenderFault false) is sent again, after a backoff
	// starting at RetryBackoff (zero means 100 ms) and doubling. Zero means
	// 3; -1 disables these retries. Errors of whole API calls are retried
	// by the SNS client's own retryer (aws.Config.Retryer), not here.
	MaxRetries   int
	RetryBackoff time.Duration

	// Now returns the current time (default time.Now). It dates messages,
	// turns relative TTLs into absolute times and drives the version clock.
	Now func() time.Time

	// NewMessageID returns a new unique message id, at most 128 bytes
	// (default: 26 random base32 characters, 128 bits).
	NewMessageID func() string

	// OnError, if set, is called once for every message SNS did not accept,
	// with its *PublishError. It must not block. Results report the same
	// error to each command; OnError suits fire-and-forget publishers that
	// only log failures.
	OnError func(error)
}

func (o *Options) setDefaults() error {
	if o.Origin.Region == "" || o.Origin.Service == "" {
		return errors.New("regis: Options.Origin needs a Region and a Service")
	}
	if !IsText(o.Origin.Region) || !IsText(o.Origin.Service) {
		return errors.New("regis: Options.Origin must be valid UTF-8 text")
	}
	if o.NodeID < 0 || o.NodeID > maxNodeID {
		return fmt.Errorf("regis: Options.NodeID %d is not in 1–%d", o.NodeID, maxNodeID)
	}
	if o.Linger < 0 {
		return fmt.Errorf("regis: Options.Linger %s is negative", o.Linger)
	}
	if o.Linger == 0 {
		o.Linger = defaultLinger
	}
	if o.MaxMessageBytes == 0 {
		o.MaxMessageBytes = MaxMessageSize
	}
	if o.MaxMessageBytes < minMessageBytes || o.MaxMessageBytes > MaxRaisedMessageSize {
		return fmt.Errorf("regis: Options.MaxMessageBytes %d is not in %d–%d", o.MaxMessageBytes, minMessageBytes, MaxRaisedMessageSize)
	}
	switch o.Compression {
	case CompressionNone, CompressionGzip:
	default:
		return fmt.Errorf("regis: unknown Options.Compression %q (want %q or %q)", o.Compression, CompressionNone, CompressionGzip)
	}
	if o.CompressionLevel == 0 {
		o.CompressionLevel = defaultCompressionLevel
	}
	if o.CompressionLevel < gzip.BestSpeed || o.CompressionLevel > gzip.BestCompression {
		return fmt.Errorf("regis: Options.CompressionLevel %d is not in %d–%d", o.CompressionLevel, gzip.BestSpeed, gzip.BestCompression)
	}
	if o.MaxBufferedBytes == 0 {
		o.MaxBufferedBytes = max(defaultMaxBufferedBytes, o.MaxMessageBytes)
	}
	if o.MaxBufferedBytes < o.MaxMessageBytes {
		return fmt.Errorf("regis: Options.MaxBufferedBytes %d is less than MaxMessageBytes %d", o.MaxBufferedBytes, o.MaxMessageBytes)
	}
	if o.Concurrency == 0 {
		o.Concurrency = defaultConcurrency
	}
	if o.Concurrency < 0 {
		return fmt.Errorf("regis: Options.Concurrency %d is negative", o.Concurrency)
	}
	switch {
	case o.MaxRetries == 0:
		o.MaxRetries = defaultMaxRetries
	case o.MaxRetries == -1:
		o.MaxRetries = 0
	case o.MaxRetries < 0:
		return fmt.Errorf("regis: Options.MaxRetries %d: use -1 to disable retries", o.MaxRetries)
	}
	if o.RetryBackoff <= 0 {
		o.RetryBackoff = defaultRetryBackoff
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.NewMessageID == nil {
		o.NewMessageID = crand.Text
	}
	return nil
}

// A Publisher sends Redis commands to the Regis SNS topic. It packs commands
// into as few messages as the size limit allows, sends full messages at once
// and partly filled ones after Options.Linger, several messages per
// PublishBatch call when they are small, and reports the outcome of every
// command through its Result.
//
// Commands are checked when published: a command that is not on the
// allow-list, or that cannot be made idempotent, is refused with a
// *CommandError and nothing is sent. Relative TTLs become absolute times
// then, so a command redelivered later does not extend a key's life.
//
// Commands from one Publisher are sent in order within a message, but
// messages may arrive in any order and more than once (SNS and SQS promise
// no more), so each command must be right on its own; use Options.Ordered
// when two writes to one key can race.
//
// A Publisher is safe for concurrent use. Close it to send what it holds.
type Publisher struct {
	client SNSAPI
	topic  *string
	opts   Options
	clock  *hlc
	budget *byteBudget

	// ctx is the context of SNS calls; cancel aborts them when Close gives
	// up waiting.
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	cond     *sync.Cond // signalled when ready grows or stopping is set
	cur      *message   // being filled
	ready    []*message // sealed, waiting for a worker
	pending  map[*message]struct{}
	closed   bool
	stopping bool
	scratch  []byte

	closeOnce sync.Once
	closeDone chan struct{}
	closeErr  error
	workers   sync.WaitGroup

	stats counters
}

// NewPublisher returns a Publisher that publishes to the SNS topic topicARN
// (a standard topic) with client, usually an *sns.Client built from an
// aws.Config whose retryer suits the caller.
func NewPublisher(client SNSAPI, topicARN string, opts Options) (*Publisher, error) {
	if client == nil {
		return nil, errors.New("regis: NewPublisher needs an SNS client")
	}
	if topicARN == "" {
		return nil, errors.New("regis: NewPublisher needs a topic ARN")
	}
	if err := opts.setDefaults(); err != nil {
		return nil, err
	}
	node := uint16(opts.NodeID)
	if node == 0 {
		node = uint16(rand.Uint32() & maxNodeID) //nolint:gosec // not a secret
	}
	p := &Publisher{
		client:    client,
		topic:     aws.String(topicARN),
		opts:      opts,
		clock:     newHLC(node, opts.Now),
		budget:    newByteBudget(int64(opts.MaxBufferedBytes)),
		pending:   make(map[*message]struct{}),
		closeDone: make(chan struct{}),
	}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	p.cond = sync.NewCond(&p.mu)
	p.workers.Add(opts.Concurrency)
	for range opts.Concurrency {
		go p.worker()
	}
	return p, nil
}

// Result is the outcome of one published command.
type Result struct {
	m       *message
	version uint64
}

// Wait waits until the message carrying the command has been published,
// or SNS has finally refused it, and returns nil or the *PublishError. It
// returns ctx's error if ctx is done first; the command is still sent.
func (r *Result) Wait(ctx context.Context) error {
	select {
	case <-r.m.done:
		return r.m.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Done is closed when the outcome is known; Wait then returns at once.
func (r *Result) Done() <-chan struct{} { return r.m.done }

// Version is the command's version in ordered mode, zero otherwise.
func (r *Result) Version() uint64 { return r.version }

// MessageID is the id of the message that carries the command, as
// consumers log it.
func (r *Result) MessageID() string { return r.m.id }

// PublishError reports a message that SNS did not accept. Every command the
// message carried fails with it.
type PublishError struct {
	MessageID string // the Regis message id
	Commands  int    // commands in the message
	// Code and Message are SNS's reason for a failed PublishBatch entry,
	// SenderFault whether SNS blamed the request. They are empty when the
	// API call itself failed, and Err holds that error.
	Code        string
	Message     string
	SenderFault bool
	Err         error
}

func (e *PublishError) Error() string {
	why := e.Code + ": " + e.Message
	if e.Err != nil {
		why = e.Err.Error()
	}
	return fmt.Sprintf("regis: message %s (%d commands) not published: %s", e.MessageID, e.Commands, why)
}

func (e *PublishError) Unwrap() error { return e.Err }

// Do publishes one command given as its arguments, command name first, for
// example Do(ctx, "SET", "k", "v", "EX", "60"). The command is checked and
// rewritten by Normalize (and refused in ordered mode if it cannot be
// ordered); a refused command returns a *CommandError and is not sent.
func (p *Publisher) Do(ctx context.Context, args ...string) (*Result, error) {
	canon, err := Normalize(args, p.opts.Now())
	if err != nil {
		return nil, err
	}
	return p.publish(ctx, canon)
}

// Observe merges a version seen elsewhere, for example one a consumer
// stored with a key: every version stamped afterwards is greater, so a write
// that depends on what was read wins over it. A version more than
// MaxObservedSkew ahead of the local clock is refused.
func (p *Publisher) Observe(version uint64) error { return p.clock.Observe(version) }

var arrayBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// publish sends one canonical command.
func (p *Publisher) publish(ctx context.Context, args []string) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := Validate(args, p.opts.Ordered); err != nil {
		return nil, err
	}
	if p.opts.Ordered {
		for _, k := range Keys(args) {
			if strings.HasPrefix(k, ReservedKeyPrefix) {
				return nil, refuse(args[0], "keys starting with %q hold ordered-mode version metadata", ReservedKeyPrefix)
			}
		}
	}
	bp := arrayBuffers.Get().(*[]byte)
	array, form := appendArgs((*bp)[:0], args)
	defer func() {
		if cap(array) <= 64<<10 {
			*bp = array[:0]
			arrayBuffers.Put(bp)
		}
	}()
	size := len(array) + len(",")
	if form != formText || p.opts.Ordered {
		size += maxWrapOverhead
	}
	if err := p.checkSize(args[0], size); err != nil {
		return nil, err
	}
	n := int64(size)
	ok, err := p.budget.tryAcquire(n)
	if err != nil {
		return nil, err
	}
	if !ok {
		// Full: what is being filled will not fill faster by waiting.
		p.sealCurrent()
		if err := p.budget.acquire(ctx, n); err != nil {
			return nil, err
		}
	}

	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		p.budget.release(n)
		return nil, ErrClosed
	}
	var version uint64
	if p.opts.Ordered {
		version = p.clock.Next()
	}
	cmd := appendWrapped(p.scratch[:0], array, form, version)
	if cap(cmd) <= 64<<10 {
		p.scratch = cmd
	}
	m, err := p.current()
	if err == nil {
		placed := m.add(cmd)
		if !placed && m.n > 0 {
			// Full: send it, start another.
			p.sealLocked()
			if m, err = p.current(); err == nil {
				placed = m.add(cmd)
			}
		}
		if err == nil && !placed {
			// Even an empty message cannot carry it.
			p.dropCurrentLocked()
			err = p.tooLarge(args[0], len(cmd))
		}
	}
	if err != nil {
		p.mu.Unlock()
		p.budget.release(n)
		return nil, err
	}
	m.reserved += n
	res := &Result{m: m, version: version}
	if m.full() {
		p.sealLocked()
	}
	p.mu.Unlock()
	p.stats.commands.Add(1)
	return res, nil
}

// checkSize refuses, before taking buffer space, commands too large for any
// message.
func (p *Publisher) checkSize(name string, size int) error {
	switch {
	case size > p.opts.MaxBufferedBytes:
		return &CommandError{Command: name, Reason: fmt.Sprintf("%d bytes encoded exceed Options.MaxBufferedBytes (%d)", size, p.opts.MaxBufferedBytes)}
	case p.opts.Compression == CompressionNone && size > p.opts.MaxMessageBytes:
		return p.tooLarge(name, size)
	case size > MaxDecompressedSize/2:
		return &CommandError{Command: name, Reason: fmt.Sprintf("%d bytes encoded: a consumer decompresses at most %d bytes", size, MaxDecompressedSize)}
	}
	return nil
}

func (p *Publisher) tooLarge(name string, size int) error {
	how := "uncompressed"
	if p.opts.Compression != CompressionNone {
		how = "even compressed"
	}
	return &CommandError{Command: name, Reason: fmt.Sprintf("%d bytes encoded do not fit in a %d-byte message %s", size, p.opts.MaxMessageBytes, how)}
}

// current returns the message being filled, opening one if needed.
func (p *Publisher) current() (*message, error) {
	if p.cur != nil {
		return p.cur, nil
	}
	id := p.opts.NewMessageID()
	if id == "" || len(id) > maxMessageIDLen || !IsText(id) {
		return nil, fmt.Errorf("regis: Options.NewMessageID returned %q: want 1–%d bytes of UTF-8 text", id, maxMessageIDLen)
	}
	ts := max(p.opts.Now().UnixMilli(), 1) // consumers refuse ts ≤ 0
	level := 0
	if p.opts.Compression == CompressionGzip {
		level = p.opts.CompressionLevel
	}
	m := startMessage(id, p.opts.Origin, ts, p.opts.MaxMessageBytes, level)
	m.timer = time.AfterFunc(p.opts.Linger, func() { p.lingerExpired(m) })
	p.cur = m
	return m, nil
}

func (p *Publisher) lingerExpired(m *message) {
	p.mu.Lock()
	if p.cur == m {
		p.sealLocked()
	}
	p.mu.Unlock()
}

func (p *Publisher) sealCurrent() {
	p.mu.Lock()
	p.sealLocked()
	p.mu.Unlock()
}

func (p *Publisher) dropCurrentLocked() {
	m := p.cur
	p.cur = nil
	m.timer.Stop()
	m.discard()
}

// sealLocked closes the message being filled and queues it for sending.
func (p *Publisher) sealLocked() {
	m := p.cur
	if m == nil {
		return
	}
	if m.n == 0 {
		p.dropCurrentLocked()
		return
	}
	p.cur = nil
	m.timer.Stop()
	err := m.seal()
	p.pending[m] = struct{}{}
	if err != nil {
		// Unreachable unless gzipBound is wrong; fail loudly, not silently.
		go p.finish(m, &PublishError{MessageID: m.id, Commands: m.n, Err: err})
		return
	}
	p.ready = append(p.ready, m)
	p.cond.Signal()
}

// worker sends ready messages until the publisher stops.
func (p *Publisher) worker() {
	defer p.workers.Done()
	for {
		p.mu.Lock()
		for len(p.ready) == 0 && !p.stopping {
			p.cond.Wait()
		}
		if len(p.ready) == 0 {
			p.mu.Unlock()
			return
		}
		group := p.takeLocked()
		p.mu.Unlock()
		p.send(group)
	}
}

// takeLocked takes the oldest ready messages that fit in one call: up to
// MaxBatchEntries messages of MaxBatchSize bytes in all. A message larger
// than MaxBatchSize (possible with raised limits) goes alone.
func (p *Publisher) takeLocked() []*message {
	n, total := 1, len(p.ready[0].body)
	for n < len(p.ready) && n < MaxBatchEntries && total+len(p.ready[n].body) <= MaxBatchSize {
		total += len(p.ready[n].body)
		n++
	}
	group := make([]*message, n)
	copy(group, p.ready)
	clear(p.ready[:n])
	p.ready = p.ready[n:]
	if len(p.ready) == 0 {
		p.ready = p.ready[:0:0]
	}
	return group
}

// send publishes a group of messages with the cheapest call that carries
// them all: Publish for one, PublishBatch for more. Batch entries failed
// with server-side errors are sent again, up to MaxRetries times.
func (p *Publisher) send(group []*message) {
	for attempt := 0; ; attempt++ {
		if len(group) == 1 {
			p.finish(group[0], p.publishOne(group[0]))
			return
		}
		retry, errs := p.publishBatch(group)
		if len(retry) == 0 {
			return
		}
		if attempt >= p.opts.MaxRetries {
			for i, m := range retry {
				p.finish(m, errs[i])
			}
			return
		}
		if err := p.sleep(attempt); err != nil {
			for _, m := range retry {
				p.finish(m, &PublishError{MessageID: m.id, Commands: m.n, Err: err})
			}
			return
		}
		p.stats.retries.Add(uint64(len(retry)))
		group = retry
	}
}

func (p *Publisher) publishOne(m *message) error {
	p.stats.publishCalls.Add(1)
	_, err := p.client.Publish(p.ctx, &sns.PublishInput{TopicArn: p.topic, Message: aws.String(m.body)})
	if err != nil {
		return &PublishError{MessageID: m.id, Commands: m.n, Err: err}
	}
	return nil
}

// publishBatch sends group in one PublishBatch call, finishes the messages
// that succeeded or failed for good, and returns those worth retrying with
// their errors.
func (p *Publisher) publishBatch(group []*message) (retry []*message, errs []error) {
	entries := make([]types.PublishBatchRequestEntry, len(group))
	for i, m := range group {
		entries[i] = types.PublishBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), Message: aws.String(m.body)}
	}
	p.stats.batchCalls.Add(1)
	out, err := p.client.PublishBatch(p.ctx, &sns.PublishBatchInput{TopicArn: p.topic, PublishBatchRequestEntries: entries})
	if err != nil {
		for _, m := range group {
			p.finish(m, &PublishError{MessageID: m.id, Commands: m.n, Err: err})
		}
		return nil, nil
	}
	done := make([]bool, len(group))
	entry := func(id *string) (int, bool) {
		i, err := strconv.Atoi(aws.ToString(id))
		if err != nil || i < 0 || i >= len(group) || done[i] {
			return 0, false
		}
		done[i] = true
		return i, true
	}
	for _, s := range out.Successful {
		if i, ok := entry(s.Id); ok {
			p.finish(group[i], nil)
		}
	}
	for _, f := range out.Failed {
		i, ok := entry(f.Id)
		if !ok {
			continue
		}
		m := group[i]
		perr := &PublishError{MessageID: m.id, Commands: m.n, Code: aws.ToString(f.Code), Message: aws.ToString(f.Message), SenderFault: f.SenderFault}
		if f.SenderFault {
			p.finish(m, perr)
			continue
		}
		retry, errs = append(retry, m), append(errs, perr)
	}
	for i, m := range group {
		if !done[i] {
			// SNS said nothing about it: send it again (duplicates are harmless).
			retry, errs = append(retry, m), append(errs, &PublishError{MessageID: m.id, Commands: m.n, Code: "NoResult", Message: "PublishBatch returned no result for the entry"})
		}
	}
	return retry, errs
}

// sleep waits before retry number attempt+1: exponential backoff with jitter.
func (p *Publisher) sleep(attempt int) error {
	d := p.opts.RetryBackoff << min(attempt, 16)
	if d > maxRetryBackoff || d <= 0 {
		d = maxRetryBackoff
	}
	d = d/2 + rand.N(d/2+1)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-p.ctx.Done():
		return p.ctx.Err()
	}
}

// finish records the outcome of a message and frees its buffer space. The
// counters and OnError come before done is closed, so that whoever waits
// for the message sees them; the message leaves pending after, so that
// Flush either waits for it or finds it done.
func (p *Publisher) finish(m *message, err error) {
	m.err = err
	m.body = ""
	p.budget.release(m.reserved)
	if err != nil {
		p.stats.messagesFailed.Add(1)
		p.stats.commandsFailed.Add(uint64(m.n))
		if p.opts.OnError != nil {
			p.opts.OnError(err)
		}
	} else {
		p.stats.messages.Add(1)
		p.stats.commandsPublished.Add(uint64(m.n))
		p.stats.bytes.Add(uint64(m.size))
		p.stats.rawBytes.Add(uint64(m.rawLen))
		if m.compressed {
			p.stats.compressed.Add(1)
		}
	}
	close(m.done)
	p.mu.Lock()
	delete(p.pending, m)
	p.mu.Unlock()
}

// Flush sends every command published before it and waits until SNS has
// accepted or refused them all, or ctx is done. It returns an error if any
// of those commands failed: the first failure, with a count; Results tell
// which.
func (p *Publisher) Flush(ctx context.Context) error {
	p.mu.Lock()
	p.sealLocked()
	waits := p.pendingLocked()
	p.mu.Unlock()
	return waitFor(ctx, waits)
}

func (p *Publisher) pendingLocked() []*message {
	waits := make([]*message, 0, len(p.pending))
	for m := range p.pending {
		waits = append(waits, m)
	}
	return waits
}

func waitFor(ctx context.Context, ms []*message) error {
	var failed, total int
	var first error
	for _, m := range ms {
		select {
		case <-m.done:
		case <-ctx.Done():
			return fmt.Errorf("regis: waiting for %d messages: %w", len(ms), ctx.Err())
		}
		total += m.n
		if m.err != nil {
			failed += m.n
			if first == nil {
				first = m.err
			}
		}
	}
	if first != nil {
		return fmt.Errorf("regis: %d of %d commands not published: %w", failed, total, first)
	}
	return nil
}

// Close stops accepting commands (they fail with ErrClosed, including those
// blocked waiting for buffer space), sends everything buffered, waits for it
// and stops the publisher. If ctx is done first, Close aborts the SNS calls
// in flight, fails the commands not yet sent and returns ctx's error.
// Calling Close again waits for the first call and returns its error.
func (p *Publisher) Close(ctx context.Context) error {
	first := false
	p.closeOnce.Do(func() { first = true })
	if !first {
		select {
		case <-p.closeDone:
			return p.closeErr
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	p.mu.Lock()
	p.closed = true
	p.sealLocked()
	waits := p.pendingLocked()
	p.mu.Unlock()
	p.budget.close()

	err := waitFor(ctx, waits)
	if ctx.Err() != nil {
		p.cancel()
	}
	p.mu.Lock()
	p.stopping = true
	p.cond.Broadcast()
	p.mu.Unlock()
	p.workers.Wait()
	p.cancel()
	p.closeErr = err
	close(p.closeDone)
	return err
}

// Stats is a snapshot of a publisher's counters.
type Stats struct {
	Commands          uint64 // commands accepted
	CommandsPublished uint64 // commands in messages SNS accepted
	CommandsFailed    uint64 // commands in messages SNS refused
	Messages          uint64 // messages SNS accepted
	MessagesFailed    uint64 // messages SNS refused
	Compressed        uint64 // accepted messages sent compressed
	PublishCalls      uint64 // Publish API calls
	BatchCalls        uint64 // PublishBatch API calls
	Retries           uint64 // batch entries sent again
	Bytes             uint64 // bytes of accepted message bodies, as SNS counts them
	CommandBytes      uint64 // bytes of their commands arrays, uncompressed
	BufferedBytes     int64  // bytes of commands held now
}

type counters struct {
	commands, commandsPublished, commandsFailed        atomic.Uint64
	messages, messagesFailed, compressed               atomic.Uint64
	publishCalls, batchCalls, retries, bytes, rawBytes atomic.Uint64
}

// Stats returns the publisher's counters.
func (p *Publisher) Stats() Stats {
	s := &p.stats
	return Stats{
		Commands:          s.commands.Load(),
		CommandsPublished: s.commandsPublished.Load(),
		CommandsFailed:    s.commandsFailed.Load(),
		Messages:          s.messages.Load(),
		MessagesFailed:    s.messagesFailed.Load(),
		Compressed:        s.compressed.Load(),
		PublishCalls:      s.publishCalls.Load(),
		BatchCalls:        s.batchCalls.Load(),
		Retries:           s.retries.Load(),
		Bytes:             s.bytes.Load(),
		CommandBytes:      s.rawBytes.Load(),
		BufferedBytes:     p.budget.inUse(),
	}
}
