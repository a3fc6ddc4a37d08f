import Foundation

/// What the agent tells about its host once, at start: operating system, kernel, CPU, memory,
/// host name.
public struct SystemInfo: Hashable, Sendable {
    /// The OS's PRETTY_NAME (/etc/os-release), or its NAME.
    public let operatingSystem: String
    /// The kernel release (/proc/sys/kernel/osrelease).
    public let kernel: String
    /// The CPU's model name (/proc/cpuinfo).
    public let cpuModel: String
    /// Logical CPUs.
    public let cpuCount: Int
    /// Physical memory in bytes.
    public let memoryBytes: UInt64
    /// The host name (/proc/sys/kernel/hostname).
    public let hostname: String

    /// Builds it from the files' texts.
    public init(osRelease: String, kernel: String, cpuinfo: String, memory: MemoryInfo, hostname: String) {
        var fields = [Substring: String]()
        for line in osRelease.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            var value = line[line.index(after: equals)...]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = value.dropFirst().dropLast() }
            fields[line[..<equals]] = String(value)
        }
        operatingSystem = fields["PRETTY_NAME"] ?? fields["NAME"] ?? "Linux"
        self.kernel = kernel.trimmingWhitespace()
        let processors = cpuinfo.split(separator: "\n").filter { $0.hasPrefix("processor") }
        cpuCount = max(1, processors.count)
        cpuModel =
            cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") || $0.hasPrefix("Model") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }.map { $0.trimmingWhitespace() } ?? "unknown"
        memoryBytes = memory.totalBytes
        self.hostname = hostname.trimmingWhitespace()
    }
}

extension SystemInfo {
    /// Reads the facts under `root` (`/` on a host).
    ///
    /// - Throws: ``ProcError`` naming a file that cannot be read.
    public static func read(root: String = "/") throws -> SystemInfo {
        func file(_ path: String) throws -> String { try readProcFile(path, under: root) }
        return SystemInfo(
            osRelease: try file("etc/os-release"),
            kernel: try file("proc/sys/kernel/osrelease"),
            cpuinfo: try file("proc/cpuinfo"),
            memory: try MemoryInfo(procMeminfo: try file("proc/meminfo")),
            hostname: try file("proc/sys/kernel/hostname")
        )
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces, tabs and newlines.
    func trimmingWhitespace() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
