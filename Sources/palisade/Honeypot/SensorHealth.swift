import Foundation
import Hummingbird
import PalisadeCore
import PalisadeHoneypot

/// The standalone sensor's `GET /health` (original design: 200 healthy, 503 starting): 503
/// `starting` until the SSH listener is bound, 503 `unhealthy` when the spool cannot be read, else
/// 200 with the spool's and the delivery's state.
struct SensorHealth: Sendable {
    let spool: EventSpool
    let forwarder: IngestForwarder
    let listening: @Sendable () -> Int?

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/health") { _, _ -> Response in
            self.answer()
        }
        return router
    }

    private func answer() -> Response {
        guard let port = listening() else { return Self.json(.serviceUnavailable, ["status": .string("starting")]) }
        let statistics: EventSpool.Statistics
        do {
            statistics = try spool.statistics()
        } catch {
            return Self.json(.serviceUnavailable, ["status": .string("unhealthy"), "error": .string("the spool cannot be read: \(error)")])
        }
        let status = forwarder.status
        var body: [String: JSONValue] = [
            "status": .string("ok"), "ssh_port": .number(Double(port)), "spooled_events": .number(Double(statistics.pending)),
            "spool_bytes": .number(Double(statistics.bytes)), "dropped_events": .number(Double(statistics.dropped)),
            "delivered_events": .number(Double(status.delivered)), "rejected_events": .number(Double(status.rejected)),
        ]
        if let last = status.lastDelivery { body["last_delivery"] = .string(ISO8601DateFormatter().string(from: last)) }
        if let error = status.lastError { body["last_error"] = .string(error) }
        return Self.json(.ok, body)
    }

    private static func json(_ status: HTTPResponse.Status, _ members: [String: JSONValue]) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: CanonicalJSON.encode(.object(members))))
        )
    }
}
