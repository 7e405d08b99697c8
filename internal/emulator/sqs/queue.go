package sqs

import (
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/iampolicy"
)

// AWS limits and defaults.
const (
	defaultVisibilityTimeout = 30
	maxVisibilityTimeout     = 43200
	defaultRetention         = 345600
	minRetention             = 60
	maxRetention             = 1209600
	maxWaitTime              = 20
	maxDelay                 = 900
	minMessageSize           = 1024
	// MaxMessageSize is SQS's largest message (and batch) since August 2025: 1 MiB.
	MaxMessageSize       = 1048576
	defaultKMSReuse      = 300
	minKMSReuse          = 60
	maxKMSReuse          = 86400
	minMaxReceiveCount   = 1
	maxMaxReceiveCount   = 1000
	maxTags              = 50
	queueDeletionBarrier = 60 * time.Second
	purgeInterval        = 60 * time.Second
	fifoDedupWindow      = 5 * time.Minute
)

var queueNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// queue is one SQS queue and its messages. Every field is guarded by the
// service mutex.
type queue struct {
	name, region, account, arn, url string
	fifo                            bool

	attrs    queueAttrs
	tags     map[string]string
	created  time.Time
	modified time.Time
	purged   time.Time

	msgs    map[string]*message
	ready   msgHeap // standard queues: visible messages, oldest first
	pending msgHeap // delayed and in-flight messages, by the time they become visible
	expiry  msgHeap // every message, by enqueue time (retention)

	readyN, inflight, delayed int
	seq                       uint64

	// notify is closed (and replaced) when messages may have become
	// receivable, to wake long polls; only when someone waits.
	notify  chan struct{}
	waiters int
	deleted bool

	// FIFO state: visible messages by group (see readyset.go) and the
	// deduplication ids of the last five minutes, in order of expiry.
	groups     map[string]*fifoGroup
	avail      groupHeap
	dedup      map[string]dedupEntry
	dedupOrder []dedupKey
	fifoSeq    uint64

	// chaos, when set (a test hook, see chaos.go), shuffles receives and
	// loses deletes as SQS standard queues may.
	chaos *queueChaos
}

type dedupEntry struct {
	until     time.Time
	messageID string
	seqNumber string
}

type dedupKey struct {
	key   string
	until time.Time
}

// queueAttrs are the settable attributes, parsed.
type queueAttrs struct {
	VisibilityTimeout             int
	MaximumMessageSize            int
	MessageRetentionPeriod        int
	DelaySeconds                  int
	ReceiveMessageWaitTimeSeconds int
	Policy                        string
	policy                        *iampolicy.Document
	RedrivePolicy                 string
	redrive                       *redrivePolicy
	RedriveAllowPolicy            string
	redriveAllow                  *redriveAllowPolicy
	KmsMasterKeyID                string
	KmsDataKeyReusePeriodSeconds  int
	SqsManagedSseEnabled          bool
	ContentBasedDeduplication     bool
	DeduplicationScope            string
	FifoThroughputLimit           string
}

type redrivePolicy struct {
	DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	MaxReceiveCount     int    `json:"maxReceiveCount"`
}

type redriveAllowPolicy struct {
	RedrivePermission string   `json:"redrivePermission"`
	SourceQueueArns   []string `json:"sourceQueueArns,omitempty"`
}

func defaultAttrs(fifo bool) queueAttrs {
	a := queueAttrs{
		VisibilityTimeout:            defaultVisibilityTimeout,
		MaximumMessageSize:           MaxMessageSize,
		MessageRetentionPeriod:       defaultRetention,
		KmsDataKeyReusePeriodSeconds: defaultKMSReuse,
		SqsManagedSseEnabled:         true,
	}
	if fifo {
		a.DeduplicationScope = "queue"
		a.FifoThroughputLimit = "perQueue"
	}
	return a
}

func newQueue(region, account, name string, fifo bool, now time.Time) *queue {
	q := &queue{
		name:    name,
		region:  region,
		account: account,
		arn:     core.ARN("sqs", region, account, name),
		url:     queueURL(region, account, name),
		fifo:    fifo,
		attrs:   defaultAttrs(fifo),
		tags:    map[string]string{},
		created: now,

		modified: now,
		msgs:     map[string]*message{},
		notify:   make(chan struct{}),
	}
	q.ready = newMsgHeapBySeq()
	q.pending = msgHeap{less: func(a, b *message) bool {
		if !a.visibleAt.Equal(b.visibleAt) {
			return a.visibleAt.Before(b.visibleAt)
		}
		return a.seq < b.seq
	}, index: stateIndex}
	q.expiry = msgHeap{less: func(a, b *message) bool {
		if !a.enqueuedAt.Equal(b.enqueuedAt) {
			return a.enqueuedAt.Before(b.enqueuedAt)
		}
		return a.seq < b.seq
	}, index: expiryIndex}
	if fifo {
		q.groups = map[string]*fifoGroup{}
		q.dedup = map[string]dedupEntry{}
	}
	return q
}

func queueURL(region, account, name string) string {
	return "https://sqs." + region + ".amazonaws.com/" + account + "/" + name
}

// signal wakes the long polls of q.
func (q *queue) signal() {
	if q.waiters > 0 {
		close(q.notify)
		q.notify = make(chan struct{})
	}
}

// ------------------------------------------------------------ queue lookup

// queueByURL finds the queue a QueueUrl names in the request's region.
// Callers hold s.mu.
func (s *Service) queueByURL(req *core.Request, raw string) (*queue, *core.APIError) {
	if raw == "" {
		return nil, errMissingParameter("QueueUrl")
	}
	region, account, name, ok := parseQueueURL(raw)
	if !ok {
		return nil, &core.APIError{Status: 404, Code: "InvalidAddress", Message: "The address " + raw + " is not valid for this endpoint."}
	}
	if region == "" {
		region = req.Region
	}
	if region != req.Region || account != req.AccountID {
		return nil, errQueueDoesNotExist()
	}
	q := s.queues[core.ARN("sqs", region, account, name)]
	if q == nil {
		return nil, errQueueDoesNotExist()
	}
	return q, nil
}

// parseQueueURL reads AWS queue URLs (https://sqs.<region>.amazonaws.com/…
// and the legacy https://<region>.queue.amazonaws.com/…) and URLs on any
// other host (the emulator's own), whose region is then empty: the request's.
func parseQueueURL(raw string) (region, account, name string, ok bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", "", "", false
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) < 2 {
		return "", "", "", false
	}
	account, name = parts[len(parts)-2], parts[len(parts)-1]
	if account == "" || name == "" {
		return "", "", "", false
	}
	host := strings.ToLower(u.Hostname())
	switch {
	case strings.HasPrefix(host, "sqs.") && strings.HasSuffix(host, ".amazonaws.com"):
		region = strings.TrimSuffix(strings.TrimPrefix(host, "sqs."), ".amazonaws.com")
	case strings.HasSuffix(host, ".queue.amazonaws.com"):
		region = strings.TrimSuffix(host, ".queue.amazonaws.com")
	case host == "queue.amazonaws.com":
		region = "us-east-1"
	}
	return region, account, name, true
}
