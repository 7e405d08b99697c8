#!/usr/bin/env bash
# Terraform-side checks, part of `make test`:
#   1. terraform fmt -check on everything;
#   2. terraform validate on every module and example that uses only this
#      provider (directories holding a file named .offline-skip are not
#      validated: they need providers the offline machine cannot install);
#   3. terraform test on every module, against a local emulator. The emulator
#      starts with a Route 53 hosted zone "example.internal" whose id is known in
#      advance, Z0REGISTEST000001, for modules that need an existing zone (the
#      provider has no hosted zone resource): tests set it as a variable;
#   4. the install path of examples/complete/README.md, offline: `make install`
#      and `terraform init` (scripts/install-test.sh).
# The provider is built once and used through a CLI config with dev_overrides.
# Overridden providers need no installation, and `terraform init` fails on
# them (it still asks the registry, where regis-infra/regis is not published),
# so directories are prepared with `terraform get`, which only installs the
# modules they call.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

TF=${TERRAFORM:-$(command -v terraform)}
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

work=$(mktemp -d)
emu_pid=""
cleanup() { [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

echo "==> terraform fmt -check"
"$TF" fmt -check -recursive -diff .

dirs=()
for d in modules/* examples/*/ examples/*/*/ examples/*/*/*/; do
  d=${d%/}
  [ -d "$d" ] || continue
  compgen -G "$d/*.tf" >/dev/null || continue
  dirs+=("$d")
done
[ ${#dirs[@]} -gt 0 ] || { echo "no Terraform directories yet"; exit 0; }

# regis_bus deploys the consumer the provider embeds: build the zips first
# when `make lambda` (which `make test` runs first) has not.
if ! compgen -G "internal/bus/consumerzip/dist/*.zip" >/dev/null; then
  echo "==> no bundled consumer (make lambda not run): building it"
  make --no-print-directory lambda >/dev/null
fi
echo "==> building the provider for dev_overrides"
go build -o "$work/bin/terraform-provider-regis" .
cat >"$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "regis-infra/regis" = "$work/bin"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE="$work/terraformrc"

uses_only_regis() {
  # Every provider a directory (and the local modules it calls) requires is regis.
  ! grep -hoE '(^|[^[:alnum:]_])source *= *"[^"]+"' "$1"/*.tf 2>/dev/null | grep -vE '"(regis-infra/regis|registry.terraform.io/regis-infra/regis|\.\.?/[^"]*)"' | grep -q .
}

for d in "${dirs[@]}"; do
  if [ -e "$d/.offline-skip" ] || ! uses_only_regis "$d"; then
    echo "==> validate $d: skipped (needs providers that cannot be installed offline)"
    continue
  fi
  echo "==> validate $d"
  (cd "$d" && rm -rf .terraform && "$TF" get >/dev/null && "$TF" validate -no-color) || {
    echo "validate failed in $d"; exit 1; }
  rm -rf "$d/.terraform" "$d/.terraform.lock.hcl"
done

mods=()
for d in modules/*; do [ -d "$d/tests" ] && mods+=("$d"); done
if [ ${#mods[@]} -gt 0 ]; then
  # Terraform before 1.6 has an older, experimental `terraform test` that
  # ignores *.tftest.hcl and passes with "No tests defined": look for the
  # current one by its help text.
  TEST_TF=$TF
  if ! "$TF" test -help 2>&1 | grep '\.tftest\.hcl' >/dev/null; then
    TEST_TF=$(command -v tofu) || { echo "terraform test needs Terraform >= 1.6 or OpenTofu"; exit 1; }
  fi
  echo "==> starting the emulator for module tests"
  go build -o "$work/bin/regis-emulator" ./cmd/regis-emulator
  "$work/bin/regis-emulator" -addr 127.0.0.1:0 -url-file "$work/emulator.url" \
    -hosted-zone example.internal=Z0REGISTEST000001 >"$work/emulator.log" 2>&1 &
  emu_pid=$!
  for _ in $(seq 100); do [ -s "$work/emulator.url" ] && break; sleep 0.1; done
  [ -s "$work/emulator.url" ] || { echo "emulator did not start"; cat "$work/emulator.log"; exit 1; }
  export AWS_ENDPOINT_URL=$(cat "$work/emulator.url") AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=ap-southeast-1
  for d in "${mods[@]}"; do
    echo "==> terraform test $d"
    (cd "$d" && rm -rf .terraform && "$TEST_TF" get >/dev/null && "$TEST_TF" test -no-color) || {
      echo "terraform test failed in $d (emulator log: $work/emulator.log)"; tail -50 "$work/emulator.log"; exit 1; }
    rm -rf "$d/.terraform" "$d/.terraform.lock.hcl"
  done
fi
echo "==> install path of examples/complete (make install, terraform init offline)"
TERRAFORM=$TF ./scripts/install-test.sh
echo "==> terraform checks passed"
