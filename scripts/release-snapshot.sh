#!/usr/bin/env bash
# Builds a release snapshot offline, the way the release workflow builds a
# release (goreleaser release, SHA256SUMS signed with GPG), and checks it as
# the Terraform Registry and Terraform will read it (internal/release):
# archive names and contents, consumer zips inside every binary, checksums,
# the signature, and `terraform init` from a filesystem mirror with no network.
#
# The signing key is a throwaway one made here, in a temporary GNUPGHOME;
# releases sign with the key in the repository's secrets.
#
#   GORELEASER="go run github.com/goreleaser/goreleaser/v2@vX" scripts/release-snapshot.sh
set -euo pipefail
cd "$(dirname "$0")/.."

read -r -a goreleaser <<<"${GORELEASER:?set GORELEASER to the goreleaser command (make release-snapshot does)}"

GNUPGHOME=$(mktemp -d)
export GNUPGHOME
cleanup() {
  gpgconf --kill gpg-agent >/dev/null 2>&1 || true
  rm -rf "$GNUPGHOME"
}
trap cleanup EXIT

gpg --batch --quiet --pinentry-mode loopback --passphrase '' \
  --quick-gen-key 'regis release snapshot (throwaway) <snapshot@regis.invalid>' rsa3072 sign 1d
GPG_FINGERPRINT=$(gpg --batch --with-colons --list-secret-keys | awk -F: '$1 == "fpr" { print $10; exit }')
export GPG_FINGERPRINT

notes="$GNUPGHOME/release-notes.md"
scripts/release-notes.sh Unreleased >"$notes"

"${goreleaser[@]}" release --snapshot --clean --release-notes "$notes"

REGIS_RELEASE_DIST="$PWD/dist" go test ./internal/release -run '^TestReleaseArtifacts$' -count=1 -v
