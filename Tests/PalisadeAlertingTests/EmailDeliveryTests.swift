import Foundation
import PalisadeAlerting
import PalisadeChannels
import PalisadeCore
import PalisadeTesting
import Testing

/// Email to a real SMTP server (aiosmtpd, started by the test) that requires STARTTLS and AUTH:
/// what arrives is checked by the server's own MIME parser; a wrong password dead-letters, a server
/// without STARTTLS is refused before anything is sent, and an untrusted certificate is retried.
@Suite(.serialized) struct EmailDeliveryTests {
    struct Message: Decodable {
        var mail_from: String
        var rcpt_tos: [String]
        var tls: Bool
        var user: String?
        var subject: String
        var content_type: String
        var delivery: String
        var parts: [String: String]
    }

    static func server(_ mode: String) throws -> (ServeProcess, URL) {
        let work = try TemporaryDirectory.make("palisade-smtp")
        let (python, arguments) = ExternalProcess.pythonArguments([
            SharedFiles.projectRoot.appendingPathComponent("Tests/PalisadeAlertingTests/Scripts/smtp_server.py").path, work.path, mode,
        ])
        return (try ServeProcess(dataDir: nil, executable: python, command: arguments, arguments: []), work)
    }

    static func messages(_ work: URL) throws -> [Message] {
        let path = work.appendingPathComponent("messages.jsonl").path
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(Message.self, from: Data($0.utf8))
        }
    }

    static func channel(_ pipeline: AlertPipeline, trust work: URL?) -> SMTPAlertChannel {
        SMTPAlertChannel(
            configuration: .init(
                policy: OutboundPolicy(allowed: [IPNetwork("127.0.0.1/32")!]),
                timeoutSeconds: 20,
                extraTrustRootsFile: work.map { $0.appendingPathComponent("ca.pem").path }
            ),
            clock: pipeline.clock
        )
    }

    /// Stores an email receiver, one incident, and runs the consumer once.
    static func prepared(_ server: ServeProcess, password: String = "s3cret") async throws -> AlertPipeline {
        let pipeline = try AlertPipeline()
        try await pipeline.addReceiver(
            "mail",
            kind: .email,
            secret: ReceiverSecret(
                url: server.baseURL,
                username: "alerts",
                password: password,
                from: "palisade@example.org",
                to: ["oncall@example.org", "security@example.org"]
            )
        )
        try await pipeline.setPolicy(#"{"route": {"receiver": "mail", "group_wait": 0}}"#)
        try await pipeline.incident(["inc-1"])
        #expect(try await pipeline.consumer().runOnce().enqueued == 1)
        return pipeline
    }

    @Test func aNotificationArrivesOverSTARTTLSWithAuthAsMultipartTextAndHTML() async throws {
        let (server, work) = try Self.server("starttls")
        defer { server.kill9() }
        let pipeline = try await Self.prepared(server)
        let transport = AlertPipeline.localTransport()
        let report = try await pipeline.deliverer(transport: transport, others: [.email: Self.channel(pipeline, trust: work)]).runOnce()
        #expect(report.count(.delivered) == 1, "\(report.failures)")
        let messages = try Self.messages(work)
        let message = try #require(messages.first)
        #expect(messages.count == 1)
        #expect(message.tls && message.user == "alerts")
        #expect(message.mail_from == "palisade@example.org" && message.rcpt_tos == ["oncall@example.org", "security@example.org"])
        #expect(message.content_type == "multipart/alternative" && message.subject == "[Palisade] FIRING (1): Incident inc-1")
        #expect(message.parts["text/plain"]?.contains("[high] Incident inc-1 (brute_force_attack, incident inc-1") == true, "\(message.parts)")
        #expect(message.parts["text/html"]?.contains("<td>Incident inc-1</td>") == true)
        #expect(message.delivery == (try await pipeline.outbox(.delivered)).first?.id.uuidString.lowercased())
        await transport.shutdown()
    }

    @Test func aWrongPasswordDeadLettersAndAServerWithoutSTARTTLSIsRefused() async throws {
        let (server, work) = try Self.server("starttls")
        defer { server.kill9() }
        let pipeline = try await Self.prepared(server, password: "wrong")
        let transport = AlertPipeline.localTransport()
        #expect(try await pipeline.deliverer(transport: transport, others: [.email: Self.channel(pipeline, trust: work)]).runOnce().count(.dead) == 1)
        let dead = try #require(try await pipeline.outbox(.dead).first)
        #expect(dead.lastError?.hasPrefix("SMTP 535 at AUTH PLAIN") == true, "\(dead.lastError ?? "")")
        #expect(try Self.messages(work).isEmpty)

        let (plain, plainWork) = try Self.server("plain")
        defer { plain.kill9() }
        let refused = try await Self.prepared(plain)
        #expect(try await refused.deliverer(transport: transport, others: [.email: Self.channel(refused, trust: nil)]).runOnce().count(.dead) == 1)
        let reason = try #require(try await refused.outbox(.dead).first?.lastError)
        #expect(reason.contains("does not offer STARTTLS"), "\(reason)")
        #expect(try Self.messages(plainWork).isEmpty)
        await transport.shutdown()
    }

    @Test func anUntrustedCertificateIsRetriedNotIgnored() async throws {
        let (server, work) = try Self.server("starttls")
        defer { server.kill9() }
        let pipeline = try await Self.prepared(server)
        let transport = AlertPipeline.localTransport()
        let report = try await pipeline.deliverer(transport: transport, others: [.email: Self.channel(pipeline, trust: nil)]).runOnce()
        #expect(report.count(.retry) == 1)
        #expect(try Self.messages(work).isEmpty)
        await transport.shutdown()
    }
}
