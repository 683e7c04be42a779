#!/bin/sh
# usage: oha-c1.sh PORT ROUNDS [N] [C] : single-decide ÷ healthz requests per second with oha
# (`cargo install oha`; OHA=path to use another), alternating rounds on a server already
# listening on 127.0.0.1:PORT. Loopback only, bounded (-n). The aggregate is all healthz time
# over all decide time, as in cpu.sh. The decide body is cpu.sh's (/tmp/bench-one.json).
PORT=$1; R=$2; N=${3:-2000}; C=${4:-1}
OHA=${OHA:-oha}
printf '%s' '{"district":"yingjiang","as_of":"2020-06-01","subject":{"id":"T-1","category":"企业摸底","requester":"区经信局","basis":["安庆市经济普查工作方案"],"work_plan":true,"funding":{"amount":3000,"per":"once"}}}' > /tmp/bench-one.json
rps() { python3 -c "import json,sys; print(json.load(sys.stdin)['summary']['requestsPerSec'])"; }
for r in $(seq "$R"); do
  h=$($OHA -n "$N" -c "$C" --no-tui --output-format json "http://127.0.0.1:$PORT/healthz" | rps)
  d=$($OHA -n "$N" -c "$C" --no-tui --output-format json -m POST -T application/json -D /tmp/bench-one.json "http://127.0.0.1:$PORT/v1/decide" | rps)
  echo "r=$r healthz $h decide $d"
done | tee /dev/stderr | awk '{ th += 1 / $3; td += 1 / $5; n++ } END { if (n) printf "c=%s aggregate decide/healthz %.3f over %d rounds\n", "'"$C"'", th / td, n }'
