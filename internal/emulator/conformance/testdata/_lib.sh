# Shared helpers for the awscli conformance scripts (see conformance_test.go).
# Source it, define case_* functions, then call run_cases.
set -uo pipefail

IFS=, read -r R1 R2 <<<"$REGIONS"

# aws REGION ARGS...: the Debian CLI against the emulator, JSON output.
aws1() { local region=$1; shift; "$AWS" --endpoint-url "$EMULATOR_URL" --region "$region" --output json "$@"; }

fail() { echo "check failed: $*" >&2; return 1; }

# eq GOT WANT WHAT
eq() { [ "$1" == "$2" ] || fail "$3: got '$1', want '$2'"; }

# expect_error CODE REGION ARGS...: the call must fail with that error code.
expect_error() {
  local code=$1; shift
  local out
  if out=$(aws1 "$@" 2>&1); then
    fail "aws ${*:2} succeeded, want $code"; return 1
  fi
  grep -q "($code)" <<<"$out" || fail "aws ${*:2}: $out; want error $code"
}

# jq-free JSON field access with the system Python: json_get JSON EXPR
json_get() { "$PYTHON" -s -E -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2], {"d": d}))' "$1" "$2"; }

advance_clock() {
  curl -fsS -X POST -H 'Content-Type: application/json' -d "{\"seconds\": $1}" "$EMULATOR_URL/_emulator/clock/advance" >/dev/null
}

run_cases() {
  local passed=0 failed=0 c
  for c in $(declare -F | awk '{print $3}' | grep '^case_'); do
    # Not in a condition, so that errexit holds inside the case.
    ( set -e; "$c" )
    if [ $? -eq 0 ]; then
      passed=$((passed + 1)); echo "PASS ${c#case_}"
    else
      failed=$((failed + 1)); echo "FAIL ${c#case_}"
    fi
  done
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
