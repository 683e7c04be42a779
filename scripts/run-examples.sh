#!/usr/bin/env bash
# The main job: check the three district policies, then decide every shipped example
# against each of them. Usage: scripts/run-examples.sh [--format json|text]
set -euo pipefail
cd "$(dirname "$0")/.."
format="${2:-text}"
[ "${1:-}" = "--format" ] || format=text
cargo build --locked --release -q
bin=target/release/zhunru
as_of=2020-06-01   # the examples are dated 2020; decide them as of that year

"$bin" check policies/*.policy
for policy in policies/*.policy; do
  for input in examples/tasks/*.json examples/premises/*.json examples/assessments/*.json examples/tasks.jsonl examples/mixed.jsonl; do
    [ -e "$input" ] || continue
    "$bin" eval --policy "$policy" --as-of "$as_of" --format "$format" "$input"
  done
done
