#!/usr/bin/env bash
# Palisade's honeypot alone (BENCHMARKS.md, "SSH honeypot"): the figures behind each change.
#
# usage (from the repository, after `swift build -c release --product palisade`):
#   Benchmarks/honeypot/palisade-alone.sh attempts   ATTACKERS=50 RUN_SECONDS=20; `palisade serve --honeypot`
#   Benchmarks/honeypot/palisade-alone.sh idle       SESSIONS=500; the standalone sensor (spooling, no server)
# Settings pass through the environment (e.g. PALISADE_HONEYPOT_GATHER_MS=0).
set -euo pipefail
cd "$(dirname "$0")/../.."
mode="${1:-attempts}"
ATTACKERS="${ATTACKERS:-50}"; RUN_SECONDS="${RUN_SECONDS:-20}"; SESSIONS="${SESSIONS:-500}"
work=$(mktemp -d /tmp/palisade-alone.XXXXXX)
ulimit -n "$(ulimit -Hn)"
export PALISADE_HONEYPOT_CREDENTIALS=root:toor PALISADE_HONEYPOT_CONNECTIONS_PER_MINUTE=0 PALISADE_HONEYPOT_AUTH_ATTEMPTS_PER_HOUR=0 \
    PALISADE_HONEYPOT_MAX_CONNECTIONS_PER_ADDRESS=5000 PALISADE_HONEYPOT_MAX_CONNECTIONS=5000
case "$mode" in
    attempts) .build/release/palisade serve --listen 127.0.0.1:0 --honeypot 127.0.0.1:2229 --data-dir "$work/data" > "$work/out" 2>&1 & ;;
    idle) PALISADE_SENSOR_TOKEN=unused .build/release/palisade honeypot --listen 127.0.0.1:2229 --server http://127.0.0.1:9 \
        --health 127.0.0.1:0 --data-dir "$work/data" > "$work/out" 2>&1 & ;;
    *) echo "usage: $0 attempts|idle" >&2; exit 2 ;;
esac
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do grep -q "SSH honeypot listening" "$work/out" && break; sleep 0.3; done
if [ "$mode" = idle ]; then
    python3 Benchmarks/honeypot/load.py idle 2229 "$pid" "$SESSIONS"
    exit 0
fi
count() { sqlite3 "$work/data/palisade.db" "select count(*) from events where action='ssh.auth_failed'"; }
total() { sqlite3 "$work/data/palisade.db" "select count(*) from events"; }
incidents() { sqlite3 "$work/data/palisade.db" "select count(*) from events where event_type='palisade.incident'"; }
before=$(count); before_total=$(total); before_incidents=$(incidents)
run=$(python3 Benchmarks/honeypot/load.py attempts 2229 "$pid" "$ATTACKERS" "$RUN_SECONDS"); sleep 3
python3 - "$(( $(count) - before ))" "$(( $(total) - before_total ))" "$(( $(incidents) - before_incidents ))" "$run" <<'PY'
import json, sys
attempts, events, incidents, run = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4])
cpu = run["server_cpu_seconds"]
print(f"{attempts} attempts, {events} ledger events ({incidents} incident records), server CPU {cpu:.2f} s = {1000 * cpu / max(attempts, 1):.2f} ms per attempt")
PY
