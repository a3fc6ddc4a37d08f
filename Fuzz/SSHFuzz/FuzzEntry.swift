import Crypto
import Foundation

@testable import PalisadeHoneypot
@testable import PalisadeSSH

/// The fuzz target for every parser an attacker reaches: the first byte picks one, the rest is its
/// input. Built with `swift build --sanitize fuzzer -Xswiftc -DFUZZING` (scripts/fuzz), libFuzzer
/// drives ``fuzz(_:)``; built normally, this is a replay driver that runs the files it is given
/// (to reproduce a crash under a debugger).
enum SSHFuzz {
    static let hostKey = HostKey(ed25519: Curve25519.Signing.PrivateKey())
    static let configuration: ServerConnection.Configuration = {
        var configuration = ServerConnection.Configuration(
            profile: ServerProfile.debian12.offering(only: ServerConnection.implemented),
            hostKeys: [hostKey],
            authenticationMethods: ["publickey", "password", "keyboard-interactive"],
            accepts: { $0.password == "toor" || $0.signature == "valid" }
        )
        configuration.maxAuthTries = 1_000
        return configuration
    }()
    static let random: @Sendable (Int) -> [UInt8] = { count in [UInt8](repeating: 0x5A, count: count) }

    static func fuzz(_ input: [UInt8]) {
        guard let selector = input.first else { return }
        let body = Array(input.dropFirst())
        switch selector % 8 {
        case 0:
            // Raw bytes from the first byte on: identification, binary packets, KEXINIT, key exchange.
            let connection = ServerConnection(configuration: configuration, random: random)
            _ = connection.receive(Array("SSH-2.0-OpenSSH_9.2p1\r\n".utf8) + body)
            _ = connection.receive(body)
        case 1, 2:
            // Plain packets into the userauth service or the connection protocol.
            let connection = ServerConnection.pastKeyExchange(
                configuration: configuration,
                phase: selector % 8 == 1 ? .authentication : .connection,
                random: random
            )
            var offset = 0
            while offset < body.count {
                let length = min(body.count - offset, Int(body[offset]) + 1)
                let payload = Array(body[(offset + 1 >= body.count ? body.count : offset + 1)..<min(body.count, offset + 1 + length)])
                offset += 1 + length
                let outcome = connection.receive(BinaryPacket.plain(payload, random: random))
                if outcome.closing != nil { return }
                for event in outcome.events {
                    if case .channel(.opened(let id)) = event {
                        _ = connection.send(data: Array(payload.prefix(64)), channel: id)
                    }
                }
            }
        case 3:
            var sftp = SFTPSession(profile: .debian12, user: "root", cap: 4_096)
            _ = sftp.receive(body)
            _ = sftp.finish()
        case 4:
            var scp = ScpSink(arguments: ["-r", "-t", "/tmp"], cap: 4_096)
            _ = scp.receive(body)
        case 5:
            // Refusals are the expected outcome for most inputs; only a crash is a finding.
            if case .success(let client) = Result(catching: { try KexInit(payload: [20] + body) }) {
                let server = configuration.profile.kexInit(cookie: random(16))
                _ = Result { try AlgorithmNegotiation.negotiate(client: client, server: server) }
                _ = HASSH.client(client)
            }
        case 6:
            let line = String(decoding: body.prefix(4_096), as: UTF8.self)
            var shell = FakeShell(user: "root")
            _ = shell.run(line)
            _ = HoneypotEvents.downloads(in: line, HoneypotSession(sensor: "s", id: "i", address: "a", port: 1, correlationID: "c"))
        default:
            _ = ModuliFile(text: String(decoding: body, as: UTF8.self))
            var reader = SSHReader(body)
            _ = Result { try reader.readNameList() }
            _ = Result { try reader.readMPInt() }
            _ = ClientKeySignature.verify(algorithm: "ssh-ed25519", blob: body, signature: body, data: body)
        }
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    SSHFuzz.fuzz(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
#else
@main
struct Replay {
    static func main() throws {
        for path in CommandLine.arguments.dropFirst() {
            SSHFuzz.fuzz(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            print("\(path): ran")
        }
    }
}
#endif
