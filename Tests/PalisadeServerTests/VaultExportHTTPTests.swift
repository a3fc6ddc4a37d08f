import Foundation
import PalisadeTesting
import Testing

/// Widening a key's policy and exporting its private key, both under dual control, checked by a
/// Python client with `cryptography` that shares no code with Palisade: the exported JWE opens
/// with the recipient's RSA key, and what is inside signs like the vault's key.
@Suite(.serialized)
struct VaultExportHTTPTests {
    static let client =
        VaultHTTPTests.requestJSON + """
            import base64, json, sys
            from cryptography.hazmat.primitives import hashes, serialization
            from cryptography.hazmat.primitives.asymmetric import padding, rsa
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM
            base, admin, bob, carol = sys.argv[1:5]
            def call(method, path, body=None, token=admin):
                return request_json(base, method, path, body, token)
            b64 = lambda data: base64.b64encode(data).decode()
            unb64url = lambda text: base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            def approved(operation, parameters):
                code, asked = call("POST", "/v1/vault/approvals", {"operation": operation, "target": "release", "parameters": parameters})
                if code != 201:
                    return code, asked
                for approver in (bob, carol):
                    call("POST", "/v1/vault/approvals/" + asked["id"] + "/approve", {}, token=approver)
                return call("POST", "/v1/vault/approvals/" + asked["id"] + "/execute", {})
            out = {}
            call("POST", "/v1/vault/init", {"shares": 2, "threshold": 2})
            out["create"] = call("POST", "/v1/vault/keys", {"name": "release", "type": "ed25519"})[0]
            recipient = rsa.generate_private_key(public_exponent=65537, key_size=3072)
            pem = recipient.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
            code, body = call("POST", "/v1/vault/approvals", {"operation": "key.export", "target": "release", "parameters": {"recipient": pem}})
            out["not_exportable"] = [code, body["error"]["code"]]
            out["tighten"] = call("POST", "/v1/vault/keys/release/policy", {"operations": ["sign", "verify"]})[1]["policy"]
            code, body = call("POST", "/v1/vault/keys/release/policy", {"operations": ["sign", "verify"], "exportable": True})
            out["relax_directly"] = [code, body["error"]["code"]]
            code, relaxed = approved("policy.relax", {"policy": {"operations": ["sign", "verify"], "exportable": True}})
            out["relaxed"] = [code, relaxed.get("status", relaxed)]
            out["exportable"] = call("GET", "/v1/vault/keys/release")[1]["policy"]["exportable"]
            small = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
            small_pem = small.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
            out["small_recipient"] = call("POST", "/v1/vault/approvals", {"operation": "key.export", "target": "release", "parameters": {"recipient": small_pem}})[0]
            code, exported = approved("key.export", {"recipient": pem})
            out["exported"] = [code, exported.get("status", exported)]
            if "result" not in exported: sys.exit("export failed: " + json.dumps(out) + json.dumps(exported))
            parts = exported["result"]["jwe"].split(".")
            out["header"] = json.loads(unb64url(parts[0]))
            content_key = recipient.decrypt(unb64url(parts[1]), padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None))
            payload = AESGCM(content_key).decrypt(unb64url(parts[2]), unb64url(parts[3]) + unb64url(parts[4]), parts[0].encode())
            private = serialization.load_der_private_key(payload, password=None)
            signature = private.sign(b"artifact 3.1")
            out["vault_verifies"] = call("POST", "/v1/vault/keys/release/verify", {"input": b64(b"artifact 3.1"), "signature": "palisade:v1:" + b64(signature)})[1]
            out["again"] = call("POST", "/v1/vault/approvals/" + exported["id"] + "/execute", {})[0]
            code, events = call("GET", "/v1/events?type=palisade.vault&limit=200")
            out["recorded"] = sorted(set(e["action"] for e in events["events"]))
            raw = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
            dump = json.dumps(events)
            out["leaked"] = b64(raw) in dump or b64(raw).rstrip("=") in dump or raw.hex() in dump
            print(json.dumps(out))
            """

    @Test func aPolicyIsWidenedAndAKeyExportedOnlyWithTwoApprovals() async throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        let server = try await ServeProcess.launch(dataDir: cli.dataDir, environment: ["PALISADE_VAULT_APPROVAL_GRACE_SECONDS": "0"])
        defer { server.kill9() }
        var arguments = [server.baseURL, try #require(server.adminToken)]
        for name in ["bob", "carol"] {
            let created = try await cli.runDetached(["token", "create", "--tenant", "default", "--name", name, "--scopes", "vault:administrator"])
            #expect(created.status == 0, "\(created.stderr)")
            arguments.append(created.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let (executable, scriptArguments) = ExternalProcess.pythonArguments(["-c", Self.client] + arguments)
        let result = try await ExternalProcess.runDetached(executable, scriptArguments)
        #expect(result.status == 0, "\(result.stderr)")
        let out = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
        #expect(out["create"] as? Int == 201)
        #expect(out["not_exportable"] as? [AnyHashable] == [409, "key_state"], "\(out["not_exportable"] ?? "")")
        #expect((out["tighten"] as? [String: Any])?["operations"] as? [String] == ["sign", "verify"], "a tightening applies at once")
        #expect(out["relax_directly"] as? [AnyHashable] == [409, "approval_required"])
        #expect(out["relaxed"] as? [AnyHashable] == [200, "executed"] && out["exportable"] as? Bool == true)
        #expect(out["small_recipient"] as? Int == 400, "a 1024-bit recipient is refused")
        #expect(out["exported"] as? [AnyHashable] == [200, "executed"])
        let header = try #require(out["header"] as? [String: String])
        #expect(header == ["alg": "RSA-OAEP-256", "enc": "A256GCM", "cty": "application/pkcs8", "kid": "release/v1"])
        #expect(out["vault_verifies"] as? [String: Bool] == ["valid": true], "the exported key is the vault's key")
        #expect(out["again"] as? Int == 409, "an export is carried out once")
        let recorded = try #require(out["recorded"] as? [String])
        #expect(["key.policy", "key.export", "approval.execute"].allSatisfy(recorded.contains), "\(recorded)")
        #expect(out["leaked"] as? Bool == false, "the private key appears in no record")
    }
}
