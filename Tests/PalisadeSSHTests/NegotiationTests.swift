import Foundation
import PalisadeSSH
import PalisadeTesting
import Testing

/// Algorithm negotiation against what real clients send: Debian's OpenSSH client connects to a
/// capture server (Python, no Palisade code) that records its identification line and KEXINIT; the
/// choices against the Debian 12 profile are those the profile measured.
@Suite(.serialized) struct NegotiationTests {
    /// The identification and KEXINIT an OpenSSH client sends, captured live.
    static func capturedOpenSSHClient() throws -> (Identification, KexInit) {
        let work = try TemporaryDirectory.make("palisade-ssh-capture")
        let (python, arguments) = ExternalProcess.pythonArguments([
            SharedFiles.projectRoot.appendingPathComponent("Tests/PalisadeSSHTests/Scripts/capture_client_hello.py").path, work.path,
        ])
        let capture = try ServeProcess(dataDir: nil, executable: python, command: arguments, arguments: [])
        defer { capture.kill9() }
        let port = String(capture.baseURL.split(separator: ":").last ?? "")
        // The client gives up when the capture server closes; only what it sent first matters.
        _ = try ExternalProcess.run(
            "/usr/bin/env",
            [
                "ssh", "-p", port, "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "ConnectTimeout=10", "-F", "/dev/null", "probe@127.0.0.1", "true",
            ]
        )
        let file = work.appendingPathComponent("0.hex")
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map { Self.bytes(String($0)) }
        try #require(lines.count == 2)
        let identification = try Identification(parsing: lines[0])
        let packet = try #require(try BinaryPacket.readPlain(lines[1][...]))
        return (identification, try KexInit(payload: packet.payload))
    }

    static func bytes(_ hex: String) -> [UInt8] {
        var out = [UInt8]()
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return out
    }

    static let everything = Set(
        ServerProfile.debian12.kex + ServerProfile.debian12.hostKeys + ServerProfile.debian12.ciphers + ServerProfile.debian12.macs
            + ServerProfile.debian12.compression
    )

    @Test func opensshClientsChoicesMatchTheMeasuredProfile() throws {
        let (identification, client) = try Self.capturedOpenSSHClient()
        #expect(identification.softwareVersion.hasPrefix("OpenSSH_"))
        // Against the full profile the client picks what the spec measured…
        let full = try AlgorithmNegotiation.negotiate(client: client, server: ServerProfile.debian12.kexInit(cookie: Array(repeating: 1, count: 16)))
        #expect(full.kex == "sntrup761x25519-sha512" || full.kex == "sntrup761x25519-sha512@openssh.com", "\(full)")
        #expect(full.hostKey == "ssh-ed25519" && full.encryptionClientToServer == "chacha20-poly1305@openssh.com")
        #expect(full.macClientToServer == nil, "an AEAD cipher negotiates no MAC")
        #expect(full.strictKex && full.clientWantsExtInfo && !full.ignoreGuessedPacket)
        // …and without sntrup761 (not implemented yet), curve25519-sha256.
        let withoutPQ = ServerProfile.debian12.offering(only: Self.everything.filter { !$0.hasPrefix("sntrup") })
        let chosen = try AlgorithmNegotiation.negotiate(client: client, server: withoutPQ.kexInit(cookie: Array(repeating: 1, count: 16)))
        #expect(chosen.kex == "curve25519-sha256")
        // The client's HASSH is stable for a client build: two captures agree.
        let (_, again) = try Self.capturedOpenSSHClient()
        #expect(HASSH.client(client).hash == HASSH.client(again).hash && HASSH.client(client).hash.count == 32)
    }

    @Test func nothingInCommonFailsTheKeyExchangeWithOpenSSHsWording() throws {
        let client = KexInit(
            cookie: Array(repeating: 0, count: 16),
            kexAlgorithms: ["diffie-hellman-group1-sha1", "ext-info-c"],
            serverHostKeyAlgorithms: ["ssh-dss"],
            encryption: ["3des-cbc"],
            mac: ["hmac-md5"],
            compression: ["none"]
        )
        do {
            _ = try AlgorithmNegotiation.negotiate(client: client, server: ServerProfile.debian12.kexInit(cookie: Array(repeating: 0, count: 16)))
            Issue.record("negotiated with nothing in common")
        } catch {
            #expect(error.reason == .keyExchangeFailed && error.description.hasPrefix("no matching host key type found"))
        }
        // A marker alone is never a method.
        var markersOnly = ServerProfile.debian12.kexInit(cookie: Array(repeating: 0, count: 16))
        markersOnly.kexAlgorithms = ["ext-info-c", "kex-strict-c-v00@openssh.com"]
        #expect(throws: SSHWireError.self) {
            try AlgorithmNegotiation.negotiate(client: markersOnly, server: ServerProfile.debian12.kexInit(cookie: Array(repeating: 0, count: 16)))
        }
    }

    @Test func aWrongGuessIsToBeIgnored() throws {
        var client = ServerProfile.debian12.kexInit(cookie: Array(repeating: 0, count: 16))
        client.kexAlgorithms = ["ecdh-sha2-nistp256", "curve25519-sha256"]
        client.firstKexPacketFollows = true
        let server = ServerProfile.debian12.offering(only: ["curve25519-sha256", "ssh-ed25519", "aes128-ctr", "hmac-sha2-256", "none"])
        let result = try AlgorithmNegotiation.negotiate(client: client, server: server.kexInit(cookie: Array(repeating: 0, count: 16)))
        #expect(result.kex == "curve25519-sha256" && result.ignoreGuessedPacket)
    }
}
