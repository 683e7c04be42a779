#!/usr/bin/env bash
# Seed the fuzz corpora (git-ignored) from the repository's own policies and inputs.
# Run from the repository root: bash fuzz/seed.sh
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p fuzz/corpus/policy fuzz/corpus/subject

# policy: every policy file the repository holds, good and broken.
for f in policies/*.policy examples/policies/en/*.policy tests/cases/broken/*.policy \
         tests/cases/test/*.policy tests/cases/diff/*.policy; do
  cp "$f" "fuzz/corpus/policy/$(echo "$f" | tr / _)"
done

# subject: each line of every JSON(L) example (parse_line's unit), whole documents
# (SubjectReader's document mode), and the CSV log (CsvReader).
n=0
for f in $(find examples -name '*.json' -o -name '*.jsonl' | sort); do
  # Whole documents only when small: the 300-line audit log would slow every execution.
  if [ "$(wc -c < "$f")" -le 8192 ]; then
    cp "$f" "fuzz/corpus/subject/$(echo "$f" | tr / _)"
  fi
  while IFS= read -r line || [ -n "$line" ]; do
    [ -z "${line// }" ] && continue
    n=$((n + 1))
    printf '%s' "$line" > "fuzz/corpus/subject/line-$n"
  done < "$f"
done
head -n 20 examples/audit/log.csv > fuzz/corpus/subject/log-head.csv
echo "policy: $(ls fuzz/corpus/policy | wc -l) seeds; subject: $(ls fuzz/corpus/subject | wc -l) seeds"
