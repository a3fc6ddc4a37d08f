/// Turns readings into metrics: gauges from the current reading, CPU shares and I/O rates from the
/// difference with the previous one. Pure: filesystem usage comes in as a function.
public enum HostMetrics {
    /// A filesystem's size and what unprivileged users can still write, in bytes.
    public typealias Usage = (totalBytes: UInt64, availableBytes: UInt64)

    /// The metrics of `current`; with `previous` (the reading before), also CPU shares and rates.
    ///
    /// - Parameter usage: a mount's usage, or nil when it cannot be read (then it is left out).
    public static func sample(_ current: HostReading, previous: HostReading?, usage: (Mount) -> Usage?) -> [MetricValue] {
        var values: [MetricValue] = [
            MetricValue("load1", current.load.one), MetricValue("load5", current.load.five), MetricValue("load15", current.load.fifteen),
            MetricValue("tasks", Double(current.load.tasks)), MetricValue("tasks_running", Double(current.load.running)),
            MetricValue("memory_total_bytes", Double(current.memory.totalBytes)),
            MetricValue("memory_used_bytes", Double(current.memory.usedBytes)),
            MetricValue("memory_used_percent", current.memory.usedPercent),
            MetricValue("swap_total_bytes", Double(current.memory.swapTotalBytes)),
            MetricValue("swap_used_bytes", Double(current.memory.swapUsedBytes)), MetricValue("uptime_seconds", current.uptimeSeconds),
            MetricValue("tcp_listeners", Double(Set(current.listeners.map(\.port)).count)),
        ]
        for mount in current.mounts {
            guard let usage = usage(mount), usage.totalBytes > 0 else { continue }
            let used = usage.totalBytes - min(usage.totalBytes, usage.availableBytes)
            values.append(MetricValue("disk_total_bytes", Double(usage.totalBytes), labels: ["mount": mount.path]))
            values.append(MetricValue("disk_used_bytes", Double(used), labels: ["mount": mount.path]))
            values.append(MetricValue("disk_used_percent", Double(used) / Double(usage.totalBytes) * 100, labels: ["mount": mount.path]))
        }
        guard let previous else { return values }
        if let shares = current.cpu.percentages(since: previous.cpu) {
            for mode in CPUTimes.modes { values.append(MetricValue("cpu_percent", shares[mode] ?? 0, labels: ["mode": mode])) }
            values.append(MetricValue("cpu_busy_percent", 100 - (shares["idle"] ?? 0) - (shares["iowait"] ?? 0)))
        }
        let seconds = current.monotonicSeconds - previous.monotonicSeconds
        for (name, rate) in current.network.rates(since: previous.network, seconds: seconds).sorted(by: { $0.key < $1.key }) {
            values.append(MetricValue("network_received_bytes_per_second", rate.received, labels: ["interface": name]))
            values.append(MetricValue("network_sent_bytes_per_second", rate.sent, labels: ["interface": name]))
        }
        for (name, rate) in current.disks.rates(since: previous.disks, seconds: seconds).sorted(by: { $0.key < $1.key }) {
            values.append(MetricValue("disk_read_bytes_per_second", rate.read, labels: ["device": name]))
            values.append(MetricValue("disk_written_bytes_per_second", rate.written, labels: ["device": name]))
        }
        return values
    }
}
