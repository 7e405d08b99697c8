package sqs

import (
	"container/heap"
)

// --------------------------------------------------------------- the heaps

// msgHeap is a binary heap of messages that keeps each message's index up to
// date, so that any message can be removed or fixed in O(log n).
type msgHeap struct {
	items []*message
	less  func(a, b *message) bool
	index func(m *message) *int
}

func stateIndex(m *message) *int  { return &m.heapIdx }
func expiryIndex(m *message) *int { return &m.expIdx }

func (h *msgHeap) Len() int           { return len(h.items) }
func (h *msgHeap) Less(i, j int) bool { return h.less(h.items[i], h.items[j]) }
func (h *msgHeap) Swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	*h.index(h.items[i]) = i
	*h.index(h.items[j]) = j
}

// Push implements heap.Interface.
func (h *msgHeap) Push(x any) {
	m := x.(*message)
	*h.index(m) = len(h.items)
	h.items = append(h.items, m)
}

// Pop implements heap.Interface.
func (h *msgHeap) Pop() any {
	n := len(h.items)
	m := h.items[n-1]
	h.items[n-1] = nil
	h.items = h.items[:n-1]
	*h.index(m) = -1
	return m
}

func (h *msgHeap) top() *message { return h.items[0] }

func (h *msgHeap) add(m *message) { heap.Push(h, m) }

func (h *msgHeap) remove(m *message) {
	if i := *h.index(m); i >= 0 && i < len(h.items) && h.items[i] == m {
		heap.Remove(h, i)
	}
}

func (h *msgHeap) fix(m *message) { heap.Fix(h, *h.index(m)) }

func (h *msgHeap) clear() {
	for _, m := range h.items {
		*h.index(m) = -1
	}
	h.items = nil
}
