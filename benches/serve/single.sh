#!/bin/sh
# usage: benches/serve/single.sh BIN PORT [LOG] [N] [ROUNDS] ; bounded loopback load, healthz vs decide
# BIN an absolute path (the script runs from the repository root, for policies/)
BIN=$1; PORT=$2; LOG=${3:-warn}; N=${4:-20000}; ROUNDS=${5:-2}
cd "$(dirname "$0")/../.."
ZHUNRU_LOG=$LOG $BIN serve --addr 127.0.0.1:$PORT > ${TMPDIR:-/tmp}/srv-$PORT.out 2>${TMPDIR:-/tmp}/srv-$PORT.err &
SRV=$!
sleep 1.5
printf '%s' '{"district":"yingjiang","as_of":"2020-06-01","subject":{"id":"T-1","category":"企业摸底","requester":"区经信局","basis":["安庆市经济普查工作方案"],"work_plan":true,"funding":{"amount":3000,"per":"once"}}}' > /tmp/bench-one.json
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) log=$LOG bin=$BIN"
for c in 1 16 64; do
  for round in $(seq $ROUNDS); do
  h=$(hey -n $N -c $c http://127.0.0.1:$PORT/healthz | grep -E "Requests/sec" | awk '{print $2}')
  d=$(hey -n $N -c $c -m POST -T application/json -D /tmp/bench-one.json http://127.0.0.1:$PORT/v1/decide | grep -E "Requests/sec|50% in|99% in" | tr -s ' ' | tr '\n' ' ')
  echo "c=$c r=$round healthz $h | decide $d"
  done
done
grep VmRSS /proc/$SRV/status
kill $SRV; wait $SRV
