/// The kernel's CPU time counters (the `cpu` line of /proc/stat), in clock ticks since boot, and
/// the share of each mode between two readings — what `top` shows as %us, %sy, %id…
public struct CPUTimes: Hashable, Sendable {
    /// The modes, in /proc/stat's order.
    public static let modes = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"]

    /// Ticks per mode, in ``modes`` order (absent fields of old kernels are 0).
    public let ticks: [UInt64]

    /// Reads the aggregate `cpu` line of /proc/stat.
    ///
    /// - Throws: ``ProcError`` when there is no such line or it has fewer than four numbers.
    public init(procStat text: String) throws(ProcError) {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else {
            throw ProcError("/proc/stat has no aggregate cpu line")
        }
        let numbers = line.split(separator: " ").dropFirst().prefix(Self.modes.count).map { UInt64($0) }
        guard numbers.count >= 4, numbers.allSatisfy({ $0 != nil }) else { throw ProcError("/proc/stat's cpu line is malformed: \(line)") }
        ticks = numbers.map { $0! } + Array(repeating: 0, count: Self.modes.count - numbers.count)
    }

    /// Ticks per mode.
    public init(ticks: [UInt64]) {
        self.ticks = ticks + Array(repeating: 0, count: max(0, Self.modes.count - ticks.count))
    }

    /// Each mode's share of the time since `earlier`, in percent (they add up to 100), or nil
    /// when no tick passed or a counter went backwards (a reboot between the readings).
    public func percentages(since earlier: CPUTimes) -> [String: Double]? {
        guard zip(ticks, earlier.ticks).allSatisfy({ $0 >= $1 }) else { return nil }
        let deltas = zip(ticks, earlier.ticks).map { Double($0 - $1) }
        let total = deltas.reduce(0, +)
        guard total > 0 else { return nil }
        return Dictionary(uniqueKeysWithValues: zip(Self.modes, deltas.map { $0 / total * 100 }))
    }
}

/// A /proc or /sys file that does not read as the kernel writes it.
public struct ProcError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public let description: String

    /// An error saying `description`.
    public init(_ description: String) { self.description = description }
}
