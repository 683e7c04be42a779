#!/bin/sh
# usage: cpu.sh N ROUNDS "LABEL=ENV BIN"... : server CPU µs per request (utime+stime) and req/s, alternating servers
# CS="16 64" (environment) for other concurrencies than 1 16 64.
# BINs absolute paths; ENV e.g. TOKIO_WORKER_THREADS=1 (X=1 for none). Loopback, bounded (-n);
# alternating pairs, so that a noisy machine hits both builds alike.
N=$1; R=$2; shift 2
cd "$(dirname "$0")/../.."
PORT=18600; PIDS=""; LABELS=""; PORTS=""
for spec in "$@"; do
  label=${spec%%=*}; rest=${spec#*=}; envs=${rest% *}; bin=${rest##* }
  PORT=$((PORT+1))
  env ZHUNRU_LOG=warn $envs $bin serve --addr 127.0.0.1:$PORT >${TMPDIR:-/tmp}/srv-$PORT.out 2>${TMPDIR:-/tmp}/srv-$PORT.err &
  PIDS="$PIDS $!"; LABELS="$LABELS $label"; PORTS="$PORTS $PORT"
done
sleep 1.5
printf '%s' '{"district":"yingjiang","as_of":"2020-06-01","subject":{"id":"T-1","category":"企业摸底","requester":"区经信局","basis":["安庆市经济普查工作方案"],"work_plan":true,"funding":{"amount":3000,"per":"once"}}}' > /tmp/bench-one.json
HZ=$(getconf CLK_TCK)
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) N=$N"
for c in ${CS:-1 16 64}; do
  for r in $(seq $R); do
    set -- $PIDS; PP=$PIDS
    set -- $LABELS
    i=0
    for p in $PORTS; do
      l=$1; shift; i=$((i+1)); pid=$(echo $PP | cut -d' ' -f$i)
      a=$(awk '{print $14+$15}' /proc/$pid/stat)
      h=$(hey -n $N -c $c http://127.0.0.1:$p/healthz | grep -E "Requests/sec" | awk '{print $2}')
      b=$(awk '{print $14+$15}' /proc/$pid/stat)
      d=$(hey -n $N -c $c -m POST -T application/json -D /tmp/bench-one.json http://127.0.0.1:$p/v1/decide)
      e=$(awk '{print $14+$15}' /proc/$pid/stat)
      dr=$(echo "$d" | grep "Requests/sec" | awk '{print $2}')
      p99=$(echo "$d" | grep "99% in" | awk '{print $3*1000}')
      echo "c=$c r=$r $l healthz $(printf %.0f $h)/s $(( (b-a)*1000000/HZ/N ))us  decide $(printf %.0f $dr)/s $(( (e-b)*1000000/HZ/N ))us ratio $(echo "$dr $h" | awk '{printf "%.2f", $1/$2}') p99 ${p99}ms"
    done
  done
done
echo "load end: $(cut -d' ' -f1-3 /proc/loadavg)"
for p in $PIDS; do kill $p; done; wait
