import Crypto
import Foundation
import _CryptoExtras

/// One direction's packet protection after NEWKEYS: how a whole packet (`uint32 length ‖
/// padding_length ‖ payload ‖ padding`) is sealed, and how a received one is measured and opened.
/// Implementations keep per-direction state (CTR counters, GCM invocation counters), so each
/// direction has its own instance.
protocol PacketCipher: AnyObject {
    /// The cipher's block size (padding aligns to it).
    var blockSize: Int { get }
    /// Bytes after the packet (MAC or AEAD tag).
    var tagLength: Int { get }
    /// Whether the 4-byte length is left out of the alignment and travels as authenticated data
    /// (AEAD ciphers and encrypt-then-MAC), as OpenSSH does.
    var lengthIsAuthenticatedData: Bool { get }
    /// Bytes that must arrive before the packet length can be read.
    var lengthBytes: Int { get }
    /// Seals a whole packet.
    func seal(_ packet: [UInt8], sequence: UInt32) throws -> [UInt8]
    /// The packet length (excluding its own 4 bytes) from the first ``lengthBytes`` received.
    func packetLength(_ first: [UInt8], sequence: UInt32) throws -> Int
    /// Checks and decrypts a whole received packet (length through tag): the plain packet.
    func open(_ sealed: [UInt8], sequence: UInt32) throws -> [UInt8]
}

/// The ciphers and MACs Palisade completes, and what each needs from the key derivation.
enum PacketCiphers {
    /// Key and IV lengths of a cipher.
    static func sizes(cipher: String) -> (key: Int, iv: Int)? {
        switch cipher {
        case "chacha20-poly1305@openssh.com": (64, 0)
        case "aes128-ctr": (16, 16)
        case "aes192-ctr": (24, 16)
        case "aes256-ctr": (32, 16)
        case "aes128-gcm@openssh.com": (16, 12)
        case "aes256-gcm@openssh.com": (32, 12)
        default: nil
        }
    }

    /// Key length and tag length of a MAC, and whether it is encrypt-then-MAC.
    static func mac(_ name: String) -> (key: Int, tag: Int, etm: Bool)? {
        switch name {
        case "hmac-sha2-256": (32, 32, false)
        case "hmac-sha2-512": (64, 64, false)
        case "hmac-sha1": (20, 20, false)
        case "hmac-sha2-256-etm@openssh.com": (32, 32, true)
        case "hmac-sha2-512-etm@openssh.com": (64, 64, true)
        case "hmac-sha1-etm@openssh.com": (20, 20, true)
        default: nil
        }
    }

    /// Every cipher and MAC name above.
    static let names: Set<String> = [
        "chacha20-poly1305@openssh.com", "aes128-ctr", "aes192-ctr", "aes256-ctr", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com",
        "hmac-sha2-256", "hmac-sha2-512", "hmac-sha1", "hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com",
        "hmac-sha1-etm@openssh.com",
    ]

    /// One direction's protection from the negotiated names and the derived key material.
    static func make(cipher: String, mac: String?, key: [UInt8], iv: [UInt8], macKey: [UInt8]) throws(SSHWireError) -> any PacketCipher {
        switch cipher {
        case "chacha20-poly1305@openssh.com":
            return ChaChaPolyPacketCipher(OpenSSHChaChaPoly(keyMaterial: key))
        case "aes128-gcm@openssh.com", "aes256-gcm@openssh.com":
            return AESGCMPacketCipher(key: key, iv: iv)
        case "aes128-ctr", "aes192-ctr", "aes256-ctr":
            guard let mac, let macSizes = Self.mac(mac) else { throw SSHWireError(.keyExchangeFailed, "\(cipher) needs a MAC") }
            return AESCTRPacketCipher(key: key, iv: iv, mac: mac, macKey: macKey, tagLength: macSizes.tag, etm: macSizes.etm)
        default:
            throw SSHWireError(.keyExchangeFailed, "cipher \(cipher) is not implemented")
        }
    }
}

/// chacha20-poly1305@openssh.com.
final class ChaChaPolyPacketCipher: PacketCipher {
    let cipher: OpenSSHChaChaPoly
    let blockSize = 8
    let tagLength = OpenSSHChaChaPoly.tagLength
    let lengthIsAuthenticatedData = true
    let lengthBytes = 4

    init(_ cipher: OpenSSHChaChaPoly) { self.cipher = cipher }

    func seal(_ packet: [UInt8], sequence: UInt32) throws -> [UInt8] { try cipher.seal(packet, sequence: sequence) }
    func packetLength(_ first: [UInt8], sequence: UInt32) throws -> Int { Int(try cipher.length(first, sequence: sequence)) }
    func open(_ sealed: [UInt8], sequence: UInt32) throws -> [UInt8] { try cipher.open(sealed, sequence: sequence) }
}

/// aes128-gcm@openssh.com and aes256-gcm@openssh.com (RFC 5647 as OpenSSH names it): the length in
/// the clear as authenticated data, a 12-byte nonce of a 4-byte fixed part and an 8-byte
/// invocation counter that grows by one per packet.
final class AESGCMPacketCipher: PacketCipher {
    let blockSize = 16
    let tagLength = 16
    let lengthIsAuthenticatedData = true
    let lengthBytes = 4
    private let key: SymmetricKey
    private let fixed: [UInt8]
    private var invocation: UInt64

    init(key: [UInt8], iv: [UInt8]) {
        self.key = SymmetricKey(data: key)
        fixed = Array(iv[0..<4])
        invocation = iv[4..<12].reduce(0) { $0 << 8 | UInt64($1) }
    }

    private func nextNonce() throws -> AES.GCM.Nonce {
        let counter = (0..<8).map { UInt8(truncatingIfNeeded: invocation >> (56 - 8 * $0)) }
        invocation &+= 1
        return try AES.GCM.Nonce(data: fixed + counter)
    }

    func seal(_ packet: [UInt8], sequence: UInt32) throws -> [UInt8] {
        let length = Array(packet[0..<4])
        let box = try AES.GCM.seal(packet[4...], using: key, nonce: try nextNonce(), authenticating: length)
        return length + Array(box.ciphertext) + Array(box.tag)
    }

    func packetLength(_ first: [UInt8], sequence: UInt32) throws -> Int {
        Int(UInt32(first[0]) << 24 | UInt32(first[1]) << 16 | UInt32(first[2]) << 8 | UInt32(first[3]))
    }

    func open(_ sealed: [UInt8], sequence: UInt32) throws -> [UInt8] {
        let length = Array(sealed[0..<4])
        let box = try AES.GCM.SealedBox(
            nonce: try nextNonce(),
            ciphertext: sealed[4..<(sealed.count - tagLength)],
            tag: sealed[(sealed.count - tagLength)...]
        )
        do {
            return length + Array(try AES.GCM.open(box, using: key, authenticating: length))
        } catch {
            throw SSHWireError(.macError, "corrupted MAC on input")
        }
    }
}

/// aes128/192/256-ctr with an HMAC, either over the plain packet (RFC 4253 §6.4) or, for the
/// `-etm@openssh.com` MACs, over the length and the ciphertext (the length then travels in the
/// clear). The CTR keystream runs on across packets.
final class AESCTRPacketCipher: PacketCipher {
    let blockSize = 16
    let tagLength: Int
    let lengthIsAuthenticatedData: Bool
    var lengthBytes: Int { etm ? 4 : 16 }
    private let key: SymmetricKey
    private var counter: [UInt8]
    private let mac: String
    private let macKey: SymmetricKey
    private let etm: Bool
    /// The first block, decrypted to read the length (non-etm), until the packet is opened.
    private var firstBlock: [UInt8]?

    init(key: [UInt8], iv: [UInt8], mac: String, macKey: [UInt8], tagLength: Int, etm: Bool) {
        self.key = SymmetricKey(data: key)
        counter = iv
        self.mac = mac
        self.macKey = SymmetricKey(data: macKey)
        self.tagLength = tagLength
        self.etm = etm
        lengthIsAuthenticatedData = etm
    }

    /// CTR over whole blocks, moving the counter on.
    private func apply(_ bytes: ArraySlice<UInt8>) throws -> [UInt8] {
        guard !bytes.isEmpty else { return [] }
        precondition(bytes.count % 16 == 0, "packets are whole blocks")
        let out = Array(try AES._CTR.encrypt(bytes, using: key, nonce: try AES._CTR.Nonce(nonceBytes: counter)))
        var carry = UInt32(bytes.count / 16)
        for index in stride(from: 15, through: 0, by: -1) where carry > 0 {
            let sum = UInt32(counter[index]) + (carry & 0xFF)
            counter[index] = UInt8(sum & 0xFF)
            carry = (carry >> 8) + (sum >> 8)
        }
        return out
    }

    private func tag(_ sequence: UInt32, _ data: [UInt8]) -> [UInt8] {
        let message = [UInt8(sequence >> 24), UInt8(sequence >> 16 & 0xFF), UInt8(sequence >> 8 & 0xFF), UInt8(sequence & 0xFF)] + data
        switch mac {
        case "hmac-sha2-512", "hmac-sha2-512-etm@openssh.com": return Array(HMAC<SHA512>.authenticationCode(for: message, using: macKey))
        case "hmac-sha1", "hmac-sha1-etm@openssh.com": return Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: macKey))
        default: return Array(HMAC<SHA256>.authenticationCode(for: message, using: macKey))
        }
    }

    func seal(_ packet: [UInt8], sequence: UInt32) throws -> [UInt8] {
        if etm {
            let encrypted = Array(packet[0..<4]) + (try apply(packet[4...]))
            return encrypted + tag(sequence, encrypted)
        }
        return try apply(packet[...]) + tag(sequence, packet)
    }

    func packetLength(_ first: [UInt8], sequence: UInt32) throws -> Int {
        let plain: [UInt8]
        if etm {
            plain = first
        } else {
            if firstBlock == nil { firstBlock = try apply(first[0..<16]) }
            plain = firstBlock ?? []
        }
        return Int(UInt32(plain[0]) << 24 | UInt32(plain[1]) << 16 | UInt32(plain[2]) << 8 | UInt32(plain[3]))
    }

    func open(_ sealed: [UInt8], sequence: UInt32) throws -> [UInt8] {
        let body = Array(sealed[..<(sealed.count - tagLength)])
        let received = sealed[(sealed.count - tagLength)...]
        if etm {
            guard Self.equal(tag(sequence, body), received) else { throw SSHWireError(.macError, "corrupted MAC on input") }
            return Array(body[0..<4]) + (try apply(body[4...]))
        }
        let head = try firstBlock ?? apply(body[0..<16])
        firstBlock = nil
        let plain = head + (try apply(body[16...]))
        guard Self.equal(tag(sequence, plain), received) else { throw SSHWireError(.macError, "corrupted MAC on input") }
        return plain
    }

    private static func equal(_ a: [UInt8], _ b: ArraySlice<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
