public import Foundation
import Mustache
public import PalisadeCore

/// An operator's message template (Mustache, via swift-mustache) for the text of chat, Slack,
/// Discord and email receivers. Rendered as plain text (no HTML escaping); values are escaped for
/// the destination by the caller (Slack's `&`, `<`, `>`), and the result is placed in a JSON string
/// or a MIME part, so no template can break the message's structure.
///
/// The context: `status` (firing or resolved), `receiver`, `firing_count`, `resolved_count`,
/// `link`, `group_labels` (`{{#group_labels}}{{name}}={{value}} {{/group_labels}}`), and
/// `alerts`, `firing`, `resolved`: lists of `{status, title, level, type, tenant, incident_id,
/// rule, entity, starts_at}`.
///
/// ```mustache
/// {{status}}: {{firing_count}} incident(s)
/// {{#firing}}- [{{level}}] {{title}} ({{tenant}}/{{incident_id}})
/// {{/firing}}{{#link}}{{link}}{{/link}}
/// ```
public struct MessageTemplate: Sendable {
    /// The largest template accepted.
    public static let maxBytes = 16_384
    /// The template's text.
    public let source: String
    private let template: MustacheTemplate

    /// Compiles a template.
    ///
    /// - Throws: ``AlertingError`` (field `template`) for a template that does not parse or is too long.
    public init(_ source: String) throws(AlertingError) {
        guard source.utf8.count <= Self.maxBytes else { throw AlertingError("template: at most \(Self.maxBytes) bytes") }
        do {
            template = try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + source)
        } catch {
            throw AlertingError("template: does not parse as Mustache (\(error))")
        }
        self.source = source
    }

    /// The text for a notification, every value passed through `escape`.
    public func render(_ notification: AlertNotification, link: String?, escape: (String) -> String = { $0 }) -> String {
        template.render(Self.context(notification, link: link, escape: escape))
    }

    /// The text of a receiver's template for a notification: `nil` without a template; with one that
    /// no longer compiles (they are checked when stored, so only a record altered since), the default
    /// text under a line saying so — visible to the people reading it, never silently dropped.
    public static func text(_ source: String?, for notification: AlertNotification, link: String?, escape: (String) -> String = { $0 }) -> String? {
        guard let source else { return nil }
        do {
            return try MessageTemplate(source).render(notification, link: link, escape: escape)
        } catch {
            return "Palisade could not render this receiver's template (\(error.description)); store the receiver again.\n\n"
                + EmailMessage.text(notification, link: link)
        }
    }

    /// The context a template sees.
    static func context(_ notification: AlertNotification, link: String?, escape: (String) -> String) -> [String: Any] {
        func alert(_ alert: Alert) -> [String: Any] {
            [
                "status": alert.isFiring ? "firing" : "resolved", "title": escape(alert.annotations["title"] ?? alert.fingerprint),
                "level": escape(alert.labels["threat_level"] ?? ""), "type": escape(alert.labels["incident_type"] ?? ""),
                "tenant": escape(alert.labels["tenant"] ?? ""), "incident_id": escape(alert.fingerprint), "rule": escape(alert.labels["rule"] ?? ""),
                "entity": escape(alert.labels["entity"] ?? ""), "starts_at": alert.startsAt.rfc3339,
            ]
        }
        var context: [String: Any] = [
            "status": notification.firing.isEmpty ? "resolved" : "firing", "receiver": escape(notification.receiver),
            "firing_count": notification.firing.count, "resolved_count": notification.resolved.count,
            "group_labels": notification.groupLabels.sorted { $0.key < $1.key }.map { ["name": escape($0.key), "value": escape($0.value)] },
            "alerts": (notification.firing + notification.resolved).map(alert), "firing": notification.firing.map(alert),
            "resolved": notification.resolved.map(alert),
        ]
        if let link { context["link"] = link }
        return context
    }
}
