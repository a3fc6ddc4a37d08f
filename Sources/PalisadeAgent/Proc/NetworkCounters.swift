import Foundation

/// Per-interface byte, packet and error counters from /proc/net/dev (since boot, wrapping only
/// on very old 32-bit kernels), and the rates between two readings.
public struct NetworkCounters: Hashable, Sendable {
    /// One interface's counters.
    public struct Interface: Hashable, Sendable {
        public let receivedBytes: UInt64
        public let receivedPackets: UInt64
        public let receiveErrors: UInt64
        public let sentBytes: UInt64
        public let sentPackets: UInt64
        public let sendErrors: UInt64
    }

    /// By interface name (`lo` included).
    public let interfaces: [String: Interface]

    /// Parses /proc/net/dev (two header lines, then `name: 16 numbers`).
    ///
    /// - Throws: ``ProcError`` when an interface line has fewer than 16 numbers.
    public init(procNetDev text: String) throws(ProcError) {
        var interfaces = [String: Interface]()
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            let numbers = line[line.index(after: colon)...].split(whereSeparator: \.isWhitespace).map { UInt64($0) }
            guard numbers.count >= 16, numbers.allSatisfy({ $0 != nil }) else { throw ProcError("/proc/net/dev line for \(name) is malformed") }
            interfaces[name] = Interface(
                receivedBytes: numbers[0]!,
                receivedPackets: numbers[1]!,
                receiveErrors: numbers[2]!,
                sentBytes: numbers[8]!,
                sentPackets: numbers[9]!,
                sendErrors: numbers[10]!
            )
        }
        self.interfaces = interfaces
    }

    /// Bytes per second received and sent by each interface since `earlier`, `seconds` ago
    /// (interfaces that appeared since, or whose counters went backwards, are left out).
    public func rates(since earlier: NetworkCounters, seconds: Double) -> [String: (received: Double, sent: Double)] {
        guard seconds > 0 else { return [:] }
        var rates = [String: (received: Double, sent: Double)]()
        for (name, now) in interfaces {
            guard let before = earlier.interfaces[name], now.receivedBytes >= before.receivedBytes, now.sentBytes >= before.sentBytes else {
                continue
            }
            rates[name] = (Double(now.receivedBytes - before.receivedBytes) / seconds, Double(now.sentBytes - before.sentBytes) / seconds)
        }
        return rates
    }
}
