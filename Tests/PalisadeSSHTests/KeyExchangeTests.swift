import Crypto
import Foundation
import PalisadeSSH
import PalisadeTesting
import Testing

/// The pieces of curve25519-sha256 with an Ed25519 host key, each checked by an independent party:
/// the host key's fingerprint by `ssh-keygen -l`, the exchange hash, key derivation and the
/// signature by a Python implementation written from RFC 4253 §7.2 and RFC 8731.
struct KeyExchangeTests {
    @Test func theHostKeyFingerprintIsTheOneSSHKeygenShows() throws {
        let key = HostKey(ed25519: Curve25519.Signing.PrivateKey())
        let work = try TemporaryDirectory.make("palisade-hostkey")
        let file = work.appendingPathComponent("key.pub")
        try "ssh-ed25519 \(Data(key.publicKeyBlob).base64EncodedString()) palisade\n".write(to: file, atomically: true, encoding: .utf8)
        let shown = try ExternalProcess.run("/usr/bin/env", ["ssh-keygen", "-l", "-E", "sha256", "-f", file.path])
        #expect(shown.status == 0 && shown.stdout.contains(key.fingerprint), "\(shown.stdout)\(shown.stderr) vs \(key.fingerprint)")
    }

    @Test func exchangeHashKeysAndSignatureAgreeWithAnIndependentImplementation() throws {
        let hostKey = HostKey(ed25519: Curve25519.Signing.PrivateKey())
        let exchange = Curve25519Exchange()
        let client = Curve25519.KeyAgreement.PrivateKey()
        let clientPublic = Array(client.publicKey.rawRepresentation)
        let secret = try exchange.sharedSecret(clientPublic: clientPublic)
        let clientVersion = Array("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u6".utf8)
        let serverVersion = Identification(softwareVersion: "OpenSSH_9.2p1", comments: "Debian-2+deb12u10").description
        let clientKexInit = ServerProfile.debian12.kexInit(cookie: Array(repeating: 1, count: 16)).payload
        let serverKexInit = ServerProfile.debian12.kexInit(cookie: Array(repeating: 2, count: 16)).payload
        let h = ExchangeHash.ecdh(
            SHA256.self,
            clientVersion: clientVersion,
            serverVersion: Array(serverVersion.utf8),
            clientKexInit: clientKexInit,
            serverKexInit: serverKexInit,
            hostKey: hostKey.publicKeyBlob,
            clientPublic: clientPublic,
            serverPublic: exchange.serverPublic,
            sharedSecret: secret
        )
        let keys = "ABCDEF".map { ExchangeHash.derive(SHA256.self, sharedSecret: secret, exchangeHash: h, sessionID: h, letter: $0, length: 64) }
        let signature = try hostKey.signatureBlob(over: h)
        func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
        let script = """
            import hashlib, struct, sys
            from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
            a = dict(arg.split("=", 1) for arg in sys.argv[1:])
            b = {k: bytes.fromhex(v) for k, v in a.items()}
            def string(x): return struct.pack(">I", len(x)) + x
            def mpint(x):
                x = x.lstrip(b"\\0")
                if x and x[0] & 0x80: x = b"\\0" + x
                return string(x)
            # K from the client's side of the agreement, independently.
            k = X25519PrivateKey.from_private_bytes(b["client_private"]).exchange(X25519PublicKey.from_public_bytes(b["server_public"]))
            blob = b["host_key"]
            h = hashlib.sha256(string(b["v_c"]) + string(b["v_s"]) + string(b["i_c"]) + string(b["i_s"]) + string(blob)
                               + string(b["client_public"]) + string(b["server_public"]) + mpint(k)).digest()
            keys = []
            for letter in b"ABCDEF":
                key = hashlib.sha256(mpint(k) + h + bytes([letter]) + h).digest()
                key += hashlib.sha256(mpint(k) + h + key).digest()
                keys.append(key[:64].hex())
            # The host key: string "ssh-ed25519", string key; the signature: string name, string sig.
            n = struct.unpack(">I", blob[:4])[0]; raw = blob[4 + n + 4:]
            s = b["signature"]; m = struct.unpack(">I", s[:4])[0]; sig = s[4 + m + 4:]
            Ed25519PublicKey.from_public_bytes(raw).verify(sig, h)
            print(h.hex()); print(" ".join(keys)); print("signature ok")
            """
        let result = try ExternalProcess.python(
            script: script,
            arguments: [
                "client_private=\(hex(Array(client.rawRepresentation)))", "server_public=\(hex(exchange.serverPublic))",
                "host_key=\(hex(hostKey.publicKeyBlob))", "v_c=\(hex(clientVersion))", "v_s=\(hex(Array(serverVersion.utf8)))",
                "i_c=\(hex(clientKexInit))", "i_s=\(hex(serverKexInit))", "client_public=\(hex(clientPublic))", "signature=\(hex(signature))",
            ]
        )
        let lines = result.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count == 3, "\(result.stdout)\(result.stderr)")
        #expect(lines[0] == hex(h))
        #expect(lines[1] == keys.map(hex).joined(separator: " "))
        #expect(lines[2] == "signature ok")
    }

    @Test func badClientKeysAreRefused() {
        let exchange = Curve25519Exchange()
        #expect(throws: SSHWireError.self) { try exchange.sharedSecret(clientPublic: [UInt8](repeating: 9, count: 31)) }
        // The all-zero point gives an all-zero shared secret (RFC 8731 §3 requires refusing it).
        #expect(throws: SSHWireError.self) { try exchange.sharedSecret(clientPublic: [UInt8](repeating: 0, count: 32)) }
    }
}
