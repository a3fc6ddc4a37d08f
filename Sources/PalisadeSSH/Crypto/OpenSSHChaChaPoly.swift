import Crypto
import Foundation
import _CryptoExtras

/// `chacha20-poly1305@openssh.com` (OpenSSH's PROTOCOL.chacha20poly1305), which is not RFC 8439's
/// AEAD: 64 bytes of key material make two ChaCha20 keys — K_2 (the first 32 bytes) for the packet
/// and the Poly1305 key, K_1 (the last 32) for the 4-byte length alone — the nonce is the packet
/// sequence number (64-bit big-endian), the Poly1305 key is the first 32 bytes of K_2's keystream
/// block 0, the packet is encrypted from block 1, and the tag covers the encrypted length and
/// packet.
///
/// OpenSSH's ChaCha20 has a 64-bit counter and nonce; swift-crypto's has a 32-bit counter and a
/// 96-bit nonce. They coincide with the nonce `00000000 ‖ seqnr` while the block counter stays below
/// 2^32 (packets are far smaller).
public struct OpenSSHChaChaPoly: Sendable {
    /// The tag length.
    public static let tagLength = 16
    private let mainKey: SymmetricKey
    private let headerKey: SymmetricKey

    /// A cipher from the 64 bytes of key material the key exchange derived.
    ///
    /// - Precondition: `keyMaterial` is 64 bytes.
    public init(keyMaterial: [UInt8]) {
        precondition(keyMaterial.count == 64, "chacha20-poly1305@openssh.com needs 64 bytes of key material")
        mainKey = SymmetricKey(data: keyMaterial[0..<32])
        headerKey = SymmetricKey(data: keyMaterial[32..<64])
    }

    /// Encrypts a whole packet (`uint32 length ‖ padding_length ‖ payload ‖ padding`) sent as number
    /// `sequence`: the encrypted length, the encrypted rest, and the tag.
    public func seal(_ packet: [UInt8], sequence: UInt32) throws -> [UInt8] {
        precondition(packet.count >= 4, "a packet starts with its length")
        let nonce = try Self.nonce(sequence)
        let length = try Self.chacha(Array(packet[0..<4]), headerKey, nonce, counter: 0)
        let body = try Self.chacha(Array(packet[4...]), mainKey, nonce, counter: 1)
        let polyKey = try Self.chacha([UInt8](repeating: 0, count: 32), mainKey, nonce, counter: 0)
        let sealed = length + body
        return sealed + Poly1305.tag(for: sealed, key: polyKey)
    }

    /// The packet length from the first 4 encrypted bytes of packet number `sequence` (to know how
    /// much more to read before the tag can be checked).
    public func length(_ encrypted: [UInt8], sequence: UInt32) throws -> UInt32 {
        precondition(encrypted.count >= 4, "the length is the first 4 bytes")
        let plain = try Self.chacha(Array(encrypted[0..<4]), headerKey, try Self.nonce(sequence), counter: 0)
        return UInt32(plain[0]) << 24 | UInt32(plain[1]) << 16 | UInt32(plain[2]) << 8 | UInt32(plain[3])
    }

    /// Checks the tag of a whole received packet (encrypted length, encrypted rest, tag) and returns
    /// it decrypted (`length ‖ padding_length ‖ payload ‖ padding`).
    ///
    /// - Throws: ``SSHWireError`` `macError` when the tag does not match (nothing is decrypted).
    public func open(_ sealed: [UInt8], sequence: UInt32) throws -> [UInt8] {
        guard sealed.count >= 4 + Self.tagLength else { throw SSHWireError(.macError, "a packet shorter than its tag") }
        let nonce = try Self.nonce(sequence)
        let ciphertext = Array(sealed[..<(sealed.count - Self.tagLength)])
        let polyKey = try Self.chacha([UInt8](repeating: 0, count: 32), mainKey, nonce, counter: 0)
        guard Poly1305.verify(sealed[(sealed.count - Self.tagLength)...], for: ciphertext, key: polyKey) else {
            throw SSHWireError(.macError, "corrupted MAC on input")
        }
        let length = try Self.chacha(Array(ciphertext[0..<4]), headerKey, nonce, counter: 0)
        return length + (try Self.chacha(Array(ciphertext[4...]), mainKey, nonce, counter: 1))
    }

    private static func nonce(_ sequence: UInt32) throws -> Insecure.ChaCha20CTR.Nonce {
        try Insecure.ChaCha20CTR.Nonce(data: [
            0, 0, 0, 0, 0, 0, 0, 0, UInt8(sequence >> 24), UInt8(sequence >> 16 & 0xFF), UInt8(sequence >> 8 & 0xFF), UInt8(sequence & 0xFF),
        ])
    }

    private static func chacha(_ bytes: [UInt8], _ key: SymmetricKey, _ nonce: Insecure.ChaCha20CTR.Nonce, counter: UInt32) throws -> [UInt8] {
        guard !bytes.isEmpty else { return [] }
        return Array(try Insecure.ChaCha20CTR.encrypt(bytes, using: key, counter: try Insecure.ChaCha20CTR.Counter(offset: counter), nonce: nonce))
    }
}
