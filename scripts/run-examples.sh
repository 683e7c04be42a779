#!/usr/bin/env bash
# The main job: check the shipped policies, then decide every shipped example against each
# of them. Usage: scripts/run-examples.sh [--format json|text]
set -euo pipefail
cd "$(dirname "$0")/.."
format="${2:-text}"
[ "${1:-}" = "--format" ] || format=text
# Ask cargo where it put the binary: CARGO_TARGET_DIR may point anywhere.
bin=$(cargo build --locked --release -q --message-format=json \
  | sed -n 's/.*"executable":"\([^"]*\/zhunru\)".*/\1/p' | tail -n 1)
[ -x "$bin" ] || { echo "error: cargo did not report the zhunru binary" >&2; exit 1; }
as_of=2020-06-01   # the examples are dated 2020; decide them as of that year

"$bin" check policies/*.policy
for policy in policies/*.policy; do
  for input in examples/tasks/*.json examples/premises/*.json examples/assessments/*.json examples/tasks.jsonl examples/mixed.jsonl; do
    [ -e "$input" ] || continue
    "$bin" eval --policy "$policy" --as-of "$as_of" --format "$format" "$input"
  done
done
