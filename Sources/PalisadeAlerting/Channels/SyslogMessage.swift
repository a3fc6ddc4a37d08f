public import Foundation
public import PalisadeCore

/// Alerts as syslog messages (RFC 5424), one per alert, carrying CEF (ArcSight's Common Event
/// Format, which SIEMs parse without a custom parser) or JSON; and the framings of each transport:
/// one datagram per message over UDP (RFC 5426), octet counting over TCP and TLS (RFC 6587 §3.4.1,
/// RFC 5425).
public enum SyslogMessage {
    /// The payload format.
    public enum Format: String, Sendable {
        /// `CEF:0|Palisade|Palisade|1|…`.
        case cef
        /// The alert as JSON.
        case json
    }

    /// The facility: 14, "log alert".
    public static let facility = 14

    /// The messages for a notification: one per firing or resolved alert.
    public static func messages(
        _ notification: AlertNotification,
        format: Format,
        hostname: String,
        processID: Int32,
        at time: Timestamp
    )
        -> [[UInt8]]
    {
        (notification.firing + notification.resolved).map { alert in
            let severity = alert.isFiring ? syslogSeverity(alert.labels["threat_level"]) : 6
            let structured =
                "[palisade@32473 tenant=\"\(parameter(alert.labels["tenant"] ?? ""))\" incident=\"\(parameter(alert.fingerprint))\" level=\"\(parameter(alert.labels["threat_level"] ?? ""))\" status=\"\(alert.isFiring ? "firing" : "resolved")\"]"
            let body: String
            switch format {
            case .cef: body = cef(alert, receiver: notification.receiver)
            case .json: body = String(decoding: CanonicalJSON.encode(alert.json), as: UTF8.self)
            }
            let header =
                "<\(facility * 8 + severity)>1 \(time.rfc3339) \(headerField(hostname, 255)) palisade \(processID) \(alert.isFiring ? "alert" : "resolved") "
            return Array((header + structured + " " + body).utf8)
        }
    }

    /// A CEF record of an alert: `CEF:0|Palisade|Palisade|1|<type>|<title>|<0-10>|<extension>`.
    public static func cef(_ alert: Alert, receiver: String) -> String {
        let severity: Int
        switch alert.labels["threat_level"] {
        case "critical": severity = 10
        case "high": severity = 8
        case "medium": severity = 5
        default: severity = 3
        }
        var extensions = [
            ("rt", "\(alert.updatedAt.microseconds / 1_000)"), ("start", "\(alert.startsAt.microseconds / 1_000)"),
            ("externalId", alert.fingerprint), ("cat", alert.labels["incident_type"] ?? ""), ("act", alert.isFiring ? "firing" : "resolved"),
            ("cs1Label", "tenant"), ("cs1", alert.labels["tenant"] ?? ""), ("cs2Label", "rule"), ("cs2", alert.labels["rule"] ?? ""),
            ("cs3Label", "threatLevel"), ("cs3", alert.labels["threat_level"] ?? ""), ("cs4Label", "receiver"), ("cs4", receiver),
        ]
        if let entity = alert.labels["entity"] {
            extensions.append(("cs5Label", "entity"))
            extensions.append(("cs5", entity))
        }
        let header = [
            "CEF:0", "Palisade", "Palisade", "1", cefHeader("incident.\(alert.labels["incident_type"] ?? "unknown")"),
            cefHeader(alert.annotations["title"] ?? alert.fingerprint), "\(alert.isFiring ? severity : 0)",
        ]
        return header.joined(separator: "|") + "|" + extensions.map { "\($0.0)=\(cefValue($0.1))" }.joined(separator: " ")
    }

    /// RFC 6587 octet counting: `<length> <message>`.
    public static func octetCounted(_ message: [UInt8]) -> [UInt8] { Array("\(message.count) ".utf8) + message }

    /// Palisade's threat levels as syslog severities (crit, err, warning, notice).
    static func syslogSeverity(_ level: String?) -> Int {
        switch level {
        case "critical": 2
        case "high": 3
        case "medium": 4
        default: 5
        }
    }

    /// CEF header escaping: `\` and `|`, no line breaks.
    static func cefHeader(_ text: String) -> String {
        flatten(text).replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "|", with: "\\|")
    }

    /// CEF extension value escaping: `\`, `=`, and line breaks as `\n` / `\r`.
    static func cefValue(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "=", with: "\\=").replacingOccurrences(of: "\r", with: "\\r")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    /// An SD-PARAM value: `"`, `\` and `]` escaped (RFC 5424 §6.3.3).
    static func parameter(_ text: String) -> String {
        flatten(text).replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(
            of: "]",
            with: "\\]"
        )
    }

    /// A header field: printable US-ASCII without spaces, at most `limit` characters, `-` if empty.
    static func headerField(_ text: String, _ limit: Int) -> String {
        let kept = String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value > 0x20 && $0.value < 0x7F }.prefix(limit)))
        return kept.isEmpty ? "-" : kept
    }

    private static func flatten(_ text: String) -> String {
        text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
    }
}
