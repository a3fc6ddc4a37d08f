/// A C2SP tlog-tiles entry bundle: the entries of one level-0 tile, each a big-endian `uint16`
/// length followed by the entry bytes.
public enum EntryBundle {
    /// The largest entry a bundle can carry (its length is a `uint16`).
    public static let maxEntrySize = Int(UInt16.max)

    /// Serializes entries into a bundle.
    ///
    /// - Precondition: every entry is at most ``maxEntrySize`` bytes (callers validate sizes first).
    public static func encode(_ entries: [[UInt8]]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(entries.reduce(0) { $0 + 2 + $1.count })
        for entry in entries {
            precondition(entry.count <= maxEntrySize, "entry larger than a tile bundle allows")
            out.append(UInt8(entry.count >> 8))
            out.append(UInt8(entry.count & 0xff))
            out.append(contentsOf: entry)
        }
        return out
    }

    /// Splits a bundle into its entries.
    ///
    /// - Throws: ``LedgerError`` with code `malformed` when a length runs past the end.
    public static func decode(_ bundle: [UInt8]) throws -> [[UInt8]] {
        var entries = [[UInt8]]()
        var index = 0
        while index < bundle.count {
            guard index + 2 <= bundle.count else { throw LedgerError.malformed("entry bundle ends inside a length") }
            let length = Int(bundle[index]) << 8 | Int(bundle[index + 1])
            index += 2
            guard index + length <= bundle.count else { throw LedgerError.malformed("entry bundle ends inside an entry") }
            entries.append(Array(bundle[index..<(index + length)]))
            index += length
        }
        return entries
    }
}
