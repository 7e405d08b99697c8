package consumer

// Ordered mode
//
// SQS standard queues deliver at least once and in any order, so the same
// command may arrive twice and an older write may arrive after a newer one.
// In ordered mode every command carries a version (a uint64 chosen by the
// publisher, strictly increasing per key: e.g. a hybrid logical clock), and
// the consumer applies a write only if it is newer than what it already
// applied there. Each write runs as ONE Lua script touching two keys in the
// same hash slot: the data key K and its version metadata M (a hash).
//
// # Where the metadata lives
//
// M = "__regis:{" + tag + "}:" + K, where tag is a short string whose hash
// slot equals K's slot (precomputed per slot, see slot.go). Because M's
// first '{' is ours and is closed by our '}', Redis hashes exactly tag,
// whatever braces K itself contains ("{user}:1", "a}b{", "{}x"…), so K and
// M always share a slot and the script works in cluster mode. Keys that
// start with "__regis:" are reserved in ordered mode.
//
// # The model
//
// A key's state is a set of last-writer-wins registers, each holding the
// version of the newest write applied to it:
//
//	k   key level:  SET, MSET (per key), DEL, UNLINK
//	m·x one per member (hash field, set member, sorted-set member):
//	    HSET/HDEL, SADD/SREM, ZADD/ZREM; x is the newest member version
//	t   the TTL, with its value e (absolute ms, or "" for none):
//	    PEXPIREAT, PERSIST, and the key-level writes (SET sets its PXAT or
//	    no TTL, DEL leaves no TTL)
//
// Versions are stored and compared as 20-digit zero-padded decimal strings:
// Lua numbers are doubles and would lose uint64 precision, while equal-length
// digit strings compare in numeric order.
//
// Rules, for a write at version v:
//
//   - SET applies if v > k and v > x: a key-level write replaces the whole
//     key, so it must be newer than every member too. It sets k = v and,
//     if v > t, the TTL register to its own PXAT (or none); otherwise the
//     key gets the newer TTL already registered (the SET happened before
//     that PEXPIREAT/PERSIST in version order). Member versions are then
//     all older than k and are dropped.
//   - DEL/UNLINK apply if v > k. They set k = v: a tombstone, so a late
//     older SET or member write cannot resurrect the key. Members newer
//     than v (they were written after the DEL in version order) survive;
//     everything else goes, and the metadata of the dropped members too
//     (k now rejects their older writes). The TTL register becomes "none"
//     if v > t.
//   - A member write applies, per member, if v > k and v > that member's
//     version, and records v for the member (a removal leaves the member's
//     version as a tombstone). Duplicate members in one command: the last
//     occurrence wins, as in Redis. A member write that creates the key
//     gives it the registered TTL. A member write newer than everything in
//     a key of another type (a string, or another collection) replaces it:
//     in version order a DEL must have come between them.
//   - PEXPIREAT/PERSIST apply if v > t and set the TTL register; the key, if
//     it exists, gets that TTL (a time in the past deletes it, as in Redis).
//
// Every rule depends only on the newest write of each register, so any
// order of delivery, with any duplicates, ends in the same state; and for
// strings and for collection contents that state is the one of applying the
// writes in version order. Two known differences with Redis itself, both
// about TTLs of collections: Redis forgets a TTL when a collection is
// emptied by HDEL/SREM/ZREM and recreated later, and ignores PEXPIREAT or
// PERSIST on a missing key; the registers cannot know whether a collection
// was empty at some past version without keeping its whole history, so the
// newest registered TTL applies to the key whenever it exists. Publishers
// that rely on that should DEL the key (a key-level write) or re-send its
// TTL.
//
// # Bounding the metadata
//
// M's own TTL is the tombstone window (REGIS_TOMBSTONE_TTL) plus a refresh
// interval (an eighth of the window, at most an hour), renewed by an applied
// write when the last renewal is older than the refresh interval: so M
// always outlives the window after the last write, without a PEXPIRE on
// every write to a hot key. A redelivered message is never older than the queue's
// retention, so once no write touched K for a whole window, no older write
// can still arrive and the metadata is no longer needed, whether K still
// exists, has expired or was deleted. A key-level write also drops member
// versions it makes redundant.

import (
	"crypto/sha1"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/regis-infra/terraform-provider-regis/regis"
)

// MetaPrefix starts every ordered-mode metadata key.
const MetaPrefix = "__regis:"

// MetaKey returns the metadata hash of key: in key's slot, whatever key is.
func MetaKey(key string) string {
	tag := SlotTag(key)
	var b strings.Builder
	b.Grow(len(MetaPrefix) + len(tag) + 3 + len(key))
	b.WriteString(MetaPrefix)
	b.WriteByte('{')
	b.WriteString(tag)
	b.WriteString("}:")
	b.WriteString(key)
	return b.String()
}

// FormatVersion renders a version as the 20-digit string the script
// compares.
func FormatVersion(v uint64) string {
	var buf [20]byte
	s := strconv.AppendUint(buf[:0], v, 10)
	out := make([]byte, 20)
	for i := range out[:20-len(s)] {
		out[i] = '0'
	}
	copy(out[20-len(s):], s)
	return string(out)
}

// orderedScript is the server side of ordered mode. One call applies a
// group of writes, each to its own key (all in one slot in cluster mode),
// so that the cost of a script call is shared; each write is still applied
// on its own and atomically:
//
//	KEYS  K1 M1 K2 M2 …   each data key followed by its metadata hash
//	ARGV  window ms, refresh ms, then per write: operation, version (20
//	      digits), n, n operands
//
// It returns one element per write: the number of registers written (0: the
// write was stale), or an error text prefixed with "!". Each write is run
// under pcall, so one refused write (e.g. WRONGTYPE) does not stop the
// others, and its data write comes before its metadata writes, so a refused
// write leaves the metadata as it was.
const orderedScript = `
local function newer(a, b) return (not b) or a > b end
local function chunked(cmd, key, list)
  for i = 1, #list, 4000 do
    redis.call(cmd, key, unpack(list, i, math.min(i + 3999, #list)))
  end
end
-- finish writes the metadata fields (flat list) and keeps M alive for the
-- tombstone window after this write: M's TTL is set to window + refresh and
-- renewed only when the last renewal (field r) is older than refresh, so a
-- hot key does not pay a PEXPIRE per write while M still outlives the
-- window after its last write.
local NOW, WIN, REFRESH
local function finish(M, fields, r)
  if (not r) or NOW - tonumber(r) >= REFRESH then
    fields[#fields + 1] = 'r'; fields[#fields + 1] = NOW
    redis.call('HSET', M, unpack(fields))
    redis.call('PEXPIRE', M, WIN + REFRESH)
  else
    redis.call('HSET', M, unpack(fields))
  end
end
local function applyttl(K, e)
  if e and e ~= '' then redis.call('PEXPIREAT', K, e) else redis.call('PERSIST', K) end
end
-- drop member versions: all of them, or those not newer than floor
local function dropmembers(M, floor)
  local all = redis.call('HGETALL', M)
  local drop, keep = {}, {}
  for i = 1, #all, 2 do
    local f = all[i]
    if string.sub(f, 1, 1) == 'm' then
      if floor and all[i + 1] > floor then keep[string.sub(f, 2)] = true else drop[#drop + 1] = f end
    end
  end
  if #drop > 0 then chunked('HDEL', M, drop) end
  return keep
end
local function members(K, t)
  if t == 'hash' then return redis.call('HKEYS', K), 'HDEL' end
  if t == 'set' then return redis.call('SMEMBERS', K), 'SREM' end
  if t == 'zset' then return redis.call('ZRANGE', K, 0, -1), 'ZREM' end
  return nil, nil
end
local kinds = {
  HSET = {'hash', true, true, false}, HDEL = {'hash', false, false, false},
  SADD = {'set', true, false, false}, SREM = {'set', false, false, false},
  ZADD = {'zset', true, true, true}, ZREM = {'zset', false, false, false},
}

local function apply(K, M, op, v, a)
  local meta = redis.call('HMGET', M, 'k', 'x', 't', 'e', 'r')
  local kv, xv, tv, ev, rv = meta[1], meta[2], meta[3], meta[4], meta[5]

  if op == 'DEL' or op == 'UNLINK' then
    if not newer(v, kv) then return 0 end
    if newer(v, xv) then
      redis.call(op, K)
      if xv then dropmembers(M, nil); redis.call('HDEL', M, 'x') end
    else
      local keep = dropmembers(M, v)
      local list, rem = members(K, redis.call('TYPE', K)['ok'])
      if rem then
        local gone = {}
        for _, m in ipairs(list) do if not keep[m] then gone[#gone + 1] = m end end
        if #gone > 0 then chunked(rem, K, gone) end
      else
        redis.call(op, K)
      end
    end
    if newer(v, tv) then finish(M, {'k', v, 't', v, 'e', ''}, rv); ev = '' else finish(M, {'k', v}, rv) end
    if redis.call('EXISTS', K) == 1 then applyttl(K, ev) end
    return 1
  end

  if op == 'PEXPIREAT' or op == 'PERSIST' then
    if not newer(v, tv) then return 0 end
    local e = ''
    if op == 'PEXPIREAT' then e = a[1] end
    if redis.call('EXISTS', K) == 1 then applyttl(K, e) end
    finish(M, {'t', v, 'e', e}, rv)
    return 1
  end

  -- member writes
  local kind = kinds[op]
  if not kind then return redis.error_reply('ERR regis: unknown ordered operation ' .. tostring(op)) end
  local want, add, paired, scorefirst = kind[1], kind[2], kind[3], kind[4]
  if not newer(v, kv) then return 0 end
  local order, val = {}, {}
  local step = 1
  if paired then step = 2 end
  for i = 1, #a, step do
    local m, x = a[i], true
    if paired then
      if scorefirst then m, x = a[i + 1], a[i] else x = a[i + 1] end
    end
    if val[m] == nil then order[#order + 1] = m end
    val[m] = x
  end
  local fields = {}
  for i, m in ipairs(order) do fields[i] = 'm' .. m end
  local vers = {}
  for i = 1, #fields, 4000 do
    local part = redis.call('HMGET', M, unpack(fields, i, math.min(i + 3999, #fields)))
    for j = 1, #part do vers[i + j - 1] = part[j] end
  end
  local args, mv = {}, {}
  for i, m in ipairs(order) do
    if newer(v, vers[i]) then
      if paired and scorefirst then args[#args + 1] = val[m]; args[#args + 1] = m
      elseif paired then args[#args + 1] = m; args[#args + 1] = val[m]
      else args[#args + 1] = m end
      mv[#mv + 1] = fields[i]; mv[#mv + 1] = v
    end
  end
  if #mv == 0 then return 0 end
  local t = redis.call('TYPE', K)['ok']
  if t ~= 'none' and t ~= want then
    if not newer(v, xv) then
      return redis.error_reply('WRONGTYPE Operation against a key holding the wrong kind of value')
    end
    redis.call('DEL', K)
    if xv then dropmembers(M, nil) end
    t = 'none'
  end
  if add then
    for i = 1, #args, 4000 do redis.call(op, K, unpack(args, i, math.min(i + 3999, #args))) end
    if t == 'none' and ev and ev ~= '' then redis.call('PEXPIREAT', K, ev) end
  elseif t ~= 'none' then
    chunked(op, K, args)
  end
  local n = #mv / 2
  for i = 1, #mv - 4000, 4000 do redis.call('HSET', M, unpack(mv, i, i + 3999)) end
  local last = {}
  for i = math.floor((#mv - 1) / 4000) * 4000 + 1, #mv do last[#last + 1] = mv[i] end
  if newer(v, xv) then last[#last + 1] = 'x'; last[#last + 1] = v end
  finish(M, last, rv)
  return n
end

-- setop is SET, the hot path, without the generic path's allocations:
-- ARGV[ai + 3] is the value, ARGV[ai + 4] its PXAT or ''.
local function setop(K, M, v, ai)
  local meta = redis.call('HMGET', M, 'k', 'x', 't', 'e', 'r')
  local kv, xv, tv = meta[1], meta[2], meta[3]
  if (kv and v <= kv) or (xv and v <= xv) then return 0 end
  local px = ARGV[ai + 4]
  local own = (not tv) or v > tv
  local exp = px
  if not own then exp = meta[4] end
  if exp and exp ~= '' then redis.call('SET', K, ARGV[ai + 3], 'PXAT', exp) else redis.call('SET', K, ARGV[ai + 3]) end
  if xv then dropmembers(M, nil); redis.call('HDEL', M, 'x') end
  local r = meta[5]
  local renew = (not r) or NOW - tonumber(r) >= REFRESH
  if own then
    if renew then redis.call('HSET', M, 'k', v, 't', v, 'e', px, 'r', NOW) else redis.call('HSET', M, 'k', v, 't', v, 'e', px) end
  elseif renew then
    redis.call('HSET', M, 'k', v, 'r', NOW)
  else
    redis.call('HSET', M, 'k', v)
  end
  if renew then redis.call('PEXPIRE', M, WIN + REFRESH) end
  return 1
end

local t = redis.call('TIME')
NOW = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
WIN, REFRESH = tonumber(ARGV[1]), tonumber(ARGV[2])
local out = {}
local ai, ki, o, last = 3, 1, 0, #ARGV
while ai <= last do
  local op, v, n = ARGV[ai], ARGV[ai + 1], tonumber(ARGV[ai + 2])
  local ok, res
  if op == 'SET' then
    ok, res = pcall(setop, KEYS[ki], KEYS[ki + 1], v, ai)
  else
    local a = {}
    for j = 1, n do a[j] = ARGV[ai + 2 + j] end
    ok, res = pcall(apply, KEYS[ki], KEYS[ki + 1], op, v, a)
  end
  ai, ki, o = ai + 3 + n, ki + 2, o + 1
  if type(res) == 'table' then
    out[o] = '!' .. tostring(res.err)
  elseif not ok then
    out[o] = '!' .. tostring(res)
  else
    out[o] = res
  end
end
return out
`

// orderedScriptSHA is the SHA1 EVALSHA uses.
var orderedScriptSHA = func() string {
	h := sha1.Sum([]byte(orderedScript))
	return hex.EncodeToString(h[:])
}()

// scriptCall is one write of an EVALSHA group: KEYS key, MetaKey(key);
// ARGV op, version, len(operands), operands….
type scriptCall struct {
	key      string
	op       string
	operands []string
}

// orderedCalls splits a validated command into one script call per key.
func orderedCalls(args []string) []scriptCall {
	switch args[0] {
	case "SET":
		px := ""
		for i := 3; i+1 < len(args); i++ {
			if args[i] == "PXAT" {
				px = args[i+1]
			}
		}
		return []scriptCall{{key: args[1], op: "SET", operands: []string{args[2], px}}}
	case "MSET":
		calls := make([]scriptCall, 0, (len(args)-1)/2)
		for i := 1; i+1 < len(args); i += 2 {
			calls = append(calls, scriptCall{key: args[i], op: "SET", operands: []string{args[i+1], ""}})
		}
		return calls
	case "DEL", "UNLINK":
		calls := make([]scriptCall, 0, len(args)-1)
		for _, k := range args[1:] {
			calls = append(calls, scriptCall{key: k, op: args[0]})
		}
		return calls
	case "PEXPIREAT":
		return []scriptCall{{key: args[1], op: "PEXPIREAT", operands: args[2:3]}}
	case "PERSIST":
		return []scriptCall{{key: args[1], op: "PERSIST"}}
	default: // HSET HDEL SADD SREM ZADD ZREM: Validate refused their options in ordered mode
		return []scriptCall{{key: args[1], op: args[0], operands: args[2:]}}
	}
}

// checkOrdered refuses what Validate does not know about ordered mode: a
// missing version and keys in the metadata namespace.
func checkOrdered(c regis.Command) (reason string, msg string) {
	if c.Version == 0 {
		return ReasonMissingVersion, c.Args[0] + " has no version: ordered mode needs one on every command"
	}
	for _, k := range regis.Keys(c.Args) {
		if strings.HasPrefix(k, MetaPrefix) {
			return ReasonReservedKey, "keys starting with " + MetaPrefix + " are reserved for ordered-mode metadata"
		}
	}
	return "", ""
}
