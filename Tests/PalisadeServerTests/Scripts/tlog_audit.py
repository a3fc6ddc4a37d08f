#!/usr/bin/env python3
"""An independent client of Palisade's HTTP API and C2SP tlog-tiles layout (shares no code with it).

Usage: tlog_audit.py BASE_URL TOKEN TENANT VKEY VERIFY_CHECKPOINT_PY WORK_DIR

1. Ingests events over HTTP (a 300-event NDJSON batch, then single events and another batch).
2. Fetches checkpoints before and after, inclusion proofs for several indices and a consistency
   proof between the two, and checks each with verify_checkpoint.py.
3. Rebuilds the tree from the served tiles and entry bundles: every entry's RFC 9162 leaf hash must
   equal the level-0 tile hash, level-1 hashes must be the roots of full level-0 tiles, and the root
   of all leaves must equal the checkpoint's root hash.
Prints one line per check and exits 1 on the first failure.
"""
import base64
import hashlib
import json
import os
import subprocess
import sys
import urllib.request

base, token, tenant, vkey, verifier, work = sys.argv[1:7]


def request(method, path, body=None, content_type="application/x-ndjson"):
    req = urllib.request.Request(base + path, method=method, data=body)
    req.add_header("Authorization", "Bearer " + token)
    if body is not None:
        req.add_header("Content-Type", content_type)
    with urllib.request.urlopen(req, timeout=30) as response:
        return response.status, dict(response.headers), response.read()


def fail(message):
    print("FAIL " + message)
    sys.exit(1)


def event(n):
    return json.dumps({"event_type": "data_access", "action": "read", "actor": "auditor-%d" % (n % 7), "resource": "doc/%d" % n, "success": True})


def verify(*args):
    result = subprocess.run([sys.executable, verifier, "--vkey", vkey] + list(args), capture_output=True, text=True)
    if result.returncode != 0:
        fail("verify_checkpoint.py %s: %s %s" % (" ".join(args), result.stdout, result.stderr))


def save(name, data):
    path = os.path.join(work, name)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    return path


status, _, body = request("POST", "/v1/events:batch", "\n".join(event(n) for n in range(300)).encode())
result = json.loads(body)
if status != 200 or result["appended"] != 300:
    fail("batch: %s %s" % (status, body[:200]))
_, headers, first = request("GET", "/v1/log/checkpoint")
if headers.get("Cache-Control") != "no-store":
    fail("checkpoint Cache-Control %r" % headers.get("Cache-Control"))
first_size = int(first.decode().split("\n")[1])
for n in range(300, 310):
    status, _, _ = request("POST", "/v1/events", event(n).encode(), "application/json")
    if status != 201:
        fail("single event status %d" % status)
request("POST", "/v1/events:batch", json.dumps([json.loads(event(n)) for n in range(310, 600)]).encode(), "application/json")
_, _, second = request("GET", "/v1/log/checkpoint")
lines = second.decode().split("\n")
size, root = int(lines[1]), base64.b64decode(lines[2])
old_path, new_path = save("old.checkpoint", first), save("new.checkpoint", second)
verify("--checkpoint", new_path)
print("ok checkpoint size %d signed" % size)

for index in [0, 1, 255, 256, first_size - 1, size - 1]:
    _, _, proof = request("GET", "/v1/log/proof/inclusion?index=%d&size=%d" % (index, size))
    verify("--checkpoint", new_path, "--inclusion", save("inclusion-%d.json" % index, proof))
print("ok inclusion proofs verify")
_, _, proof = request("GET", "/v1/log/proof/consistency?from=%d&to=%d" % (first_size, size))
verify("--checkpoint", new_path, "--old-checkpoint", old_path, "--consistency", save("consistency.json", proof))
print("ok consistency %d -> %d verifies" % (first_size, size))


def tile_path(level, n, width):
    digits = "%d" % n
    digits = "0" * ((3 - len(digits) % 3) % 3) + digits
    groups = [digits[i:i + 3] for i in range(0, len(digits), 3)]
    path = "/".join(["x" + g for g in groups[:-1]] + [groups[-1]])
    return "%s/%s%s" % (level, path, "" if width == 256 else ".p/%d" % width)


def fetch(path):
    status, headers, data = request("GET", "/log/%s/tile/%s" % (tenant, path))
    if "immutable" not in headers.get("Cache-Control", ""):
        fail("tile %s Cache-Control %r" % (path, headers.get("Cache-Control")))
    return data


def leaf_hash(entry):
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def mth(hashes):
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return node_hash(mth(hashes[:k]), mth(hashes[k:]))


leaves = []
for n in range((size + 255) // 256):
    width = min(256, size - n * 256)
    tile = fetch(tile_path(0, n, width))
    bundle = fetch(tile_path("entries", n, width))
    entries, offset = [], 0
    while offset < len(bundle):
        length = int.from_bytes(bundle[offset:offset + 2], "big")
        entries.append(bundle[offset + 2:offset + 2 + length])
        offset += 2 + length
    if len(entries) != width or len(tile) != 32 * width:
        fail("tile %d: %d entries, %d hash bytes, width %d" % (n, len(entries), len(tile), width))
    for i, entry in enumerate(entries):
        if leaf_hash(entry) != tile[32 * i:32 * i + 32]:
            fail("entry %d's leaf hash differs from its tile hash" % (n * 256 + i))
        leaves.append(leaf_hash(entry))
full_tiles = size // 256
if full_tiles:
    level1 = fetch(tile_path(1, 0, full_tiles))
    for n in range(full_tiles):
        if level1[32 * n:32 * n + 32] != mth(leaves[n * 256:(n + 1) * 256]):
            fail("level-1 hash %d is not the root of level-0 tile %d" % (n, n))
if mth(leaves) != root:
    fail("the root rebuilt from %d served leaves differs from the checkpoint's" % len(leaves))
print("ok root of %d leaves rebuilt from tiles matches the checkpoint" % len(leaves))
