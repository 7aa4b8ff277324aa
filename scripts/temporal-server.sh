#!/usr/bin/env bash
# Installs into ./bin the real Temporal server (not the CLI's dev server) and its SQL schema
# tool, at the version the Temporal CLI embeds, with the PostgreSQL schema beside them:
#   bin/temporal-server      go.temporal.io/server/cmd/server
#   bin/temporal-sql-tool    go.temporal.io/server/cmd/tools/sql
#   bin/temporal-schema/     the module's schema/postgresql/v12 (setup and versioned updates)
# The cluster tests and `make bench-cluster` use them. The first build takes about 10 to 15
# minutes on two cores; it does nothing once the three are there.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION="${TEMPORAL_SERVER_VERSION:-v1.29.1}"
BIN="$PWD/bin"
mkdir -p "$BIN"

if [ ! -x "$BIN/temporal-server" ] || [ ! -x "$BIN/temporal-sql-tool" ]; then
  echo "Building the Temporal server $VERSION and its SQL tool into ./bin (10-15 minutes the first time)"
  # go install names the binaries after their directories (server, sql): build aside, then rename.
  build="$BIN/.temporal-server-build"
  rm -rf "$build"
  GOBIN="$build" go install "go.temporal.io/server/cmd/server@$VERSION" "go.temporal.io/server/cmd/tools/sql@$VERSION"
  mv "$build/server" "$BIN/temporal-server"
  mv "$build/sql" "$BIN/temporal-sql-tool"
  rm -rf "$build"
fi

if [ ! -d "$BIN/temporal-schema/postgresql/v12" ]; then
  # The schema ships in the server module, which go install left in the module cache.
  dir=$(cd /tmp && go mod download -json "go.temporal.io/server@$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$dir/schema/postgresql/v12" ] || { echo "no PostgreSQL schema in $dir" >&2; exit 1; }
  rm -rf "$BIN/temporal-schema"
  mkdir -p "$BIN/temporal-schema/postgresql"
  cp -R "$dir/schema/postgresql/v12" "$BIN/temporal-schema/postgresql/"
  chmod -R u+w "$BIN/temporal-schema" # the module cache is read-only; make clean must remove the copy
  # Only the SQL: a Go file left here would join this module's `go test ./...`.
  find "$BIN/temporal-schema" -name '*.go' -delete
fi
"$BIN/temporal-server" --version
