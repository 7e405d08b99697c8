package consumer

// Ordered mode
//
// SQS standard queues deliver at least once and in any order, so the same
// command may arrive twice and an older write may arrive after a newer one.
// In ordered mode every command carries a version (a uint64 chosen by the
// publisher, strictly increasing per key: e.g. a hybrid logical clock), and
// the consumer applies a write only if it is newer than what it already
// applied there. Each write is checked and applied atomically against
// version metadata kept beside the data key K, in K's hash slot: plain
// SETs (the hot path) in optimistic transactions, WATCH/MGET then
// MULTI/MSET/EXEC (ordered_tx.go), every other write in a server-side Lua
// script. Both follow the rules below.
//
// # Where the metadata lives
//
// Two metadata keys per data key, in K's slot:
//
//	MK = "__regis:{" + tag + "}k:" + K   a string: K's key-level registers
//	MM = "__regis:{" + tag + "}m:" + K   a hash: member → member version,
//	                                     only for collections
//
// tag is a short base-36 string whose hash slot equals K's slot
// (precomputed per slot, see slot.go). Because the metadata key's first '{'
// is ours and is closed by our '}', Redis hashes exactly tag, whatever
// braces K itself contains ("{user}:1", "a}b{", "{}x"…), so K, MK and MM
// always share a slot and the script works in cluster mode; the letter after
// the '}' keeps the two kinds apart. Keys that start with "__regis:" are
// reserved in ordered mode.
//
// Key-level registers are a string, not a hash, so that the script reads
// those of a whole group of writes with one MGET, and writes each with one
// SET (value, and TTL when due, in one call). The value is fixed-width: r,
// the 10-digit refresh period in which MK's TTL was last set (see Bounding
// the metadata), then the 20-digit k alone when t = k and there is no TTL
// and no member version (a key only ever SET or DEL'd without TTLs: the
// common case), otherwise k t x (20 digits each, twenty zeros for "none")
// followed by e. MM is sent to the script only with the writes that use it
// (DEL, UNLINK and member writes).
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
// digit strings compare in numeric order. Version 0 is refused (checkOrdered),
// so twenty zeros can stand for "no version yet".
//
// Rules, for a write at version v:
//
//   - SET applies if v > k and v > x: a key-level write replaces the whole
//     key, so it must be newer than every member too. It sets k = v and,
//     if v > t, the TTL register to its own PXAT (or none); otherwise the
//     key gets the newer TTL already registered (the SET happened before
//     that PEXPIREAT/PERSIST in version order). Member versions are then
//     all older than k: x becomes "none" and the entries left in MM can no
//     longer decide anything, since every write must first be newer than
//     k; the next member write deletes them (it finds x "none"), or MM
//     expires. So a SET never needs MM.
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
// # Groups of writes
//
// One script call applies a group of up to OrderedGroupSize writes (in
// cluster mode, of one slot), each still checked and applied on its own, in
// the group's order, so the same key may appear several times: the script
// keeps the registers it has read or written in a table, and a later write
// to the same key sees the earlier one's effect (within a group, as across
// groups, only the newest write of each register counts). The registers of
// the whole group are read with one MGET. Plain SETs (no PXAT) that apply
// and leave the key without a TTL are the hot path: their data writes are
// collected into one MSET and their registers into one SET per distinct
// MK, sent before any other write of the group runs (and at the end), so
// every write still sees the state of the writes before it. Any other write
// runs on its own under pcall, so a refused write (e.g. WRONGTYPE) does not
// stop the others, and its data write comes before its metadata write, so a
// refused write leaves the metadata as it was. A failed MSET (e.g. OOM)
// fails the writes it carried and leaves their registers as they were.
//
// # Bounding the metadata
//
// The metadata's TTL is the tombstone window (REGIS_TOMBSTONE_TTL) plus a
// refresh period R (an eighth of the window, at most an hour). Time, by the
// server's clock, is cut into periods of length R, and MK records in r the
// period in which its TTL was last set. Every applied write rewrites MK: in
// the same SET, with PX window + R when r is an earlier period (or MK is
// new), otherwise with KEEPTTL, as the TTL set less than R ago still
// reaches past now + window. So a hot key pays no TTL update on most
// writes, and MK always outlives the window after the last write. Every
// member write, and every DEL that keeps members, sets MM's TTL to window +
// R. A redelivered message is never older than the queue's retention, so
// once no write touched K for a whole window, no older write can still
// arrive and the metadata is no longer needed, whether K still exists, has
// expired or was deleted: none of it outlives the last applied write to K by
// more than window + R. Key-level writes also drop member versions they make
// redundant (DEL at once, SET at the next member write or at MM's expiry).

import (
	"crypto/sha1"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/regis-infra/terraform-provider-regis/internal/contract"
	"github.com/regis-infra/terraform-provider-regis/regis"
)

// MetaPrefix starts every ordered-mode metadata key.
const MetaPrefix = "__regis:"

// MetaKey returns the string holding key's key-level registers: in key's
// slot, whatever key is.
func MetaKey(key string) string { return metaKey(SlotTag(key), 'k', key) }

// MemberKey returns the hash holding key's member versions, in key's slot.
func MemberKey(key string) string { return metaKey(SlotTag(key), 'm', key) }

func metaKey(tag string, kind byte, key string) string {
	var b strings.Builder
	b.Grow(len(MetaPrefix) + len(tag) + 4 + len(key))
	b.WriteString(MetaPrefix)
	b.WriteByte('{')
	b.WriteString(tag)
	b.WriteByte('}')
	b.WriteByte(kind)
	b.WriteByte(':')
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

// orderedScript is the server side of ordered mode (see the design above).
// One call applies a group of writes:
//
//	KEYS  per write: K, MK, and MM for DEL, UNLINK and member writes
//	ARGV  metadata TTL ms (window + refresh), refresh ms, op codes (one
//	      byte per write: the op constants below), then per write: version
//	      (20 digits) and its operands; member writes put their operand
//	      count first
//
// It returns one element per write: the number of registers written (0: the
// write was stale), or an error text prefixed with "!".
const orderedScript = `
local KEYS, ARGV = KEYS, ARGV
local sub = string.sub
local Z = '00000000000000000000'
local TTL, codes = ARGV[1], ARGV[3]
local nw = #codes
-- EP: the current refresh period, by the server's clock
local tm = redis.call('TIME')
local ep = math.floor((tonumber(tm[1]) * 1000 + math.floor(tonumber(tm[2]) / 1000)) / tonumber(ARGV[2]))
local EP, EPN = string.format('%010d', ep), string.format('%010d', ep + 1)

-- registers k, t, x, e and refresh period r of an MK value (false: none)
local function dec(s)
  if not s then return Z, Z, Z, '', '' end
  if #s == 30 then
    local k = sub(s, 11)
    return k, k, Z, '', sub(s, 1, 10)
  end
  return sub(s, 11, 30), sub(s, 31, 50), sub(s, 51, 70), sub(s, 71), sub(s, 1, 10)
end
local function enc(k, t, x, e)
  if t == k and x == Z and e == '' then return EP .. k end
  return EP .. k .. t .. x .. e
end

-- KEYS per write: K, MK, and MM for the writes that use it (hasMM, as
-- usesMemberKey in Go)
local cb = {string.byte(codes, 1, nw)}
local hasMM = {[68] = true, [85] = true, [72] = true, [104] = true, [65] = true, [97] = true, [90] = true, [122] = true}
local MKs, KI = {}, {}
local ki = 1
for i = 1, nw do
  KI[i] = ki
  MKs[i] = KEYS[ki + 1]
  if hasMM[cb[i]] then ki = ki + 3 else ki = ki + 2 end
end
local got = redis.call('MGET', unpack(MKs))
-- cur: MK -> its value as of the writes so far (false: none)
local cur = {}
for i = 1, nw do cur[MKs[i]] = got[i] end

local function setmeta(MK, s)
  redis.call('SET', MK, s, 'PX', TTL)
  cur[MK] = s
end
local function chunked(cmd, key, list)
  for i = 1, #list, 4000 do
    redis.call(cmd, key, unpack(list, i, math.min(i + 3999, #list)))
  end
end
local function applyttl(K, e)
  if e ~= '' then redis.call('PEXPIREAT', K, e) else redis.call('PERSIST', K) end
end

local out = {}

-- the batch of hot-path SETs: data for one MSET, registers for one SET per
-- distinct MK (with a new TTL only if it was last set in an earlier period)
local pdata, np, pidx, ni, pmeta, nm, renew = {}, 0, {}, 0, {}, 0, {}
local function stored(MK)
  local g = redis.pcall('GET', MK)
  if type(g) ~= 'string' then return false end
  return g
end
local function batch(i, K, val, MK, new, ren)
  pdata[np + 1] = K; pdata[np + 2] = val; np = np + 2
  ni = ni + 1; pidx[ni] = i
  local was = renew[MK]
  if was == nil then
    nm = nm + 1; pmeta[nm] = MK; renew[MK] = ren
  elseif ren and not was then
    renew[MK] = true
  end
  cur[MK] = new
  out[i] = 1
end
local function flush()
  if np == 0 then return end
  local r = redis.pcall('MSET', unpack(pdata, 1, np))
  if type(r) == 'table' and r.err then
    for j = 1, ni do out[pidx[j]] = '!' .. r.err end
    -- the batch's registers were not written: back to what is stored
    for j = 1, nm do cur[pmeta[j]] = stored(pmeta[j]) end
  else
    for j = 1, nm do
      local MK = pmeta[j]
      local r2
      if renew[MK] then
        r2 = redis.pcall('SET', MK, cur[MK], 'PX', TTL)
      else
        r2 = redis.pcall('SET', MK, cur[MK], 'KEEPTTL')
      end
      if type(r2) == 'table' and r2.err then
        -- its writes fail (SQS retries them); the data is written, which
        -- the retry makes right
        for q = 1, ni do
          if MKs[pidx[q]] == MK then out[pidx[q]] = '!' .. r2.err end
        end
        cur[MK] = stored(MK)
      end
    end
  end
  np, ni, nm, renew = 0, 0, 0, {}
end

-- A SET newer than every member leaves the member versions in MM: older
-- than the new k, they decide nothing any more; the next member write
-- deletes them (x is none then) and otherwise MM expires.
local function setop(K, MK, v, val, px)
  local k, t, x, e = dec(cur[MK])
  if v <= k or v <= x then return 0 end
  local own = v > t
  local exp = px
  if not own then exp = e end
  if exp ~= '' then redis.call('SET', K, val, 'PXAT', exp) else redis.call('SET', K, val) end
  if own then t, e = v, px end
  setmeta(MK, enc(v, t, Z, e))
  return 1
end

local function members(K, typ)
  if typ == 'hash' then return redis.call('HKEYS', K), 'HDEL' end
  if typ == 'set' then return redis.call('SMEMBERS', K), 'SREM' end
  if typ == 'zset' then return redis.call('ZRANGE', K, 0, -1), 'ZREM' end
  return nil, nil
end

local function delop(op, K, MK, MM, v)
  local k, t, x, e = dec(cur[MK])
  if v <= k then return 0 end
  if v > x then
    redis.call(op, K)
    if x ~= Z then redis.call('UNLINK', MM); x = Z end
  else
    -- members written after v survive, with their versions
    local all = redis.call('HGETALL', MM)
    local keep, drop = {}, {}
    for i = 1, #all, 2 do
      if all[i + 1] > v then keep[all[i]] = true else drop[#drop + 1] = all[i] end
    end
    if #drop > 0 then chunked('HDEL', MM, drop) end
    local list, rem = members(K, redis.call('TYPE', K)['ok'])
    if rem then
      local gone = {}
      for _, m in ipairs(list) do if not keep[m] then gone[#gone + 1] = m end end
      if #gone > 0 then chunked(rem, K, gone) end
    else
      redis.call(op, K)
    end
    redis.call('PEXPIRE', MM, TTL)
  end
  if v > t then t, e = v, '' end
  if redis.call('EXISTS', K) == 1 then applyttl(K, e) end
  setmeta(MK, enc(v, t, x, e))
  return 1
end

local function ttlop(K, MK, v, e)
  local k, t, x = dec(cur[MK])
  if v <= t then return 0 end
  if redis.call('EXISTS', K) == 1 then applyttl(K, e) end
  setmeta(MK, enc(k, v, x, e))
  return 1
end

-- member writes: op, type, adds, paired operands, score first
local kinds = {
  [72] = {'HSET', 'hash', true, true, false}, [104] = {'HDEL', 'hash', false, false, false},
  [65] = {'SADD', 'set', true, false, false}, [97] = {'SREM', 'set', false, false, false},
  [90] = {'ZADD', 'zset', true, true, true}, [122] = {'ZREM', 'zset', false, false, false},
}

local function memberop(kind, K, MK, MM, v, a)
  local op, want, add, paired, scorefirst = kind[1], kind[2], kind[3], kind[4], kind[5]
  local k, t, x, e = dec(cur[MK])
  if v <= k then return 0 end
  local order, val = {}, {}
  local step = 1
  if paired then step = 2 end
  for i = 1, #a, step do
    local m, y = a[i], true
    if paired then
      if scorefirst then m, y = a[i + 1], a[i] else y = a[i + 1] end
    end
    if val[m] == nil then order[#order + 1] = m end
    val[m] = y
  end
  local vers = {}
  if x == Z then
    -- no member version is newer than k: whatever MM holds is left over
    redis.call('UNLINK', MM)
  else
    for i = 1, #order, 4000 do
      local part = redis.call('HMGET', MM, unpack(order, i, math.min(i + 3999, #order)))
      for j = 1, #part do vers[i + j - 1] = part[j] end
    end
  end
  local args, mv = {}, {}
  for i, m in ipairs(order) do
    if (not vers[i]) or v > vers[i] then
      if paired and scorefirst then args[#args + 1] = val[m]; args[#args + 1] = m
      elseif paired then args[#args + 1] = m; args[#args + 1] = val[m]
      else args[#args + 1] = m end
      mv[#mv + 1] = m; mv[#mv + 1] = v
    end
  end
  if #mv == 0 then return 0 end
  local typ = redis.call('TYPE', K)['ok']
  if typ ~= 'none' and typ ~= want then
    if v <= x then
      return redis.error_reply('WRONGTYPE Operation against a key holding the wrong kind of value')
    end
    redis.call('DEL', K)
    if x ~= Z then redis.call('UNLINK', MM) end
    typ = 'none'
  end
  if add then
    for i = 1, #args, 4000 do redis.call(op, K, unpack(args, i, math.min(i + 3999, #args))) end
    if typ == 'none' and e ~= '' then redis.call('PEXPIREAT', K, e) end
  elseif typ ~= 'none' then
    chunked(op, K, args)
  end
  for i = 1, #mv, 4000 do redis.call('HSET', MM, unpack(mv, i, math.min(i + 3999, #mv))) end
  redis.call('PEXPIRE', MM, TTL)
  if v > x then x = v end
  setmeta(MK, enc(k, t, x, e))
  return #mv / 2
end

local function result(ok, res)
  if type(res) == 'table' then return '!' .. tostring(res.err) end
  if not ok then return '!' .. tostring(res) end
  return res
end

local ai = 4
for i = 1, nw do
  local c = cb[i]
  local ki = KI[i]
  local K, MK = KEYS[ki], KEYS[ki + 1]
  local v = ARGV[ai]
  if c == 83 then -- S: SET without PXAT, the hot path
    local val = ARGV[ai + 1]
    ai = ai + 2
    local s = cur[MK]
    if not s then
      batch(i, K, val, MK, EP .. v, true)
    elseif #s == 30 and s > EP and s < EPN then
      -- short registers of this period: EP .. v > s exactly when v > k
      local new = EP .. v
      if new > s then batch(i, K, val, MK, new, false) else out[i] = 0 end
    else
      local k, t, x, e, r = dec(s)
      if v <= k or v <= x then
        out[i] = 0
      elseif x == Z and (v > t or e == '') then
        local new
        if v > t then new = EP .. v else new = enc(v, t, Z, '') end
        batch(i, K, val, MK, new, r ~= EP)
      else
        flush()
        out[i] = result(pcall(setop, K, MK, v, val, ''))
      end
    end
  else
    flush()
    local MM = KEYS[ki + 2]
    local ok, res
    if c == 80 then -- P: SET … PXAT
      ok, res = pcall(setop, K, MK, v, ARGV[ai + 1], ARGV[ai + 2])
      ai = ai + 3
    elseif c == 68 or c == 85 then -- D: DEL, U: UNLINK
      local op = 'DEL'
      if c == 85 then op = 'UNLINK' end
      ok, res = pcall(delop, op, K, MK, MM, v)
      ai = ai + 1
    elseif c == 69 then -- E: PEXPIREAT
      ok, res = pcall(ttlop, K, MK, v, ARGV[ai + 1])
      ai = ai + 2
    elseif c == 82 then -- R: PERSIST
      ok, res = pcall(ttlop, K, MK, v, '')
      ai = ai + 1
    else
      local n = tonumber(ARGV[ai + 1])
      local kind = kinds[c]
      if kind then
        local a = {}
        for j = 1, n do a[j] = ARGV[ai + 1 + j] end
        ok, res = pcall(memberop, kind, K, MK, MM, v, a)
      else
        ok, res = true, redis.error_reply('ERR regis: unknown ordered operation code ' .. tostring(c))
      end
      ai = ai + 2 + n
    end
    out[i] = result(ok, res)
  end
end
flush()
return out
`

// orderedScriptSHA is the SHA1 EVALSHA uses.
var orderedScriptSHA = func() string {
	h := sha1.Sum([]byte(orderedScript))
	return hex.EncodeToString(h[:])
}()

// Operation codes of the script, one byte per write in ARGV[2].
const (
	opSet       = 'S' // SET without PXAT: version, value
	opSetPXAT   = 'P' // SET … PXAT: version, value, PXAT
	opDel       = 'D' // version
	opUnlink    = 'U' // version
	opPExpireAt = 'E' // version, time
	opPersist   = 'R' // version
)

// memberOps are the codes of the member writes: version, n, n operands.
var memberOps = map[string]byte{"HSET": 'H', "HDEL": 'h', "SADD": 'A', "SREM": 'a', "ZADD": 'Z', "ZREM": 'z'}

// isKeyOp tells the key-level and TTL writes (fixed operands) from the
// member writes.
func isKeyOp(op byte) bool {
	switch op {
	case opSet, opSetPXAT, opDel, opUnlink, opPExpireAt, opPersist:
		return true
	}
	return false
}

// usesMemberKey tells the writes whose script call reads or writes the
// member versions (MM): DEL, UNLINK and the member writes. The script's
// hasMM table must agree.
func usesMemberKey(op byte) bool {
	switch op {
	case opDel, opUnlink, 'H', 'h', 'A', 'a', 'Z', 'z':
		return true
	}
	return false
}

// scriptCall is one write of a script group: KEYS key, MetaKey(key),
// MemberKey(key); ARGV version then operands (see the op constants).
type scriptCall struct {
	key      string
	op       byte
	operands []string
}

// orderedCalls splits a validated command into one script call per key.
func orderedCalls(args []string) []scriptCall {
	switch args[0] {
	case "SET":
		for i := 3; i+1 < len(args); i++ {
			if args[i] == "PXAT" {
				return []scriptCall{{key: args[1], op: opSetPXAT, operands: []string{args[2], args[i+1]}}}
			}
		}
		return []scriptCall{{key: args[1], op: opSet, operands: args[2:3]}}
	case "MSET":
		calls := make([]scriptCall, 0, (len(args)-1)/2)
		for i := 1; i+1 < len(args); i += 2 {
			calls = append(calls, scriptCall{key: args[i], op: opSet, operands: args[i+1 : i+2]})
		}
		return calls
	case "DEL", "UNLINK":
		op := byte(opDel)
		if args[0] == "UNLINK" {
			op = opUnlink
		}
		calls := make([]scriptCall, 0, len(args)-1)
		for _, k := range args[1:] {
			calls = append(calls, scriptCall{key: k, op: op})
		}
		return calls
	case "PEXPIREAT":
		return []scriptCall{{key: args[1], op: opPExpireAt, operands: args[2:3]}}
	case "PERSIST":
		return []scriptCall{{key: args[1], op: opPersist}}
	default: // HSET HDEL SADD SREM ZADD ZREM: Validate refused their options in ordered mode
		return []scriptCall{{key: args[1], op: memberOps[args[0]], operands: args[2:]}}
	}
}

// checkOrdered refuses what Validate does not know about ordered mode: a
// missing version and keys in the metadata namespace.
func checkOrdered(c regis.Command) (reason string, msg string) {
	if c.Version == 0 {
		return contract.ReasonMissingVersion, c.Args[0] + " has no version: ordered mode needs one on every command"
	}
	for _, k := range regis.Keys(c.Args) {
		if strings.HasPrefix(k, MetaPrefix) {
			return contract.ReasonReservedKey, "keys starting with " + MetaPrefix + " are reserved for ordered-mode metadata"
		}
	}
	return "", ""
}
