/// A C2SP tlog-tiles tile: up to 256 consecutive hashes of one tile level.
///
/// Level-0 tiles hold leaf hashes; each hash of a level-`l` tile (`l ≥ 1`) is the root of a full
/// level-`(l−1)` tile, so a level-`l` hash is the Merkle node at height `8·l`. Tile `n` of level `l`
/// covers entries `[n·256^(l+1), (n+1)·256^(l+1))`. A full tile (256 hashes, 8,192 bytes) never
/// changes; the rightmost tile of a level is partial and grows as the log does.
public struct Tile: Hashable, Sendable {
    /// The tile height of C2SP tlog-tiles: 2^8 = 256 hashes per tile.
    public static let height = 8
    /// The number of hashes in a full tile.
    public static let fullWidth = 1 << height

    /// Which tile this is.
    public var id: TileID
    /// Its hashes, left to right; `hashes.count` is its width.
    public var hashes: [MerkleHash]

    /// Creates a tile.
    ///
    /// - Precondition: `1 ≤ hashes.count ≤ 256`.
    public init(id: TileID, hashes: [MerkleHash]) {
        precondition(!hashes.isEmpty && hashes.count <= Tile.fullWidth, "a tile holds 1 to 256 hashes")
        self.id = id
        self.hashes = hashes
    }

    /// The number of hashes.
    public var width: Int { hashes.count }
    /// Whether the tile is full (and so immutable).
    public var isFull: Bool { hashes.count == Tile.fullWidth }
}

/// The address of a tile: its level and its index within the level.
public struct TileID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The tile level (hashes at Merkle height `8·level`).
    public var level: Int
    /// The tile's index among the tiles of its level.
    public var index: UInt64

    /// Creates a tile id.
    public init(level: Int, index: UInt64) {
        precondition(level >= 0 && level < 8, "tile level out of range")
        self.level = level
        self.index = index
    }

    /// How many hashes this tile holds in a tree of `size` leaves (0 when it does not exist yet).
    public func width(inTreeOfSize size: UInt64) -> Int {
        let hashesAtLevel = size >> UInt64(Tile.height * level)
        let start = index << UInt64(Tile.height)
        guard hashesAtLevel > start else { return 0 }
        return Int(min(hashesAtLevel - start, UInt64(Tile.fullWidth)))
    }

    /// The rightmost (partial or full) tile of `level` in a tree of `size` leaves, and its width.
    public static func rightmost(level: Int, inTreeOfSize size: UInt64) -> (id: TileID, width: Int) {
        let hashesAtLevel = size >> UInt64(Tile.height * level)
        let width = Int(hashesAtLevel & UInt64(Tile.fullWidth - 1))
        return (TileID(level: level, index: hashesAtLevel >> UInt64(Tile.height)), width)
    }

    /// Orders by level, then index.
    public static func < (lhs: TileID, rhs: TileID) -> Bool { (lhs.level, lhs.index) < (rhs.level, rhs.index) }

    /// `level/index`.
    public var description: String { "\(level)/\(index)" }
}

/// The C2SP tlog-tiles URL path scheme.
public enum TilePath {
    /// Formats `tile/<L>/<N>[.p/<W>]` (or `tile/entries/...` when `level` is `"entries"`).
    ///
    /// "N is written as zero-padded 3-digit groups, all but the last prefixed with x":
    /// 1234067 becomes `x001/x234/067`.
    public static func format(level: String, index: UInt64, width: Int) -> String {
        var groups = [String]()
        var rest = index
        repeat {
            let group = String(rest % 1000)
            groups.append(String(repeating: "0", count: 3 - group.count) + group)
            rest /= 1000
        } while rest > 0
        groups.reverse()
        let number = groups.enumerated().map { $0.offset < groups.count - 1 ? "x" + $0.element : $0.element }.joined(separator: "/")
        let partial = width > 0 && width < Tile.fullWidth ? ".p/\(width)" : ""
        return "tile/\(level)/\(number)\(partial)"
    }

    /// A parsed tile path.
    public struct Parsed: Hashable, Sendable {
        /// The level, or `nil` for an entry bundle (`tile/entries/...`).
        public var level: Int?
        /// The tile index.
        public var index: UInt64
        /// The requested width: 256 for a full tile, 1…255 for `.p/<W>`.
        public var width: Int

        /// Creates a parsed path.
        public init(level: Int?, index: UInt64, width: Int) {
            self.level = level
            self.index = index
            self.width = width
        }
    }

    /// Parses the part after the log prefix: `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`.
    ///
    /// - Throws: ``LedgerError`` with code `malformed` for anything that is not a canonical path.
    public static func parse(_ path: String) throws -> Parsed {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 3, parts[0] == "tile" else { throw LedgerError.malformed("not a tile path") }
        let level: Int?
        if parts[1] == "entries" {
            level = nil
        } else {
            guard parts[1].count == 1, let value = Int(parts[1]), value >= 0, value < 8 else {
                throw LedgerError.malformed("tile level must be 0…7 or 'entries'")
            }
            level = value
        }
        var width = Tile.fullWidth
        if parts.count >= 4, parts[parts.count - 2].hasSuffix(".p") {
            let widthText = parts.removeLast()
            guard let value = Int(widthText), value >= 1, value < Tile.fullWidth, String(value) == widthText else {
                throw LedgerError.malformed("partial tile width must be 1…255")
            }
            width = value
            let last = parts.removeLast()
            guard last.hasSuffix(".p") else { throw LedgerError.malformed("partial tile suffix must be .p/<W>") }
            parts.append(String(last.dropLast(2)))
        }
        let groups = parts[2...]
        var index: UInt64 = 0
        for (offset, group) in groups.enumerated() {
            let isLast = offset == groups.count - 1
            let digits = isLast ? Substring(group) : (group.hasPrefix("x") ? group.dropFirst() : "")
            guard digits.count == 3, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = UInt64(digits) else {
                throw LedgerError.malformed("tile index groups must be x-prefixed 3-digit numbers")
            }
            let (scaled, overflow) = index.multipliedReportingOverflow(by: 1000)
            guard !overflow else { throw LedgerError.malformed("tile index too large") }
            index = scaled + value
        }
        return Parsed(level: level, index: index, width: width)
    }
}
