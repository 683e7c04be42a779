#!/usr/bin/env python3
"""Turn `zhunru eval --format json` output into the peers' `--missing` line format
(`verdict` or `needs_approval<TAB>m1,m2`), to compare verdicts and missing lists."""
import json, sys
for line in sys.stdin:
    d = json.loads(line)
    if "error" in d:
        print("error"); continue
    v = d["verdict"]
    if v == "needs_approval":
        print(v + "\t" + ",".join(d["missing"]))
    else:
        print(v)
