/// Memory and swap from /proc/meminfo, in bytes.
public struct MemoryInfo: Hashable, Sendable {
    /// Physical memory.
    public let totalBytes: UInt64
    /// What can be given to programs without swapping (MemAvailable).
    public let availableBytes: UInt64
    /// Swap space.
    public let swapTotalBytes: UInt64
    /// Unused swap space.
    public let swapFreeBytes: UInt64

    /// Memory in use (total minus available).
    public var usedBytes: UInt64 { totalBytes - min(totalBytes, availableBytes) }
    /// Memory in use, in percent of the total.
    public var usedPercent: Double { totalBytes == 0 ? 0 : Double(usedBytes) / Double(totalBytes) * 100 }
    /// Swap in use.
    public var swapUsedBytes: UInt64 { swapTotalBytes - min(swapTotalBytes, swapFreeBytes) }

    /// Parses /proc/meminfo (`Name:   1234 kB` lines).
    ///
    /// - Throws: ``ProcError`` when MemTotal is missing.
    public init(procMeminfo text: String) throws(ProcError) {
        var values = [Substring: UInt64]()
        for line in text.split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == ":" || $0 == " " })
            guard parts.count >= 2, let number = UInt64(parts[1]) else { continue }
            values[parts[0]] = parts.count >= 3 && parts[2] == "kB" ? number * 1024 : number
        }
        guard let total = values["MemTotal"] else { throw ProcError("/proc/meminfo has no MemTotal") }
        totalBytes = total
        // Kernels before 3.14 have no MemAvailable: free + buffers + cache is the old estimate.
        availableBytes = values["MemAvailable"] ?? ((values["MemFree"] ?? 0) + (values["Buffers"] ?? 0) + (values["Cached"] ?? 0))
        swapTotalBytes = values["SwapTotal"] ?? 0
        swapFreeBytes = values["SwapFree"] ?? 0
    }
}
