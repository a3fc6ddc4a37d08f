import Foundation
import PalisadeSSH
import PalisadeTesting
import Testing

/// `chacha20-poly1305@openssh.com`: packets sealed by Palisade open in an independent
/// implementation of OpenSSH's construction (Python, on `cryptography`'s raw ChaCha20 and
/// Poly1305, written from PROTOCOL.chacha20poly1305) and the reverse; a flipped bit is a MAC error.
struct CipherTests {
    static let script = """
        import sys
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
        from cryptography.hazmat.primitives.poly1305 import Poly1305

        def chacha(key, seq, counter, data):
            iv = counter.to_bytes(8, "little") + seq.to_bytes(8, "big")
            return Cipher(algorithms.ChaCha20(key, iv), mode=None).encryptor().update(data)

        def seal(material, seq, packet):
            k2, k1 = material[:32], material[32:]
            sealed = chacha(k1, seq, 0, packet[:4]) + chacha(k2, seq, 1, packet[4:])
            return sealed + Poly1305.generate_tag(chacha(k2, seq, 0, bytes(32)), sealed)

        def open_(material, seq, sealed):
            k2, k1 = material[:32], material[32:]
            body, tag = sealed[:-16], sealed[-16:]
            Poly1305.verify_tag(chacha(k2, seq, 0, bytes(32)), body, tag)
            return chacha(k1, seq, 0, body[:4]) + chacha(k2, seq, 1, body[4:])

        for line in sys.stdin.read().splitlines():
            verb, material, seq, data = line.split(" ")
            material, seq, data = bytes.fromhex(material), int(seq), bytes.fromhex(data)
            print((seal(material, seq, data) if verb == "seal" else open_(material, seq, data)).hex())
        """

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test func packetsInteroperateWithAnIndependentImplementation() throws {
        var generator = SplitMix(state: 0xC4AC4A)
        var lines = [String]()
        var cases = [(material: [UInt8], sequence: UInt32, packet: [UInt8])]()
        for number in 0..<60 {
            let material = (0..<64).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let payload = (0..<(number * 37 % 700)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let packet = BinaryPacket.plain(payload) { count in (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) } }
            let sequence = number == 59 ? UInt32.max : UInt32(number * 1_000_003 % 4_000_000_000)
            cases.append((material, sequence, packet))
            lines.append("seal \(Self.hex(material)) \(sequence) \(Self.hex(packet))")
        }
        // Python seals; Palisade must open each and get the packet back, and seal it identically.
        let sealed = try ExternalProcess.python(script: Self.script, input: Data((lines.joined(separator: "\n") + "\n").utf8))
        let theirs = sealed.stdout.split(separator: "\n").map { NegotiationTests.bytes(String($0)) }
        try #require(theirs.count == cases.count, "\(sealed.stderr)")
        for (item, sealedByPython) in zip(cases, theirs) {
            let cipher = OpenSSHChaChaPoly(keyMaterial: item.material)
            #expect(try cipher.open(sealedByPython, sequence: item.sequence) == item.packet)
            #expect(try cipher.seal(item.packet, sequence: item.sequence) == sealedByPython)
            #expect(try cipher.length(sealedByPython, sequence: item.sequence) == UInt32(item.packet.count - 4))
        }
        // Palisade seals; Python opens.
        let ours = try cases.map {
            "open \(Self.hex($0.material)) \($0.sequence) \(Self.hex(try OpenSSHChaChaPoly(keyMaterial: $0.material).seal($0.packet, sequence: $0.sequence)))"
        }
        let opened = try ExternalProcess.python(script: Self.script, input: Data((ours.joined(separator: "\n") + "\n").utf8))
        #expect(opened.stdout.split(separator: "\n").map(String.init) == cases.map { Self.hex($0.packet) }, "\(opened.stderr)")
    }

    @Test func aFlippedBitOrTheWrongSequenceNumberIsAMACError() throws {
        let cipher = OpenSSHChaChaPoly(keyMaterial: (0..<64).map { UInt8($0) })
        let packet = BinaryPacket.plain(Array("ssh-userauth".utf8)) { [UInt8](repeating: 7, count: $0) }
        let sealed = try cipher.seal(packet, sequence: 3)
        for position in [0, 5, sealed.count - 1] {
            var damaged = sealed
            damaged[position] ^= 0x01
            do {
                _ = try cipher.open(damaged, sequence: 3)
                Issue.record("a damaged packet opened")
            } catch let error as SSHWireError {
                #expect(error.reason == .macError)
            }
        }
        #expect(throws: SSHWireError.self) { try cipher.open(sealed, sequence: 4) }
    }
}
