#!/bin/sh
# usage: cpu.sh N ROUNDS "LABEL=ENV BIN"... : server CPU µs per request (utime+stime) and req/s, alternating servers
# CS="16 64" (environment) for other concurrencies than 1 16 64.
# BINs absolute paths; ENV e.g. TOKIO_WORKER_THREADS=1 (X=1 for none). Loopback, bounded (-n);
# alternating pairs, so that a noisy machine hits both builds alike. Small N and many ROUNDS
# (e.g. 2000 x 20) interleave healthz and decide finely: the summary's aggregate ratio (all
# healthz time / all decide time) is then little moved by the machine's speed changing from
# one second to the next, which moves single rounds by +-0.2.
N=$1; R=$2; shift 2
cd "$(dirname "$0")/../.."
PORT=18600; PIDS=""; LABELS=""; PORTS=""
SUM=${TMPDIR:-/tmp}/cpu-sh-$$.txt; : > "$SUM"
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
      hz=$(hey -n $N -c $c http://127.0.0.1:$p/healthz)
      h=$(echo "$hz" | grep "Requests/sec" | awk '{print $2}')
      hp99=$(echo "$hz" | grep "99% in" | awk '{print $3*1000}')
      b=$(awk '{print $14+$15}' /proc/$pid/stat)
      d=$(hey -n $N -c $c -m POST -T application/json -D /tmp/bench-one.json http://127.0.0.1:$p/v1/decide)
      e=$(awk '{print $14+$15}' /proc/$pid/stat)
      dr=$(echo "$d" | grep "Requests/sec" | awk '{print $2}')
      p99=$(echo "$d" | grep "99% in" | awk '{print $3*1000}')
      echo "c=$c r=$r $l healthz $(printf %.0f $h)/s $(( (b-a)*1000000/HZ/N ))us  decide $(printf %.0f $dr)/s $(( (e-b)*1000000/HZ/N ))us ratio $(echo "$dr $h" | awk '{printf "%.2f", $1/$2}') p99 ${p99}ms healthz-p99 ${hp99}ms" | tee -a "$SUM"
    done
  done
done
echo "load end: $(cut -d' ' -f1-3 /proc/loadavg)"
# Per concurrency and server: the aggregate ratio, the median of the rounds' ratios, the
# median p99s (a line's fields: c=C r=R LABEL healthz H/s Tus decide D/s Tus ratio X p99 Pms
# healthz-p99 Qms).
awk '
  function med(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  { k = $1 " " $3; h = $5; sub("/s", "", h); d = $8; sub("/s", "", d); p = $13; sub("ms", "", p); hq = $15; sub("ms", "", hq)
    th[k] += 1 / h; td[k] += 1 / d; r[k] = r[k] " " $11; q[k] = q[k] " " p; hp[k] = hp[k] " " hq; n[k]++
    ih[k, n[k]] = 1 / h; id[k, n[k]] = 1 / d; if (!(k in seen)) { seen[k] = 1; order[++m] = k } }
  # A 95 % bootstrap interval of the aggregate ratio: the rounds drawn again with
  # replacement, 1000 times (a fixed seed: the same rounds give the same interval).
  function interval(k,   b, i, j, sh, sd, list) {
    srand(12); list = ""
    for (b = 1; b <= 1000; b++) {
      sh = 0; sd = 0
      for (i = 1; i <= n[k]; i++) { j = int(rand() * n[k]) + 1; sh += ih[k, j]; sd += id[k, j] }
      agg[b] = sh / sd
    }
    for (i = 2; i <= 1000; i++) { t = agg[i]; for (j = i - 1; j >= 1 && agg[j] > t; j--) agg[j + 1] = agg[j]; agg[j + 1] = t }
    return sprintf("%.3f–%.3f", agg[25], agg[975])
  }
  END { for (i = 1; i <= m; i++) { k = order[i]
    printf "%s: aggregate decide/healthz %.3f (95 %% interval %s), median of %d rounds %.2f, median p99 %.1f ms (healthz %.1f ms)\n", k, th[k] / td[k], interval(k), n[k], med(r[k]), med(q[k]), med(hp[k]) } }' "$SUM"
cp "$SUM" "${TMPDIR:-/tmp}/cpu-sh-last.txt"; rm -f "$SUM"
for p in $PIDS; do kill $p; done; wait
