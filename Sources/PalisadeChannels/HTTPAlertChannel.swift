import Foundation
public import PalisadeAlerting
public import PalisadeCore

/// The HTTP receivers, each in its service's documented format: Palisade's generic JSON signed with
/// `X-Palisade-Signature` (webhook), Slack incoming webhooks, Discord webhooks, chat webhooks taking
/// `{"text": …}` (Teams connectors, Google Chat, Mattermost), and PagerDuty Events API v2 (one
/// event per alert, the routing key added at send time). Slack, Discord and chat receivers with a
/// template send its text instead of the default message.
public struct HTTPAlertChannel: AlertChannel {
    private let transport: HTTPTransport
    private let clock: any WallClock

    /// The headers every request carries besides the content type.
    public static let deliveryHeader = "X-Palisade-Delivery"
    /// The attempt number header.
    public static let attemptHeader = "X-Palisade-Attempt"

    /// Creates the channel.
    public init(transport: HTTPTransport, clock: any WallClock) {
        self.transport = transport
        self.clock = clock
    }

    /// The receiver's template rendered for the delivery, if it has one.
    private func render(_ delivery: Delivery, escape: (String) -> String) -> String? {
        MessageTemplate.text(delivery.secret.template, for: delivery.notification, link: delivery.link, escape: escape)
    }

    /// Sends the delivery in its receiver's format.
    public func deliver(_ delivery: Delivery) async -> DeliveryOutcome {
        let now = clock.now()
        var headers = [
            ("Content-Type", "application/json"), ("User-Agent", "Palisade-Alerting/1"),
            (Self.deliveryHeader, delivery.id.uuidString.lowercased()), (Self.attemptHeader, "\(delivery.attempt)"),
        ]
        switch delivery.receiver.kind {
        case .webhook:
            let body = CanonicalJSON.encode(NotificationPayloads.webhook(delivery.notification, sentAt: now))
            if let secret = delivery.secret.signingSecret {
                let signature = WebhookSignature.sign(body: body, secret: Array(secret.utf8), timestamp: now.microseconds / 1_000_000)
                headers.append((WebhookSignature.header, signature))
            }
            return await transport.post(delivery.secret.url, headers: headers, body: body)
        case .slack:
            var payload = NotificationPayloads.slack(delivery.notification, link: delivery.link)
            if let text = render(delivery, escape: NotificationPayloads.escape) {
                payload = .object(["text": .string(String(text.prefix(40_000)))])
            }
            return await transport.post(delivery.secret.url, headers: headers, body: CanonicalJSON.encode(payload))
        case .discord:
            var payload = NotificationPayloads.discord(delivery.notification)
            if let text = render(delivery, escape: { $0 }) { payload = .object(["content": .string(String(text.prefix(2_000)))]) }
            return await transport.post(delivery.secret.url, headers: headers, body: CanonicalJSON.encode(payload))
        case .chat:
            let text = render(delivery, escape: { $0 }) ?? EmailMessage.text(delivery.notification, link: delivery.link)
            return await transport.post(delivery.secret.url, headers: headers, body: CanonicalJSON.encode(.object(["text": .string(text)])))
        case .pagerDuty:
            guard let key = delivery.secret.routingKey else {
                return .permanent("PagerDuty receiver \(delivery.receiver.name) has no routing key; store it again with one")
            }
            // One event per alert; PagerDuty de-duplicates by dedup_key, so a retry after a partial
            // failure sends the delivered ones again harmlessly.
            for event in NotificationPayloads.pagerDuty(delivery.notification, routingKey: key, link: delivery.link) {
                let outcome = await transport.post(delivery.secret.url, headers: headers, body: CanonicalJSON.encode(event))
                guard outcome == .delivered else { return outcome }
            }
            return .delivered
        case .email, .syslog:
            return .permanent("\(delivery.receiver.kind.rawValue) receivers are not sent over HTTP")
        case .splunk, .elastic:
            return .permanent("\(delivery.receiver.kind.rawValue) receivers stream events; route alerts to another receiver")
        }
    }
}
