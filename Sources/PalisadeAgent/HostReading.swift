import Foundation

/// One reading of the host's counters and gauges from /proc (under `root`, so tests can point it
/// at a copy): what two consecutive readings turn into a ``HostMetrics`` sample.
public struct HostReading: Sendable {
    /// CPU time counters.
    public let cpu: CPUTimes
    /// Memory and swap.
    public let memory: MemoryInfo
    /// Load averages and task counts.
    public let load: LoadAverage
    /// Network counters per interface.
    public let network: NetworkCounters
    /// Disk I/O counters per device.
    public let disks: DiskCounters
    /// Filesystems worth watching.
    public let mounts: [Mount]
    /// Listening TCP sockets (IPv4 and IPv6).
    public let listeners: [TCPListener]
    /// Seconds since boot.
    public let uptimeSeconds: Double
    /// When it was taken, on the monotonic clock (seconds), for rates.
    public let monotonicSeconds: Double

    /// Reads every file it needs under `root` (`/` on a host).
    ///
    /// - Throws: ``ProcError`` naming the file that is missing or malformed.
    public static func read(root: String = "/") throws -> HostReading {
        func file(_ path: String) throws -> String { try readProcFile(path, under: root) }
        let uptime = try file("proc/uptime").split(separator: " ").first.flatMap { Double($0) }
        guard let uptime else { throw ProcError("\(root)proc/uptime is malformed") }
        var listeners = try TCPListener.parse(procNetTCP: try file("proc/net/tcp"))
        // A kernel without IPv6 has no tcp6 table.
        if FileManager.default.fileExists(atPath: (root as NSString).appendingPathComponent("proc/net/tcp6")) {
            listeners += try TCPListener.parse(procNetTCP: try file("proc/net/tcp6"))
        }
        return HostReading(
            cpu: try CPUTimes(procStat: try file("proc/stat")),
            memory: try MemoryInfo(procMeminfo: try file("proc/meminfo")),
            load: try LoadAverage(procLoadavg: try file("proc/loadavg")),
            network: try NetworkCounters(procNetDev: try file("proc/net/dev")),
            disks: try DiskCounters(procDiskstats: try file("proc/diskstats")),
            mounts: Mount.parse(procMounts: try file("proc/self/mounts")),
            listeners: listeners.sorted(),
            uptimeSeconds: uptime,
            monotonicSeconds: Double(DispatchTime.now().uptimeNanoseconds) / 1e9
        )
    }
}
