import ArgumentParser
import Foundation
import PalisadeAgent
import PalisadeCore
import PalisadeIngest

/// `palisade agent`: the host-metrics collector. This first part collects from /proc and prints;
/// pushing to a server (outbound only, spooled while it is unreachable) comes with the server's
/// metrics API.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Collect this host's metrics from /proc and print them (JSON lines).",
        discussion: """
            Prints the system facts once, then every --interval seconds one sample: CPU by mode and \\
            busy share, load, tasks, memory and swap, each device filesystem's usage, network and disk \\
            rates, TCP listeners and uptime. It opens no socket and needs no privilege.
            """
    )

    @Option(help: "Seconds between samples (1-3600).") var interval = 15
    @Flag(help: "Print one sample (taken `interval` seconds after a first reading) and exit.") var once = false

    func run() async throws {
        try await reportingErrors {
            guard (1...3600).contains(interval) else { throw CLIError("--interval must be 1 to 3600 seconds", exitCode: Exit.usage) }
            let system: SystemInfo
            var previous: HostReading
            do {
                system = try SystemInfo.read()
                previous = try HostReading.read()
            } catch let error as ProcError {
                throw CLIError("cannot read the host's metrics: \(error)")
            }
            Self.printLine([
                "system": .object([
                    "os": .string(system.operatingSystem), "kernel": .string(system.kernel), "cpu_model": .string(system.cpuModel),
                    "cpu_count": .number(Double(system.cpuCount)), "memory_bytes": .number(Double(system.memoryBytes)),
                    "hostname": .string(system.hostname),
                ])
            ])
            repeat {
                try await Task.sleep(for: .seconds(interval))
                let current: HostReading
                do {
                    current = try HostReading.read()
                } catch let error as ProcError {
                    throw CLIError("cannot read the host's metrics: \(error)")
                }
                let values = HostMetrics.sample(current, previous: previous) { $0.usage() }
                Self.printLine([
                    "at": .string(SystemWallClock().now().rfc3339),
                    "metrics": .array(
                        values.map { value in
                            .object([
                                "name": .string(value.name), "labels": .object(value.labels.mapValues { .string($0) }),
                                "value": .number(value.value),
                            ])
                        }
                    ),
                ])
                previous = current
            } while !once
        }
    }

    /// One JSON object on a line of its own (canonical JSON: sorted keys).
    static func printLine(_ members: [String: JSONValue]) {
        printNow(String(decoding: CanonicalJSON.encode(.object(members)), as: UTF8.self))
    }
}
