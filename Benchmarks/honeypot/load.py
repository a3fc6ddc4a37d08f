"""Load for an SSH honeypot, the same for Palisade and Cowrie (BENCHMARKS.md, "SSH honeypot").

usage: load.py handshakes PORT PID COUNT        full key exchanges (ssh-keyscan, ed25519), 50 at a time
       load.py attempts PORT PID ATTACKERS SECONDS  hydra processes (50 tasks each) trying passwords
       load.py idle PORT PID SESSIONS           logged-in shell sessions (asyncssh) held open, RSS measured

Prints one JSON object. PID is the honeypot's server process (its CPU time and RSS are read from
/proc). The honeypots must accept root/toor and nothing hydra tries.
"""
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def handshakes(port, pid, count):
    with tempfile.NamedTemporaryFile("w", delete=False) as hosts:
        hosts.write("127.0.0.1\n" * 50)
    cpu = cpu_seconds(pid)
    start = time.monotonic()
    done = 0
    for _ in range(count // 50):
        out = subprocess.run(["ssh-keyscan", "-T", "30", "-p", str(port), "-t", "ed25519", "-f", hosts.name],
                             capture_output=True, text=True).stdout
        done += out.count("ssh-ed25519")
    elapsed = time.monotonic() - start
    used = cpu_seconds(pid) - cpu
    os.unlink(hosts.name)
    return {"handshakes": done, "seconds": round(elapsed, 2), "per_second": round(done / elapsed, 1),
            "server_cpu_ms_per_handshake": round(1000 * used / max(done, 1), 2)}


def attempts(port, pid, attackers, seconds):
    work = tempfile.mkdtemp()
    words = os.path.join(work, "passwords.txt")
    with open(words, "w") as f:
        f.write("\n".join(f"guess-{i}" for i in range(100000)) + "\n")
    processes = []
    per = 50
    for index in range(0, attackers, per):
        tasks = min(per, attackers - index)
        processes.append(subprocess.Popen(
            ["hydra", "-I", "-t", str(tasks), "-w", "5", "-l", f"root{index}", "-P", words, "-s", str(port), "ssh://127.0.0.1"],
            cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
    cpu = cpu_seconds(pid)
    time.sleep(seconds)
    used = cpu_seconds(pid) - cpu
    for process in processes:
        # hydra forks a child per task: the whole process group goes.
        os.killpg(process.pid, 9)
        process.wait()
    return {"attackers": attackers, "seconds": seconds, "hydra_processes": len(processes), "server_cpu_seconds": round(used, 2)}


async def idle(port, pid, sessions):
    """Holds logged-in shells open and reports the server's RSS growth per session: `sessions`
    are opened and kept, then as many again, and the second step is measured — what each further
    live session costs, without the allocator's one-off growth (arenas, caches) on first use."""
    first = await hold(port, sessions, close=False)
    await asyncio.sleep(3)
    before = rss_kib(pid)
    start = time.monotonic()
    second = await hold(port, sessions, close=False)
    opened = time.monotonic() - start
    await asyncio.sleep(3)
    after = rss_kib(pid)
    for connection in first + second:
        connection.close()
    return {"sessions": len(first) + len(second), "rss_before_kib": before, "rss_after_kib": after,
            "kib_per_session": round((after - before) / max(len(second), 1), 1), "open_seconds": round(opened, 1)}


async def hold(port, sessions, close):
    import asyncssh
    connections = []

    async def one():
        connection = await asyncssh.connect("127.0.0.1", port=port, username="root", password="toor",
                                            known_hosts=None, client_keys=None, login_timeout=120)
        await connection.create_session(asyncssh.SSHClientSession, term_type="xterm", term_size=(80, 24))
        connections.append(connection)

    for batch in range(0, sessions, 50):
        await asyncio.gather(*(one() for _ in range(min(50, sessions - batch))))
    if close:
        for connection in connections:
            connection.close()
            await connection.wait_closed()
    return connections


mode = sys.argv[1]
if mode == "handshakes":
    print(json.dumps(handshakes(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))))
elif mode == "attempts":
    print(json.dumps(attempts(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))))
elif mode == "idle":
    print(json.dumps(asyncio.run(idle(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])))))
else:
    sys.exit(__doc__)
