import Crypto

/// The hashing of RFC 9162 §2.1 (the same as RFC 6962 §2.1), over SHA-256.
///
/// Leaves and interior nodes are hashed with different one-byte prefixes so that a leaf can never be
/// passed off as a node (second-preimage resistance).
public enum RFC9162 {
    /// The root of the empty tree: `MTH({}) = SHA-256()` (RFC 9162 §2.1.1).
    public static let emptyRoot = MerkleHash(SHA256().finalize())

    // RFC 9162 §2.1.1: "MTH({d(0)}) = HASH(0x00 || d(0))."
    /// The hash of a leaf: `SHA-256(0x00 || entry)`.
    public static func leafHash(of entry: [UInt8]) -> MerkleHash {
        entry.withUnsafeBytes { leafHash(of: $0) }
    }

    /// The hash of a leaf whose bytes are in a raw buffer.
    public static func leafHash(of entry: UnsafeRawBufferPointer) -> MerkleHash {
        var hasher = SHA256()
        withUnsafeBytes(of: UInt8(0x00)) { hasher.update(bufferPointer: $0) }
        hasher.update(bufferPointer: entry)
        return MerkleHash(hasher.finalize())
    }

    // RFC 9162 §2.1.1: "MTH(D[n]) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n]))".
    /// The hash of an interior node: `SHA-256(0x01 || left || right)`.
    public static func nodeHash(_ left: MerkleHash, _ right: MerkleHash) -> MerkleHash {
        withUnsafeTemporaryAllocation(byteCount: 65, alignment: 8) { buffer in
            buffer[0] = 0x01
            left.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: buffer[1..<33]).copyMemory(from: $0) }
            right.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: buffer[33..<65]).copyMemory(from: $0) }
            var hasher = SHA256()
            hasher.update(bufferPointer: UnsafeRawBufferPointer(buffer))
            return MerkleHash(hasher.finalize())
        }
    }

    /// The largest power of two strictly smaller than `n` (the split point `k` of RFC 9162 §2.1.1).
    ///
    /// - Precondition: `n > 1`.
    @inlinable
    public static func splitPoint(_ n: UInt64) -> UInt64 {
        precondition(n > 1, "a tree of fewer than two leaves has no split point")
        return 1 << (63 - (n - 1).leadingZeroBitCount)
    }
}
