import Foundation
import PalisadeTesting
import Testing

/// The vault over HTTP on a real `palisade serve`, driven by a Python client that shares no code
/// with Palisade: initialise, keys, operations checked by Python's `cryptography`, sealing (503
/// while events still ingest), unsealing by shares across a restart, and the permissions.
@Suite(.serialized)
struct VaultHTTPTests {
    /// The clients' HTTP call: a JSON request with a bearer token, answered by (status, JSON).
    static let requestJSON = """
        import json, urllib.error, urllib.request
        def request_json(base, method, path, body, token):
            request = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode())
            request.add_header("Authorization", "Bearer " + token)
            request.add_header("Content-Type", "application/json")
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return response.status, json.loads(response.read() or b"null")
            except urllib.error.HTTPError as error:
                return error.code, json.loads(error.read() or b"null")

        """

    static let client =
        requestJSON + """
            import base64, json, sys, urllib.error, urllib.request
            from cryptography.hazmat.primitives import hashes, serialization
            from cryptography.hazmat.primitives.asymmetric import ec
            base, admin, service, step = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
            state = json.load(open(sys.argv[5])) if len(sys.argv) > 5 else {}
            def call(method, path, body=None, token=admin):
                return request_json(base, method, path, body, token)
            b64 = lambda data: base64.b64encode(data).decode()
            out = {}
            if step == "first":
                out["status0"] = call("GET", "/v1/vault/status")
                out["service_init"] = call("POST", "/v1/vault/init", {"shares": 5, "threshold": 3}, token=service)[0]
                code, init = call("POST", "/v1/vault/init", {"shares": 5, "threshold": 3})
                out["init"] = code; out["shares"] = init["shares"]; out["master_key"] = init["master_key"]
                out["again"] = call("POST", "/v1/vault/init", {"shares": 5, "threshold": 3})[0]
                out["service_create"] = call("POST", "/v1/vault/keys", {"name": "p", "type": "aes256-gcm"}, token=service)[0]
                out["create"] = call("POST", "/v1/vault/keys", {"name": "payments", "type": "aes256-gcm", "policy": {"tags": ["payment"]}})[0]
                out["create_signing"] = call("POST", "/v1/vault/keys", {"name": "releases", "type": "ecdsa-p256"})[0]
                out["bad_type"] = call("POST", "/v1/vault/keys", {"name": "x", "type": "des"})
                code, sealed = call("POST", "/v1/vault/keys/payments/encrypt", {"plaintext": b64(b"4111 1111"), "associated_data": b64(b"order=7")}, token=service)
                out["encrypt"] = code; out["ciphertext"] = sealed["ciphertext"]
                code, opened = call("POST", "/v1/vault/keys/payments/decrypt", {"ciphertext": sealed["ciphertext"], "associated_data": b64(b"order=7")}, token=service)
                out["decrypted"] = base64.b64decode(opened["plaintext"]).decode()
                out["wrong_aad"] = call("POST", "/v1/vault/keys/payments/decrypt", {"ciphertext": sealed["ciphertext"], "associated_data": b64(b"order=8")}, token=service)
                out["garbage"] = call("POST", "/v1/vault/keys/payments/decrypt", {"ciphertext": "vault:v1:AAAA"}, token=service)
                code, signed = call("POST", "/v1/vault/keys/releases/sign", {"input": b64(b"release 2.0")}, token=service)
                code, public = call("GET", "/v1/vault/keys/releases/public?format=pem", token=service)
                key = serialization.load_pem_public_key(public["pem"].encode())
                signature = base64.b64decode(signed["signature"].split(":", 2)[2])
                key.verify(signature, b"release 2.0", ec.ECDSA(hashes.SHA256()))
                out["python_verified"] = True
                out["verify"] = call("POST", "/v1/vault/keys/releases/verify", {"input": b64(b"release 2.0"), "signature": signed["signature"]}, token=service)[1]
                out["rotate"] = call("POST", "/v1/vault/keys/payments/rotate")[1]["current_version"]
                call("POST", "/v1/vault/keys/releases/rotate")
                from jwt.algorithms import ECAlgorithm
                jwks = call("GET", "/v1/vault/jwks", token=service)[1]["keys"]
                out["jwks"] = sorted(k["kid"] for k in jwks)
                old = [k for k in jwks if k["kid"] == "releases/v1"][0]
                ECAlgorithm.from_jwk(json.dumps(old)).verify(signature, b"release 2.0", ec.ECDSA(hashes.SHA256()))
                out["jwks_verified"] = True
                out["list"] = [k["name"] for k in call("GET", "/v1/vault/keys?tag=payment", token=service)[1]["keys"]]
                out["missing"] = call("GET", "/v1/vault/keys/nope", token=service)[0]
                metrics = urllib.request.Request(base + "/metrics")
                metrics.add_header("Authorization", "Bearer " + admin)
                text = urllib.request.urlopen(metrics, timeout=30).read().decode()
                out["metrics"] = sorted(line.split(" ")[0] for line in text.splitlines() if line.startswith("palisade_vault_operations_total{") and 'key="payments"' in line)
                out["sealing"] = call("POST", "/v1/vault/seal")[1]["status"]
                out["sealed_encrypt"] = call("POST", "/v1/vault/keys/payments/encrypt", {"plaintext": b64(b"x")}, token=service)
                request = urllib.request.Request(base + "/v1/events", method="POST", data=json.dumps({"event_type": "system", "action": "still.ingesting", "success": True}).encode())
                request.add_header("Authorization", "Bearer " + admin)
                out["ingest_while_sealed"] = urllib.request.urlopen(request, timeout=30).status
            else:
                out["status"] = call("GET", "/v1/vault/status")[1]
                progress = []
                for share in state["shares"][1:4]:
                    progress.append(call("POST", "/v1/vault/unseal", {"share": share})[1]["status"])
                out["progress"] = progress
                code, opened = call("POST", "/v1/vault/keys/payments/decrypt", {"ciphertext": state["ciphertext"], "associated_data": b64(b"order=7")}, token=service)
                out["decrypted_after_restart"] = base64.b64decode(opened["plaintext"]).decode()
                code, events = call("GET", "/v1/events?type=palisade.vault&limit=100")
                out["recorded"] = sorted(set(e["action"] for e in events["events"]))
                dump = json.dumps(events)
                out["leaked"] = "4111 1111" in dump or b64(b"4111 1111") in dump or b64(b"4111 1111").rstrip("=") in dump
            print(json.dumps(out))
            """

    static func run(_ arguments: [String]) throws -> [String: Any] {
        let result = try ExternalProcess.python(script: client, arguments: arguments)
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)\(result.stderr)")
    }

    @Test func theVaultOverHTTPFromInitialisationToARestart() async throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        var server = try ServeProcess(dataDir: cli.dataDir)
        let admin = try #require(server.adminToken)
        let created = try cli.run(["token", "create", "--tenant", "default", "--name", "app", "--scopes", "vault:service"])
        #expect(created.status == 0, "\(created.stderr)")
        let service = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        let first = try Self.run([server.baseURL, admin, service, "first"])
        #expect((first["status0"] as? [Any])?.last as? [String: String] == ["status": "uninitialized"])
        #expect(first["service_init"] as? Int == 403 && first["init"] as? Int == 201 && first["again"] as? Int == 409)
        #expect((first["shares"] as? [String])?.count == 5 && (first["master_key"] as? String)?.isEmpty == false)
        #expect(first["service_create"] as? Int == 403 && first["create"] as? Int == 201 && first["create_signing"] as? Int == 201)
        let badType = first["bad_type"] as? [Any]
        #expect(badType?.first as? Int == 400 && "\(badType?.last ?? "")".contains("type"))
        #expect(first["encrypt"] as? Int == 200 && (first["ciphertext"] as? String)?.hasPrefix("palisade:v1:") == true)
        #expect(first["decrypted"] as? String == "4111 1111")
        #expect((first["wrong_aad"] as? [Any])?.first as? Int == 400 && "\(first["wrong_aad"] ?? "")".contains("decryption_failed"))
        #expect((first["garbage"] as? [Any])?.first as? Int == 400)
        #expect(first["python_verified"] as? Bool == true && (first["verify"] as? [String: Bool]) == ["valid": true])
        #expect(first["rotate"] as? Int == 2 && first["list"] as? [String] == ["payments"] && first["missing"] as? Int == 404)
        #expect(
            first["jwks"] as? [String] == ["releases/v1", "releases/v2"] && first["jwks_verified"] as? Bool == true,
            "symmetric keys are not in the JWKS"
        )
        #expect(
            first["metrics"] as? [String] == [
                #"palisade_vault_operations_total{tenant="default",key="payments",operation="decrypt",outcome="decryption_failed"}"#,
                #"palisade_vault_operations_total{tenant="default",key="payments",operation="decrypt",outcome="ok"}"#,
                #"palisade_vault_operations_total{tenant="default",key="payments",operation="encrypt",outcome="ok"}"#,
            ],
            "\(first["metrics"] ?? "")"
        )
        #expect(first["sealing"] as? String == "sealed")
        let sealedEncrypt = first["sealed_encrypt"] as? [Any]
        #expect(sealedEncrypt?.first as? Int == 503 && "\(sealedEncrypt?.last ?? "")".contains("sealed"))
        #expect(first["ingest_while_sealed"] as? Int == 201)

        // A restart: the server comes back sealed; three of the five shares open it.
        server.signal(SIGTERM)
        #expect(server.waitForExit(timeout: 30) == 0)
        server = try ServeProcess(dataDir: cli.dataDir)
        defer { server.kill9() }
        let state = try cli.file("vault-state.json", String(decoding: try JSONSerialization.data(withJSONObject: first), as: UTF8.self))
        let second = try Self.run([server.baseURL, admin, service, "second", state])
        #expect((second["status"] as? [String: Any])?["status"] as? String == "sealed")
        #expect(second["progress"] as? [String] == ["sealed", "sealed", "unsealed"])
        #expect(second["decrypted_after_restart"] as? String == "4111 1111")
        let recorded = Set(second["recorded"] as? [String] ?? [])
        #expect(
            recorded.isSuperset(of: [
                "vault.init", "vault.seal", "vault.unseal", "key.create", "key.rotate", "crypto.encrypt", "crypto.decrypt", "crypto.sign",
            ]),
            "\(recorded)"
        )
        #expect(second["leaked"] as? Bool == false, "no plaintext in the vault's records")
    }
}

/// Dual control over HTTP: three administrators, one asks, two others approve, the grace period
/// holds execution, and the destroyed key no longer decrypts.
@Suite(.serialized)
struct VaultApprovalHTTPTests {
    static let client =
        VaultHTTPTests.requestJSON + """
            import base64, json, sys, time, urllib.error, urllib.request
            base, alice, bob, carol, service = sys.argv[1:6]
            def call(method, path, body=None, token=alice):
                return request_json(base, method, path, body, token)
            out = {}
            call("POST", "/v1/vault/init", {"shares": 3, "threshold": 2})
            call("POST", "/v1/vault/keys", {"name": "legacy", "type": "aes256-gcm"})
            ciphertext = call("POST", "/v1/vault/keys/legacy/encrypt", {"plaintext": base64.b64encode(b"old").decode()}, token=service)[1]["ciphertext"]
            out["active_request"] = call("POST", "/v1/vault/approvals", {"operation": "key.destroy", "target": "legacy"})[0]
            call("POST", "/v1/vault/keys/legacy/lifecycle", {"transition": "revoke"})
            code, request = call("POST", "/v1/vault/approvals", {"operation": "key.destroy", "target": "legacy"})
            out["request"] = code
            path = "/v1/vault/approvals/" + request["id"]
            out["self"] = call("POST", path + "/approve", {})[0]
            out["service"] = call("POST", path + "/approve", {}, token=service)[0]
            out["bob"] = call("POST", path + "/approve", {"comment": "ok"}, token=bob)[1]["status"]
            out["bob_again"] = call("POST", path + "/approve", {}, token=bob)[0]
            code, approved = call("POST", path + "/approve", {}, token=carol)
            out["carol"] = approved["status"]
            out["state_in_grace"] = call("GET", "/v1/vault/keys/legacy", token=service)[1]["state"]
            out["decrypt_in_grace"] = call("POST", "/v1/vault/keys/legacy/decrypt", {"ciphertext": ciphertext}, token=service)[0]
            out["early"] = call("POST", path + "/execute", {}, token=bob)[0]
            time.sleep(2.2)
            code, done = call("POST", path + "/execute", {}, token=bob)
            out["executed"] = [code, done["status"]]
            out["state"] = call("GET", "/v1/vault/keys/legacy", token=service)[1]["state"]
            out["decrypt_after"] = call("POST", "/v1/vault/keys/legacy/decrypt", {"ciphertext": ciphertext}, token=service)[0]
            out["listed"] = [a["status"] for a in call("GET", "/v1/vault/approvals?status=executed")[1]["approvals"]]
            events = call("GET", "/v1/events?type=palisade.vault&limit=100")[1]["events"]
            out["recorded"] = sorted(set(e["action"] for e in events if e["action"].startswith("approval") or e["action"] == "key.destroy"))
            print(json.dumps(out))
            """

    @Test func twoOtherAdministratorsApproveAndTheGracePeriodHoldsTheDestruction() throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        let server = try ServeProcess(dataDir: cli.dataDir, environment: ["PALISADE_VAULT_APPROVAL_GRACE_SECONDS": "2"])
        defer { server.kill9() }
        func token(_ name: String, _ scopes: String) throws -> String {
            let created = try cli.run(["token", "create", "--tenant", "default", "--name", name, "--scopes", scopes])
            #expect(created.status == 0, "\(created.stderr)")
            return created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let arguments = [
            server.baseURL, try #require(server.adminToken), try token("bob", "vault:administrator,read"), try token("carol", "vault:administrator"),
            try token("app", "vault:service"),
        ]
        let result = try ExternalProcess.python(script: Self.client, arguments: arguments)
        #expect(result.status == 0, "\(result.stderr)")
        let out = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
        #expect(out["active_request"] as? Int == 409, "an active key must be revoked first")
        #expect(out["request"] as? Int == 201 && out["self"] as? Int == 403 && out["service"] as? Int == 403)
        #expect(out["bob"] as? String == "pending" && out["bob_again"] as? Int == 409 && out["carol"] as? String == "approved")
        #expect(out["state_in_grace"] as? String == "purge-scheduled" && out["decrypt_in_grace"] as? Int == 200)
        #expect(out["early"] as? Int == 409)
        #expect(out["executed"] as? [AnyHashable] == [200, "executed"])
        #expect(out["state"] as? String == "destroyed" && out["decrypt_after"] as? Int == 409)
        #expect(out["listed"] as? [String] == ["executed"])
        #expect(
            out["recorded"] as? [String] == ["approval.approve", "approval.execute", "approval.request", "key.destroy"],
            "\(out["recorded"] ?? "")"
        )
    }
}

/// A caller over its vault budget gets 429 with Retry-After, and other routes are unaffected.
@Suite(.serialized)
struct VaultRateLimitHTTPTests {
    @Test func overTheBudgetIs429WithRetryAfter() throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        let server = try ServeProcess(dataDir: cli.dataDir, environment: ["PALISADE_VAULT_RATE_LIMIT_PER_ACTOR": "0.01"])
        defer { server.kill9() }
        let script =
            VaultHTTPTests.requestJSON + """
                import sys, urllib.request
                base, token = sys.argv[1], sys.argv[2]
                request_json(base, "POST", "/v1/vault/init", {"shares": 2, "threshold": 2}, token)
                print("create", request_json(base, "POST", "/v1/vault/keys", {"name": "k", "type": "hmac-sha256"}, token)[0])
                request = urllib.request.Request(base + "/v1/vault/keys/k/hmac", method="POST", data=b'{"input": "AAAA"}')
                request.add_header("Authorization", "Bearer " + token)
                try:
                    urllib.request.urlopen(request, timeout=30)
                    print("hmac allowed")
                except urllib.error.HTTPError as error:
                    print("hmac", error.code, error.headers.get("Retry-After"), json.loads(error.read())["error"]["code"])
                print("status", request_json(base, "GET", "/v1/vault/status", None, token)[0])
                """
        let result = try ExternalProcess.python(script: script, arguments: [server.baseURL, try #require(server.adminToken)])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "create 201", "\(result.stdout)")
        let refused = lines.dropFirst().first?.split(separator: " ").map(String.init) ?? []
        #expect(refused.count == 4 && refused[1] == "429" && (Int(refused[2]) ?? 0) >= 1 && refused[3] == "rate_limited", "\(result.stdout)")
        #expect(lines.last == "status 200", "the seal's status is not a key call")
    }
}
