public import Crypto

/// A 32-byte SHA-256 hash of a Merkle tree node or leaf (RFC 9162 §2.1).
///
/// The bytes are kept inline (no heap allocation), so arrays of hashes are compact and hashes compare
/// and hash quickly. The value is opaque bytes: it has no byte order of its own.
///
/// ```swift
/// let leaf = RFC9162.leafHash(of: Array("hello".utf8))
/// print(leaf.hex)
/// ```
public struct MerkleHash: Hashable, Sendable, CustomStringConvertible {
    /// The size of every hash in bytes (SHA-256).
    public static let byteCount = 32

    private var words: SIMD4<UInt64>

    /// Creates a hash from exactly 32 bytes.
    ///
    /// - Parameter bytes: the raw hash.
    /// - Returns: `nil` when `bytes` is not 32 bytes long.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        var words = SIMD4<UInt64>()
        Swift.withUnsafeMutableBytes(of: &words) { raw in
            raw.copyBytes(from: bytes)
        }
        self.words = words
    }

    /// Creates a hash from a SHA-256 digest.
    public init(_ digest: SHA256Digest) {
        var words = SIMD4<UInt64>()
        Swift.withUnsafeMutableBytes(of: &words) { raw in
            digest.withUnsafeBytes { raw.copyMemory(from: $0) }
        }
        self.words = words
    }

    /// Creates a hash by reading 32 bytes at `offset` of a raw buffer.
    ///
    /// - Precondition: `offset + 32 <= buffer.count`.
    public init(loadingFrom buffer: UnsafeRawBufferPointer, at offset: Int) {
        precondition(offset + Self.byteCount <= buffer.count, "hash read past the end of its buffer")
        self.words = buffer.loadUnaligned(fromByteOffset: offset, as: SIMD4<UInt64>.self)
    }

    /// Creates a hash from its standard base64 form.
    ///
    /// - Returns: `nil` when the text is not base64 of exactly 32 bytes.
    public init?(base64 text: String) {
        guard let bytes = Base64.decode(text) else { return nil }
        self.init(bytes: bytes)
    }

    /// Creates a hash from 64 hexadecimal digits.
    public init?(hex text: String) {
        guard let bytes = Hex.decode(text) else { return nil }
        self.init(bytes: bytes)
    }

    /// Calls `body` with the 32 raw bytes.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try Swift.withUnsafeBytes(of: words, body)
    }

    /// The 32 raw bytes.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// Lowercase hexadecimal.
    public var hex: String { Hex.encode(bytes) }

    /// Standard base64 (with padding), the form checkpoints and proofs use.
    public var base64: String { Base64.encode(bytes) }

    /// The hexadecimal form.
    public var description: String { hex }
}

extension [MerkleHash] {
    /// The hashes concatenated, 32 bytes each: the body of a C2SP tile.
    public var concatenatedBytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(count * MerkleHash.byteCount)
        for hash in self {
            hash.withUnsafeBytes { out.append(contentsOf: $0) }
        }
        return out
    }

    /// Splits a tile body into hashes.
    ///
    /// - Returns: `nil` when the length is not a multiple of 32.
    public init?(concatenated bytes: some Collection<UInt8>) {
        guard bytes.count % MerkleHash.byteCount == 0 else { return nil }
        let contiguous = [UInt8](bytes)
        self = contiguous.withUnsafeBytes { raw in
            stride(from: 0, to: raw.count, by: MerkleHash.byteCount).map { MerkleHash(loadingFrom: raw, at: $0) }
        }
    }
}
