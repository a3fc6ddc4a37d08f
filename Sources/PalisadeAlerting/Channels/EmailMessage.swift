public import Foundation
public import PalisadeCore

/// A notification as an email (RFC 5322, MIME multipart/alternative): a plain-text part and an
/// HTML part, both UTF-8 in base64 (so no line is too long and no byte needs 8BITMIME), a subject
/// encoded per RFC 2047 when it is not ASCII, and header values stripped of line breaks (so alert
/// text cannot inject headers).
public enum EmailMessage {
    /// The message, with CRLF line ends and without SMTP dot-stuffing; the plain-text part is the
    /// receiver's template when it has one.
    public static func render(
        _ notification: AlertNotification,
        from: String,
        to: [String],
        deliveryID: UUID,
        date: Timestamp,
        link: String?,
        template: String? = nil
    ) -> [UInt8] {
        let boundary = "palisade-\(deliveryID.uuidString.lowercased())"
        let headers = [
            "From: Palisade <\(from)>", "To: \(to.joined(separator: ", "))", "Subject: \(encodedHeader(subject(notification)))",
            "Date: \(rfc5322Date(date))", "Message-ID: <\(deliveryID.uuidString.lowercased())@palisade>", "MIME-Version: 1.0",
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"", "X-Palisade-Delivery: \(deliveryID.uuidString.lowercased())",
            "Auto-Submitted: auto-generated",
        ]
        var lines = headers
        lines.append("")
        let plain = MessageTemplate.text(template, for: notification, link: link) ?? text(notification, link: link)
        for (type, body) in [("text/plain", plain), ("text/html", html(notification, link: link))] {
            lines += ["--\(boundary)", "Content-Type: \(type); charset=utf-8", "Content-Transfer-Encoding: base64", ""]
            lines += wrap(Data(body.utf8).base64EncodedString(), width: 76)
        }
        lines.append("--\(boundary)--")
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// `[Palisade] FIRING (2): Brute force against alice` — the state, the count and the first title.
    public static func subject(_ notification: AlertNotification) -> String {
        let state = notification.firing.isEmpty ? "RESOLVED" : "FIRING"
        let alerts = notification.firing.isEmpty ? notification.resolved : notification.firing
        let title = alerts.first.map { $0.annotations["title"] ?? $0.fingerprint } ?? ""
        let more = alerts.count > 1 ? " and \(alerts.count - 1) more" : ""
        return sanitize("[Palisade] \(state) (\(alerts.count)): \(title)\(more)")
    }

    /// The plain-text part.
    public static func text(_ notification: AlertNotification, link: String?) -> String {
        var lines = [subject(notification), ""]
        for (heading, alerts) in [("Firing", notification.firing), ("Resolved", notification.resolved)] where !alerts.isEmpty {
            lines.append("\(heading):")
            for alert in alerts {
                lines.append(
                    "- [\(alert.labels["threat_level"] ?? "")] \(alert.annotations["title"] ?? alert.fingerprint) (\(alert.labels["incident_type"] ?? ""), \(alert.subject) \(alert.fingerprint), tenant \(alert.labels["tenant"] ?? ""), since \(alert.startsAt.rfc3339))"
                )
            }
            lines.append("")
        }
        if let link { lines.append("Open in Palisade: \(link)") }
        lines.append("Sent by Palisade to receiver \(notification.receiver).")
        return lines.joined(separator: "\r\n")
    }

    /// The HTML part (every value escaped).
    public static func html(_ notification: AlertNotification, link: String?) -> String {
        var rows = ""
        for alert in notification.firing + notification.resolved {
            rows +=
                "<tr><td>\(alert.isFiring ? "firing" : "resolved")</td><td>\(escape(alert.labels["threat_level"] ?? ""))</td><td>\(escape(alert.annotations["title"] ?? alert.fingerprint))</td><td>\(escape(alert.labels["incident_type"] ?? ""))</td><td>\(escape(alert.labels["tenant"] ?? ""))</td><td><code>\(escape(alert.fingerprint))</code></td></tr>"
        }
        let footer = link.map { "<p><a href=\"\(escape($0))\">Open in Palisade</a></p>" } ?? ""
        return
            "<!DOCTYPE html><html><body><h2>\(escape(subject(notification)))</h2><table border=\"1\" cellpadding=\"4\"><tr><th>State</th><th>Level</th><th>Incident</th><th>Type</th><th>Tenant</th><th>Id</th></tr>\(rows)</table>\(footer)<p>Sent by Palisade to receiver \(escape(notification.receiver)).</p></body></html>"
    }

    /// HTML's five escapes.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }

    /// A header value without control characters.
    static func sanitize(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
    }

    /// RFC 2047 `=?UTF-8?B?…?=` words for a value that is not ASCII.
    static func encodedHeader(_ text: String) -> String {
        guard !text.utf8.allSatisfy({ $0 < 0x80 }) else { return text }
        // Encoded words are at most 75 characters: 45 bytes of text each, split on characters.
        var words = [String]()
        var chunk = ""
        for character in text {
            if chunk.utf8.count + character.utf8.count > 45 {
                words.append("=?UTF-8?B?\(Data(chunk.utf8).base64EncodedString())?=")
                chunk = ""
            }
            chunk.append(character)
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(Data(chunk.utf8).base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }

    /// `Mon, 23 Nov 2026 17:20:11 +0000`.
    static func rfc5322Date(_ time: Timestamp) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: Date(timeIntervalSince1970: Double(time.microseconds) / 1_000_000))
    }

    private static func wrap(_ text: String, width: Int) -> [String] {
        var lines = [String]()
        var rest = Substring(text)
        while !rest.isEmpty {
            lines.append(String(rest.prefix(width)))
            rest = rest.dropFirst(width)
        }
        return lines
    }
}
