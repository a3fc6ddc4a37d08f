#!/usr/bin/env python3
"""Writes N realistic events as NDJSON to stdout (for loading a large log before query benchmarks)."""
import json
import sys

n = int(sys.argv[1])
types = ["authentication", "authorization", "data_access", "configuration", "security", "network", "system"]
severities = ["info", "low", "medium", "high", "critical"]
out = sys.stdout
for i in range(n):
    out.write(json.dumps({
        "event_type": types[i % 7], "severity": severities[(i * 7) % 5], "action": "op.%d" % (i % 50),
        "actor": "user-%d" % (i % 1000), "resource": "doc/%d" % (i % 10000), "success": i % 11 != 0,
        "source_ip": "198.51.100.%d" % (i % 250), "session_id": "s-%d" % (i % 20000), "request_id": "r-%d" % i,
        "metadata": {"n": i},
    }, separators=(",", ":")) + "\n")
