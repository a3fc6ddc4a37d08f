import Foundation
import PalisadeCore
import PalisadeSQLite
import PalisadeTesting
import Testing

/// `palisade serve` as a user runs it: the real binary, its flags, signals and TLS, and a client
/// that shares no code with Palisade.
@Suite("palisade serve, end to end", .serialized)
struct ServeProcessTests {
    @Test func anIndependentClientIngestsFetchesProofsAndRebuildsTheRootFromTiles() async throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        let server = try ServeProcess(dataDir: cli.dataDir)
        defer { server.kill9() }
        let token = try #require(server.adminToken)
        let result = try server.independentAudit(token: token, vkey: try cli.vkey())
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("ok root of 600 leaves rebuilt from tiles matches the checkpoint"))
        #expect(result.stdout.contains("ok consistency 300 -> 600 verifies"))
    }

    @Test func sigtermStopsAcceptingFinishesInFlightAppendsAndExitsZero() async throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        let server = try ServeProcess(dataDir: cli.dataDir)
        defer { server.kill9() }
        let token = try #require(server.adminToken)
        let acknowledged = cli.root.appendingPathComponent("acked.txt")
        // Eight clients post events as fast as they can and record each id acknowledged with 201.
        let load = """
            import json, os, sys, threading, time, urllib.error, urllib.request, uuid
            base, token, out, progress = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
            acked, lock = [], threading.Lock()
            def client():
                while True:
                    event_id = str(uuid.uuid4())
                    body = json.dumps({"id": event_id, "event_type": "system", "action": "load", "success": True}).encode()
                    request = urllib.request.Request(base + "/v1/events", data=body, method="POST")
                    request.add_header("Authorization", "Bearer " + token)
                    try:
                        with urllib.request.urlopen(request, timeout=10) as response:
                            if response.status == 201:
                                with lock:
                                    acked.append(event_id)
                                    if len(acked) % 5 == 0:
                                        open(progress + ".tmp", "w").write(str(len(acked)))
                                        os.replace(progress + ".tmp", progress)
                    except urllib.error.HTTPError as error:
                        if error.code != 429:
                            print("HTTP", error.code, file=sys.stderr)
                            return
                        time.sleep(0.05)
                    except Exception as error:
                        print(type(error).__name__, error, file=sys.stderr)
                        return
            threads = [threading.Thread(target=client) for _ in range(8)]
            for t in threads: t.start()
            for t in threads: t.join()
            open(out, "w").write("\\n".join(acked))
            print(len(acked))
            """
        let progress = cli.root.appendingPathComponent("progress.txt")
        let base = server.baseURL
        let loader = Task.detached {
            try ExternalProcess.python(script: load, arguments: [base, token, acknowledged.path, progress.path])
        }
        // The signal comes once the load is running (a busy CI machine can take seconds to start
        // Python), so that it lands in the middle of appends rather than before the first one.
        let deadline = Date().addingTimeInterval(120)
        var running = 0
        while running < 60 && Date() < deadline {
            try await Task.sleep(for: .milliseconds(100))
            if FileManager.default.fileExists(atPath: progress.path) {
                running = Int(try String(contentsOf: progress, encoding: .utf8)) ?? 0
            }
        }
        server.signal(SIGTERM)
        let status = server.waitForExit(timeout: 30)
        #expect(status == 0, "\(server.stderrText)")
        #expect(server.stderrText.contains("stopped; every acknowledged event is durable"))
        let loadResult = try await loader.value
        let ids = try String(contentsOf: acknowledged, encoding: .utf8).split(separator: "\n").compactMap { UUID(text: String($0)) }
        #expect(ids.count > 50, "only \(ids.count) events were acknowledged: \(loadResult.stderr)")
        let store = try SQLiteStore(path: cli.database)
        var missing = 0
        for id in ids where try await store.event(id: id, of: .default) == nil { missing += 1 }
        #expect(missing == 0)
        let verify = try cli.run(["verify"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    @Test func tokensMadeAndRevokedWithTheCLIActOnARunningServerAtOnce() async throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        let server = try ServeProcess(dataDir: cli.dataDir)
        defer { server.kill9() }
        let created = try cli.run(["token", "create", "--tenant", "acme", "--name", "collector", "--scopes", "ingest,read"])
        #expect(created.status == 0, "\(created.stderr)")
        let token = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let get = """
            import sys, urllib.request, urllib.error
            request = urllib.request.Request(sys.argv[1] + "/v1/events", headers={"Authorization": "Bearer " + sys.argv[2]})
            try:
                print(urllib.request.urlopen(request, timeout=10).status)
            except urllib.error.HTTPError as error:
                print(error.code)
            """
        #expect(try ExternalProcess.python(script: get, arguments: [server.baseURL, token]).stdout.hasPrefix("200"))
        let listed = try cli.run(["token", "list", "--tenant", "acme"])
        #expect(listed.stdout.contains("collector  active"))
        #expect(!listed.stdout.contains(String(token.suffix(43))))
        let revoked = try cli.run(["token", "revoke", String(token.prefix(16)), "--tenant", "acme"])
        #expect(revoked.status == 0, "\(revoked.stderr)")
        #expect(try ExternalProcess.python(script: get, arguments: [server.baseURL, token]).stdout.hasPrefix("401"))
    }

    @Test func slowClientsAreDisconnectedAndOversizedHeadersRefused() throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        let server = try ServeProcess(dataDir: cli.dataDir, environment: ["PALISADE_LIMITS_IDLE_TIMEOUT_SECONDS": "1"])
        defer { server.kill9() }
        let port = server.baseURL.split(separator: ":").last.map(String.init) ?? ""
        let probe = """
            import socket, sys, time
            port = int(sys.argv[1])
            slow = socket.create_connection(("127.0.0.1", port))
            slow.sendall(b"GET /healthz HTTP/1.1\\r\\nHost: x\\r\\nX-Slow: ")
            slow.settimeout(20)
            start = time.time()
            data = slow.recv(100)
            print("slow closed=%s after=%.1f" % (data == b"", time.time() - start))
            big = socket.create_connection(("127.0.0.1", port))
            big.sendall(b"GET /healthz HTTP/1.1\\r\\nHost: x\\r\\nX-Big: " + b"a" * 100000 + b"\\r\\n\\r\\n")
            big.settimeout(10)
            print("big", big.recv(12).decode())
            """
        let result = try ExternalProcess.python(script: probe, arguments: [port])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("slow closed=True after=1."), "\(result.stdout)")
        #expect(result.stdout.contains("big HTTP/1.1 4"), "\(result.stdout)")
    }

    @Test func aNonLoopbackAddressNeedsPublicAndConfigurationLayersInOrder() throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        let refused = try cli.run(["serve", "--listen", "0.0.0.0:0"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("--public"))
        let allowed = try cli.run(["serve", "--listen", "0.0.0.0:0", "--public", "--check-config"])
        #expect(allowed.status == 0)
        #expect(allowed.stdout.contains("warning: listening on 0.0.0.0:0, reachable from the network"))

        let config = try cli.file("config.yaml", "listen: 127.0.0.1:7000\nlimits:\n  max_batch_events: 50\nrate_limits:\n  read_burst: 9\n")
        let environment = ["PALISADE_LISTEN": "127.0.0.1:7001", "PALISADE_RATE_LIMITS_READ_BURST": "11"]
        let fromEnvironment = try ExternalProcess.run(
            PalisadeCLI.binary,
            ["serve", "--config", config, "--check-config", "--data-dir", cli.dataDir.path],
            environment: environment
        )
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.stderr)")
        #expect(Self.line("listen", in: fromEnvironment.stdout).contains("127.0.0.1:7001"))
        #expect(Self.line("listen", in: fromEnvironment.stdout).contains("environment"))
        #expect(Self.line("limits.max_batch_events", in: fromEnvironment.stdout).contains("50"))
        #expect(Self.line("limits.max_batch_events", in: fromEnvironment.stdout).contains("file"))
        #expect(Self.line("rate_limits.read_burst", in: fromEnvironment.stdout).contains("11"))
        let fromFlag = try ExternalProcess.run(
            PalisadeCLI.binary,
            ["serve", "--config", config, "--listen", "127.0.0.1:7002", "--check-config", "--data-dir", cli.dataDir.path],
            environment: environment
        )
        #expect(Self.line("listen", in: fromFlag.stdout).contains("127.0.0.1:7002"))
        #expect(Self.line("listen", in: fromFlag.stdout).contains("flag"))

        let typo = try cli.file("typo.yaml", "limits:\n  max_batch_event: 50\n")
        let unknown = try cli.run(["serve", "--config", typo, "--check-config"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("limits.max_batch_event"))
        let badNumber = try ExternalProcess.run(
            PalisadeCLI.binary,
            ["serve", "--check-config", "--data-dir", cli.dataDir.path],
            environment: ["PALISADE_LIMITS_MAX_BATCH_EVENTS": "lots"]
        )
        #expect(badNumber.status == 1)
        #expect(badNumber.stderr.contains("limits.max_batch_events = 'lots' (from environment)"))
    }

    @Test func databaseSettingsAreCheckedAndThePasswordIsNeverShown() throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        let shown = try ExternalProcess.run(
            PalisadeCLI.binary,
            ["serve", "--check-config", "--data-dir", cli.dataDir.path],
            environment: [
                "PALISADE_DATABASE": "postgres://app:s3cret-pw@db.internal:6432/audit?sslmode=require", "PALISADE_POSTGRES_MAX_CONNECTIONS": "32",
            ]
        )
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(Self.line("database", in: shown.stdout).contains("postgres://app:***@db.internal:6432/audit?sslmode=require"))
        #expect(Self.line("postgres.max_connections", in: shown.stdout).contains("32"))
        #expect(!shown.stdout.contains("s3cret-pw") && !shown.stderr.contains("s3cret-pw"))
        for (variable, value, message) in [
            ("PALISADE_DATABASE", "mysql://db/audit", "must be sqlite or a postgres:// URL"),
            ("PALISADE_DATABASE", "postgres://app@db.internal/audit?sslmode=sometimes", "sslmode"),
            ("PALISADE_POSTGRES_MAX_CONNECTIONS", "0", "postgres.max_connections"),
            ("PALISADE_POSTGRES_GRANT_TO", "Robert'); DROP TABLE", "postgres.grant_to"),
        ] {
            let refused = try ExternalProcess.run(
                PalisadeCLI.binary,
                ["serve", "--check-config", "--data-dir", cli.dataDir.path],
                environment: [variable: value]
            )
            #expect(refused.status == 1 && refused.stderr.contains(message), "\(variable)=\(value): \(refused.stderr)")
        }
    }

    @Test func tlsServesHTTPSWithHSTS() throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        let certificate = cli.root.appendingPathComponent("cert.pem").path
        let key = cli.root.appendingPathComponent("key.pem").path
        let make = """
            import datetime, sys
            from cryptography import x509
            from cryptography.x509.oid import NameOID
            from cryptography.hazmat.primitives import hashes, serialization
            from cryptography.hazmat.primitives.asymmetric import ec
            key = ec.generate_private_key(ec.SECP256R1())
            name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
            now = datetime.datetime.now(datetime.timezone.utc)
            cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
                .not_valid_after(now + datetime.timedelta(days=1))
                .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
                .sign(key, hashes.SHA256()))
            open(sys.argv[1], "wb").write(cert.public_bytes(serialization.Encoding.PEM))
            open(sys.argv[2], "wb").write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
            """
        let made = try ExternalProcess.python(script: make, arguments: [certificate, key])
        #expect(made.status == 0, "\(made.stderr)")
        let server = try ServeProcess(dataDir: cli.dataDir, arguments: ["--listen", "127.0.0.1:0", "--tls-cert", certificate, "--tls-key", key])
        defer { server.kill9() }
        #expect(server.baseURL.hasPrefix("https://"))
        let port = server.baseURL.split(separator: ":").last.map(String.init) ?? ""
        let fetch = """
            import ssl, sys, urllib.request
            context = ssl.create_default_context(cafile=sys.argv[2])
            with urllib.request.urlopen("https://localhost:" + sys.argv[1] + "/healthz", context=context, timeout=10) as response:
                print(response.status, response.headers.get("Strict-Transport-Security"))
            """
        let fetched = try ExternalProcess.python(script: fetch, arguments: [port, certificate])
        #expect(fetched.status == 0, "\(fetched.stderr)")
        #expect(fetched.stdout.contains("200 max-age=31536000; includeSubDomains"))
    }

    static func line(_ key: String, in text: String) -> String {
        text.split(separator: "\n").first { $0.hasPrefix(key + " ") }.map(String.init) ?? ""
    }
}
