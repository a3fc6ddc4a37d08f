"""A webhook receiver for Palisade's alert delivery tests, sharing no code with Palisade.

Listens on 127.0.0.1 (port 0), prints "listening on http://127.0.0.1:PORT ", and appends one JSON line per POST
to LOG_FILE: the delivery id, the attempt, whether the X-Palisade-Signature verifies (Python's
hmac, when SECRET is given), whether the id was seen before, and the incidents in the body.
Each answer waits DELAY seconds. With HOLD_AFTER, requests after that many are held unanswered (and
unlogged) until a file LOG_FILE.release exists, so a test can kill the sender with requests in
flight; once released they are logged like any other (a real receiver would have processed them).

usage: alert_receiver.py LOG_FILE [DELAY] [SECRET] [HOLD_AFTER]
"""

import hashlib
import hmac
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG_FILE = sys.argv[1]
DELAY = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
SECRET = sys.argv[3].encode() if len(sys.argv) > 3 and sys.argv[3] else None
HOLD_AFTER = int(sys.argv[4]) if len(sys.argv) > 4 else None
arrived = 0
lock = threading.Lock()
seen = set()


def verifies(header, body):
    if SECRET is None or not header:
        return None
    parts = dict(item.split("=", 1) for item in header.split(","))
    expected = hmac.new(SECRET, parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", "")) and abs(time.time() - int(parts["t"])) <= 300


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        global arrived
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        time.sleep(DELAY)
        with lock:
            arrived += 1
            held = HOLD_AFTER is not None and arrived > HOLD_AFTER
        while held and not os.path.exists(LOG_FILE + ".release"):
            time.sleep(0.05)
        delivery = self.headers.get("X-Palisade-Delivery", "")
        document = json.loads(body)
        with lock:
            duplicate = delivery in seen
            seen.add(delivery)
            line = {
                "delivery": delivery,
                "attempt": self.headers.get("X-Palisade-Attempt"),
                "duplicate": duplicate,
                "signature_ok": verifies(self.headers.get("X-Palisade-Signature"), body),
                "incidents": [alert["fingerprint"] for alert in document.get("alerts", [])],
                "status": document.get("status"),
            }
            with open(LOG_FILE, "a") as log:
                log.write(json.dumps(line) + "\n")
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(f"listening on http://127.0.0.1:{server.server_address[1]} ", flush=True)
server.serve_forever()
