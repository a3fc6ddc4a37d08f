public import Foundation

/// The format a receiver's URL calls for: the services Palisade knows get their own payloads, any
/// other URL the generic signed JSON.
public enum ReceiverKind: String, Hashable, Sendable {
    /// Slack incoming webhooks (`https://hooks.slack.com/services/…`).
    case slack
    /// Discord webhooks (`https://discord.com/api/webhooks/…`).
    case discord
    /// PagerDuty Events API v2 (`https://events.pagerduty.com/v2/enqueue`).
    case pagerDuty = "pagerduty"
    /// Anything else: Palisade's JSON, signed with `X-Palisade-Signature`.
    case webhook

    /// The kind a URL is for.
    public init(url: URL) {
        let host = url.host?.lowercased() ?? ""
        guard url.scheme?.lowercased() == "https" else {
            self = .webhook
            return
        }
        if host == "hooks.slack.com" && url.path.hasPrefix("/services/") {
            self = .slack
        } else if (host == "discord.com" || host == "discordapp.com") && url.path.hasPrefix("/api/webhooks/") {
            self = .discord
        } else if (host == "events.pagerduty.com" || host == "events.eu.pagerduty.com") && url.path == "/v2/enqueue" {
            self = .pagerDuty
        } else {
            self = .webhook
        }
    }
}
