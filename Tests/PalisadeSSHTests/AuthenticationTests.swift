import Crypto
import Foundation
import PalisadeCore
import PalisadeHoneypot
import PalisadeTesting
import Testing
import _CryptoExtras

@testable import PalisadeSSH

/// Authentication as sshd answers it, with Debian's OpenSSH client: offered public keys are
/// recorded by fingerprint, a listed key logs in only with a valid signature (OpenSSH's
/// publickey-hostbound method included), keyboard-interactive prompts for a password like sshd
/// with PAM; and the honeypot's policy, password hashing and correlation ids.
@Suite(.serialized) struct AuthenticationTests {
    /// Client keys made by ssh-keygen, by type.
    static func clientKeys(_ directory: URL) throws -> [(path: String, fingerprint: String)] {
        try [("ed25519", []), ("ecdsa", ["-b", "384"]), ("rsa", ["-b", "3072"])].map { type, bits in
            let path = directory.appendingPathComponent("id_\(type)").path
            let made = try ExternalProcess.run("/usr/bin/env", ["ssh-keygen", "-q", "-t", type, "-N", "", "-f", path] + bits)
            #expect(made.status == 0, "\(made.stderr)")
            let shown = try ExternalProcess.run("/usr/bin/env", ["ssh-keygen", "-l", "-E", "sha256", "-f", path + ".pub"])
            let fingerprint = try #require(shown.stdout.split(separator: " ").dropFirst().first.map(String.init))
            return (path, fingerprint)
        }
    }

    @Test func aListedPublicKeyLogsInWithItsSignatureAndOthersAreRecorded() async throws {
        let work = try TemporaryDirectory.make("palisade-client-keys")
        let keys = try Self.clientKeys(work)
        let listed = Set(keys.map(\.fingerprint))
        let policy = LoginPolicy(acceptedKeys: listed)
        let server = try await TestSSHServer(accepts: { policy.accepts($0) })
        for key in keys {
            let result = try await OpenSSHClient.run(
                port: server.port,
                password: "unused",
                ["-i", key.path, "-o", "IdentitiesOnly=yes", "root@127.0.0.1", "id"],
                methods: "publickey"
            )
            #expect(result.status == 0 && result.stdout == "ran: id\n", "\(key.path): \(result.stderr)")
        }
        let logins = server.events.compactMap { event -> AuthenticationAttempt? in
            if case .authentication(let attempt, true) = event { attempt } else { nil }
        }
        #expect(logins.map { KeyFingerprint.sha256($0.publicKeyBlob ?? []) } == keys.map(\.fingerprint))
        #expect(logins.allSatisfy { $0.signature == "valid" && $0.method == "publickey" }, "\(logins)")
        #expect(Set(logins.compactMap(\.publicKeyAlgorithm)) == ["ssh-ed25519", "ecdsa-sha2-nistp384", "rsa-sha2-512"])
        let queried = server.events.filter { if case .publicKeyAcceptable = $0 { true } else { false } }
        #expect(queried.count == 3, "each key was first offered without a signature and answered PK_OK")
        try await server.stop()

        // A key that is not listed: refused at the query, recorded with its fingerprint.
        let strict = try await TestSSHServer(accepts: { LoginPolicy(acceptedKeys: [keys[0].fingerprint]).accepts($0) })
        let refused = try await OpenSSHClient.run(
            port: strict.port,
            password: "unused",
            ["-i", keys[2].path, "-o", "IdentitiesOnly=yes", "root@127.0.0.1", "id"],
            methods: "publickey"
        )
        #expect(refused.status == 255 && refused.stderr.contains("Permission denied (publickey,password)."), "\(refused.stderr)")
        let offered = strict.events.compactMap { event -> AuthenticationAttempt? in
            if case .authentication(let attempt, false) = event, attempt.method == "publickey" { attempt } else { nil }
        }
        #expect(offered.map { KeyFingerprint.sha256($0.publicKeyBlob ?? []) } == [keys[2].fingerprint] && offered.first?.signature == nil)
        try await strict.stop()
    }

    @Test func aSignatureThatIsNotTheKeysIsInvalid() throws {
        let data = Array("signed data".utf8)
        let ed25519 = Curve25519.Signing.PrivateKey()
        var blob = SSHWriter()
        blob.write(text: "ssh-ed25519")
        blob.write(string: Array(ed25519.publicKey.rawRepresentation))
        func signatureBlob(_ algorithm: String, _ raw: [UInt8]) -> [UInt8] {
            var writer = SSHWriter()
            writer.write(text: algorithm)
            writer.write(string: raw)
            return writer.bytes
        }
        var raw = Array(try ed25519.signature(for: data))
        let good = signatureBlob("ssh-ed25519", raw)
        #expect(ClientKeySignature.verify(algorithm: "ssh-ed25519", blob: blob.bytes, signature: good, data: data) == .valid)
        #expect(ClientKeySignature.verify(algorithm: "ssh-ed25519", blob: blob.bytes, signature: good, data: data + [0]) == .invalid)
        raw[10] ^= 1
        #expect(
            ClientKeySignature.verify(algorithm: "ssh-ed25519", blob: blob.bytes, signature: signatureBlob("ssh-ed25519", raw), data: data)
                == .invalid
        )
        #expect(ClientKeySignature.verify(algorithm: "ssh-ed25519", blob: blob.bytes, signature: [0, 0, 0, 99], data: data) == .invalid)
        // RSA: a SHA-512 signature does not pass as SHA-256.
        let rsa = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let rsaBlob = HostKey(.rsa(rsa)).publicKeyBlob
        let rsaSignature = try rsa.signature(for: SHA512.hash(data: data), padding: .insecurePKCS1v1_5)
        let rsaGood = signatureBlob("rsa-sha2-512", Array(rsaSignature.rawRepresentation))
        #expect(ClientKeySignature.verify(algorithm: "rsa-sha2-512", blob: rsaBlob, signature: rsaGood, data: data) == .valid)
        let relabelled = signatureBlob("rsa-sha2-256", Array(rsaSignature.rawRepresentation))
        #expect(ClientKeySignature.verify(algorithm: "rsa-sha2-256", blob: rsaBlob, signature: relabelled, data: data) == .invalid)
        // A certificate type is recorded, not verified.
        var certificate = SSHWriter()
        certificate.write(text: "ssh-ed25519-cert-v01@openssh.com")
        let unverified = ClientKeySignature.verify(
            algorithm: "ssh-ed25519-cert-v01@openssh.com",
            blob: certificate.bytes,
            signature: signatureBlob("ssh-ed25519-cert-v01@openssh.com", raw),
            data: data
        )
        #expect(unverified == .unsupported)
    }

    @Test func keyboardInteractivePromptsForAPasswordLikeSshdWithPAM() async throws {
        let policy = LoginPolicy(credentials: ["root": ["toor"]])
        let server = try await TestSSHServer(
            accepts: { policy.accepts($0) },
            configure: { $0.authenticationMethods = ["publickey", "password", "keyboard-interactive"] }
        )
        let wrong = try await OpenSSHClient.run(
            port: server.port,
            password: "letmein",
            ["-o", "NumberOfPasswordPrompts=2", "root@127.0.0.1", "id"],
            methods: "keyboard-interactive"
        )
        #expect(wrong.status == 255 && wrong.stderr.contains("Permission denied (publickey,password,keyboard-interactive)."), "\(wrong.stderr)")
        let right = try await OpenSSHClient.run(port: server.port, password: "toor", ["root@127.0.0.1", "id"], methods: "keyboard-interactive")
        #expect(right.status == 0 && right.stdout == "ran: id\n", "\(right.stderr)")
        let attempts = server.events.compactMap { event -> (String, Bool)? in
            if case .authentication(let attempt, let ok) = event, attempt.method == "keyboard-interactive" {
                (attempt.password ?? "", ok)
            } else {
                nil
            }
        }
        #expect(attempts.map(\.0) == ["letmein", "letmein", "toor"] && attempts.map(\.1) == [false, false, true], "\(attempts)")
        try await server.stop()
    }

    @Test func thePolicyLetsInListedPairsOrAnyPasswordAfterNTries() {
        let policy = LoginPolicy(credentials: ["root": ["toor"]], acceptAfterAttempts: 3)
        func attempt(_ user: String, _ password: String, _ number: Int, method: String = "password") -> AuthenticationAttempt {
            var attempt = AuthenticationAttempt(username: user, method: method, password: password)
            attempt.number = number
            return attempt
        }
        #expect(policy.accepts(attempt("root", "toor", 1)))
        #expect(!policy.accepts(attempt("admin", "toor", 1)) && !policy.accepts(attempt("admin", "x", 2)))
        #expect(policy.accepts(attempt("admin", "x", 3)) && policy.accepts(attempt("oracle", "y", 4, method: "keyboard-interactive")))
        #expect(!policy.accepts(attempt("root", "toor", 1, method: "none")) && !LoginPolicy().accepts(attempt("root", "toor", 9)))
    }

    @Test func hashedPasswordsAndCorrelationIDs() throws {
        let secret = SensorSecret.random()
        var first = HoneypotSession(sensor: "s", id: "1", address: "198.51.100.7", port: 5, correlationID: "")
        let now = Date()
        first.correlationID = secret.correlationID(address: first.address, at: now)
        #expect(first.correlationID == secret.correlationID(address: "198.51.100.7", at: now))
        #expect(first.correlationID != secret.correlationID(address: "198.51.100.8", at: now))
        #expect(first.correlationID != secret.correlationID(address: "198.51.100.7", at: now.addingTimeInterval(3_600)))
        #expect(first.correlationID != SensorSecret.random().correlationID(address: "198.51.100.7", at: now))
        let attempt = SSHEvent.authentication(AuthenticationAttempt(username: "root", method: "password", password: "hunter2"), succeeded: false)
        let hashed = HoneypotEvents.events(for: attempt, &first, passwords: .hashed, secret: secret)
        let plain = HoneypotEvents.events(for: attempt, &first, passwords: .plaintext, secret: secret)
        guard case .object(let event)? = hashed.first, case .object(let metadata)? = event["metadata"],
            case .object(let plainEvent)? = plain.first, case .object(let plainMetadata)? = plainEvent["metadata"]
        else {
            Issue.record("\(hashed)")
            return
        }
        #expect(metadata["password"] == nil && metadata["password_length"] == .number(7))
        #expect(
            metadata["password_hash"] == .string(secret.passwordHash("hunter2")) && secret.passwordHash("hunter2") != secret.passwordHash("hunter3")
        )
        #expect(!String(describing: hashed).contains("hunter2"))
        #expect(plainMetadata["password"] == .string("hunter2") && metadata["correlation_id"] == .string(first.correlationID))
    }
}
