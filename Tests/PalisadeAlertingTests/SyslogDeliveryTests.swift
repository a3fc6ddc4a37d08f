import Foundation
import PalisadeAlerting
import PalisadeChannels
import PalisadeCore
import PalisadeTesting
import Testing

/// Syslog to Debian's rsyslogd on loopback over UDP, TCP and TLS: what rsyslog parsed out of each
/// message (PRI, RFC 5424 header fields, structured data, the CEF or JSON message) is what was meant.
@Suite(.serialized) struct SyslogDeliveryTests {
    /// One line of rsyslog's output file.
    struct Received {
        var input, pri, version, timestamp, hostname, app, procid, msgid, structured, message: String

        init?(_ line: Substring) {
            let fields = line.split(separator: "|", maxSplits: 9, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 10 else { return nil }
            (input, pri, version, timestamp, hostname) = (fields[0], fields[1], fields[2], fields[3], fields[4])
            (app, procid, msgid, structured, message) = (fields[5], fields[6], fields[7], fields[8], fields[9])
        }
    }

    static func received(_ work: URL, count: Int) async throws -> [Received] {
        let path = work.appendingPathComponent("received.log").path
        for _ in 0..<300 {  // rsyslog writes asynchronously: up to 30 s
            if FileManager.default.fileExists(atPath: path) {
                let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
                if lines.count >= count { return lines.compactMap(Received.init) }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").compactMap(Received.init)
    }

    @Test func cefOverUDPTCPAndTLSIsParsedByRsyslog() async throws {
        let work = try TemporaryDirectory.make("palisade-rsyslog")
        let (python, arguments) = ExternalProcess.pythonArguments([
            SharedFiles.projectRoot.appendingPathComponent("Tests/PalisadeAlertingTests/Scripts/rsyslog_server.py").path, work.path,
        ])
        let rsyslog = try ServeProcess(dataDir: nil, executable: python, command: arguments, arguments: [])
        defer { rsyslog.kill9() }
        let ports = rsyslog.baseURL.split(separator: ":").dropFirst().map(String.init)
        try #require(ports.count == 3, "\(rsyslog.baseURL)")

        let pipeline = try AlertPipeline()
        try await pipeline.addReceiver("udp", kind: .syslog, secret: ReceiverSecret(url: "syslog+udp://127.0.0.1:\(ports[0])", format: "cef"))
        try await pipeline.addReceiver("tcp", kind: .syslog, secret: ReceiverSecret(url: "syslog+tcp://127.0.0.1:\(ports[1])", format: "cef"))
        try await pipeline.addReceiver("tls", kind: .syslog, secret: ReceiverSecret(url: "syslog+tls://127.0.0.1:\(ports[2])", format: "json"))
        try await pipeline.setPolicy(
            #"{"route": {"receiver": "udp", "group_wait": 0, "routes": [{"receiver": "udp", "continue": true}, {"receiver": "tcp", "continue": true}, {"receiver": "tls"}]}}"#
        )
        try await pipeline.incident(["inc-1", "inc-2"], level: "critical", entity: "actor=ev|il=x")
        #expect(try await pipeline.consumer().runOnce().enqueued == 3)
        let channel = SyslogAlertChannel(
            configuration: .init(
                policy: OutboundPolicy(allowed: [IPNetwork("127.0.0.1/32")!]),
                extraTrustRootsFile: work.appendingPathComponent("ca.pem").path,
                hostname: "palisade-test"
            ),
            clock: pipeline.clock
        )
        let transport = AlertPipeline.localTransport()
        let report = try await pipeline.deliverer(transport: transport, others: [.syslog: channel]).runOnce()
        #expect(report.count(.delivered) == 3, "\(report.failures)")

        let received = try await Self.received(work, count: 6)
        #expect(received.count == 6, "\(received.map(\.message))")
        for message in received {
            // Facility 14 (log alert) × 8 + severity 2 (critical).
            #expect(message.pri == "114" && message.version == "1" && message.hostname == "palisade-test" && message.app == "palisade")
            #expect(message.msgid == "alert" && message.structured.hasPrefix("[palisade@32473 tenant=\"default\" incident=\"inc-"))
        }
        let cef = received.filter { $0.input != "tls" }.map(\.message)
        #expect(cef.count == 4 && cef.allSatisfy { $0.hasPrefix("CEF:0|Palisade|Palisade|1|incident.brute_force_attack|Incident inc-") })
        // The entity's '=' is escaped in the extension, so a CEF parser reads cs5 whole.
        #expect(cef.allSatisfy { $0.contains(#"cs5Label=entity cs5=actor\=ev|il\=x"#) && $0.contains("|10|rt=") }, "\(cef)")
        #expect(Set(received.map(\.input)) == ["imudp", "tcp", "tls"])
        let json = try received.filter { $0.input == "tls" }.map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.message.utf8)) as? [String: Any])
        }
        #expect(Set(json.compactMap { $0["fingerprint"] as? String }) == ["inc-1", "inc-2"])
        await transport.shutdown()
    }
}
