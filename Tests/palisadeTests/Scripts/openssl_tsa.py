"""A real RFC 3161 Time-Stamp Authority for tests: Debian's `openssl ts -reply` behind HTTP.

Usage: openssl_tsa.py WORKDIR
Creates a CA and a TSA certificate (extendedKeyUsage critical timeStamping) in WORKDIR, then serves
POST / (application/timestamp-query -> application/timestamp-reply) on 127.0.0.1 and prints
"listening on http://127.0.0.1:PORT " once ready. WORKDIR/ca.crt is the trust anchor for
`openssl ts -verify -CAfile`.
"""
import http.server
import os
import subprocess
import sys
import tempfile

work = os.path.abspath(sys.argv[1])
os.makedirs(work, exist_ok=True)


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, cwd=work, capture_output=True)


with open(os.path.join(work, "tsa.ext"), "w") as f:
    f.write("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=critical,timeStamping\n")
openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key",
        "-out", "ca.crt", "-days", "2", "-subj", "/CN=Palisade Test TSA CA")
openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "tsa.key",
        "-out", "tsa.csr", "-subj", "/CN=Palisade Test TSA")
openssl("x509", "-req", "-in", "tsa.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "tsa.crt", "-days", "2", "-extfile", "tsa.ext")
with open(os.path.join(work, "tsaserial"), "w") as f:
    f.write("01\n")
with open(os.path.join(work, "tsa.cnf"), "w") as f:
    f.write(f"""[ tsa ]
default_tsa = tsa_config1
[ tsa_config1 ]
dir = {work}
serial = $dir/tsaserial
crypto_device = builtin
signer_cert = $dir/tsa.crt
certs = $dir/ca.crt
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = sha256
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
""")


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.headers.get("Content-Type") != "application/timestamp-query":
            self.send_error(415, "expected application/timestamp-query")
            return
        with tempfile.TemporaryDirectory() as scratch:
            query, reply = os.path.join(scratch, "q.tsq"), os.path.join(scratch, "r.tsr")
            with open(query, "wb") as f:
                f.write(body)
            result = subprocess.run(["openssl", "ts", "-reply", "-config", os.path.join(work, "tsa.cnf"),
                                     "-queryfile", query, "-out", reply], capture_output=True)
            if result.returncode != 0:
                self.send_error(400, result.stderr.decode(errors="replace")[:200])
                return
            with open(reply, "rb") as f:
                answer = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"listening on http://127.0.0.1:{server.server_address[1]} ", flush=True)
server.serve_forever()
