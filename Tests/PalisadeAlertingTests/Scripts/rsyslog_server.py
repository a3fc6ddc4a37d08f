"""Runs Debian's rsyslogd (unprivileged, in the foreground) receiving syslog on loopback over UDP,
TCP (RFC 6587 octet counting) and TLS (RFC 5425, GnuTLS), writing every message it parses to
WORKDIR/received.log, one line per message: its PRI, the RFC 5424 header fields rsyslog parsed,
the structured data and the message. Prints "listening on 127.0.0.1:UDP:TCP:TLS " once every
port accepts. Stops rsyslogd when killed.

usage: rsyslog_server.py WORKDIR
"""

import os
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_ca import server_certificate  # noqa: E402

WORKDIR = os.path.abspath(sys.argv[1])
os.makedirs(WORKDIR, exist_ok=True)
certificate, key = server_certificate(WORKDIR)


def free_port(kind):
    probe = socket.socket(socket.AF_INET, kind)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


udp, tcp, tls = free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_STREAM), free_port(socket.SOCK_STREAM)
# One imtcp module; the TLS listener sets its stream driver per input.
configuration = f"""
global(
    workDirectory="{WORKDIR}"
    maxMessageSize="64k"
    defaultNetstreamDriverCAFile="{WORKDIR}/ca.pem"
    defaultNetstreamDriverCertFile="{certificate}"
    defaultNetstreamDriverKeyFile="{key}"
)
module(load="imudp")
module(load="imtcp" maxSessions="100")
input(type="imudp" address="127.0.0.1" port="{udp}")
input(type="imtcp" address="127.0.0.1" port="{tcp}" name="tcp")
input(type="imtcp" address="127.0.0.1" port="{tls}" name="tls"
      streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")
template(name="fields" type="string"
         string="%inputname%|%pri%|%protocol-version%|%timereported:::date-rfc3339%|%hostname%|%app-name%|%procid%|%msgid%|%structured-data%|%msg%\\n")
action(type="omfile" file="{WORKDIR}/received.log" template="fields")
"""
with open(os.path.join(WORKDIR, "rsyslog.conf"), "w") as out:
    out.write(configuration)

daemon = subprocess.Popen(
    ["rsyslogd", "-n", "-f", os.path.join(WORKDIR, "rsyslog.conf"), "-i", os.path.join(WORKDIR, "rsyslog.pid")],
    stdout=sys.stderr,
    stderr=sys.stderr,
)


def stop(*_):
    daemon.terminate()
    daemon.wait(timeout=10)
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
deadline = time.time() + 30
while time.time() < deadline:
    if daemon.poll() is not None:
        sys.exit(f"rsyslogd exited with {daemon.returncode}")
    try:
        # (The TLS port opens with the same listener set; a bare probe there logs a failed handshake.)
        socket.create_connection(("127.0.0.1", tcp), timeout=1).close()
        break
    except OSError:
        time.sleep(0.1)
print(f"listening on 127.0.0.1:{udp}:{tcp}:{tls} ", flush=True)
# Stop rsyslogd when the test kills this wrapper (SIGKILL cannot be caught: watch the parent).
parent = os.getppid()
while daemon.poll() is None:
    if os.getppid() != parent:
        stop()
    time.sleep(0.2)
