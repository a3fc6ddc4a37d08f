import Crypto
import Foundation
import PalisadeTesting
import Testing

@testable import PalisadeVault

/// Every key type against a published vector where one exists, and against Python's
/// `cryptography` (and PyJWT's JWK reader) for everything that leaves the vault: ciphertexts,
/// signatures, MACs and exported public keys.
struct KeyMaterialTests {
    static func material(_ type: KeyType, hex: String) throws -> KeyMaterial {
        try KeyMaterial(type: type, secret: SecretBytes(Array(hex: hex)))
    }

    @Test func ed25519SignsRFC8032TestOne() throws {
        let key = try Self.material(.ed25519, hex: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
        guard case .ed25519(let publicKey) = try key.publicKey() else { throw VaultError.malformedValue("not Ed25519") }
        #expect(Array(publicKey.rawRepresentation).hex == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        let signature = try key.sign([UInt8]())
        #expect(
            signature.hex
                == "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        )
        #expect(try key.verify(signature, for: [UInt8]()))
        #expect(try !key.verify(signature, for: [0]))
    }

    @Test func hmacMatchesRFC4231() throws {
        // RFC 4231 test case 6's key is 131 bytes of 0xaa (the vault takes keys of 32 bytes or more).
        let key = try Self.material(.hmacSHA256, hex: String(repeating: "aa", count: 131))
        let message = Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)
        #expect(try key.hmac(message).hex == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        #expect(try key.verifyHMAC(Array(hex: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"), for: message))
        let wide = try Self.material(.hmacSHA512, hex: String(repeating: "aa", count: 131))
        #expect(
            try wide.hmac(message).hex
                == "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"
        )
        #expect(throws: VaultError.self) { try Self.material(.hmacSHA256, hex: "00") }
    }

    @Test func ciphertextsAndMACsInteroperateWithPythonCryptography() throws {
        let script = """
            import hmac, hashlib, json, os, sys
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
            r = json.loads(sys.stdin.read())
            out = {}
            for name, cls in (("aes", AESGCM), ("chacha", ChaCha20Poly1305)):
                key = bytes.fromhex(r[name + "_key"]); sealed = bytes.fromhex(r[name + "_sealed"])
                aead = cls(key)
                out[name + "_opened"] = aead.decrypt(sealed[:12], sealed[12:], b"tenant=acme").decode()
                nonce = os.urandom(12)
                out[name + "_theirs"] = (nonce + aead.encrypt(nonce, b"from python", b"tenant=acme")).hex()
            out["mac"] = hmac.new(bytes.fromhex(r["mac_key"]), b"message", hashlib.sha512).hexdigest()
            print(json.dumps(out))
            """
        let aes = KeyMaterial.generate(.aes256GCM)
        let chacha = KeyMaterial.generate(.chacha20Poly1305)
        let mac = KeyMaterial.generate(.hmacSHA512)
        let aad = Array("tenant=acme".utf8)
        let request: [String: String] = [
            "aes_key": aes.secret.copiedBytes.hex, "aes_sealed": try aes.encrypt(Array("from swift".utf8), associatedData: aad).hex,
            "chacha_key": chacha.secret.copiedBytes.hex,
            "chacha_sealed": try chacha.encrypt(Array("from swift".utf8), associatedData: aad).hex,
            "mac_key": mac.secret.copiedBytes.hex,
        ]
        let result = try ExternalProcess.python(script: script, input: try JSONEncoder().encode(request))
        #expect(result.status == 0, "\(result.stderr)")
        let answer = try JSONDecoder().decode([String: String].self, from: Data(result.stdout.utf8))
        #expect(answer["aes_opened"] == "from swift" && answer["chacha_opened"] == "from swift")
        #expect(try aes.decrypt(Array(hex: answer["aes_theirs"] ?? ""), associatedData: aad, key: "k") == Array("from python".utf8))
        #expect(try chacha.decrypt(Array(hex: answer["chacha_theirs"] ?? ""), associatedData: aad, key: "k") == Array("from python".utf8))
        #expect(throws: VaultError.decryptionFailed(key: "k")) {
            try aes.decrypt(Array(hex: answer["aes_theirs"] ?? ""), associatedData: Array("tenant=other".utf8), key: "k")
        }
        #expect(try mac.hmac(Array("message".utf8)).hex == answer["mac"])
    }

    @Test func signaturesAndExportedPublicKeysInteroperateWithPythonCryptography() throws {
        let script = """
            import base64, json, sys
            from cryptography.exceptions import InvalidSignature
            from cryptography.hazmat.primitives import hashes, serialization
            from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
            from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
            from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm
            message = b"checkpoint 42"
            verdicts = []
            for case in json.loads(sys.stdin.read()):
                key = serialization.load_pem_public_key(case["pem"].encode())
                signature = bytes.fromhex(case["signature"])
                try:
                    if isinstance(key, ed25519.Ed25519PublicKey):
                        key.verify(signature, message)
                    elif isinstance(key, ec.EllipticCurvePublicKey):
                        half = len(signature) // 2
                        if case["format"] == "raw":
                            signature = encode_dss_signature(int.from_bytes(signature[:half], "big"), int.from_bytes(signature[half:], "big"))
                        hash = hashes.SHA256() if key.curve.name == "secp256r1" else hashes.SHA384()
                        key.verify(signature, message, ec.ECDSA(hash))
                    else:
                        pad = padding.PKCS1v15() if case["format"] == "pkcs1v15" else padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO)
                        key.verify(signature, message, pad, hashes.SHA256())
                    ok = "valid"
                except InvalidSignature:
                    ok = "invalid"
                jwk = json.dumps(case["jwk"])
                reader = {"OKP": OKPAlgorithm, "EC": ECAlgorithm, "RSA": RSAAlgorithm}[case["jwk"]["kty"]]
                from_jwk = reader.from_jwk(jwk)
                spki = lambda k: k.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
                ssh = serialization.load_ssh_public_key(case["ssh"].encode())
                verdicts.append(f"{case['name']} {ok} jwk={spki(from_jwk) == spki(key)} ssh={spki(ssh) == spki(key)}")
            print("\\n".join(verdicts))
            """
        let message = Array("checkpoint 42".utf8)
        var cases = [[String: Any]]()
        var expected = [String]()
        let formats: [(KeyType, SignatureFormat)] = [
            (.ed25519, .standard), (.ecdsaP256, .standard), (.ecdsaP256, .raw), (.ecdsaP384, .standard), (.ecdsaP384, .raw),
            (.rsa3072, .standard), (.rsa3072, .pkcs1v15),
        ]
        for (type, format) in formats {
            let key = KeyMaterial.generate(type)
            let publicKey = try key.publicKey()
            let name = "\(type.rawValue)/\(format.rawValue)"
            var signature = try key.sign(message, format: format)
            #expect(try key.verify(signature, for: message, format: format), "\(name) verifies its own")
            cases.append([
                "name": name, "format": format.rawValue, "pem": publicKey.pem, "signature": signature.hex,
                "jwk": publicKey.jwk(keyID: name), "ssh": publicKey.openSSH(comment: name),
            ])
            expected.append("\(name) valid jwk=True ssh=True")
            // A flipped bit: Python must say invalid.
            signature[signature.count / 2] ^= 0x01
            #expect(try !key.verify(signature, for: message, format: format), "\(name) refuses a damaged signature")
            cases.append([
                "name": name + "/damaged", "format": format.rawValue, "pem": publicKey.pem, "signature": signature.hex,
                "jwk": publicKey.jwk(keyID: name), "ssh": publicKey.openSSH(comment: name),
            ])
            expected.append("\(name)/damaged invalid jwk=True ssh=True")
        }
        let result = try ExternalProcess.python(script: script, input: try JSONSerialization.data(withJSONObject: cases))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").map(String.init) == expected, "\(result.stdout)\(result.stderr)")
    }

    @Test func materialThatDoesNotFitItsTypeIsRefused() throws {
        #expect(throws: VaultError.self) { try Self.material(.aes256GCM, hex: "00") }
        #expect(throws: VaultError.self) { try Self.material(.rsa3072, hex: "3000") }
        let rsa4096 = KeyMaterial.generate(.rsa4096)
        #expect(throws: VaultError.self) { try KeyMaterial(type: .rsa3072, secret: rsa4096.secret) }
        #expect(throws: VaultError.unsupportedOperation(.ed25519, .encrypt)) {
            try KeyMaterial.generate(.ed25519).encrypt([1], associatedData: [UInt8]())
        }
        #expect(throws: VaultError.unsupportedOperation(.aes256GCM, .verify)) { try KeyMaterial.generate(.aes256GCM).publicKey() }
    }
}

extension [UInt8] {
    init(hex: String) {
        var bytes = [UInt8]()
        var index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex), let byte = UInt8(hex[index..<next], radix: 16)
        {
            bytes.append(byte)
            index = next
        }
        self = bytes
    }
}
