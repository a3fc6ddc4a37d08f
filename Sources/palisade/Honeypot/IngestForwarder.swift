import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import PalisadeCore
import PalisadeHoneypot
import Synchronization

/// Delivers the standalone sensor's spool to a Palisade server: `POST /v1/events:batch` (NDJSON)
/// with the ingest token, the cursor moved only past batches the server answered item by item.
/// Items it refuses as invalid are logged and counted (resending cannot fix them); a refused
/// token, a full or unreachable server leave the events spooled and are retried with backoff
/// (0.5 s doubling to 5 s, or Retry-After when given), so nothing acknowledged by the spool is lost while the server is away.
final class IngestForwarder: Sendable {
    /// What the health endpoint reports.
    struct Status: Sendable {
        var delivered = 0
        var duplicates = 0
        var rejected = 0
        var lastDelivery: Date?
        var lastError: String?
    }

    private let spool: EventSpool
    private let endpoint: String
    private let token: String
    private let client: HTTPClient
    private let logger: Logger
    private let state = Mutex(Status())
    private let batchEvents: Int

    /// A forwarder to `server` (its base URL) with `token` (ingest scope).
    init(spool: EventSpool, server: String, token: String, batchEvents: Int, client: HTTPClient, logger: Logger) {
        self.spool = spool
        endpoint = (server.hasSuffix("/") ? String(server.dropLast()) : server) + "/v1/events:batch"
        self.token = token
        self.batchEvents = batchEvents
        self.client = client
        self.logger = logger
    }

    var status: Status { state.withLock { $0 } }

    /// Delivers until cancelled.
    func run() async {
        var backoff = 0.5
        var limit = batchEvents
        while !Task.isCancelled {
            let wait: Double
            do {
                let batch = try spool.read(maxEvents: limit, maxBytes: 4 << 20)
                guard !batch.lines.isEmpty else {
                    try await Task.sleep(for: .milliseconds(200))
                    continue
                }
                switch try await deliver(batch) {
                case .delivered:
                    backoff = 0.5
                    limit = batchEvents
                    continue
                case .tooLarge:
                    limit = max(1, batch.lines.count / 2)
                    continue
                case .retry(let after):
                    wait = after ?? backoff
                }
            } catch is CancellationError {
                return
            } catch {
                note(error: "\(error)")
                wait = backoff
            }
            backoff = min(5, backoff * 2)
            do {
                try await Task.sleep(for: .milliseconds(Int(wait * 1_000)))
            } catch {
                return  // cancelled
            }
        }
    }

    private enum Outcome {
        case delivered
        case tooLarge
        case retry(after: Double?)
    }

    private func deliver(_ batch: EventSpool.Batch) async throws -> Outcome {
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/x-ndjson")
        var body = ByteBuffer()
        for line in batch.lines {
            body.writeBytes(line)
            body.writeInteger(UInt8(0x0A))
        }
        request.body = .bytes(body)
        let response = try await client.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        let text = String(buffer: bytes)
        switch response.status.code {
        case 200:
            try record(text, sent: batch.lines)
            try spool.acknowledge(batch)
            return .delivered
        case 413:
            return .tooLarge
        case 401, 403:
            note(error: "the server refused the ingest token (HTTP \(response.status.code)): check sensor.token; events stay spooled")
            return .retry(after: nil)
        case 429, 503:
            note(error: "the server asked to wait (HTTP \(response.status.code))")
            return .retry(after: response.headers.first(name: "Retry-After").flatMap(Double.init))
        default:
            note(error: "HTTP \(response.status.code): \(text.prefix(300))")
            return .retry(after: nil)
        }
    }

    /// Counts a batch's per-item results; logs the items the server refused (with their errors).
    private func record(_ text: String, sent lines: [[UInt8]]) throws {
        let parsed = try JSONParser().parse(text)
        guard case .object(let result) = parsed, case .array(let items)? = result["results"] else {
            throw CLIError("the server's batch answer has no results: \(text.prefix(200))")
        }
        var appended = 0
        var duplicates = 0
        var rejected = 0
        for item in items {
            guard case .object(let fields) = item else { continue }
            switch fields["status"] {
            case .string("appended")?: appended += 1
            case .string("duplicate")?: duplicates += 1
            default:
                rejected += 1
                let index: Int? = if case .number(let number)? = fields["item"] { Int(number) } else { nil }
                let event = index.flatMap { lines.indices.contains($0) ? String(decoding: lines[$0].prefix(300), as: UTF8.self) : nil } ?? ""
                logger.error(
                    "palisade.honeypot.event_rejected",
                    metadata: [
                        "errors": "\(fields["errors"].map { String(decoding: CanonicalJSON.encode($0), as: UTF8.self) } ?? "")", "event": "\(event)",
                    ]
                )
            }
        }
        state.withLock { status in
            status.delivered += appended
            status.duplicates += duplicates
            status.rejected += rejected
            status.lastDelivery = Date()
            status.lastError = nil
        }
    }

    private func note(error: String) {
        let first = state.withLock { status -> Bool in
            defer { status.lastError = error }
            return status.lastError != error
        }
        // Each new kind of failure is logged once, not on every retry.
        if first { logger.error("palisade.honeypot.delivery_failed", metadata: ["error": "\(error)"]) }
    }
}
