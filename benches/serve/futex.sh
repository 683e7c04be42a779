#!/bin/sh
# usage: benches/serve/futex.sh BIN PORT [N] [C] [ENV...] : the server's futex calls over N decides, then
# N healthz, at concurrency C (default 5000, 1), counted by perf (syscalls:sys_enter_futex);
# then each thread's CPU ticks. BIN an absolute path; loopback, bounded (-n).
BIN=$1; PORT=$2; N=${3:-5000}; C=${4:-1}; shift 2; shift $(( $# < 2 ? $# : 2 ))
cd "$(dirname "$0")/../.."
env ZHUNRU_LOG=warn "$@" $BIN serve --addr 127.0.0.1:$PORT >${TMPDIR:-/tmp}/srv-$PORT.out 2>${TMPDIR:-/tmp}/srv-$PORT.err &
SRV=$!
sleep 1.5
printf '%s' '{"district":"yingjiang","as_of":"2020-06-01","subject":{"id":"T-1","category":"企业摸底","requester":"区经信局","basis":["安庆市经济普查工作方案"],"work_plan":true,"funding":{"amount":3000,"per":"once"}}}' > /tmp/bench-one.json
DATA=${TMPDIR:-/tmp}/futex-$PORT.data
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) bin=$BIN env=$* N=$N c=$C"
for what in decide healthz; do
  perf record -q -e syscalls:sys_enter_futex -p $SRV -o $DATA >/dev/null 2>&1 &
  PERF=$!
  sleep 1
  if [ $what = decide ]; then
    r=$(hey -n $N -c $C -m POST -T application/json -D /tmp/bench-one.json http://127.0.0.1:$PORT/v1/decide | grep Requests/sec | awk '{printf "%.0f", $2}')
  else
    r=$(hey -n $N -c $C http://127.0.0.1:$PORT/healthz | grep Requests/sec | awk '{printf "%.0f", $2}')
  fi
  kill -INT $PERF; wait $PERF
  echo "$what $r/s futex calls: $(perf script -i $DATA 2>/dev/null | wc -l)"
done
for t in /proc/$SRV/task/*; do echo "  $(cat $t/comm) cpu_ticks=$(awk '{print $14+$15}' $t/stat)"; done
kill $SRV; wait $SRV
