#!/bin/sh
# Runs department.py against a live `vanguard serve` holding the seed township.
#   run_example_test.sh VANGUARD PYTHON STUBS_DIR PROGRAM
set -eu
vanguard=$1 python=$2 stubs=$3 program=$4
dir=$(mktemp -d)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
"$vanguard" demo --once --data_dir "$dir" >/dev/null
"$vanguard" serve --data_dir "$dir" --tokens_file "$dir/tokens" --listen 127.0.0.1:0 \
  >"$dir/address" 2>"$dir/serve.log" &
pid=$!
for _ in $(seq 100); do [ -s "$dir/address" ] && break; sleep 0.1; done
address=$(head -n 1 "$dir/address")
PYTHONPATH="$stubs" "$python" "$program" "$address" seed-token-of-water-bureau \
  seed-token-of-clerk-village-1
kill -TERM "$pid"
wait "$pid"
pid=""
