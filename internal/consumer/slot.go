package consumer

import (
	"strconv"
	"strings"
	"sync"
)

// SlotCount is the number of Redis Cluster hash slots.
const SlotCount = 16384

// crc16tab is CRC16-CCITT (XMODEM: polynomial 0x1021, initial value 0), the
// checksum Redis Cluster uses for key slots.
var crc16tab = func() (t [256]uint16) {
	for i := range t {
		c := uint16(i) << 8
		for j := 0; j < 8; j++ {
			if c&0x8000 != 0 {
				c = c<<1 ^ 0x1021
			} else {
				c <<= 1
			}
		}
		t[i] = c
	}
	return t
}()

func crc16(s string) uint16 {
	var c uint16
	for i := 0; i < len(s); i++ {
		c = c<<8 ^ crc16tab[byte(c>>8)^s[i]]
	}
	return c
}

// HashTag returns the part of key Redis hashes: the content of the first
// {…} when the first '{' is followed later by a '}' with at least one byte
// between them, otherwise the whole key.
func HashTag(key string) string {
	s := strings.IndexByte(key, '{')
	if s < 0 {
		return key
	}
	e := strings.IndexByte(key[s+1:], '}')
	if e <= 0 { // no '}' after the '{', or "{}"
		return key
	}
	return key[s+1 : s+1+e]
}

// KeySlot is the Redis Cluster hash slot of key (CLUSTER KEYSLOT).
func KeySlot(key string) int { return int(crc16(HashTag(key)) % SlotCount) }

// slotTags[s] is a short string whose slot is s. Computed once per process
// (about 160,000 CRCs, a millisecond), on the first ordered-mode write.
var slotTags = sync.OnceValue(func() *[SlotCount]string {
	var tags [SlotCount]string
	left := SlotCount
	for n := uint64(0); left > 0; n++ {
		t := strconv.FormatUint(n, 36)
		s := crc16(t) % SlotCount
		if tags[s] == "" {
			tags[s] = t
			left--
		}
	}
	return &tags
})

// SlotTag returns a short hash tag that maps to the same slot as key.
func SlotTag(key string) string { return slotTags()[KeySlot(key)] }
