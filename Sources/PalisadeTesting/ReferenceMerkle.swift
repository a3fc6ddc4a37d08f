import Crypto
public import PalisadeLedger

/// The Merkle tree of RFC 9162 §2.1, written as literally as the RFC's recursive definitions and
/// over the whole list of leaves. Slow on purpose: tests cross-check the fast code against it.
public enum ReferenceMerkle {
    /// MTH(D[n]) of §2.1.1.
    public static func root(_ leaves: ArraySlice<[UInt8]>) -> [UInt8] {
        if leaves.isEmpty { return sha256([]) }
        if leaves.count == 1 { return sha256([0x00] + leaves.first!) }
        let k = largestPowerOfTwo(below: leaves.count)
        let start = leaves.startIndex
        return sha256([0x01] + root(leaves[start..<(start + k)]) + root(leaves[(start + k)...]))
    }

    /// PATH(m, D[n]) of §2.1.3.1.
    public static func inclusionProof(_ m: Int, _ leaves: ArraySlice<[UInt8]>) -> [[UInt8]] {
        let n = leaves.count
        guard n > 1 else { return [] }
        let k = largestPowerOfTwo(below: n)
        let start = leaves.startIndex
        if m < k {
            return inclusionProof(m, leaves[start..<(start + k)]) + [root(leaves[(start + k)...])]
        }
        return inclusionProof(m - k, leaves[(start + k)...]) + [root(leaves[start..<(start + k)])]
    }

    /// PROOF(m, D[n]) of §2.1.4.1.
    public static func consistencyProof(_ m: Int, _ leaves: ArraySlice<[UInt8]>) -> [[UInt8]] {
        guard m > 0, m < leaves.count else { return [] }
        return subproof(m, leaves, true)
    }

    private static func subproof(_ m: Int, _ leaves: ArraySlice<[UInt8]>, _ b: Bool) -> [[UInt8]] {
        let n = leaves.count
        if m == n { return b ? [] : [root(leaves)] }
        let k = largestPowerOfTwo(below: n)
        let start = leaves.startIndex
        if m <= k {
            return subproof(m, leaves[start..<(start + k)], b) + [root(leaves[(start + k)...])]
        }
        return subproof(m - k, leaves[(start + k)...], false) + [root(leaves[start..<(start + k)])]
    }

    private static func largestPowerOfTwo(below n: Int) -> Int {
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    private static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return Array(hasher.finalize())
    }
}

/// An in-memory tile store fed by a ``TiledTree``, for tests of tile-based proofs.
public struct MemoryTiles: Sendable {
    /// The stored tiles, latest version of each.
    public private(set) var tiles: [TileID: Tile] = [:]
    /// The tree.
    public private(set) var tree = TiledTree()

    /// Creates an empty store.
    public init() {}

    /// Appends leaf hashes and stores the tiles that changed.
    @discardableResult
    public mutating func append(_ leafHashes: [MerkleHash]) -> [Tile] {
        let changed = tree.append(leafHashes)
        for tile in changed { tiles[tile.id] = tile }
        return changed
    }

    /// A hash reader over a snapshot of the tiles.
    public var reader: TileHashReader {
        let snapshot = tiles
        return TileHashReader { ids in snapshot.filter { ids.contains($0.key) } }
    }
}
