#!/usr/bin/env bash
# Palisade's SSH honeypot beside Cowrie, in one run on this machine (BENCHMARKS.md, "SSH honeypot").
#
# usage (as root, from the repository): Benchmarks/honeypot/compare-cowrie.sh
#   RUN_SECONDS=30 (each attempts run), HANDSHAKES=400, IDLE_SESSIONS=500
#
# Cowrie (pip install cowrie, in a venv on Debian's python3) runs as the unprivileged user
# `cowrie` on 127.0.0.1:2223; Palisade (`palisade serve --honeypot`, release build) on
# 127.0.0.1:2224 with its OpenSSH-faithful failure delay ON (2 s) and per-address limits off (all
# load comes from 127.0.0.1). Both accept only root/toor, which hydra never tries. Attempts are
# counted where each honeypot records them: Palisade's ledger (then `palisade verify`), Cowrie's
# JSON log.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUN_SECONDS="${RUN_SECONDS:-30}"
HANDSHAKES="${HANDSHAKES:-400}"
IDLE_SESSIONS="${IDLE_SESSIONS:-500}"
work=/tmp/palisade-vs-cowrie
rm -rf "$work" && mkdir -p "$work" && chmod 755 "$work"
ulimit -n "$(ulimit -Hn)"

command -v hydra >/dev/null && command -v ssh-keyscan >/dev/null || { echo "needs hydra and openssh-client" >&2; exit 1; }
[ -x /tmp/cowrie-venv/bin/cowrie ] || { /usr/bin/python3 -m venv /tmp/cowrie-venv && /tmp/cowrie-venv/bin/pip install -q cowrie; }
chmod -R a+rX /tmp/cowrie-venv
id cowrie >/dev/null 2>&1 || useradd -m -s /bin/bash cowrie
swift build -c release --product palisade >/dev/null
palisade=.build/release/palisade

# Cowrie.
mkdir -p "$work/cowrie/etc" "$work/cowrie/var/log/cowrie" "$work/cowrie/var/lib/cowrie/downloads" "$work/cowrie/var/lib/cowrie/tty"
cat > "$work/cowrie/etc/cowrie.cfg" <<CFG
[honeypot]
hostname = srv-db01
log_path = $work/cowrie/var/log/cowrie
download_path = $work/cowrie/var/lib/cowrie/downloads
state_path = $work/cowrie/var/lib/cowrie
ttylog_path = $work/cowrie/var/lib/cowrie/tty
[ssh]
enabled = true
listen_endpoints = tcp:2223:interface=127.0.0.1
[telnet]
enabled = false
[output_jsonlog]
enabled = true
logfile = \${honeypot:log_path}/cowrie.json
CFG
echo "root:x:toor" > "$work/cowrie/etc/userdb.txt"
chown -R cowrie "$work/cowrie"
su - cowrie -c "cd $work/cowrie && ulimit -n \$(ulimit -Hn); PATH=/tmp/cowrie-venv/bin:/usr/bin:/bin COWRIE_STDOUT=yes exec /tmp/cowrie-venv/bin/cowrie start" > "$work/cowrie.out" 2>&1 &
# Palisade.
PALISADE_HONEYPOT_CREDENTIALS=root:toor PALISADE_HONEYPOT_CONNECTIONS_PER_MINUTE=0 PALISADE_HONEYPOT_AUTH_ATTEMPTS_PER_HOUR=0 \
PALISADE_HONEYPOT_MAX_CONNECTIONS_PER_ADDRESS=5000 PALISADE_HONEYPOT_MAX_CONNECTIONS=5000 \
    "$palisade" serve --listen 127.0.0.1:0 --honeypot 127.0.0.1:2224 --data-dir "$work/palisade" > "$work/palisade.out" 2>&1 &
palisade_pid=$!
trap 'kill $palisade_pid 2>/dev/null; pkill -u cowrie twistd 2>/dev/null; true' EXIT
for _ in $(seq 1 100); do
    grep -q "SSH honeypot listening" "$work/palisade.out" 2>/dev/null && grep -q "Ready to accept SSH" "$work/cowrie.out" 2>/dev/null && break
    sleep 0.3
done
cowrie_pid=$(pgrep -u cowrie -f twistd | head -1)

palisade_attempts() { sqlite3 "$work/palisade/palisade.db" "select count(*) from events where action='ssh.auth_failed' and instr(cast(entry as text), '\"method\":\"password\"') > 0"; }
cowrie_attempts() { grep -c '"eventid":"cowrie.login.failed"' "$work/cowrie/var/log/cowrie/cowrie.json" || true; }

load() { python3 Benchmarks/honeypot/load.py "$@"; }
row() { printf '%-44s %18s %18s\n' "$1" "$2" "$3"; }

echo "palisade $(git rev-parse --short HEAD), cowrie $(/tmp/cowrie-venv/bin/pip show cowrie | awk '/^Version/{print $2}'), $(nproc) cores"
p_hs=$(load handshakes 2224 "$palisade_pid" "$HANDSHAKES"); c_hs=$(load handshakes 2223 "$cowrie_pid" "$HANDSHAKES")
echo "handshakes: palisade $p_hs"; echo "handshakes: cowrie   $c_hs"
for attackers in 50 200; do
    before=$(palisade_attempts); p_run=$(load attempts 2224 "$palisade_pid" "$attackers" "$RUN_SECONDS"); sleep 3; after=$(palisade_attempts)
    p=$(( after - before ))
    before=$(cowrie_attempts); c_run=$(load attempts 2223 "$cowrie_pid" "$attackers" "$RUN_SECONDS"); sleep 3; after=$(cowrie_attempts)
    c=$(( after - before ))
    p_cpu=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['server_cpu_seconds'])" "$p_run")
    c_cpu=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['server_cpu_seconds'])" "$c_run")
    python3 - "$attackers" "$RUN_SECONDS" "$p" "$p_cpu" "$c" "$c_cpu" <<'PY'
import sys
attackers, seconds, p, p_cpu, c, c_cpu = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
def line(name, n, cpu):
    per = 1000 * cpu / max(n, 1)
    return f"{name}: {n} recorded ({n / seconds:.1f}/s), server CPU {per:.2f} ms per attempt = capacity {1000 / per if per else 0:.0f} attempts/s per core"
print(f"attempts with {attackers} attackers over {seconds} s:")
print("  " + line("palisade", p, p_cpu))
print("  " + line("cowrie  ", c, c_cpu))
PY
done
p_idle=$(load idle 2224 "$palisade_pid" "$IDLE_SESSIONS"); c_idle=$(load idle 2223 "$cowrie_pid" "$IDLE_SESSIONS")
echo "idle sessions: palisade $p_idle"; echo "idle sessions: cowrie   $c_idle"
"$palisade" verify --data-dir "$work/palisade" | tail -1
