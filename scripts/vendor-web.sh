#!/usr/bin/env bash
# Vendors the front-end files the workspace's pages use into web/static/vendor (embedded in
# the binary), and axe-core into web/testdata for the browser tests: the State's design
# system (@gouvfr/dsfr: its CSS, the Marianne fonts, the icons its CSS refers to, its JS)
# and htmx. Bump the versions here and rerun `make web-assets`.
set -euo pipefail

dsfr=@gouvfr/dsfr@1.15.3
htmx=htmx.org@2.0.4
axe=axe-core@4.14.1

cd "$(dirname "${BASH_SOURCE[0]}")/.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

unpack() { # unpack PACKAGE DIR
	local tarball
	tarball=$(cd "$tmp" && npm pack --silent "$1")
	mkdir -p "$tmp/$2"
	tar -xzf "$tmp/$tarball" -C "$tmp/$2"
}
unpack "$dsfr" dsfr
unpack "$htmx" htmx
unpack "$axe" axe

out=web/static/vendor
rm -rf "$out"
mkdir -p "$out/dsfr/fonts" "$out/dsfr/icons"
src=$tmp/dsfr/package/dist
cp "$src/dsfr.min.css" "$src/dsfr.module.min.js" "$out/dsfr/"
cp "$src"/fonts/Marianne-*.woff2 "$src"/fonts/Spectral-*.woff2 "$out/dsfr/fonts/"
# Only the icons the CSS refers to (the components' own: arrows, alerts, close, menu...).
grep -o 'url(icons/[^)]*)' "$src/dsfr.min.css" | sed 's/^url(//;s/)$//' | sort -u | while read -r icon; do
	mkdir -p "$out/dsfr/$(dirname "$icon")"
	cp "$src/$icon" "$out/dsfr/$icon"
done
# The CSS also names .woff fallbacks, which every browser DSFR supports skips for the woff2.
cp "$tmp/htmx/package/dist/htmx.min.js" "$out/"
cp "$tmp/dsfr/package/LICENSE.md" "$out/dsfr/LICENSE.md" 2>/dev/null || true
cp "$tmp/htmx/package/LICENSE" "$out/htmx.LICENSE" 2>/dev/null || true
printf '%s\n%s\n' "$dsfr" "$htmx" >"$out/VERSIONS"

mkdir -p web/testdata
cp "$tmp/axe/package/axe.min.js" web/testdata/axe.min.js
echo "$axe" >web/testdata/AXE_VERSION
