/// The load averages and task counts of /proc/loadavg.
public struct LoadAverage: Hashable, Sendable {
    /// Over 1, 5 and 15 minutes.
    public let one: Double
    public let five: Double
    public let fifteen: Double
    /// Runnable tasks now, and all tasks (threads included).
    public let running: Int
    public let tasks: Int

    /// Parses `0.52 0.58 0.59 2/1234 5678`.
    ///
    /// - Throws: ``ProcError`` when it does not read so.
    public init(procLoadavg text: String) throws(ProcError) {
        let fields = text.split(whereSeparator: \.isWhitespace)
        guard fields.count >= 4, let one = Double(fields[0]), let five = Double(fields[1]), let fifteen = Double(fields[2]) else {
            throw ProcError("/proc/loadavg is malformed: \(text.prefix(80))")
        }
        let counts = fields[3].split(separator: "/")
        guard counts.count == 2, let running = Int(counts[0]), let tasks = Int(counts[1]) else {
            throw ProcError("/proc/loadavg's task counts are malformed: \(fields[3])")
        }
        (self.one, self.five, self.fifteen, self.running, self.tasks) = (one, five, fifteen, running, tasks)
    }
}
