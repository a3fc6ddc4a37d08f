/// Reads the hashes of complete subtrees (and of proof spans) from C2SP tiles.
///
/// Every complete node at height `h` is either a hash stored in a level-`h/8` tile or the root of
/// `2^(h mod 8)` consecutive hashes of one such tile, so any proof needs O(log n) tiles and at most
/// 255 hash operations per node. Tiles come from a caller-supplied closure, so this type does no I/O.
///
/// ```swift
/// let reader = TileHashReader { ids in try await store.tiles(ids, tenant: tenant) }
/// let proof = try await reader.hashes(of: ProofPlan.inclusion(index: 7, size: size))
/// ```
public struct TileHashReader: Sendable {
    /// Loads tiles by id; it may return tiles wider than needed, and omits tiles it does not have.
    public typealias Fetch = @Sendable ([TileID]) async throws -> [TileID: Tile]

    private let fetch: Fetch

    /// Creates a reader over a tile source.
    public init(fetch: @escaping Fetch) {
        self.fetch = fetch
    }

    /// The hashes of `nodes`, in the same order.
    ///
    /// - Throws: ``LedgerError`` with code `missingData` when a tile is absent or too narrow.
    public func hashes(of nodes: [NodeID]) async throws -> [MerkleHash] {
        let needs = nodes.map(Self.location)
        let tiles = try await fetch(Array(Set(needs.map(\.tile))).sorted())
        return try zip(nodes, needs).map { node, need in
            guard let tile = tiles[need.tile], tile.width >= need.offset + need.count else {
                throw LedgerError.missingData("tile \(need.tile) does not hold node \(node)")
            }
            let base = UInt64(need.offset)
            return TiledTree.subtreeHash(of: tile.hashes, base..<(base + UInt64(need.count)))
        }
    }

    /// The hashes of proof spans (each folded from its complete subtrees), in proof order.
    public func hashes(of spans: [ProofSpan]) async throws -> [MerkleHash] {
        let nodeLists = spans.map(\.nodes)
        let all = try await hashes(of: nodeLists.flatMap { $0 })
        var result = [MerkleHash]()
        var cursor = 0
        for list in nodeLists {
            result.append(ProofSpan.fold(Array(all[cursor..<(cursor + list.count)])))
            cursor += list.count
        }
        return result
    }

    /// The Merkle root of the first `size` leaves.
    public func root(ofSize size: UInt64) async throws -> MerkleHash {
        guard size > 0 else { return RFC9162.emptyRoot }
        return try await hashes(of: [ProofSpan(begin: 0, end: size)])[0]
    }

    private static func location(of node: NodeID) -> (tile: TileID, offset: Int, count: Int) {
        let level = node.height / Tile.height
        let rest = node.height % Tile.height
        let first = node.index << UInt64(rest)
        return (
            TileID(level: level, index: first >> UInt64(Tile.height)),
            Int(first & UInt64(Tile.fullWidth - 1)),
            1 << rest
        )
    }
}
