package sqs

import (
	"container/heap"
	"time"
)

// The ready set holds a queue's visible messages. A standard queue keeps one
// heap ordered by arrival. A FIFO queue keeps one heap per message group and
// a heap of the groups that can deliver (messages ready, none in flight),
// ordered by their oldest message, so that a receive never scans the
// messages of locked groups.

// fifoGroup is one message group of a FIFO queue.
type fifoGroup struct {
	id       string
	ready    msgHeap
	inflight int
	availIdx int
}

func newMsgHeapBySeq() msgHeap {
	return msgHeap{less: func(a, b *message) bool { return a.seq < b.seq }, index: stateIndex}
}

// groupHeap orders available groups by the arrival of their oldest message.
type groupHeap []*fifoGroup

func (h groupHeap) Len() int           { return len(h) }
func (h groupHeap) Less(i, j int) bool { return h[i].ready.top().seq < h[j].ready.top().seq }
func (h groupHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].availIdx, h[j].availIdx = i, j
}

// Push implements heap.Interface.
func (h *groupHeap) Push(x any) {
	g := x.(*fifoGroup)
	g.availIdx = len(*h)
	*h = append(*h, g)
}

// Pop implements heap.Interface.
func (h *groupHeap) Pop() any {
	old := *h
	g := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	g.availIdx = -1
	return g
}

func (q *queue) group(id string) *fifoGroup {
	g := q.groups[id]
	if g == nil {
		g = &fifoGroup{id: id, ready: newMsgHeapBySeq(), availIdx: -1}
		q.groups[id] = g
	}
	return g
}

// updateAvail puts g in or out of the available groups, or re-sorts it.
func (q *queue) updateAvail(g *fifoGroup) {
	want := g.ready.Len() > 0 && g.inflight == 0
	in := g.availIdx >= 0
	switch {
	case want && !in:
		heap.Push(&q.avail, g)
	case want && in:
		heap.Fix(&q.avail, g.availIdx)
	case !want && in:
		heap.Remove(&q.avail, g.availIdx)
	}
	if g.ready.Len() == 0 && g.inflight == 0 {
		delete(q.groups, g.id)
	}
}

// addReady makes m visible.
func (q *queue) addReady(m *message) {
	m.state = stateReady
	q.readyN++
	if !q.fifo {
		q.ready.add(m)
		return
	}
	g := q.group(m.groupID)
	g.ready.add(m)
	q.updateAvail(g)
}

// removeReady takes a visible m out of the ready set.
func (q *queue) removeReady(m *message) {
	q.readyN--
	if !q.fifo {
		q.ready.remove(m)
		return
	}
	if g := q.groups[m.groupID]; g != nil {
		g.ready.remove(m)
		q.updateAvail(g)
	}
}

// setInflight marks m (out of the ready set) as received until visibleAt.
func (q *queue) setInflight(m *message, visibleAt time.Time) {
	m.state = stateInflight
	m.visibleAt = visibleAt
	q.inflight++
	if q.fifo {
		g := q.group(m.groupID)
		g.inflight++
		q.updateAvail(g)
	}
	q.pending.add(m)
}

// leaveInflight updates the counters for m leaving the in-flight state.
func (q *queue) leaveInflight(m *message) {
	q.inflight--
	if q.fifo {
		if g := q.groups[m.groupID]; g != nil {
			g.inflight--
			q.updateAvail(g)
		}
	}
}

// nextReady is the message a receive would take first, or nil.
func (q *queue) nextReady() *message {
	if !q.fifo {
		if q.ready.Len() == 0 {
			return nil
		}
		return q.ready.top()
	}
	if len(q.avail) == 0 {
		return nil
	}
	return q.avail[0].ready.top()
}

// clearReady forgets every visible message (for purge and deletion).
func (q *queue) clearReady() {
	q.ready.clear()
	for _, g := range q.groups {
		g.ready.clear()
	}
	q.groups = map[string]*fifoGroup{}
	q.avail = nil
	q.readyN = 0
}
