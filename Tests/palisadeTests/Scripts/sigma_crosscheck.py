#!/usr/bin/env python3
"""Evaluates a corpus of Sigma rule files with pySigma, for Palisade's conformance test.

Usage: sigma_crosscheck.py CORPUS_DIR EVENTS_NDJSON

Every event line becomes a row of a SQLite table `logs` (rowid = line number; event fields as
columns, metadata members both as `key` and `metadata.key`, a `fulltext` column for keyword
searches; text compared case-insensitively, as Sigma compares strings). Each rule file is parsed
by pySigma and converted by its SQLite backend, and the queries run over the table. Prints JSON:
{"pysigma": version, "rules": {file: {"parsed": bool, "error": str, "matches": [line, ...],
"groups": ["field=value,...", ...]}}} — `matches` for detection rules, `groups` (lower-cased, as
the backend groups) for correlation rules.
"""
import json
import re
import sqlite3
import sys
from importlib.metadata import version
from pathlib import Path

from sigma.backends.sqlite import sqliteBackend
from sigma.collection import SigmaCollection
from sigma.exceptions import SigmaError
from yaml import YAMLError

EVENT_FIELDS = ["id", "event_type", "severity", "actor", "action", "resource", "success", "error_message",
                "source_ip", "user_agent", "session_id", "request_id", "timestamp"]


def leaves(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item)
    elif value is not None:
        yield "true" if value is True else "false" if value is False else str(value)


def load(events_path):
    rows = []
    columns = set(EVENT_FIELDS + ["fulltext"])
    for line in Path(events_path).read_text().splitlines():
        event = json.loads(line)
        row = {}
        for key, value in event.items():
            if key == "metadata":
                for name, member in value.items():
                    row[name] = member
                    row["metadata." + name] = member
            elif key == "success":
                row[key] = "true" if value else "false"
            else:
                row[key] = value
        row.setdefault("success", "true")
        row["fulltext"] = " ".join(leaves({key: value for key, value in event.items() if key not in ("id", "timestamp")}))
        columns.update(row)
        rows.append(row)
    database = sqlite3.connect(":memory:")
    database.create_function("REGEXP", 2, lambda pattern, value: value is not None and re.search(pattern, str(value)) is not None)
    ordered = sorted(columns)
    database.execute("CREATE TABLE logs (" + ", ".join(f'"{name}" COLLATE NOCASE' for name in ordered) + ")")
    for number, row in enumerate(rows, start=1):
        names = list(row)
        database.execute(
            f'INSERT INTO logs (rowid, {", ".join(chr(34) + n + chr(34) for n in names)}) VALUES (?, {", ".join("?" for _ in names)})',
            [number] + [row[name] for name in names],
        )
    return database


def main():
    corpus, events = Path(sys.argv[1]), sys.argv[2]
    database = load(events)
    backend = sqliteBackend(fulltext_field="fulltext")
    results = {}
    for path in sorted(corpus.glob("*.yml")):
        result = {"parsed": False, "error": "", "matches": [], "groups": []}
        results[path.name] = result
        try:
            collection = SigmaCollection.from_yaml(path.read_text(), collect_errors=False)
            queries = backend.convert(collection)
        except (SigmaError, ValueError, YAMLError) as error:
            result["error"] = str(error)
            continue
        result["parsed"] = True
        matches, groups = set(), set()
        for query in queries:
            cursor = database.execute(query.replace("SELECT * FROM logs", "SELECT rowid FROM logs", 1))
            names = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                if "group_keys" in names:
                    keys = json.loads(row[names.index("group_keys")])
                    groups.add(",".join(f"{key}={str(value).lower()}" for key, value in keys.items()))
                else:
                    matches.add(row[0])
        result["matches"] = sorted(matches)
        result["groups"] = sorted(groups)
    print(json.dumps({"pysigma": version("pysigma"), "rules": results}, sort_keys=True))


if __name__ == "__main__":
    main()
