import Crypto
public import Foundation

extension UUID {
    /// A version 8 UUID (RFC 9562 §5.8) derived from a name: the first 128 bits of SHA-256 over its
    /// UTF-8 bytes, with the version and variant bits set.
    ///
    /// Palisade names the records its consumers write after what they record ("incident X opened"),
    /// so writing the same record again after a restart is a duplicate the ledger recognises,
    /// not a second record.
    public static func derived(from name: String) -> UUID {
        var bytes = Array(SHA256.hash(data: Array(name.utf8)).prefix(16))
        bytes[6] = 0x80 | (bytes[6] & 0x0F)
        bytes[8] = 0x80 | (bytes[8] & 0x3F)
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10], bytes[11],
                bytes[12], bytes[13], bytes[14], bytes[15]
            )
        )
    }
}
