/// The binary packet protocol before encryption is on (RFC 4253 §6): `uint32 packet_length`,
/// `byte padding_length`, payload, at least 4 bytes of random padding, the whole a multiple of the
/// block size (8 with no cipher), no MAC.
public enum BinaryPacket {
    /// The largest packet accepted (OpenSSH's PACKET_MAX_SIZE is 256 KiB; every implementation must
    /// take 35,000).
    public static let maxPacketLength = 262_144

    /// A packet around `payload`, padded to a multiple of `blockSize` with `padding` bytes drawn
    /// from `random`. With an AEAD cipher (`lengthIsAuthenticatedData`) the 4-byte length is left
    /// out of the alignment, as OpenSSH does for chacha20-poly1305 and AES-GCM.
    public static func plain(
        _ payload: [UInt8],
        blockSize: Int = 8,
        lengthIsAuthenticatedData: Bool = false,
        random: (Int) -> [UInt8]
    ) -> [UInt8] {
        var paddingLength = blockSize - ((lengthIsAuthenticatedData ? 1 : 5) + payload.count) % blockSize
        if paddingLength < 4 { paddingLength += blockSize }
        var writer = SSHWriter(capacity: 5 + payload.count + paddingLength)
        writer.write(uint32: UInt32(1 + payload.count + paddingLength))
        writer.write(byte: UInt8(paddingLength))
        writer.write(raw: payload)
        writer.write(raw: random(paddingLength))
        return writer.bytes
    }

    /// The first packet in `bytes` (unencrypted): its payload and how many bytes it took, or `nil`
    /// when more bytes are needed.
    ///
    /// - Throws: ``SSHWireError`` for a length over the limit, padding under 4 bytes or longer than
    ///   the packet, or a packet that is not a multiple of the block size.
    public static func readPlain(_ bytes: ArraySlice<UInt8>, blockSize: Int = 8) throws(SSHWireError) -> (payload: [UInt8], consumed: Int)? {
        guard bytes.count >= 5 else { return nil }
        let start = bytes.startIndex
        let length = Int(UInt32(bytes[start]) << 24 | UInt32(bytes[start + 1]) << 16 | UInt32(bytes[start + 2]) << 8 | UInt32(bytes[start + 3]))
        guard length <= maxPacketLength else { throw SSHWireError(.protocolError, "a packet of \(length) bytes is over the limit") }
        guard length >= 5, (length + 4) % blockSize == 0 else {
            throw SSHWireError(.protocolError, "a packet of \(length) bytes is not a multiple of the block size \(blockSize)")
        }
        guard bytes.count >= 4 + length else { return nil }
        let padding = Int(bytes[start + 4])
        guard padding >= 4, padding < length else { throw SSHWireError(.protocolError, "a packet's padding of \(padding) bytes is invalid") }
        let payload = Array(bytes[(start + 5)..<(start + 4 + length - padding)])
        return (payload, 4 + length)
    }
}
