/// Key material in memory: one owner, the bytes overwritten with zeros when it goes away (as far as
/// Swift allows: copies made by swift-crypto's own key types are theirs to wipe). Never printed.
public final class SecretBytes: @unchecked Sendable, CustomStringConvertible {
    // @unchecked: the buffer is written only in init and deinit; readers get copies or a scoped view.
    private let storage: UnsafeMutableBufferPointer<UInt8>
    /// The number of bytes.
    public let count: Int

    /// Takes a copy of `bytes` (the caller wipes its own).
    public init(_ bytes: some Collection<UInt8>) {
        count = bytes.count
        storage = .allocate(capacity: max(count, 1))
        storage.initialize(repeating: 0)
        _ = storage.initialize(from: bytes)
    }

    /// `count` random bytes from the system generator.
    public init(randomCount: Int) {
        count = randomCount
        storage = .allocate(capacity: max(randomCount, 1))
        storage.initialize(repeating: 0)
        var generator = SystemRandomNumberGenerator()
        for index in 0..<randomCount { storage[index] = generator.next() }
    }

    deinit {
        for index in storage.indices { storage[index] = 0 }
        storage.deallocate()
    }

    /// Reads the bytes without copying them out.
    public func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try body(UnsafeBufferPointer(rebasing: storage[0..<count]))
    }

    /// A copy, for APIs that take arrays (wipe it when done where it matters).
    public var copiedBytes: [UInt8] { withBytes { Array($0) } }

    /// Constant-time equality of contents.
    public func constantTimeEquals(_ other: SecretBytes) -> Bool {
        guard count == other.count else { return false }
        return withBytes { mine in
            other.withBytes { theirs in
                var difference: UInt8 = 0
                for index in 0..<count { difference |= mine[index] ^ theirs[index] }
                return difference == 0
            }
        }
    }

    /// Never the bytes.
    public var description: String { "SecretBytes(\(count) bytes)" }
}
