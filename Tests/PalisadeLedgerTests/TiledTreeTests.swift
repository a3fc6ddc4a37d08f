import PalisadeLedger
import PalisadeTesting
import Testing

struct TiledTreeTests {
    static func hashes(_ range: Range<Int>) -> [MerkleHash] {
        range.map { RFC9162.leafHash(of: Array("leaf \($0)".utf8)) }
    }

    @Test func batchingDoesNotChangeTilesOrRoot() {
        var oneByOne = MemoryTiles()
        for hash in Self.hashes(0..<70_000) { oneByOne.append([hash]) }
        var inBatches = MemoryTiles()
        var start = 0
        for size in [1, 255, 1, 4096, 65_535, 10] {
            inBatches.append(Self.hashes(start..<min(70_000, start + size)))
            start = min(70_000, start + size)
        }
        inBatches.append(Self.hashes(start..<70_000))
        #expect(oneByOne.tree.size == 70_000)
        #expect(oneByOne.tree.root == inBatches.tree.root)
        #expect(oneByOne.tiles == inBatches.tiles)
        // 70,000 leaves: 273 full level-0 tiles + a partial of 112; level 1 holds 273 hashes (1 full tile + 17); level 2 holds 1.
        #expect(oneByOne.tiles[TileID(level: 0, index: 273)]?.width == 112)
        #expect(oneByOne.tiles[TileID(level: 1, index: 0)]?.isFull == true)
        #expect(oneByOne.tiles[TileID(level: 1, index: 1)]?.width == 17)
        #expect(oneByOne.tiles[TileID(level: 2, index: 0)]?.width == 1)
    }

    /// A tree continued from border hashes read out of the tiles has the same roots as the tree
    /// built from leaf 0: what an archive of a range relies on.
    @Test(arguments: [1, 2, 3, 255, 256, 257, 4_096, 65_536, 69_999])
    func aCompactRangeContinuesFromBorderNodesReadFromTiles(start: Int) async throws {
        var memory = MemoryTiles()
        memory.append(Self.hashes(0..<70_000))
        let tiles = memory.tiles
        let reader = TileHashReader { ids in tiles.filter { ids.contains($0.key) } }
        let nodes = CompactRange.borderNodes(ofSize: UInt64(start))
        #expect(nodes.count == UInt64(start).nonzeroBitCount)
        var continued = try CompactRange(size: UInt64(start), hashes: try await reader.hashes(of: nodes))
        for hash in Self.hashes(start..<70_000) { continued.append(hash) }
        #expect(continued.root == memory.tree.root)
        #expect(
            try await reader.root(ofSize: UInt64(start)) == (try CompactRange(size: UInt64(start), hashes: try await reader.hashes(of: nodes))).root
        )
    }

    @Test func fullTilesNeverChange() {
        var tree = TiledTree()
        var full = [TileID: Tile]()
        var start = 0
        while start < 20_000 {
            for tile in tree.append(Self.hashes(start..<(start + 97))) {
                if let earlier = full[tile.id] { Issue.record("full tile \(tile.id) was written again: \(earlier.width) then \(tile.width)") }
                if tile.isFull { full[tile.id] = tile }
            }
            start += 97
        }
        #expect(full.count == 20_000 / 256)
    }

    @Test(arguments: [1, 255, 256, 257, 65_535, 65_536, 65_537, 70_000])
    func resumesFromRightmostTiles(size: Int) throws {
        var store = MemoryTiles()
        store.append(Self.hashes(0..<size))
        let rightmost = (0..<4).compactMap { level -> Tile? in
            let (id, width) = TileID.rightmost(level: level, inTreeOfSize: UInt64(size))
            return width > 0 ? store.tiles[id] : nil
        }
        var resumed = try TiledTree(size: UInt64(size), rightmostTiles: rightmost)
        #expect(resumed.root == store.tree.root)
        var original = store.tree
        #expect(resumed.append(Self.hashes(size..<(size + 300))) == original.append(Self.hashes(size..<(size + 300))))
        #expect(resumed.root == original.root)
    }

    @Test func resumingWithoutTheNeededTileThrows() {
        #expect(throws: LedgerError.missingData("")) { try TiledTree(size: 300, rightmostTiles: []) }
    }

    @Test(arguments: [
        (UInt64(1_234_067), 0, 256, "tile/0/x001/x234/067"),
        (UInt64(0), 1, 5, "tile/1/000.p/5"),
        (UInt64(999), 2, 256, "tile/2/999"),
        (UInt64(1000), 0, 255, "tile/0/x001/000.p/255"),
    ])
    func tilePathsFollowC2SP(index: UInt64, level: Int, width: Int, path: String) throws {
        #expect(TilePath.format(level: String(level), index: index, width: width) == path)
        let parsed = try TilePath.parse(path)
        #expect(parsed.level == level && parsed.index == index && parsed.width == width)
    }

    @Test(arguments: ["tile/0/1", "tile/0/x01/000", "tile/9/000", "tile/0/000.p/256", "tile/0/000.p/0", "tile/0/001/000", "tiles/0/000"])
    func malformedTilePathsAreRejected(path: String) {
        #expect(throws: LedgerError.self) { try TilePath.parse(path) }
    }

    @Test func entryPathsAndBundlesRoundTrip() throws {
        #expect(try TilePath.parse("tile/entries/x001/002.p/3") == TilePath.Parsed(level: nil, index: 1002, width: 3))
        let entries: [[UInt8]] = [[], [1, 2, 3], Array(repeating: 7, count: 300)]
        #expect(try EntryBundle.decode(EntryBundle.encode(entries)) == entries)
        #expect(throws: LedgerError.self) { try EntryBundle.decode([0x00, 0x05, 1, 2]) }
    }
}
