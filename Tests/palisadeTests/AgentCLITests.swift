import Foundation
import PalisadeTesting
import Testing

/// `palisade agent` on this machine: the system facts, then a sample whose figures are in range.
struct AgentCLITests {
    @Test func oneSampleOfThisHostIsPrinted() async throws {
        let result = try await ExternalProcess.runDetached(PalisadeCLI.binary, ["agent", "--once", "--interval", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 2, "\(result.stdout)")
        let system = try #require(
            try JSONSerialization.jsonObject(with: Data((lines.first ?? "").utf8)) as? [String: [String: Any]]
        )["system"]
        #expect((system?["hostname"] as? String)?.isEmpty == false && (system?["cpu_count"] as? Int ?? 0) >= 1, "\(lines.first ?? "")")
        let sample = try #require(try JSONSerialization.jsonObject(with: Data((lines.last ?? "").utf8)) as? [String: Any])
        let metrics = try #require(sample["metrics"] as? [[String: Any]])
        func value(_ name: String) -> Double? { metrics.first { $0["name"] as? String == name }?["value"] as? Double }
        let busy = try #require(value("cpu_busy_percent"), "\(metrics.compactMap { $0["name"] as? String })")
        let memory = try #require(value("memory_used_percent"))
        #expect((0...100).contains(busy) && memory > 0 && memory < 100)
        #expect(metrics.contains { $0["name"] as? String == "cpu_percent" && ($0["labels"] as? [String: String])?["mode"] == "idle" })

        let refused = try await ExternalProcess.runDetached(PalisadeCLI.binary, ["agent", "--interval", "0"])
        #expect(refused.status == 64 && refused.stderr.contains("--interval"), "\(refused.stderr)")
    }
}
