#!/usr/bin/env bash
# Regenerates registry/data/collectivites.json.gz from the npm package
# @etalab/decoupage-administratif (MIT). Bump the version here and in
# registry.Source together.
set -euo pipefail

pkg=@etalab/decoupage-administratif@6.0.0

cd "$(dirname "${BASH_SOURCE[0]}")/.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

tarball=$(cd "$tmp" && npm pack --silent "$pkg")
tar -xzf "$tmp/$tarball" -C "$tmp"

go run ./registry/gen -src "$tmp/package/data" -out registry/data/collectivites.json.gz
