import Foundation
public import PalisadeCore

/// The bodies receivers are sent, in each service's documented format.
public enum NotificationPayloads {
    /// Palisade's own JSON (the generic webhook): the group and every alert with its labels.
    public static func webhook(_ notification: AlertNotification, sentAt: Timestamp) -> JSONValue {
        func alert(_ alert: Alert) -> JSONValue {
            .object([
                "status": .string(alert.isFiring ? "firing" : "resolved"), "fingerprint": .string(alert.fingerprint),
                "labels": .object(alert.labels.mapValues { .string($0) }), "annotations": .object(alert.annotations.mapValues { .string($0) }),
                "starts_at": .string(alert.startsAt.rfc3339), "updated_at": .string(alert.updatedAt.rfc3339),
            ])
        }
        return .object([
            "version": .string("1"),
            "receiver": .string(notification.receiver),
            "status": .string(notification.firing.isEmpty ? "resolved" : "firing"),
            "group_key": .string(notification.groupKey),
            "group_labels": .object(notification.groupLabels.mapValues { .string($0) }),
            "alerts": .array(notification.firing.map(alert) + notification.resolved.map(alert)),
            "state_key": .string(notification.stateKey),
            "sent_at": .string(sentAt.rfc3339),
        ])
    }

    /// A Slack incoming-webhook message: a fallback `text` and Block Kit blocks (a header with the
    /// group's state, one section per alert — at most 20, Slack allows 50 blocks — and a context
    /// line), within Slack's limits (header 150 characters, section text 3,000).
    public static func slack(_ notification: AlertNotification, link: String?) -> JSONValue {
        let state = notification.firing.isEmpty ? "Resolved" : "Firing"
        let headline = "\(state): \(notification.firing.count) firing, \(notification.resolved.count) resolved — \(label(notification.groupLabels))"
        var blocks: [JSONValue] = [
            .object(["type": .string("header"), "text": .object(["type": .string("plain_text"), "text": .string(String(headline.prefix(150)))])])
        ]
        for alert in (notification.firing + notification.resolved).prefix(20) {
            let level = alert.labels["threat_level"] ?? "unknown"
            let mark = alert.isFiring ? "🔴" : "✅"
            let text =
                "\(mark) *\(escape(alert.annotations["title"] ?? alert.fingerprint))*\nSeverity: *\(level)* · Type: `\(alert.labels["incident_type"] ?? "")` · Tenant: `\(alert.labels["tenant"] ?? "")`"
            blocks.append(
                .object(["type": .string("section"), "text": .object(["type": .string("mrkdwn"), "text": .string(String(text.prefix(3_000)))])])
            )
        }
        var context = "Palisade · \(notification.receiver)"
        if let link { context += " · <\(link)|open in Palisade>" }
        blocks.append(.object(["type": .string("context"), "elements": .array([.object(["type": .string("mrkdwn"), "text": .string(context)])])]))
        return .object(["text": .string(headline), "blocks": .array(blocks)])
    }

    /// A Discord webhook message: `content` and one embed per alert (at most 10, Discord's limit),
    /// coloured by state, within Discord's limits (content 2,000 characters, title 256,
    /// description 4,096).
    public static func discord(_ notification: AlertNotification) -> JSONValue {
        let state = notification.firing.isEmpty ? "Resolved" : "Firing"
        let content =
            "**\(state)**: \(notification.firing.count) firing, \(notification.resolved.count) resolved — \(label(notification.groupLabels))"
        let embeds = (notification.firing + notification.resolved).prefix(10).map { alert -> JSONValue in
            let description =
                "Severity: **\(alert.labels["threat_level"] ?? "unknown")** · Type: `\(alert.labels["incident_type"] ?? "")` · Tenant: `\(alert.labels["tenant"] ?? "")`"
            return .object([
                "title": .string(String((alert.annotations["title"] ?? alert.fingerprint).prefix(256))),
                "description": .string(String(description.prefix(4_096))),
                "color": .number(alert.isFiring ? 0xD7_3A_49 : 0x2C_BE_4E),
            ])
        }
        return .object(["content": .string(String(content.prefix(2_000))), "embeds": .array(Array(embeds))])
    }

    /// PagerDuty Events API v2 events, one per alert: `trigger` while it fires, `acknowledge` once
    /// someone acknowledged the incident, `resolve` once it is resolved, with a stable `dedup_key`
    /// per incident so working the incident in Palisade works the page.
    public static func pagerDuty(_ notification: AlertNotification, routingKey: String, link: String?) -> [JSONValue] {
        (notification.firing + notification.resolved).map { alert in
            var event: [String: JSONValue] = [
                "routing_key": .string(routingKey),
                "event_action": .string(!alert.isFiring ? "resolve" : alert.labels["status"] == "acknowledged" ? "acknowledge" : "trigger"),
                "dedup_key": .string("palisade/\(alert.labels["tenant"] ?? "")/\(alert.fingerprint)"),
            ]
            if alert.isFiring && alert.labels["status"] != "acknowledged" {
                event["payload"] = .object([
                    "summary": .string(String((alert.annotations["title"] ?? alert.fingerprint).prefix(1_024))),
                    "source": .string("palisade/\(alert.labels["tenant"] ?? "")"),
                    "severity": .string(pagerDutySeverity(alert.labels["threat_level"])),
                    "timestamp": .string(alert.startsAt.rfc3339),
                    "component": .string(alert.labels["rule"] ?? ""),
                    "group": .string(alert.labels["tenant"] ?? ""),
                    "class": .string(alert.labels["incident_type"] ?? ""),
                    "custom_details": .object(alert.labels.mapValues { .string($0) }),
                ])
                event["client"] = .string("Palisade")
                if let link { event["client_url"] = .string(link) }
            }
            return .object(event)
        }
    }

    /// Palisade's threat levels as PagerDuty severities.
    static func pagerDutySeverity(_ level: String?) -> String {
        switch level {
        case "critical": "critical"
        case "high": "error"
        case "medium": "warning"
        default: "info"
        }
    }

    private static func label(_ labels: [String: String]) -> String {
        labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    /// Slack's mrkdwn escapes: `&`, `<` and `>`.
    public static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
