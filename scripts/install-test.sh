#!/usr/bin/env bash
# The install path of examples/complete/README.md, offline, as a new user
# follows it: `make install` from the repository root, then `terraform init`
# in the example. Part of `make test` (scripts/terraform-tests.sh runs it).
#
# It runs in a temporary HOME, so the user's ~/.terraform.d is not touched
# (Go keeps its own caches), and checks that `terraform init` selects the
# version `make install` put in ~/.terraform.d/plugins:
#   1. with no CLI configuration, as the README says: Terraform's implied
#      local mirror directory;
#   2. with a CLI configuration whose only installation method is that
#      directory, so that nothing can come from a registry.
# Then `terraform validate` runs the installed binary.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

TF=${TERRAFORM:-$(command -v terraform)}
MAKE=${MAKE:-make}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Go's caches and settings live under HOME by default: keep using the real
# ones (nothing is downloaded again, and GOFLAGS or GOPROXY set with `go env
# -w` still apply).
export GOPATH GOCACHE GOMODCACHE GOENV
GOPATH=$(go env GOPATH) GOCACHE=$(go env GOCACHE) GOMODCACHE=$(go env GOMODCACHE) GOENV=$(go env GOENV)
export HOME=$work/home CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
unset TF_CLI_CONFIG_FILE TF_PLUGIN_CACHE_DIR TF_DATA_DIR
mkdir -p "$HOME"

version=$("$MAKE" -s --no-print-directory version)
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
  { echo "make version printed '$version': without a release tag it must be a release version x.y.z, which terraform init selects"; exit 1; }

echo "==> make install (version $version, HOME=$HOME)"
"$MAKE" -s --no-print-directory install >"$work/install.log" 2>&1 || { cat "$work/install.log"; echo "make install failed"; exit 1; }
plugin=$HOME/.terraform.d/plugins/registry.terraform.io/regis-infra/regis/$version/$(go env GOOS)_$(go env GOARCH)/terraform-provider-regis_v$version
[ -x "$plugin" ] || { cat "$work/install.log"; echo "make install did not create $plugin"; exit 1; }

# A copy of the example next to the modules it calls, as in the repository.
mkdir -p "$work/repo/examples"
cp -R modules "$work/repo/"
cp -R examples/complete "$work/repo/examples/"
rm -rf "$work/repo/examples/complete/.terraform" "$work/repo/examples/complete/.terraform.lock.hcl"

init_and_validate() { # LABEL
  local dir=$work/repo/examples/complete
  rm -rf "$dir/.terraform" "$dir/.terraform.lock.hcl"
  (cd "$dir" && "$TF" init -input=false -no-color >"$work/init.log" 2>&1) ||
    { cat "$work/init.log"; echo "terraform init failed ($1)"; exit 1; }
  grep -q "Installed regis-infra/regis v$version" "$work/init.log" ||
    { cat "$work/init.log"; echo "terraform init did not install regis $version ($1)"; exit 1; }
  grep -A1 'provider "registry.terraform.io/regis-infra/regis"' "$dir/.terraform.lock.hcl" | grep -q "version *= *\"$version\"" ||
    { cat "$dir/.terraform.lock.hcl"; echo "the lock file does not record regis $version ($1)"; exit 1; }
  (cd "$dir" && "$TF" validate -no-color >"$work/validate.log" 2>&1) ||
    { cat "$work/validate.log"; echo "terraform validate failed with the installed provider ($1)"; exit 1; }
  echo "    $1: terraform init installed regis $version; terraform validate passed"
}

echo "==> terraform init + validate of examples/complete"
init_and_validate "no CLI configuration (implied local mirror)"

cat >"$work/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$HOME/.terraform.d/plugins"
    include = ["registry.terraform.io/regis-infra/regis"]
  }
}
RC
export TF_CLI_CONFIG_FILE=$work/terraformrc
init_and_validate "filesystem mirror only, no registry"
unset TF_CLI_CONFIG_FILE

echo "==> the documented install path works offline"
cd "$root"
