/// The position of a complete subtree: its height above the leaves and its index among the
/// subtrees of that height, counting from the left.
///
/// `NodeID(height: 0, index: i)` is leaf `i`; `NodeID(height: h, index: i)` covers leaves
/// `[i·2^h, (i+1)·2^h)`.
public struct NodeID: Hashable, Sendable, CustomStringConvertible {
    /// Height above the leaves (0 for a leaf).
    public var height: Int
    /// Index among the nodes of this height.
    public var index: UInt64

    /// Creates a node id.
    public init(height: Int, index: UInt64) {
        precondition(height >= 0 && height < 64, "node height out of range")
        self.height = height
        self.index = index
    }

    /// The leaves this node covers.
    public var leaves: Range<UInt64> { (index << UInt64(height))..<((index + 1) << UInt64(height)) }

    /// `height/index`, for diagnostics.
    public var description: String { "\(height)/\(index)" }
}

/// A range of leaves `[begin, end)` whose Merkle tree hash a proof needs, with the complete
/// subtrees that hash is folded from.
///
/// In RFC 9162 proofs every such range starts at a multiple of its own left split, so its hash is
/// its complete subtrees, largest first, folded from the right.
public struct ProofSpan: Hashable, Sendable {
    /// The first leaf.
    public var begin: UInt64
    /// One past the last leaf.
    public var end: UInt64

    /// Creates a span.
    ///
    /// - Precondition: `begin < end`.
    public init(begin: UInt64, end: UInt64) {
        precondition(begin < end, "a proof span must not be empty")
        self.begin = begin
        self.end = end
    }

    /// The complete subtrees that make up the span, left to right (largest first).
    public var nodes: [NodeID] {
        var result = [NodeID]()
        var position = begin
        while position < end {
            let remaining = end - position
            var height = 63 - remaining.leadingZeroBitCount
            // The largest aligned power of two that fits.
            while height > 0 && position & ((1 << UInt64(height)) - 1) != 0 { height -= 1 }
            result.append(NodeID(height: height, index: position >> UInt64(height)))
            position += 1 << UInt64(height)
        }
        return result
    }

    /// Folds the hashes of ``nodes`` (in the same order) into the span's Merkle tree hash.
    public static func fold(_ hashes: [MerkleHash]) -> MerkleHash {
        precondition(!hashes.isEmpty, "a span has at least one node")
        var root = hashes[hashes.count - 1]
        for hash in hashes.dropLast().reversed() {
            root = RFC9162.nodeHash(hash, root)
        }
        return root
    }
}
