package regis

import (
	"fmt"
	"sync/atomic"
	"time"
)

// Versions (ordered mode) are hybrid logical clock timestamps packed in a
// uint64, most significant bits first:
//
//	| 42 bits: milliseconds since VersionEpochMillis | 10 bits: logical counter | 12 bits: node |
//
// Comparing two versions as integers compares their times first, then the
// logical counter, then the node id, so:
//
//   - versions follow wall-clock time: a write stamped later (by any
//     publisher whose clock is right to within the skew between them) wins;
//   - one publisher's versions strictly increase: within one millisecond the
//     counter counts up (1,024 versions per millisecond); when it runs out,
//     it carries into the millisecond field, so the clock runs slightly ahead
//     of wall time until wall time catches up;
//   - two publishers never produce the same version unless they share a node
//     id, which is random (or set with Options.NodeID).
//
// 42 bits of milliseconds last 139 years from the epoch, until 2164.
const (
	// VersionEpochMillis is the zero of the time field of a version,
	// 2025-01-01T00:00:00Z, in Unix milliseconds.
	VersionEpochMillis = 1735689600000

	versionNodeBits    = 12
	versionLogicalBits = 10
	versionTimeBits    = 64 - versionNodeBits - versionLogicalBits

	versionTimeShift = versionNodeBits + versionLogicalBits
	maxNodeID        = 1<<versionNodeBits - 1
	// maxClock is the largest value of the clock (time and counter).
	maxClock = 1<<(versionTimeBits+versionLogicalBits) - 1
)

// VersionTime returns the wall-clock time, to the millisecond, that version v
// carries.
func VersionTime(v uint64) time.Time {
	return time.UnixMilli(VersionEpochMillis + int64(v>>versionTimeShift))
}

// VersionNode returns the node id part of version v.
func VersionNode(v uint64) uint16 { return uint16(v & maxNodeID) }

// MaxObservedSkew bounds how far ahead of the local clock a version passed to
// Publisher.Observe may be. A publisher that merged a version from a badly
// wrong clock would carry that error into every write it makes.
const MaxObservedSkew = time.Minute

// hlc is a hybrid logical clock. clock holds the time and counter fields of
// the last version handed out (the version without its node bits).
type hlc struct {
	clock atomic.Uint64
	node  uint64
	now   func() time.Time
}

func newHLC(node uint16, now func() time.Time) *hlc {
	return &hlc{node: uint64(node) & maxNodeID, now: now}
}

// physical returns the wall clock as a clock value with a zero counter.
func (h *hlc) physical() uint64 {
	ms := h.now().UnixMilli() - VersionEpochMillis
	if ms < 0 {
		ms = 0
	}
	return uint64(ms) << versionLogicalBits
}

// Next returns a new version, greater than every version this clock has
// returned or observed: the HLC send rule.
func (h *hlc) Next() uint64 {
	pt := h.physical()
	for {
		last := h.clock.Load()
		next := max(pt, last+1)
		if next > maxClock {
			// Year 2164, or a clock pushed to the end of time.
			panic("regis: version clock overflow")
		}
		if h.clock.CompareAndSwap(last, next) {
			return next<<versionNodeBits | h.node
		}
	}
}

// Observe merges version v seen elsewhere (the HLC receive rule): every
// version returned afterwards is greater than v. It refuses a version more
// than MaxObservedSkew ahead of the local clock.
func (h *hlc) Observe(v uint64) error {
	remote := v >> versionNodeBits
	if pt := h.physical(); remote > pt && (remote-pt)>>versionLogicalBits > uint64(MaxObservedSkew/time.Millisecond) {
		return fmt.Errorf("regis: version %d is %s ahead of the local clock (more than %s): not merged",
			v, VersionTime(v).Sub(time.UnixMilli(VersionEpochMillis+int64(pt>>versionLogicalBits))), MaxObservedSkew)
	}
	for {
		last := h.clock.Load()
		if remote <= last || h.clock.CompareAndSwap(last, remote) {
			return nil
		}
	}
}
