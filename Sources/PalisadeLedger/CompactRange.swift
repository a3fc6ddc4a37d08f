/// The right border of a Merkle tree of `size` leaves: one complete subtree hash per set bit of
/// the size, largest first. Enough to append leaves and to compute the root, in O(log n) memory.
///
/// Appending reports every complete node it creates to a visitor, so a caller can store the nodes it
/// needs (Palisade stores those at heights that are multiples of 8, as C2SP tiles). This is the
/// compact range of transparency-dev/merkle, restricted to ranges that start at leaf 0.
///
/// ```swift
/// var range = CompactRange()
/// range.append(RFC9162.leafHash(of: entry)) { id, hash in store(id, hash) }
/// let root = range.root
/// ```
public struct CompactRange: Hashable, Sendable {
    /// The number of leaves.
    public private(set) var size: UInt64
    /// The complete subtree hashes along the right border, largest first.
    public private(set) var hashes: [MerkleHash]

    /// The empty range.
    public init() {
        self.size = 0
        self.hashes = []
    }

    /// A range rebuilt from its border hashes.
    ///
    /// - Throws: ``LedgerError`` when the number of hashes is not the number of set bits of `size`.
    public init(size: UInt64, hashes: [MerkleHash]) throws {
        guard hashes.count == size.nonzeroBitCount else {
            throw LedgerError.malformed("a compact range of size \(size) needs \(size.nonzeroBitCount) hashes, got \(hashes.count)")
        }
        self.size = size
        self.hashes = hashes
    }

    /// The nodes whose hashes make up the border of a tree of `size` leaves, largest first: the
    /// ``hashes`` of a compact range of that size. Fetch them (from tiles) and pass them to
    /// ``init(size:hashes:)`` to continue a tree from the middle.
    public static func borderNodes(ofSize size: UInt64) -> [NodeID] {
        (0..<64).reversed().compactMap { height in
            (size >> UInt64(height)) & 1 == 1 ? NodeID(height: height, index: (size >> UInt64(height)) - 1) : nil
        }
    }

    /// Appends one leaf hash.
    ///
    /// - Parameters:
    ///   - leafHash: the RFC 9162 leaf hash of the new entry.
    ///   - visitor: called for the new leaf and for every complete node the append completes, lowest first.
    public mutating func append(_ leafHash: MerkleHash, visitor: (NodeID, MerkleHash) -> Void = { _, _ in }) {
        var hash = leafHash
        var height = 0
        visitor(NodeID(height: 0, index: size), hash)
        while (size >> UInt64(height)) & 1 == 1 {
            hash = RFC9162.nodeHash(hashes.removeLast(), hash)
            height += 1
            visitor(NodeID(height: height, index: size >> UInt64(height)), hash)
        }
        hashes.append(hash)
        size += 1
    }

    /// The Merkle tree hash of the leaves so far (RFC 9162 §2.1.1).
    public var root: MerkleHash {
        guard var root = hashes.last else { return RFC9162.emptyRoot }
        for hash in hashes.dropLast().reversed() {
            root = RFC9162.nodeHash(hash, root)
        }
        return root
    }
}
