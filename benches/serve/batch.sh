#!/bin/sh
# batch vs eval -j1, alternating; memory before/after a 60 s single-decide run
# usage: benches/serve/batch.sh BIN PORT (BIN an absolute path); needs /tmp/bench-100k.jsonl (the python line in benches/README.md, "Serving")
BIN=$1; PORT=$2; cd "$(dirname "$0")/../.."
ZHUNRU_LOG=warn $BIN serve --addr 127.0.0.1:$PORT >/dev/null 2>${TMPDIR:-/tmp}/batch-srv.err &
SRV=$!; sleep 1.5
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"; echo "rss start: $(grep VmRSS /proc/$SRV/status)"
for i in 1 2 3; do
  a=$( { /usr/bin/time -f %e $BIN eval -j1 -p policies/yingjiang.policy -f json --as-of 2020-06-01 /tmp/bench-100k.jsonl > ${TMPDIR:-/tmp}/eval.out; } 2>&1 )
  b=$( { /usr/bin/time -f %e curl -s -H 'Content-Type: application/x-ndjson' --data-binary @/tmp/bench-100k.jsonl "http://127.0.0.1:$PORT/v1/decide?district=yingjiang&as_of=2020-06-01" > ${TMPDIR:-/tmp}/serve.out; } 2>&1 )
  cmp -s ${TMPDIR:-/tmp}/eval.out ${TMPDIR:-/tmp}/serve.out && same=identical || same=DIFFERENT
  echo "eval -j1 ${a}s  batch ${b}s  ratio $(echo "$a / $b" | bc -l | cut -c1-4)  $same"
done
echo "rss after batches: $(grep VmRSS /proc/$SRV/status)"
# hey stops at 1,000,000 responses; -q 900 a worker (14,400 req/s) keeps it running the whole 60 s.
hey -z 60s -c 16 -q 900 -m POST -T application/json -D /tmp/bench-one.json http://127.0.0.1:$PORT/v1/decide | grep -E "Total:|Requests/sec|50% in|99% in|\[" | tr -s ' \n' ' '; echo
echo "rss after 60 s: $(grep VmRSS /proc/$SRV/status)"
kill $SRV; wait $SRV
