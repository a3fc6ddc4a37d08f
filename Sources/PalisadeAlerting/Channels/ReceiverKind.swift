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
    /// A chat webhook that takes `{"text": …}` (Microsoft Teams connectors, Google Chat,
    /// Mattermost, Rocket.Chat): the default text, or the receiver's template.
    case chat
    /// Email over SMTP (`smtp://host:587`, STARTTLS required; `smtps://host:465`, TLS from the start).
    case email
    /// Syslog (RFC 5424) over UDP, TCP or TLS (`syslog+udp://`, `syslog+tcp://`, `syslog+tls://`), CEF or JSON.
    case syslog

    /// Splunk's HTTP Event Collector: streams every event of the tenant (an exporter, not an alert
    /// receiver).
    case splunk
    /// Elasticsearch / OpenSearch `_bulk`: streams every event of the tenant in ECS field names (an
    /// exporter, not an alert receiver).
    case elastic

    /// Whether the kind is sent over HTTP (and has an http(s) URL).
    public var isHTTP: Bool {
        switch self {
        case .slack, .discord, .pagerDuty, .webhook, .chat, .splunk, .elastic: true
        case .email, .syslog: false
        }
    }

    /// Whether a receiver of the kind can have a message template.
    public var takesTemplate: Bool { self == .slack || self == .discord || self == .chat || self == .email }

    /// Whether the kind streams events (an exporter) rather than receiving alerts.
    public var isExporter: Bool { self == .splunk || self == .elastic }

    /// The kind a URL is for.
    public init(url: URL) {
        let host = url.host?.lowercased() ?? ""
        switch url.scheme?.lowercased() {
        case "smtp", "smtps":
            self = .email
            return
        case "syslog+udp", "syslog+tcp", "syslog+tls":
            self = .syslog
            return
        default: break
        }
        guard url.scheme?.lowercased() == "https" else {
            self = .webhook
            return
        }
        if host == "hooks.slack.com" && url.path.hasPrefix("/services/") {
            self = .slack
        } else if (host == "discord.com" || host == "discordapp.com") && url.path.hasPrefix("/api/webhooks/") {
            self = .discord
        } else if url.path.hasPrefix("/services/collector") {
            self = .splunk
        } else if (host == "events.pagerduty.com" || host == "events.eu.pagerduty.com") && url.path == "/v2/enqueue" {
            self = .pagerDuty
        } else {
            self = .webhook
        }
    }
}
