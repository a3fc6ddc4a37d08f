/// A Merkle tree kept as C2SP tiles: appending leaf hashes yields the tiles to store.
///
/// It holds only the compact range and the rightmost (partial) tile of each level, so memory is
/// O(log n) whatever the size. Each append returns every tile it completed (immutable from then on)
/// and the new rightmost tile of each level it touched (to be overwritten in storage).
///
/// ```swift
/// var tree = TiledTree()
/// let tiles = tree.append([RFC9162.leafHash(of: entry)])
/// try store.write(tiles)   // in the same transaction as the entries
/// ```
public struct TiledTree: Hashable, Sendable {
    private var range: CompactRange
    /// `partials[l]` is the rightmost, not yet full tile of level `l` (possibly empty).
    private var partials: [[MerkleHash]]

    /// The empty tree.
    public init() {
        self.range = CompactRange()
        self.partials = []
    }

    /// Rebuilds the tree of `size` leaves from its rightmost partial tiles.
    ///
    /// - Parameters:
    ///   - size: the number of leaves.
    ///   - rightmostTiles: for each level with a partial tile (``TileID/rightmost(level:inTreeOfSize:)``
    ///     with a non-zero width), that tile; extra hashes beyond the width are ignored.
    /// - Throws: ``LedgerError`` with code `missingData` when a needed tile is absent or too narrow.
    public init(size: UInt64, rightmostTiles: [Tile]) throws {
        let byID = Dictionary(rightmostTiles.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var partials = [[MerkleHash]]()
        var border = [MerkleHash]()
        var level = 0
        while size >> UInt64(Tile.height * level) > 0 {
            let (id, width) = TileID.rightmost(level: level, inTreeOfSize: size)
            if width > 0 {
                guard let tile = byID[id], tile.width >= width else {
                    throw LedgerError.missingData("tile \(id) of width \(width) is needed to resume a tree of size \(size)")
                }
                partials.append(Array(tile.hashes.prefix(width)))
            } else {
                partials.append([])
            }
            level += 1
        }
        // The border: for each level from the top, the complete subtrees within its partial tile.
        for level in stride(from: partials.count - 1, through: 0, by: -1) {
            let hashes = partials[level]
            guard !hashes.isEmpty else { continue }
            for node in ProofSpan(begin: 0, end: UInt64(hashes.count)).nodes {
                border.append(Self.subtreeHash(of: hashes, node.leaves))
            }
        }
        self.range = try CompactRange(size: size, hashes: border)
        self.partials = partials
    }

    /// The number of leaves.
    public var size: UInt64 { range.size }
    /// The root hash (RFC 9162 §2.1.1).
    public var root: MerkleHash { range.root }
    /// The compact range (right border) of the tree.
    public var compactRange: CompactRange { range }

    /// Appends leaf hashes and returns the tiles that changed: completed full tiles, then the new
    /// rightmost tile of every level that grew.
    public mutating func append(_ leafHashes: [MerkleHash]) -> [Tile] {
        var changed = [Tile]()
        var touched = Set<Int>()
        for leaf in leafHashes {
            range.append(leaf) { node, hash in
                guard node.height % Tile.height == 0 else { return }
                let level = node.height / Tile.height
                while partials.count <= level { partials.append([]) }
                partials[level].append(hash)
                touched.insert(level)
                if partials[level].count == Tile.fullWidth {
                    changed.append(Tile(id: TileID(level: level, index: node.index >> UInt64(Tile.height)), hashes: partials[level]))
                    partials[level].removeAll(keepingCapacity: true)
                }
            }
        }
        for level in touched.sorted() where !partials[level].isEmpty {
            let (id, _) = TileID.rightmost(level: level, inTreeOfSize: size)
            changed.append(Tile(id: id, hashes: partials[level]))
        }
        return changed
    }

    /// The Merkle hash of `hashes[range]` treated as the leaves of a complete subtree.
    static func subtreeHash(of hashes: [MerkleHash], _ range: Range<UInt64>) -> MerkleHash {
        var level = Array(hashes[Int(range.lowerBound)..<Int(range.upperBound)])
        while level.count > 1 {
            var next = [MerkleHash]()
            next.reserveCapacity(level.count / 2)
            var index = 0
            while index < level.count {
                next.append(RFC9162.nodeHash(level[index], level[index + 1]))
                index += 2
            }
            level = next
        }
        return level[0]
    }
}
