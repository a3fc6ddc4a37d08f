#!/usr/bin/env python3
"""Writes N events for the Sigma comparison benchmark: the conformance corpus's events
(Tests/Fixtures/sigma/events.ndjson) repeated with their actors, addresses and times varied, so
that every rule keeps matching and the correlations keep finding (more) groups.

Usage: generate.py N OUT.ndjson
"""
import datetime
import json
import sys
from pathlib import Path

templates = [json.loads(line) for line in (Path(__file__).resolve().parents[2] / "Tests/Fixtures/sigma/events.ndjson").read_text().splitlines()]
count, out = int(sys.argv[1]), sys.argv[2]
start = datetime.datetime(2026, 3, 1, 0, 0, 0, tzinfo=datetime.timezone.utc)
with open(out, "w") as f:
    for n in range(count):
        event = dict(templates[n % len(templates)])
        round_ = n // len(templates)
        if "actor" in event:
            event["actor"] = f"{event['actor']}-{round_ % 997}"
        # 20 ms apart: the corpus's bursts stay inside their windows.
        event["timestamp"] = (start + datetime.timedelta(milliseconds=20 * n)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        f.write(json.dumps(event, sort_keys=True) + "\n")
