#!/bin/sh
# batch vs eval -j1, alternating pairs; memory before/after a 60 s single-decide run
# usage: benches/serve/batch.sh BIN PORT (BIN an absolute path); needs /tmp/bench-100k.jsonl (the python line in benches/README.md, "Serving")
BIN=$1; PORT=$2; cd "$(dirname "$0")/../.."
ZHUNRU_LOG=warn $BIN serve --addr 127.0.0.1:$PORT >/dev/null 2>${TMPDIR:-/tmp}/batch-srv.err &
SRV=$!; sleep 1.5
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"; echo "rss start: $(grep VmRSS /proc/$SRV/status)"
# PAIRS alternating pairs (default 9), timed to the millisecond; the summary is the median of
# the pairs' ratios, as a single pair moves by +-0.3 on this VM.
T=${TMPDIR:-/tmp}
now() { date +%s.%N; }
: > $T/batch-ratios.txt
for i in $(seq ${PAIRS:-9}); do
  s=$(now); $BIN eval -j1 -p policies/yingjiang.policy -f json --as-of 2020-06-01 /tmp/bench-100k.jsonl > $T/eval.out; m=$(now)
  curl -s -H 'Content-Type: application/x-ndjson' --data-binary @/tmp/bench-100k.jsonl "http://127.0.0.1:$PORT/v1/decide?district=yingjiang&as_of=2020-06-01" > $T/serve.out; e=$(now)
  cmp -s $T/eval.out $T/serve.out && same=identical || same=DIFFERENT
  r=$(echo "$s $m $e" | awk '{printf "%.3f", ($2-$1)/($3-$2)}'); echo $r >> $T/batch-ratios.txt
  echo "eval -j1 $(echo "$s $m" | awk '{printf "%.3f", $2-$1}')s  batch $(echo "$m $e" | awk '{printf "%.3f", $2-$1}')s  ratio $r  $same"
done
echo "median ratio (eval time / batch time): $(sort -n $T/batch-ratios.txt | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')"
echo "rss after batches: $(grep VmRSS /proc/$SRV/status)"
# hey stops at 1,000,000 responses; -q 900 a worker (14,400 req/s) keeps it running the whole 60 s.
hey -z 60s -c 16 -q 900 -m POST -T application/json -D /tmp/bench-one.json http://127.0.0.1:$PORT/v1/decide | grep -E "Total:|Requests/sec|50% in|99% in|\[" | tr -s ' \n' ' '; echo
echo "rss after 60 s: $(grep VmRSS /proc/$SRV/status)"
kill $SRV; wait $SRV
