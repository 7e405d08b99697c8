#!/usr/bin/env bash
# Prints the section of CHANGELOG.md for a version (1.2.0, or Unreleased)
# without its heading: the release notes the release workflow publishes.
# Fails when there is no such section or it is empty, so that a tag is never
# released without notes.
set -euo pipefail
version=${1:?usage: scripts/release-notes.sh VERSION (without the v, or Unreleased)}
cd "$(dirname "$0")/.."
notes=$(awk -v heading="## [$version]" '
  /^## \[/ { if (found) exit; found = (index($0, heading) == 1); next }
  found
' CHANGELOG.md)
if [ -z "${notes//[[:space:]]/}" ]; then
  echo "CHANGELOG.md has no section \"## [$version]\" with content: rename [Unreleased] to [$version] (with the date) before tagging v$version" >&2
  exit 1
fi
printf '%s\n' "$notes"
