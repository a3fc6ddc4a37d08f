"""A real SMTP server (aiosmtpd) for Palisade's email channel tests, sharing no code with Palisade.

Makes a CA and a certificate for 127.0.0.1 in WORKDIR (ca.pem, for the client to trust), listens on
127.0.0.1, requires STARTTLS before MAIL and AUTH (unless MODE is "plain": no STARTTLS offered),
accepts the user "alerts" with password "s3cret", and appends one JSON line per accepted message to
WORKDIR/messages.jsonl: envelope, whether TLS was on, the authenticated user and the parsed parts.
Prints "listening on smtp://127.0.0.1:PORT " when ready.

usage: smtp_server.py WORKDIR [MODE]
"""

import email
import email.policy
import json
import os
import socket
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_ca import server_certificate  # noqa: E402

WORKDIR = sys.argv[1]
MODE = sys.argv[2] if len(sys.argv) > 2 else "starttls"
os.makedirs(WORKDIR, exist_ok=True)


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = getattr(auth_data, "login", None) == b"alerts" and getattr(auth_data, "password", None) == b"s3cret"
    # handled=False: aiosmtpd answers a failure with 535 itself (its default, handled=True, says nothing).
    return AuthResult(success=ok, handled=False, auth_data=auth_data)


class Handler:
    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        parts = {}
        for part in message.walk():
            if part.get_content_maintype() == "text":
                parts[part.get_content_type()] = part.get_content()
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "user": session.auth_data.login.decode() if session.auth_data is not None else None,
            "subject": str(message["Subject"]),
            "from": str(message["From"]),
            "to": str(message["To"]),
            "content_type": message.get_content_type(),
            "delivery": str(message["X-Palisade-Delivery"]),
            "parts": parts,
        }
        with open(os.path.join(WORKDIR, "messages.jsonl"), "a") as out:
            out.write(json.dumps(record) + "\n")
        return "250 OK"


probe = socket.socket()
probe.bind(("127.0.0.1", 0))
port = probe.getsockname()[1]
probe.close()
parameters = {"authenticator": authenticator, "auth_require_tls": True}
if MODE == "starttls":
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*server_certificate(WORKDIR))
    parameters.update(tls_context=context, require_starttls=True)
else:
    parameters.update(auth_require_tls=False)
controller = Controller(Handler(), hostname="127.0.0.1", port=port, **parameters)
controller.start()
print(f"listening on smtp://127.0.0.1:{port} ", flush=True)
while True:
    time.sleep(3600)
