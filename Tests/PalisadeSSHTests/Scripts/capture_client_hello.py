"""Captures what a real SSH client sends first, sharing no code with Palisade.

Listens on 127.0.0.1 (port 0) and prints "listening on 127.0.0.1:PORT ". For each connection:
sends BANNER, reads the client's identification line and its first binary packet (its KEXINIT,
unencrypted), writes both to OUT_DIR/<n>.hex as two hex lines, and closes the connection.

usage: capture_client_hello.py OUT_DIR [BANNER]
"""

import os
import socket
import struct
import sys

OUT_DIR = sys.argv[1]
BANNER = (sys.argv[2] if len(sys.argv) > 2 else "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10").encode() + b"\r\n"
os.makedirs(OUT_DIR, exist_ok=True)


def read_exact(connection, count):
    data = b""
    while len(data) < count:
        chunk = connection.recv(count - len(data))
        if not chunk:
            raise EOFError("closed")
        data += chunk
    return data


server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(16)
print(f"listening on 127.0.0.1:{server.getsockname()[1]} ", flush=True)
number = 0
while True:
    connection, _ = server.accept()
    connection.settimeout(10)
    try:
        connection.sendall(BANNER)
        line = b""
        while not line.endswith(b"\n"):
            line += read_exact(connection, 1)
        header = read_exact(connection, 4)
        (length,) = struct.unpack(">I", header)
        packet = header + read_exact(connection, length)
        with open(os.path.join(OUT_DIR, f"{number}.hex.tmp"), "w") as out:
            out.write(line.rstrip(b"\r\n").hex() + "\n" + packet.hex() + "\n")
        os.rename(os.path.join(OUT_DIR, f"{number}.hex.tmp"), os.path.join(OUT_DIR, f"{number}.hex"))
        number += 1
    except (OSError, EOFError) as error:
        print(f"capture failed: {error}", file=sys.stderr, flush=True)
    finally:
        connection.close()
