#!/usr/bin/env python3
"""Mints JWTs with PyJWT (an implementation independent of Palisade) for the JWT interop tests.

Usage: jwt_fixtures.py OUT_DIR ISSUER AUDIENCE
Writes OUT_DIR/jwks.json (public keys rsa1, ec256, ec384), OUT_DIR/jwks-rotated.json (those plus
rsa2), OUT_DIR/hmac.secret and OUT_DIR/tokens.json (name -> compact JWT).
"""
import base64
import hashlib
import hmac
import json
import os
import secrets
import sys
import time

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

out, issuer, audience = sys.argv[1], sys.argv[2], sys.argv[3]
now = int(time.time())
claims = {"iss": issuer, "aud": audience, "sub": "user-1", "tenant": "acme", "scope": "openid read ingest", "iat": now, "exp": now + 600}


def public_jwk(key, kid):
    if isinstance(key, rsa.RSAPrivateKey):
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    else:
        jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    jwk["kid"] = kid
    jwk["use"] = "sig"
    return jwk


rsa1 = rsa.generate_private_key(public_exponent=65537, key_size=2048)
rsa2 = rsa.generate_private_key(public_exponent=65537, key_size=2048)
stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ec256 = ec.generate_private_key(ec.SECP256R1())
ec384 = ec.generate_private_key(ec.SECP384R1())
secret = secrets.token_urlsafe(48)

keys = [public_jwk(rsa1, "rsa1"), public_jwk(ec256, "ec256"), public_jwk(ec384, "ec384")]
with open(os.path.join(out, "jwks.json"), "w") as f:
    json.dump({"keys": keys}, f)
with open(os.path.join(out, "jwks-rotated.json"), "w") as f:
    json.dump({"keys": keys + [public_jwk(rsa2, "rsa2")]}, f)
with open(os.path.join(out, "hmac.secret"), "w") as f:
    f.write(secret)


def mint(key, alg, kid=None, **changes):
    body = dict(claims)
    for name, value in changes.items():
        if value is None:
            body.pop(name, None)
        else:
            body[name] = value
    headers = {"kid": kid} if kid else None
    return jwt.encode(body, key, algorithm=alg, headers=headers)


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


tokens = {
    "HS256": mint(secret, "HS256"),
    "HS384": mint(secret, "HS384"),
    "HS512": mint(secret, "HS512"),
    "RS256": mint(rsa1, "RS256", "rsa1"),
    "RS384": mint(rsa1, "RS384", "rsa1"),
    "RS512": mint(rsa1, "RS512", "rsa1"),
    "ES256": mint(ec256, "ES256", "ec256"),
    "ES384": mint(ec384, "ES384", "ec384"),
    "expired": mint(rsa1, "RS256", "rsa1", exp=now - 3600),
    "wrong_audience": mint(rsa1, "RS256", "rsa1", aud="someone-else"),
    "wrong_issuer": mint(rsa1, "RS256", "rsa1", iss="https://evil.example"),
    "not_yet_valid": mint(rsa1, "RS256", "rsa1", nbf=now + 3600),
    "unknown_kid": mint(stranger, "RS256", "other"),
    "wrong_key_same_kid": mint(stranger, "RS256", "rsa1"),
    "no_tenant": mint(rsa1, "RS256", "rsa1", tenant=None),
    "unregistered_tenant": mint(rsa1, "RS256", "rsa1", tenant="nosuch"),
    "no_palisade_scope": mint(rsa1, "RS256", "rsa1", scope="openid profile"),
    "rotated": mint(rsa2, "RS256", "rsa2"),
    "hmac_wrong_secret": jwt.encode(claims, secrets.token_urlsafe(48), algorithm="HS256"),
}
# A valid signature over other claims: swap in a payload that grants admin.
header, payload, signature = tokens["RS256"].split(".")
forged = dict(claims, scope="admin read ingest")
tokens["tampered"] = ".".join([header, b64(json.dumps(forged).encode()), signature])
# alg "none": no signature at all.
tokens["alg_none"] = ".".join([b64(b'{"alg":"none","typ":"JWT"}'), b64(json.dumps(claims).encode()), ""])
# An RS256 header on a token MACed with the RSA public key as an HMAC secret (algorithm confusion).
public_pem = rsa1.public_key().public_bytes(
    encoding=serialization.Encoding.PEM, format=serialization.PublicFormat.SubjectPublicKeyInfo
)
signing_input = b64(b'{"alg":"HS256","typ":"JWT","kid":"rsa1"}') + "." + b64(json.dumps(claims).encode())
tokens["confused_hs256_with_rsa_public_key"] = signing_input + "." + b64(hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest())

with open(os.path.join(out, "tokens.json"), "w") as f:
    json.dump(tokens, f)
