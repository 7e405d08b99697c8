#!/usr/bin/env bash
# `make demo`: the whole system on this machine, in one command.
#
#   1. check the prerequisites (go, terraform, redis-server, redis-cli; Linux);
#   2. build the consumer Lambda zips (`make lambda`, skipped when up to date),
#      then the provider (with the zips embedded), the emulator, the regis CLI
#      and cmd/dnssplit into a temporary directory;
#   3. start the emulator (random port, hosted zone example.internal seeded as
#      Z0REGISTEST000001, one DNS listener per client region: Singapore and
#      Mumbai) and two redis-servers on free loopback ports;
#   4. terraform apply examples/complete with demo.tfvars (the Redis ports and
#      the consumer architecture given with -var), in a copy of the example;
#   5. publish hotels data with `regis publish`, and read it back from both
#      Redis servers; `regis status`;
#   6. roll flights.example.internal out 0 % → 10 % → 100 %, fail Singapore's
#      health check, restore it, roll back to 0 %, counting at each step where
#      DNS lookups from each client region go;
#   7. terraform destroy, stop every process, remove the temporary directory:
#      also on failure and on Ctrl-C.
#
# Every step checks what it shows and the script exits non-zero, naming the
# step, when something is not as expected.
#
# Settings (environment):
#   TERRAFORM=/path/to/terraform   Terraform (>= 1.5) or OpenTofu to use
#   DEMO_LOOKUPS=1000              DNS lookups per client region and step
#   DEMO_DNS_CLIENT=dig|dnssplit   how to query DNS (default: dig when installed)
#   DEMO_PAUSE=1                   before cleaning up, print how to reach
#                                  everything and wait for Enter
# shellcheck disable=SC2317 # on_err and cleanup run from traps
set -Eeuo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$root"

TF=${TERRAFORM:-$(command -v terraform 2>/dev/null || true)}
LOOKUPS=${DEMO_LOOKUPS:-1000}
ZONE_NAME=example.internal
ZONE_ID=Z0REGISTEST000001
RECORD=flights.example.internal
HOME_REGION=ap-southeast-1
STEPS=7

# ------------------------------------------------------------------ output

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
  B=$'\e[1m' R=$'\e[31m' G=$'\e[32m' N=$'\e[0m'
else
  B='' R='' G='' N=''
fi

exec {stdout_fd}>&1 {stderr_fd}>&2
started=$SECONDS
step_no=0
step_name="starting"
step() { step_no=$1; step_name=$2; printf '\n%s==> [%s/%s] %s%s\n' "$B" "$1" "$STEPS" "$2" "$N"; }
part() { printf '\n  %s-- %s%s\n' "$B" "$*" "$N"; }
say() { printf '    %s\n' "$@"; }
indent() { sed 's/^/      /'; }
elapsed() { local s=$((SECONDS - ${1:-$started})); if ((s >= 60)); then printf '%dm%02ds' $((s / 60)) $((s % 60)); else printf '%ds' "$s"; fi; }

failure=""
die() {
  failure=$*
  exit 1
}
# A command failing outside an `if` or `||`: remember the first one.
on_err() {
  local rc=$? cmd=$1 line=$2
  [ -n "$failure" ] || failure="'$cmd' exited with status $rc (scripts/demo.sh line $line)"
}
trap 'on_err "$BASH_COMMAND" "$LINENO"' ERR

# last_log is the log of the command under way: shown when it fails.
last_log=""
logged() { # LOGNAME CMD...: run CMD with its output in $logs/LOGNAME.log
  last_log=$logs/$1.log
  shift
  "$@" >"$last_log" 2>&1 || return
  last_log=""
}

# ------------------------------------------------------------------ state and cleanup

work=""
logs=""
bin=""
emu_pid=""
redis_pids=()
emu_url=""
tfdir=""
tf_vars=()
applied=false
stage=0
cleaning=false

stop_pid() { # PID: TERM, then KILL after 5 s
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
    return 1
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  $cleaning && return
  cleaning=true
  # An interrupt's trap can run while a command's output is still redirected
  # to its log: write to the script's own output again.
  exec 1>&"$stdout_fd" 2>&"$stderr_fd"
  trap - ERR
  set +e
  # A second Ctrl-C stops the command under way (terraform destroy), not the cleanup.
  local again=false
  trap 'again=true' INT TERM
  local failed_step="$step_no/$STEPS ($step_name)"
  if [ "$rc" -ne 0 ]; then
    [ -n "$failure" ] || failure="exit status $rc"
    if [ "$rc" -eq 130 ]; then
      printf '\n%s==> Interrupted in step %s%s\n' "$B" "$failed_step" "$N" >&2
    else
      printf '\n%s==> FAILED in step %s: %s%s\n' "$R$B" "$failed_step" "$failure" "$N" >&2
    fi
    if [ "$rc" -ne 130 ] && [ -n "$last_log" ] && [ -s "$last_log" ]; then
      printf '    last lines of %s:\n' "${last_log##*/}" >&2
      tail -n 25 "$last_log" | sed 's/^/      /' >&2
    fi
    if [ -n "$logs" ] && [ "$last_log" != "$logs/emulator.log" ] && grep -qE 'level=(WARN|ERROR)' "$logs/emulator.log" 2>/dev/null; then
      printf '    warnings and errors in the emulator log:\n' >&2
      grep -E 'level=(WARN|ERROR)' "$logs/emulator.log" | tail -n 10 | sed 's/^/      /' >&2
    fi
  fi
  [ -n "$work" ] || exit "$rc"

  step "$STEPS" "Cleaning up"
  if $applied && [ -n "$emu_pid" ] && kill -0 "$emu_pid" 2>/dev/null; then
    say "terraform destroy"
    if logged destroy tf destroy -auto-approve -no-color -compact-warnings -input=false "${tf_vars[@]}" -var "flights_active_stage=$stage"; then
      grep -E '^Destroy complete!' "$logs/destroy.log" | indent || true
      local left groups
      # Lambda creates each consumer's log group on its first invocation, and
      # regis_bus leaves it behind, as on AWS (docs/resources/bus.md).
      groups=$(inventory | grep -c " logs log-group arn:aws:logs:[^ ]*:log-group:/aws/lambda/" || true)
      left=$(inventory | grep -v " hostedzone arn:aws:route53:::hostedzone/$ZONE_ID$" | grep -v " logs log-group arn:aws:logs:[^ ]*:log-group:/aws/lambda/")
      if [ -z "$left" ]; then
        say "left in the emulator: only the hosted zone seeded at start ($ZONE_ID) and the $groups consumer log groups Lambda made (kept, as on AWS)"
      else
        say "${R}left in the emulator after terraform destroy${N}:"
        indent <<<"$left"
        [ "$rc" -ne 0 ] || rc=1
      fi
    elif $again; then
      say "terraform destroy interrupted: the emulator stops with whatever it still holds"
    else
      say "${R}terraform destroy failed${N}:"
      tail -n 15 "$logs/destroy.log" | indent
      [ "$rc" -ne 0 ] || rc=1
    fi
  fi
  local stopped=()
  for pid in "${redis_pids[@]}"; do stop_pid "$pid" && stopped+=(redis-server) || stopped+=("redis-server (killed)"); done
  if [ -n "$emu_pid" ]; then
    if stop_pid "$emu_pid"; then
      stopped+=(emulator)
    else
      stopped+=("emulator (killed)")
      # Killed, it could not stop the consumer processes it started: they run
      # from its temporary directory, under $work.
      ps -eo pid=,args= 2>/dev/null | awk -v w="$work/tmp/" 'index($0, w) {print $1}' | while read -r pid; do kill -KILL "$pid" 2>/dev/null; done
    fi
  fi
  [ ${#stopped[@]} -eq 0 ] || say "stopped: $(printf '%s, ' "${stopped[@]}" | sed 's/, $//')"
  rm -rf "$work"
  say "removed $work"
  if [ "$rc" -eq 0 ]; then
    printf '\n%s==> Demo complete in %s%s\n' "$G$B" "$(elapsed)" "$N"
  elif [ "$rc" -eq 130 ]; then
    printf '\n%s==> Demo interrupted after %s%s\n' "$B" "$(elapsed)" "$N" >&2
  else
    printf '\n%s==> Demo failed after %s, in step %s%s\n' "$R$B" "$(elapsed)" "$failed_step" "$N" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
# The traps run once the foreground command has finished (Terraform stops
# gracefully on Ctrl-C).
trap 'failure="interrupted (Ctrl-C)"; exit 130' INT
trap 'failure="terminated"; exit 143' TERM

# ------------------------------------------------------------------ helpers

tf() { "$TF" -chdir="$tfdir" "$@"; }

# http METHOD PATH [BODY]: call the emulator's admin API; prints the body.
# curl when installed, else bash's /dev/tcp (HTTP/1.0: no chunked answers).
http() {
  local method=$1 path=$2 body=${3:-}
  if command -v curl >/dev/null 2>&1; then
    local args=(-fsS -X "$method")
    [ -z "$body" ] || args+=(-H 'Content-Type: application/json' --data "$body")
    curl "${args[@]}" "$emu_url$path"
    return
  fi
  local hostport=${emu_url#http://} status line
  exec 3<>"/dev/tcp/${hostport%:*}/${hostport##*:}" || return 1
  printf '%s %s HTTP/1.0\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' \
    "$method" "$path" "$hostport" "${#body}" "$body" >&3
  IFS= read -r status <&3
  while IFS= read -r line <&3 && [ "${line%$'\r'}" != "" ]; do :; done
  cat <&3
  exec 3<&-
  case $status in HTTP/1.?\ 2*) ;; *) echo "$method $path: ${status%$'\r'}" >&2; return 1 ;; esac
}

# inventory: "REGION SERVICE TYPE ID" per object in the emulator.
inventory() {
  http GET /_emulator/inventory |
    grep -oE '"service":"[^"]*","region":"[^"]*","type":"[^"]*","id":"[^"]*"' |
    sed -E 's/"service":"([^"]*)","region":"([^"]*)","type":"([^"]*)","id":"([^"]*)"/\2 \1 \3 \4/'
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on (below Linux's
# ephemeral range, where the emulator's own ports come from).
free_port() {
  local p i
  for i in $(seq 100); do
    p=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

# background NAME CMD...: start CMD in the background, in a session of its own
# when setsid exists, so that Ctrl-C reaches this script (which then destroys
# and stops everything in order) and not the servers directly.
bg_pid=""
background() {
  local name=$1
  shift
  if command -v setsid >/dev/null 2>&1; then
    setsid "$@" >"$logs/$name.log" 2>&1 </dev/null {stdout_fd}>&- {stderr_fd}>&- &
  else
    "$@" >"$logs/$name.log" 2>&1 </dev/null {stdout_fd}>&- {stderr_fd}>&- &
  fi
  bg_pid=$!
}

# start_redis LABEL: a redis-server on a free port; sets redis_port.
redis_port=""
start_redis() {
  local label=$1 port i
  for _ in 1 2 3 4 5; do
    port=$(free_port) || die "no free TCP port found on 127.0.0.1 for Redis"
    mkdir -p "$work/redis-$label"
    background "redis-$label" redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
      --dir "$work/redis-$label" --daemonize no
    redis_pids+=("$bg_pid")
    for i in $(seq 50); do
      if [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ]; then
        redis_port=$port
        return 0
      fi
      kill -0 "$bg_pid" 2>/dev/null || break # lost the port to someone else: try another
      sleep 0.1
    done
    stop_pid "$bg_pid" || true
  done
  last_log=$logs/redis-$label.log
  die "redis-server ($label) did not start"
}

# zips_up_to_date: both consumer zips exist and are newer than every source
# file they are built from (the packages ./lambda and the zip builder use from
# this module, go.mod and go.sum).
zips_up_to_date() {
  local dist=internal/bus/consumerzip/dist oldest f files
  for a in arm64 x86_64; do [ -s "$dist/regis-consumer-$a.zip" ] || return 1; done
  oldest=$dist/regis-consumer-arm64.zip
  [ "$dist/regis-consumer-x86_64.zip" -nt "$oldest" ] || oldest=$dist/regis-consumer-x86_64.zip
  # shellcheck disable=SC2016 # a Go template
  files=$(go list -tags lambda.norpc -deps -f \
    '{{if and .Module .Module.Main}}{{$d := .Dir}}{{range .GoFiles}}{{$d}}/{{.}}{{"\n"}}{{end}}{{range .EmbedFiles}}{{$d}}/{{.}}{{"\n"}}{{end}}{{end}}' \
    ./lambda ./cmd/regis-buildzip) || return 1
  for f in $files go.mod go.sum; do
    [ "$f" -nt "$oldest" ] && return 1
  done
  return 0
}

now_ms() {
  if [ -n "${EPOCHREALTIME:-}" ]; then
    local t=${EPOCHREALTIME/[.,]/}
    echo $((t / 1000))
  else
    echo $(($(date +%s) * 1000))
  fi
}

# ------------------------------------------------------------------ DNS

dns_client=""
declare -A dns_port=()

# count_answers PORT: "COUNT ANSWER" per distinct answer to $LOOKUPS queries.
count_answers() {
  if [ "$dns_client" = dig ]; then
    dig @127.0.0.1 -p "$1" +short +tries=1 +time=2 -f "$work/queries" | sort | uniq -c
  else
    "$bin/dnssplit" -server "127.0.0.1:$1" -n "$LOOKUPS" "$RECORD"
  fi
}

# split EXPECT_SIN EXPECT_BOM: look the record up $LOOKUPS times from each
# client region, print where the answers point, and check the share answered
# by Mumbai's load balancer: EXPECT_* is 0 (all Singapore), 100 (all Mumbai)
# or ~N (about N % Mumbai: weighted answers are drawn at random, so within
# five standard deviations, ± 5 points for 1,000 lookups).
split() {
  local client label want port out s b o tol lo hi expect row
  printf '    %-36s  %14s  %14s  %s\n' "$LOOKUPS lookups per client region" "Singapore LB" "Mumbai LB" "expected"
  for client in ap-southeast-1 ap-south-1; do
    if [ "$client" = ap-southeast-1 ]; then label="Singapore clients ($client)" want=$1; else label="Mumbai clients ($client)" want=$2; fi
    port=${dns_port[$client]}
    out=$(count_answers "$port") || die "DNS lookups from $label (127.0.0.1:$port) failed: $out"
    read -r s b o < <(awk '{ if (index($2, ".ap-southeast-1.")) s += $1; else if (index($2, ".ap-south-1.")) b += $1; else o += $1 }
      END { printf "%d %d %d\n", s, b, o }' <<<"$out")
    [ $((s + b + o)) -eq "$LOOKUPS" ] ||
      die "only $((s + b + o)) of $LOOKUPS lookups from $label got an answer"
    tol=0
    case $want in "~"*)
      want=${want#\~}
      tol=$(awk -v p="$want" -v n="$LOOKUPS" 'BEGIN { t = 5 * sqrt(p * (100 - p) / n); print (t == int(t)) ? t : int(t) + 1 }')
      ;;
    esac
    case $want in
      0) expect="all Singapore" ;;
      100) expect="all Mumbai" ;;
      *) expect="$want % ± $tol Mumbai" ;;
    esac
    lo=$(((want - tol) * LOOKUPS)) hi=$(((want + tol) * LOOKUPS))
    row=$(printf '    %-36s  %6d %5s %%  %6d %5s %%  %s' "$label" "$s" "$(pct "$s")" "$b" "$(pct "$b")" "$expect")
    if [ $((s + b)) -eq "$LOOKUPS" ] && [ $((b * 100)) -ge "$lo" ] && [ $((b * 100)) -le "$hi" ]; then
      printf '%s  %sok%s\n' "$row" "$G" "$N"
    else
      printf '%s  %sNOT AS EXPECTED%s\n' "$row" "$R" "$N"
      [ "$o" -eq 0 ] || { say "other answers:"; grep -vE '\.ap-south(east)?-1\.' <<<"$out" | indent; }
      die "DNS answers for $label are not as expected ($expect)"
    fi
  done
}
pct() { printf '%d.%d' $(($1 * 100 / LOOKUPS)) $(($1 * 1000 / LOOKUPS % 10)); }

# rollout STAGE: plan the move to STAGE (saved plan), show what it changes,
# apply exactly that plan.
rollout() {
  local to=$1
  say "\$ terraform plan -var flights_active_stage=$to -out=stage$to.tfplan   (then terraform apply stage$to.tfplan)"
  logged "plan-$to" tf plan -no-color -compact-warnings -input=false "${tf_vars[@]}" -var "flights_active_stage=$to" -out="$work/stage$to.tfplan" ||
    die "terraform plan -var flights_active_stage=$to failed"
  sed -n '/will perform the following actions:/,$p' "$logs/plan-$to.log" | { grep -E '^ *# .* will be |->|^Plan:' || true; } | sed 's/ *$//' | indent
  logged "apply-$to" tf apply -no-color -compact-warnings -input=false "$work/stage$to.tfplan" ||
    die "terraform apply of stage $to failed"
  stage=$to
  grep -E '^Apply complete!' "$logs/apply-$to.log" | indent || true
}

set_health() { # REGION true|false
  http POST "/_emulator/route53/healthchecks/${hc_id[$1]}" "{\"healthy\":$2}" >/dev/null ||
    die "could not set the health check of $1 (${hc_id[$1]}) to healthy=$2"
  http GET "/_emulator/route53/healthchecks/${hc_id[$1]}" | grep -q "\"effective\":$2" ||
    die "the health check of $1 is not effective=$2 after setting it"
}

printf '%sRegis demo: the provider, the emulator and two Redis servers on this machine (no AWS account used)%s\n' "$B" "$N"

# ================================================================== 1
step 1 "Checking prerequisites"
missing=()
if [ "$(uname -s)" != Linux ]; then
  missing+=("Linux: the emulator runs the consumer Lambda (a Linux binary) as a process on its own host, so the demo needs Linux ($(uname -s) here); use a Linux VM or container")
fi
command -v go >/dev/null 2>&1 || missing+=("go: install Go $(sed -n 's/^go //p' go.mod) or newer, https://go.dev/dl/")
if [ -n "${TERRAFORM:-}" ] && ! command -v "$TERRAFORM" >/dev/null 2>&1; then
  missing+=("terraform: TERRAFORM=$TERRAFORM is not an executable")
elif [ -z "$TF" ]; then
  missing+=("terraform: install Terraform >= 1.5 (https://developer.hashicorp.com/terraform/install), or set TERRAFORM=/path/to/terraform (OpenTofu works too)")
fi
command -v redis-server >/dev/null 2>&1 || missing+=("redis-server: install Redis (Debian/Ubuntu: sudo apt-get install redis-server)")
command -v redis-cli >/dev/null 2>&1 || missing+=("redis-cli: comes with Redis (Debian/Ubuntu: sudo apt-get install redis-tools)")
if [ ${#missing[@]} -gt 0 ]; then
  for m in "${missing[@]}"; do say "${R}missing${N} $m"; done
  die "${#missing[@]} prerequisite(s) missing"
fi
tf_version=$("$TF" version -json 2>/dev/null | sed -n 's/.*"terraform_version": *"\([^"]*\)".*/\1/p' | head -n 1)
IFS=. read -r tf_major tf_minor _ <<<"${tf_version:-0.0.0}"
if [ "$tf_major" -lt 1 ] || { [ "$tf_major" -eq 1 ] && [ "$tf_minor" -lt 5 ]; }; then
  die "$TF is version ${tf_version:-unknown}; examples/complete needs Terraform >= 1.5 (set TERRAFORM=/path/to/terraform)"
fi
case $(go env GOARCH) in
  amd64) lambda_arch=x86_64 ;;
  arm64) lambda_arch=arm64 ;;
  *) die "the consumer Lambda runs on x86_64 or arm64; this machine is $(go env GOARCH)" ;;
esac
say "go         $(go env GOVERSION) ($(command -v go))"
say "terraform  $tf_version ($(command -v "$TF"))"
say "redis      $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') ($(command -v redis-server))"
[[ $LOOKUPS =~ ^[1-9][0-9]*$ ]] || die "DEMO_LOOKUPS must be a positive number of lookups, not '$LOOKUPS'"
case ${DEMO_DNS_CLIENT:-} in
  dig | dnssplit) dns_client=$DEMO_DNS_CLIENT ;;
  "") if command -v dig >/dev/null 2>&1; then dns_client=dig; else dns_client=dnssplit; fi ;;
  *) die "DEMO_DNS_CLIENT must be dig or dnssplit" ;;
esac
if [ "$dns_client" = dig ]; then
  command -v dig >/dev/null 2>&1 || die "DEMO_DNS_CLIENT=dig, but dig is not installed"
  say "dig        $(dig -v 2>&1 | head -n 1)"
else
  say "dig        not used: DNS lookups go through cmd/dnssplit"
fi

# ================================================================== 2
work=$(mktemp -d "${TMPDIR:-/tmp}/regis-demo.XXXXXX")
logs=$work/logs bin=$work/bin
mkdir -p "$logs" "$bin" "$work/tmp"
step 2 "Building into $work (removed at the end)"
t0=$SECONDS
if zips_up_to_date; then
  say "consumer Lambda zips: up to date (internal/bus/consumerzip/dist)"
else
  say "consumer Lambda zips: make lambda (arm64 and x86_64, reproducible; about a minute the first time)"
  if command -v make >/dev/null 2>&1; then
    logged lambda make --no-print-directory -C "$root" lambda || die "make lambda failed"
  else # what make lambda runs
    logged lambda go run ./cmd/regis-buildzip -out internal/bus/consumerzip/dist || die "building the consumer zips failed"
  fi
  grep -E '\.zip' "$logs/lambda.log" | awk '{print $2"  "$3" "$4}' | sed 's|internal/bus/consumerzip/dist/||' | indent
fi
say "provider (the zips embedded), emulator, regis CLI, dnssplit"
logged build go build -o "$bin/" . ./cmd/regis-emulator ./cmd/regis ./cmd/dnssplit ||
  die "go build failed"
for b in terraform-provider-regis regis-emulator regis dnssplit; do [ -x "$bin/$b" ] || die "go build did not produce $bin/$b"; done
say "built in $(elapsed "$t0")"

# Everything below talks to the emulator only: no AWS account, profile or
# registry is consulted, whatever this shell has set.
for v in $(compgen -e); do
  case $v in AWS_* | TF_VAR_* | TF_CLI_ARGS* | TF_WORKSPACE | TF_DATA_DIR) unset "$v" ;; esac
done
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=$HOME_REGION AWS_DEFAULT_REGION=$HOME_REGION
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0 TF_CLI_CONFIG_FILE=$work/terraformrc
cat >"$TF_CLI_CONFIG_FILE" <<RC
provider_installation {
  dev_overrides {
    "regis-infra/regis" = "$bin"
  }
  direct {}
}
RC

# ================================================================== 3
step 3 "Starting the emulator and two Redis servers"
background emulator env TMPDIR="$work/tmp" "$bin/regis-emulator" -addr 127.0.0.1:0 -url-file "$work/emulator.url" \
  -hosted-zone "$ZONE_NAME=$ZONE_ID" -dns "ap-southeast-1=127.0.0.1:0,ap-south-1=127.0.0.1:0"
emu_pid=$bg_pid
for _ in $(seq 100); do
  [ -s "$work/emulator.url" ] && break
  kill -0 "$emu_pid" 2>/dev/null || break
  sleep 0.1
done
last_log=$logs/emulator.log
[ -s "$work/emulator.url" ] || die "the emulator did not start"
emu_url=$(cat "$work/emulator.url")
export AWS_ENDPOINT_URL=$emu_url
for client in ap-southeast-1 ap-south-1; do
  dns_port[$client]=$(sed -n "s/.*msg=\"route53 dns listening\" client_region=$client addr=127\.0\.0\.1:\([0-9]*\).*/\1/p" "$logs/emulator.log")
  [ -n "${dns_port[$client]}" ] || die "the emulator's DNS listener for $client is not in its log"
done
last_log=""
say "emulator   $emu_url   (AWS_ENDPOINT_URL; hosted zone $ZONE_NAME = $ZONE_ID)"
say "DNS        127.0.0.1:${dns_port[ap-southeast-1]} answers as for clients in Singapore (ap-southeast-1)"
say "           127.0.0.1:${dns_port[ap-south-1]} answers as for clients in Mumbai (ap-south-1)"
start_redis singapore
sin_redis=$redis_port
start_redis mumbai
bom_redis=$redis_port
say "Redis      127.0.0.1:$sin_redis Singapore, 127.0.0.1:$bom_redis Mumbai"

# ================================================================== 4
step 4 "terraform apply examples/complete (stage 0: flights all on Singapore)"
# A copy of the example (and of the modules it calls, at the same relative
# path), so that the repository stays clean and a terraform.tfvars of your
# own in examples/complete is not picked up.
tfdir=$work/tf/examples/complete
mkdir -p "$tfdir"
cp -R modules "$work/tf/"
cp examples/complete/*.tf examples/complete/demo.tfvars "$tfdir/"
hotels_redis="{\"ap-southeast-1\"={endpoints=[\"127.0.0.1:$sin_redis\"],tls=false},\"ap-south-1\"={endpoints=[\"127.0.0.1:$bom_redis\"],tls=false}}"
tf_vars=(-var-file=demo.tfvars -var "hotels_redis=$hotels_redis" -var "consumer_architecture=$lambda_arch")
say "the provider is this build, through dev_overrides in TF_CLI_CONFIG_FILE: 'terraform init' would"
say "still ask the registry for it, so only the modules are installed, with 'terraform get'"
logged get tf get -no-color || die "terraform get failed"
say "\$ terraform apply -var-file=demo.tfvars -var consumer_architecture=$lambda_arch \\"
say "    -var 'hotels_redis={\"ap-southeast-1\"={endpoints=[\"127.0.0.1:$sin_redis\"],…},\"ap-south-1\"={endpoints=[\"127.0.0.1:$bom_redis\"],…}}'"
t0=$SECONDS
applied=true # from here on, clean up with terraform destroy
logged apply-0 tf apply -auto-approve -no-color -compact-warnings -input=false "${tf_vars[@]}" || die "terraform apply failed"
grep -E '^Apply complete!' "$logs/apply-0.log" | sed "s/\$/   ($(elapsed "$t0"))/" | indent
say "created in the emulator, by region:"
inventory | awk '$4 !~ /hostedzone\/'"$ZONE_ID"'$/ {print $1, $3}' | sort | uniq -c |
  awk '{ if ($2 != r) { if (r != "") print line; r = $2; line = sprintf("%-15s %d %s", r, $1, $3) } else line = line ", " $1 " " $3 }
       END { if (r != "") print line }' | indent
topic_arn=$(tf output -raw hotels_topic_arn)
hc_json=$(tf output -json flights_health_check_ids)
declare -A hc_id=()
for r in ap-southeast-1 ap-south-1; do
  hc_id[$r]=$(sed -n "s/.*\"$r\":\"\([^\"]*\)\".*/\1/p" <<<"$hc_json")
  [ -n "${hc_id[$r]}" ] || die "no health check id for $r in the output flights_health_check_ids: $hc_json"
done
say "hotels_topic_arn         = $topic_arn"
versions_json=$(tf output -json flights_versions)
say "flights_versions         = $versions_json   (stage → policy version, in stage order)"
[ "$versions_json" = '{"0":1,"10":2,"100":3}' ] ||
  die "flights_versions is $versions_json: the versions of stages 0, 10 and 100 should be 1, 2 and 3"
say "flights_health_check_ids = $hc_json"

# ================================================================== 5
step 5 "Publishing hotels data to the bus, and reading it back in both regions"
cat >"$work/hotels.jsonl" <<'JSONL'
["HSET", "hotel:42", "name", "Raffles", "city", "Singapore", "stars", "5"]
["HSET", "hotel:7", "name", "Taj Mahal Palace", "city", "Mumbai", "stars", "5"]
["SET", "hotel:42:price", "350", "EX", "3600"]
["SET", "hotel:7:price", "290", "EX", "3600"]
["SET", "hotel:42:deal", "20% off tonight", "EX", "600"]
JSONL
keys=(hotel:42 hotel:7 hotel:42:price hotel:7:price hotel:42:deal)
say "\$ regis publish --topic-arn $topic_arn --origin-region $HOME_REGION --service hotels < hotels.jsonl"
indent <"$work/hotels.jsonl"
t0=$(now_ms)
logged publish "$bin/regis" publish --topic-arn "$topic_arn" --origin-region "$HOME_REGION" --service hotels <"$work/hotels.jsonl" ||
  die "regis publish failed"
indent <"$logs/publish.log"
say "SNS fans the message out to an SQS queue per region; each region's consumer Lambda applies it to its Redis:"
declare -A landed=()
deadline=$((SECONDS + 60))
while :; do
  for r in singapore mumbai; do
    [ -z "${landed[$r]:-}" ] || continue
    port=$sin_redis
    [ "$r" = mumbai ] && port=$bom_redis
    if [ "$(redis-cli -p "$port" exists "${keys[@]}" 2>/dev/null)" = "${#keys[@]}" ]; then landed[$r]=$(($(now_ms) - t0)); fi
  done
  [ ${#landed[@]} -eq 2 ] && break
  if [ $SECONDS -ge $deadline ]; then
    "$bin/regis" status --topic-arn "$topic_arn" 2>&1 | indent || true
    "$bin/regis" dlq peek --topic-arn "$topic_arn" 2>&1 | indent || true
    last_log=$logs/emulator.log
    die "the hotels keys did not reach both Redis servers within 60 s (landed: ${!landed[*]})"
  fi
  sleep 0.1
done
say "all ${#keys[@]} keys in Singapore's Redis after ${landed[singapore]} ms and in Mumbai's after ${landed[mumbai]} ms"
for r in singapore mumbai; do
  if [ "$r" = singapore ]; then port=$sin_redis label="Singapore (ap-southeast-1)"; else port=$bom_redis label="Mumbai (ap-south-1)"; fi
  say "$label, redis-cli -p $port:"
  for k in hotel:42 hotel:7; do
    printf '      HGETALL %-16s %s\n' "$k" "$(redis-cli -p "$port" hgetall "$k" | paste -d= - - | paste -sd' ' -)"
  done
  for k in hotel:42:price hotel:7:price hotel:42:deal; do
    printf '      GET %-20s %-18s PTTL %s ms\n' "$k" "\"$(redis-cli -p "$port" get "$k")\"" "$(redis-cli -p "$port" pttl "$k")"
  done
done
for k in "${keys[@]}"; do
  a=$(redis-cli -p "$sin_redis" --no-raw dump "$k")
  b=$(redis-cli -p "$bom_redis" --no-raw dump "$k")
  if [ -z "$a" ] || [ "$a" != "$b" ]; then die "$k differs between Singapore's and Mumbai's Redis"; fi
done
for k in hotel:42:price hotel:7:price hotel:42:deal; do
  [ "$(redis-cli -p "$sin_redis" pttl "$k")" -gt 0 ] || die "$k has no TTL in Singapore's Redis"
done
say "the TTLs were sent as absolute expiry times (EX 3600 → PXAT), so a late delivery cannot extend them"
say "\$ regis status --topic-arn $topic_arn"
logged status "$bin/regis" status --topic-arn "$topic_arn" || die "regis status failed"
grep -v '^$' "$logs/status.log" | indent
say "commands that are not idempotent are refused before they are sent:"
say "\$ echo '[\"INCR\", \"hotel:42:views\"]' | regis publish --dry-run …"
if echo '["INCR", "hotel:42:views"]' | "$bin/regis" publish --dry-run --topic-arn "$topic_arn" --origin-region "$HOME_REGION" \
  --service hotels >"$logs/incr.log" 2>&1; then
  die "regis publish accepted INCR"
fi
grep -E 'refused' "$logs/incr.log" | head -n 1 | indent

# ================================================================== 6
step 6 "Rolling $RECORD out to Mumbai: 0 % → 10 % → 100 %, failover, rollback"
for ((i = 0; i < LOOKUPS; i++)); do echo "$RECORD A"; done >"$work/queries"
if [ "$dns_client" = dig ]; then
  say "each client region's DNS listener is asked $LOOKUPS times, with one batch of dig:"
  say "\$ dig @127.0.0.1 -p ${dns_port[ap-south-1]} +short -f <($LOOKUPS lines '$RECORD A') | sort | uniq -c"
else
  say "each client region's DNS listener is asked $LOOKUPS times, with cmd/dnssplit (no dig here):"
  say "\$ dnssplit -server 127.0.0.1:${dns_port[ap-south-1]} -n $LOOKUPS $RECORD"
fi
out=$(count_answers "${dns_port[ap-south-1]}") || die "DNS lookups failed: $out"
say "the answers are CNAMEs to the load balancer of a region:  $RECORD. CNAME $(awk 'NR == 1 {print $2}' <<<"$out")"

part "Stage 0, as applied: every lookup is answered by Singapore"
split 0 0

part "Stage 10: Mumbai clients get Mumbai for 10 % of lookups"
rollout 10
split 0 "~10"

part "Stage 100: every client gets its lowest-latency region"
rollout 100
split 0 100

part "Singapore's load balancer fails its health check"
say "\$ curl -X POST $emu_url/_emulator/route53/healthchecks/${hc_id[ap-southeast-1]} -d '{\"healthy\":false}'"
say "(on AWS, after failure_threshold failed checks; nothing is applied)"
set_health ap-southeast-1 false
split 100 100

part "Singapore is healthy again"
set_health ap-southeast-1 true
split 0 100

part "Roll back to stage 0: the same one-line plan in the other direction"
rollout 0
split 0 0

if [ "${DEMO_PAUSE:-}" = 1 ] && [ -t 0 ]; then
  cat >"$work/env.sh" <<ENV
export AWS_ENDPOINT_URL=$emu_url AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=$HOME_REGION
export TF_CLI_CONFIG_FILE=$TF_CLI_CONFIG_FILE CHECKPOINT_DISABLE=1
export PATH="$bin:\$PATH"
ENV
  part "Paused (DEMO_PAUSE=1): everything is still running"
  say "in another terminal:   source $work/env.sh"
  say "  regis status --topic-arn $topic_arn"
  say "  redis-cli -p $sin_redis hgetall hotel:42      (Mumbai: -p $bom_redis)"
  say "  dnssplit -server 127.0.0.1:${dns_port[ap-south-1]} -n 100 $RECORD      (Singapore clients: port ${dns_port[ap-southeast-1]})"
  say "  cd $tfdir && terraform output"
  read -r -p "    Press Enter to clean up. " _ || true
fi

exit 0
