package sqs

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"sort"
	"strings"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

type msgState int

const (
	stateReady msgState = iota
	stateDelayed
	stateInflight
)

// message is one message in a queue.
type message struct {
	id       string
	body     string
	attrs    map[string]core.MessageAttribute
	sysAttrs map[string]core.MessageAttribute // AWSTraceHeader
	md5Body  string
	senderID string
	size     int

	sentAt     time.Time // SentTimestamp
	enqueuedAt time.Time // the start of the retention period
	seq        uint64

	state        msgState
	visibleAt    time.Time
	receiveCount int
	firstReceive time.Time
	receivedAt   time.Time // start of the current in-flight period
	nonce        string    // of the current receipt handle

	groupID, dedupID, seqNumber string
	// dlqSource is the ARN of the queue that dead-lettered the message.
	dlqSource string
	// deleteLost: delivery chaos already lost a delete of this message.
	deleteLost bool

	heapIdx, expIdx int
}

// ---------------------------------------------------------------- checksums

// md5Hex is the MD5OfBody of a string.
func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// md5OfAttributes computes MD5OfMessageAttributes the way SQS does: the
// attributes sorted by name, each encoded as length-prefixed (4 bytes, big
// endian) name and data type, one transport byte (1 for String and Number,
// 2 for Binary) and the length-prefixed value. Empty when there are none.
func md5OfAttributes(attrs map[string]core.MessageAttribute) string {
	if len(attrs) == 0 {
		return ""
	}
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	putBytes := func(b []byte) {
		var l [4]byte
		binary.BigEndian.PutUint32(l[:], uint32(len(b)))
		buf.Write(l[:])
		buf.Write(b)
	}
	for _, n := range names {
		a := attrs[n]
		putBytes([]byte(n))
		putBytes([]byte(a.DataType))
		if isBinaryType(a.DataType) {
			buf.WriteByte(2)
			putBytes(a.BinaryValue)
		} else {
			buf.WriteByte(1)
			putBytes([]byte(a.StringValue))
		}
	}
	sum := md5.Sum(buf.Bytes())
	return hex.EncodeToString(sum[:])
}

func baseType(dataType string) string {
	base, _, _ := strings.Cut(dataType, ".")
	return base
}

func isBinaryType(dataType string) bool { return baseType(dataType) == "Binary" }
