/// Per-device I/O counters from /proc/diskstats (whole disks and partitions; loop and ram devices
/// are left out), and the rates between two readings.
public struct DiskCounters: Hashable, Sendable {
    /// One device's counters.
    public struct Device: Hashable, Sendable {
        public let readsCompleted: UInt64
        public let sectorsRead: UInt64
        public let writesCompleted: UInt64
        public let sectorsWritten: UInt64
    }

    /// By device name.
    public let devices: [String: Device]

    /// Parses /proc/diskstats (`major minor name reads merged sectors ms writes merged sectors ms …`).
    ///
    /// - Throws: ``ProcError`` when a line has fewer than 14 fields.
    public init(procDiskstats text: String) throws(ProcError) {
        var devices = [String: Device]()
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: \.isWhitespace)
            guard fields.count >= 14 else { throw ProcError("/proc/diskstats line is malformed: \(line.prefix(80))") }
            let name = String(fields[2])
            if name.hasPrefix("loop") || name.hasPrefix("ram") { continue }
            guard let reads = UInt64(fields[3]), let read = UInt64(fields[5]), let writes = UInt64(fields[7]), let written = UInt64(fields[9]) else {
                throw ProcError("/proc/diskstats counters of \(name) are malformed")
            }
            devices[name] = Device(readsCompleted: reads, sectorsRead: read, writesCompleted: writes, sectorsWritten: written)
        }
        self.devices = devices
    }

    /// Bytes per second read and written by each device since `earlier`, `seconds` ago (a sector
    /// in /proc/diskstats is always 512 bytes, whatever the device's own sector size).
    public func rates(since earlier: DiskCounters, seconds: Double) -> [String: (read: Double, written: Double)] {
        guard seconds > 0 else { return [:] }
        var rates = [String: (read: Double, written: Double)]()
        for (name, now) in devices {
            guard let before = earlier.devices[name], now.sectorsRead >= before.sectorsRead, now.sectorsWritten >= before.sectorsWritten else {
                continue
            }
            rates[name] = (
                Double(now.sectorsRead - before.sectorsRead) * 512 / seconds, Double(now.sectorsWritten - before.sectorsWritten) * 512 / seconds
            )
        }
        return rates
    }
}
