package chaos

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Interval is a span of absolute times in Unix milliseconds. An expiry the
// publisher computed from a relative TTL is known only to the precision of
// the clock readings taken around the call; an absolute one has Lo == Hi.
type Interval struct{ Lo, Hi int64 }

// Exact is the interval of one known instant.
func Exact(ms int64) Interval { return Interval{ms, ms} }

// Overlaps reports whether the intervals are within slack of each other.
func (i Interval) Overlaps(o Interval, slack int64) bool {
	return i.Lo-slack <= o.Hi && o.Lo-slack <= i.Hi
}

func (i Interval) String() string {
	if i.Lo == i.Hi {
		return strconv.FormatInt(i.Lo, 10)
	}
	return fmt.Sprintf("[%d,%d]", i.Lo, i.Hi)
}

// Kind is a Redis type, as TYPE names it.
type Kind string

// The kinds the stream writes.
const (
	KindString Kind = "string"
	KindHash   Kind = "hash"
	KindSet    Kind = "set"
	KindZSet   Kind = "zset"
)

// Value is one key's state: in the model, or read from Redis.
type Value struct {
	Kind Kind
	Str  string
	Hash map[string]string
	Set  map[string]bool
	ZSet map[string]float64
	// TTL is the expiry, nil for none.
	TTL *Interval
}

func (v *Value) clone() *Value {
	c := *v
	c.Hash, c.Set, c.ZSet = maps.Clone(v.Hash), maps.Clone(v.Set), maps.Clone(v.ZSet)
	if v.TTL != nil {
		t := *v.TTL
		c.TTL = &t
	}
	return &c
}

// size is the number of members of a collection.
func (v *Value) size() int {
	switch v.Kind {
	case KindHash:
		return len(v.Hash)
	case KindSet:
		return len(v.Set)
	case KindZSet:
		return len(v.ZSet)
	}
	return 1
}

func (v *Value) String() string {
	var b strings.Builder
	b.WriteString(string(v.Kind))
	b.WriteString(" ")
	switch v.Kind {
	case KindString:
		b.WriteString(strconv.Quote(v.Str))
	case KindHash:
		for _, f := range slices.Sorted(maps.Keys(v.Hash)) {
			fmt.Fprintf(&b, "%s=%s ", f, v.Hash[f])
		}
	case KindSet:
		b.WriteString(strings.Join(slices.Sorted(maps.Keys(v.Set)), ","))
	case KindZSet:
		for _, m := range slices.Sorted(maps.Keys(v.ZSet)) {
			fmt.Fprintf(&b, "%s:%g ", m, v.ZSet[m])
		}
	}
	if v.TTL != nil {
		b.WriteString(" ttl@" + v.TTL.String())
	} else {
		b.WriteString(" no-ttl")
	}
	return b.String()
}

// Cmd is one canonical command as the model applies it. The expiry of SET
// … PXAT and PEXPIREAT is At; the argument in Args is At.Lo.
type Cmd struct {
	Args []string
	At   Interval
}

// history is what was ever written to a key, to tell whether a difference
// can come from reordering alone.
type history struct {
	distinct  map[string]bool // signatures of the distinct commands that wrote the key
	strs      map[string]bool
	fields    map[string]map[string]bool
	members   map[string]bool
	scores    map[string]map[float64]bool
	ttls      []Interval
	canVanish bool // a DEL, UNLINK or removal touched the key
	kind      Kind
}

// Model is the state of a Redis that applies every command once, in the
// order published. It refuses commands whose outcome Redis would not
// define the same way in both modes (see the package documentation).
type Model struct {
	keys map[string]*Value
	hist map[string]*history
}

// NewModel returns an empty model.
func NewModel() *Model {
	return &Model{keys: map[string]*Value{}, hist: map[string]*history{}}
}

// Get returns a key's value (nil when it does not exist). Do not modify it.
func (m *Model) Get(key string) *Value { return m.keys[key] }

// Keys returns the number of keys.
func (m *Model) Keys() int { return len(m.keys) }

// Writes returns the number of distinct commands that wrote key.
func (m *Model) Writes(key string) int {
	if h := m.hist[key]; h != nil {
		return len(h.distinct)
	}
	return 0
}

// Written returns every key any command wrote, sorted.
func (m *Model) Written() []string { return slices.Sorted(maps.Keys(m.hist)) }

func (m *Model) history(key string, k Kind) *history {
	h := m.hist[key]
	if h == nil {
		h = &history{distinct: map[string]bool{}, strs: map[string]bool{}, fields: map[string]map[string]bool{},
			members: map[string]bool{}, scores: map[string]map[float64]bool{}, kind: k}
		m.hist[key] = h
	}
	if h.kind == "" {
		h.kind = k
	}
	return h
}

// collection returns key's collection of kind k, created if missing.
func (m *Model) collection(key string, k Kind) (*Value, error) {
	v := m.keys[key]
	if v == nil {
		v = &Value{Kind: k}
		switch k {
		case KindHash:
			v.Hash = map[string]string{}
		case KindSet:
			v.Set = map[string]bool{}
		case KindZSet:
			v.ZSet = map[string]float64{}
		}
		m.keys[key] = v
		return v, nil
	}
	if v.Kind != k {
		return nil, fmt.Errorf("WRONGTYPE: %s holds a %s, not a %s", key, v.Kind, k)
	}
	return v, nil
}

// Apply applies one canonical command. An error means the stream broke one
// of the model's rules (a generator bug), not that Redis would refuse it.
func (m *Model) Apply(c Cmd) error {
	a := c.Args
	if len(a) < 2 {
		return fmt.Errorf("model: command %q too short", a)
	}
	sig := strings.Join(a, "\x00")
	touch := func(key string, k Kind) *history {
		h := m.history(key, k)
		h.distinct[sig] = true
		return h
	}
	key := a[1]
	switch a[0] {
	case "SET":
		if v := m.keys[key]; v != nil && v.Kind != KindString {
			return fmt.Errorf("model: SET on the %s %s", v.Kind, key)
		}
		nv := &Value{Kind: KindString, Str: a[2]}
		h := touch(key, KindString)
		h.strs[a[2]] = true
		for i := 3; i < len(a); i++ {
			switch a[i] {
			case "PXAT":
				at := c.At
				nv.TTL = &at
				h.ttls = append(h.ttls, at)
				i++
			default:
				return fmt.Errorf("model: SET option %s is not modelled", a[i])
			}
		}
		m.keys[key] = nv
	case "MSET":
		for i := 1; i+1 < len(a); i += 2 {
			if v := m.keys[a[i]]; v != nil && v.Kind != KindString {
				return fmt.Errorf("model: MSET on the %s %s", v.Kind, a[i])
			}
			m.keys[a[i]] = &Value{Kind: KindString, Str: a[i+1]}
			touch(a[i], KindString).strs[a[i+1]] = true
		}
	case "DEL", "UNLINK":
		for _, k := range a[1:] {
			touch(k, "").canVanish = true
			delete(m.keys, k)
		}
	case "HSET":
		v, err := m.collection(key, KindHash)
		if err != nil {
			return err
		}
		h := touch(key, KindHash)
		for i := 2; i+1 < len(a); i += 2 {
			v.Hash[a[i]] = a[i+1]
			if h.fields[a[i]] == nil {
				h.fields[a[i]] = map[string]bool{}
			}
			h.fields[a[i]][a[i+1]] = true
		}
	case "SADD":
		v, err := m.collection(key, KindSet)
		if err != nil {
			return err
		}
		h := touch(key, KindSet)
		for _, s := range a[2:] {
			v.Set[s] = true
			h.members[s] = true
		}
	case "ZADD":
		v, err := m.collection(key, KindZSet)
		if err != nil {
			return err
		}
		h := touch(key, KindZSet)
		for i := 2; i+1 < len(a); i += 2 {
			f, err := strconv.ParseFloat(a[i], 64)
			if err != nil {
				return fmt.Errorf("model: ZADD option or bad score %q", a[i])
			}
			v.ZSet[a[i+1]] = f
			h.members[a[i+1]] = true
			if h.scores[a[i+1]] == nil {
				h.scores[a[i+1]] = map[float64]bool{}
			}
			h.scores[a[i+1]][f] = true
		}
	case "HDEL", "SREM", "ZREM":
		k := map[string]Kind{"HDEL": KindHash, "SREM": KindSet, "ZREM": KindZSet}[a[0]]
		touch(key, k).canVanish = true
		v := m.keys[key]
		if v == nil {
			return nil
		}
		if v.Kind != k {
			return fmt.Errorf("model: %s on the %s %s", a[0], v.Kind, key)
		}
		for _, f := range a[2:] {
			delete(v.Hash, f)
			delete(v.Set, f)
			delete(v.ZSet, f)
		}
		if v.size() == 0 {
			// Redis deletes an emptied collection and forgets its TTL;
			// ordered mode keeps the TTL register. The stream never
			// empties a collection this way.
			return fmt.Errorf("model: %s empties %s (only DEL may)", a[0], key)
		}
	case "PEXPIREAT":
		h := touch(key, "")
		v := m.keys[key]
		if v == nil {
			// Redis ignores it; ordered mode registers it for later.
			return fmt.Errorf("model: PEXPIREAT on the missing key %s", key)
		}
		if len(a) != 3 {
			return fmt.Errorf("model: PEXPIREAT options are not modelled")
		}
		at := c.At
		v.TTL = &at
		h.ttls = append(h.ttls, at)
	case "PERSIST":
		touch(key, "")
		v := m.keys[key]
		if v == nil {
			return fmt.Errorf("model: PERSIST on the missing key %s", key)
		}
		v.TTL = nil
	default:
		return fmt.Errorf("model: %s is not modelled", a[0])
	}
	return nil
}

// Diff is one key where Redis and the model differ.
type Diff struct {
	Key    string
	Want   string // the model's value, or "(none)"
	Got    string // Redis's, or "(none)"
	Writes int    // distinct commands that wrote the key
	// Explained: the key had at least two distinct writes and Redis holds
	// only values some write carried, so applying the writes in another
	// order can produce it.
	Explained bool
	Why       string
}

func (d Diff) String() string {
	return fmt.Sprintf("%s (%d writes, explained by reordering: %t): %s: want %s, got %s", d.Key, d.Writes, d.Explained, d.Why, d.Want, d.Got)
}

// TTLSlack is how far an expiry read from Redis may be from the model's.
// Expiries the stream chooses differ by at least a minute, so a reordered
// TTL still shows.
const TTLSlack = 2000

// Compare returns the keys where snapshot (read from a Redis) differs from
// the model: keys of either that the other lacks or holds differently.
func (m *Model) Compare(snapshot map[string]*Value) []Diff {
	var out []Diff
	seen := map[string]bool{}
	check := func(key string) {
		if seen[key] {
			return
		}
		seen[key] = true
		want, got := m.keys[key], snapshot[key]
		why := differ(want, got)
		if why == "" {
			return
		}
		d := Diff{Key: key, Want: "(none)", Got: "(none)", Writes: m.Writes(key), Why: why}
		if want != nil {
			d.Want = want.String()
		}
		if got != nil {
			d.Got = got.String()
		}
		d.Explained = d.Writes >= 2 && m.reachable(key, got)
		out = append(out, d)
	}
	for _, k := range slices.Sorted(maps.Keys(m.keys)) {
		check(k)
	}
	for _, k := range slices.Sorted(maps.Keys(snapshot)) {
		check(k)
	}
	return out
}

// Disagree returns the keys on which two snapshots differ, sorted.
func Disagree(a, b map[string]*Value) []string {
	var out []string
	for k := range a {
		if differ(a[k], b[k]) != "" {
			out = append(out, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok && differ(nil, b[k]) != "" {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// differ says how two values differ, "" when they do not.
func differ(want, got *Value) string {
	switch {
	case want == nil && got == nil:
		return ""
	case want == nil:
		return "exists in Redis only"
	case got == nil:
		return "missing in Redis"
	case want.Kind != got.Kind:
		return "type"
	}
	switch want.Kind {
	case KindString:
		if want.Str != got.Str {
			return "value"
		}
	case KindHash:
		if !maps.Equal(want.Hash, got.Hash) {
			return "fields"
		}
	case KindSet:
		if !maps.Equal(want.Set, got.Set) {
			return "members"
		}
	case KindZSet:
		if !maps.Equal(want.ZSet, got.ZSet) {
			return "members or scores"
		}
	}
	switch {
	case (want.TTL == nil) != (got.TTL == nil):
		return "TTL presence"
	case want.TTL != nil && !want.TTL.Overlaps(*got.TTL, TTLSlack):
		return "expiry"
	}
	return ""
}

// reachable reports whether got (nil: no key) is made only of what the
// key's writes carried: what some order of applying them can produce.
func (m *Model) reachable(key string, got *Value) bool {
	h := m.hist[key]
	if h == nil {
		return false
	}
	if got == nil {
		return h.canVanish
	}
	if h.kind != "" && got.Kind != h.kind {
		return false
	}
	switch got.Kind {
	case KindString:
		if !h.strs[got.Str] {
			return false
		}
	case KindHash:
		for f, v := range got.Hash {
			if !h.fields[f][v] {
				return false
			}
		}
	case KindSet:
		for s := range got.Set {
			if !h.members[s] {
				return false
			}
		}
	case KindZSet:
		for s, f := range got.ZSet {
			if !h.scores[s][f] {
				return false
			}
		}
	}
	if got.TTL != nil {
		return slices.ContainsFunc(h.ttls, func(t Interval) bool { return t.Overlaps(*got.TTL, TTLSlack) })
	}
	return true
}

// Clone returns a deep copy of the model's state (not its history).
func (m *Model) Clone() map[string]*Value {
	out := make(map[string]*Value, len(m.keys))
	for k, v := range m.keys {
		out[k] = v.clone()
	}
	return out
}
