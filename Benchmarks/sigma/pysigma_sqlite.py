#!/usr/bin/env python3
"""pySigma's SQLite backend over the Sigma benchmark: converts every accepted rule file of the
corpus, loads the events into SQLite (as the conformance cross-check does) and runs the queries.
Prints one JSON object: seconds for convert, load and query, and per file the number of matched
events (detection rules) and alerts (correlations).

Usage: pysigma_sqlite.py CORPUS_DIR EVENTS_NDJSON
"""
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "Tests/palisadeTests/Scripts"))
from sigma_crosscheck import load  # noqa: E402
from sigma.backends.sqlite import sqliteBackend  # noqa: E402
from sigma.collection import SigmaCollection  # noqa: E402

corpus, events = Path(sys.argv[1]), sys.argv[2]
accepted = [name for name, value in json.loads((corpus / "expected.json").read_text()).items() if value.get("accept")]
started = time.perf_counter()
backend = sqliteBackend(fulltext_field="fulltext")
queries = {name: backend.convert(SigmaCollection.from_yaml((corpus / name).read_text())) for name in accepted}
converted = time.perf_counter()
database = load(events)
loaded = time.perf_counter()
counts = {}
for name, file_queries in queries.items():
    matched, alerts = 0, 0
    for query in file_queries:
        cursor = database.execute(query.replace("SELECT * FROM logs", "SELECT rowid FROM logs", 1))
        names = [column[0] for column in cursor.description]
        rows = cursor.fetchall()
        if "group_keys" in names:
            alerts += len(rows)
        else:
            matched += len(rows)
    counts[name] = {"matched": matched, "alerts": alerts}
queried = time.perf_counter()
print(json.dumps({"convert": converted - started, "load": loaded - converted, "query": queried - loaded, "files": counts}))
