public import Foundation
public import PalisadeCore

/// What a receiver is stored with: where it points and its credentials. Read from the API's JSON
/// body (`{"url": …, "kind": …, "routing_key": …}`) or the CLI's flags.
public struct ReceiverSpec: Hashable, Sendable {
    /// The endpoint.
    public var url: String
    /// The format, when the URL does not say it (a Slack-compatible relay on another host).
    public var kind: ReceiverKind?
    /// The PagerDuty integration key.
    public var routingKey: String?
    /// Keep the webhook signing secret of the receiver being replaced instead of making a new one.
    public var keepSigningSecret: Bool
    /// Email: the sender address.
    public var from: String?
    /// Email: the recipients.
    public var to: [String] = []
    /// Email: the SMTP user name.
    public var username: String?
    /// Email: the SMTP password.
    public var password: String?
    /// Syslog: `cef` (the default) or `json`.
    public var format: String?
    /// Splunk HEC token, or Elasticsearch API key.
    public var token: String?
    /// Splunk index, or Elasticsearch index prefix (default `palisade-events`).
    public var index: String?
    /// A Mustache message template (chat, Slack, Discord, email).
    public var template: String?

    /// Creates a spec.
    public init(url: String, kind: ReceiverKind? = nil, routingKey: String? = nil, keepSigningSecret: Bool = false) {
        self.url = url
        self.kind = kind
        self.routingKey = routingKey
        self.keepSigningSecret = keepSigningSecret
    }

    /// Reads a spec from a JSON object.
    ///
    /// - Throws: ``AlertingError`` naming the field (`url`, `kind`, `routing_key`, …).
    public init(json: [String: JSONValue]) throws(AlertingError) {
        let known = [
            "url", "kind", "routing_key", "keep_signing_secret", "from", "to", "username", "password", "format", "token", "index", "template",
        ]
        for name in json.keys where !known.contains(name) {
            throw AlertingError("\(name): unknown field; a receiver has \(known.joined(separator: ", "))")
        }
        guard case .string(let url)? = json["url"] else { throw AlertingError("url: required, the receiver's http(s) URL") }
        var kind: ReceiverKind?
        switch json["kind"] {
        case nil: break
        case .string(let name)?:
            guard let parsed = ReceiverKind(rawValue: name) else {
                throw AlertingError("kind: \(name) is not one of webhook, slack, discord, pagerduty")
            }
            kind = parsed
        default: throw AlertingError("kind: must be a string")
        }
        var routingKey: String?
        switch json["routing_key"] {
        case nil: break
        case .string(let key)?: routingKey = key
        default: throw AlertingError("routing_key: must be a string")
        }
        var keep = false
        switch json["keep_signing_secret"] {
        case nil: break
        case .bool(let value)?: keep = value
        default: throw AlertingError("keep_signing_secret: must be true or false")
        }
        self.init(url: url, kind: kind, routingKey: routingKey, keepSigningSecret: keep)
        func text(_ field: String) throws(AlertingError) -> String? {
            switch json[field] {
            case nil: return nil
            case .string(let value)?: return value
            default: throw AlertingError("\(field): must be a string")
            }
        }
        from = try text("from")
        username = try text("username")
        password = try text("password")
        format = try text("format")
        token = try text("token")
        index = try text("index")
        template = try text("template")
        switch json["to"] {
        case nil: break
        case .array(let items)?:
            for item in items {
                guard case .string(let address) = item else { throw AlertingError("to: must be an array of addresses") }
                to.append(address)
            }
        default: throw AlertingError("to: must be an array of addresses")
        }
    }
}

/// The changes people make to a tenant's alerting, checked against its current configuration and
/// turned into ``AlertingRecord``s — one implementation behind the API and the CLI.
public struct AlertingChanges: Sendable {
    /// Seals receiver secrets.
    public var sealer: SecretSealer
    /// Whose configuration.
    public var tenant: TenantID
    /// Who changes it.
    public var actor: String
    /// When.
    public var now: Timestamp

    /// Creates a change set.
    public init(sealer: SecretSealer, tenant: TenantID, actor: String, now: Timestamp) {
        self.sealer = sealer
        self.tenant = tenant
        self.actor = actor
        self.now = now
    }

    /// A receiver stored or replaced: its record, and the webhook signing secret when a new one was
    /// made (shown once: it is only ever stored sealed).
    ///
    /// - Throws: ``AlertingError`` naming what is wrong with the name, URL or key.
    public func storeReceiver(
        _ name: String,
        _ spec: ReceiverSpec,
        current: TenantAlerting
    ) throws(AlertingError) -> (
        record: AuditEvent, receiver: Receiver, signingSecret: String?
    ) {
        guard Receiver.isValidName(name) else { throw AlertingError("name: must be 1 to 64 characters of a-z, 0-9, '.', '_' and '-'") }
        let schemes = ["http", "https", "smtp", "smtps", "syslog+udp", "syslog+tcp", "syslog+tls"]
        guard let url = URL(string: spec.url), let scheme = url.scheme?.lowercased(), schemes.contains(scheme), let host = url.host,
            !host.isEmpty, spec.url.utf8.count <= 2_048
        else {
            throw AlertingError(
                "url: must be an http(s), smtp(s) or syslog+udp/tcp/tls URL with a host (at most 2048 characters)"
            )
        }
        guard url.user == nil, url.password == nil else {
            throw AlertingError("url: credentials in the URL are not accepted; use the receiver's username and password, token or routing key")
        }
        let kind = spec.kind ?? ReceiverKind(url: url)
        guard kind.isHTTP == ["http", "https"].contains(scheme) else {
            throw AlertingError("url: a \(kind.rawValue) receiver cannot use a \(scheme) URL")
        }
        var secret = ReceiverSecret(url: spec.url)
        var shown: String?
        if kind != .email, spec.from != nil || !spec.to.isEmpty || spec.username != nil || spec.password != nil {
            throw AlertingError("from: only email receivers have from, to, username and password")
        }
        if kind != .syslog, spec.format != nil { throw AlertingError("format: only syslog receivers have a format") }
        if let template = spec.template {
            guard kind.takesTemplate else { throw AlertingError("template: only chat, slack, discord and email receivers have a template") }
            secret.template = try MessageTemplate(template).source
        }
        if !kind.isExporter, spec.token != nil || spec.index != nil {
            throw AlertingError("token: only splunk and elastic receivers have a token and index")
        }
        switch kind {
        case .splunk, .elastic:
            guard let token = spec.token, (8...512).contains(token.utf8.count), token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                throw AlertingError("token: a \(kind.rawValue) receiver needs its \(kind == .splunk ? "HEC token" : "API key (id:key, base64)")")
            }
            if let index = spec.index {
                guard (1...200).contains(index.utf8.count),
                    index.utf8.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D || $0 == 0x5F })
                else {
                    throw AlertingError("index: must be lowercase letters, digits, '-' and '_'")
                }
            }
            secret.token = token
            secret.index = spec.index
            if spec.routingKey != nil { throw AlertingError("routing_key: only PagerDuty receivers have one") }
        case .email:
            guard let from = spec.from, Self.isAddress(from) else { throw AlertingError("from: an email receiver needs a sender address") }
            guard !spec.to.isEmpty, spec.to.count <= 50, spec.to.allSatisfy(Self.isAddress) else {
                throw AlertingError("to: an email receiver needs 1 to 50 recipient addresses")
            }
            guard (spec.username == nil) == (spec.password == nil) else {
                throw AlertingError("password: give both username and password, or neither")
            }
            secret.from = from
            secret.to = spec.to
            secret.username = spec.username
            secret.password = spec.password
            if spec.routingKey != nil { throw AlertingError("routing_key: only PagerDuty receivers have one") }
        case .syslog:
            let format = spec.format ?? "cef"
            guard ["cef", "json"].contains(format) else { throw AlertingError("format: must be cef or json") }
            secret.format = format
            if spec.routingKey != nil { throw AlertingError("routing_key: only PagerDuty receivers have one") }
        case .pagerDuty:
            guard let key = spec.routingKey, key.utf8.count == 32, key.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) else {
                throw AlertingError("routing_key: a PagerDuty receiver needs its 32-character Events API v2 integration key")
            }
            secret.routingKey = key
        case .webhook:
            if spec.keepSigningSecret {
                guard let existing = current.receivers[name], existing.kind == .webhook,
                    let old = try ReceiverSecret(json: try Self.parse(sealer.open(existing.sealed, tenant: tenant.rawValue, receiver: name)))
                        .signingSecret
                else { throw AlertingError("keep_signing_secret: there is no webhook receiver \(name) whose secret could be kept") }
                secret.signingSecret = old
            } else {
                let fresh = ReceiverSecret.newSigningSecret()
                secret.signingSecret = fresh
                shown = fresh
            }
            if spec.routingKey != nil { throw AlertingError("routing_key: only PagerDuty receivers have one") }
        case .slack, .discord, .chat:
            if spec.routingKey != nil { throw AlertingError("routing_key: only PagerDuty receivers have one") }
        }
        let sealed: String
        do {
            sealed = try sealer.seal(CanonicalJSON.encode(secret.json), tenant: tenant.rawValue, receiver: name)
        } catch {
            throw AlertingError("the receiver's secret could not be sealed: \(error)")
        }
        let receiver = Receiver(
            name: name,
            kind: kind,
            target: "\(scheme)://\(host)\(url.port.map { ":\($0)" } ?? "")",
            sealed: sealed,
            fingerprint: secret.fingerprint,
            storedBy: actor,
            storedAt: now
        )
        return (AlertingRecord.receiverStored(receiver, tenant: tenant, id: newID()), receiver, shown)
    }

    /// A receiver removed.
    ///
    /// - Throws: ``AlertingError`` when there is no such receiver or the stored policy routes to it.
    public func removeReceiver(_ name: String, current: TenantAlerting) throws(AlertingError) -> AuditEvent {
        guard current.receivers[name] != nil else { throw AlertingError("name: there is no receiver \(name)") }
        if let policy = current.storedPolicy, policy.receivers.contains(name) {
            throw AlertingError("name: the alerting policy routes to \(name); store a policy without it first")
        }
        return AlertingRecord.receiverRemoved(name, tenant: tenant, actor: actor, at: now, id: newID())
    }

    /// A policy stored.
    ///
    /// - Throws: ``AlertingError`` when it names a receiver the tenant does not have.
    public func storePolicy(_ policy: AlertingPolicy, current: TenantAlerting) throws(AlertingError) -> AuditEvent {
        for name in policy.receivers.sorted() {
            guard let receiver = current.receivers[name] else {
                throw AlertingError("route: receiver \(name) does not exist; store it first (PUT /v1/alerting/receivers/\(name))")
            }
            if receiver.kind.isExporter {
                throw AlertingError("route: receiver \(name) is a \(receiver.kind.rawValue) exporter; it streams every event and takes no alerts")
            }
        }
        return AlertingRecord.policyStored(policy, tenant: tenant, actor: actor, at: now, id: newID())
    }

    /// A silence created, from now (or `startsAt`) until `endsAt`.
    ///
    /// - Throws: ``AlertingError`` for a matcher that does not parse, no matchers, an end not after
    ///   the start or in the past, a silence longer than a year, or no comment.
    public func createSilence(
        matchers texts: [String],
        startsAt: Timestamp?,
        endsAt: Timestamp,
        comment: String
    ) throws(AlertingError) -> (
        record: AuditEvent, silence: Silence
    ) {
        var matchers = [Matcher]()
        for text in texts {
            do {
                matchers.append(try Matcher(parsing: text))
            } catch {
                throw AlertingError("matchers: \(error.description)")
            }
        }
        let start = startsAt ?? now
        guard endsAt > now else { throw AlertingError("ends_at: must be in the future") }
        guard endsAt.microseconds - start.microseconds <= 31_536_000_000_000 else { throw AlertingError("ends_at: a silence lasts at most a year") }
        var generator = SystemRandomNumberGenerator()
        let silence = try Silence(
            id: .version7(at: now, using: &generator),
            matchers: matchers,
            startsAt: start,
            endsAt: endsAt,
            createdBy: actor,
            comment: comment
        )
        return (AlertingRecord.silenceCreated(silence, tenant: tenant, id: newID(), at: now), silence)
    }

    /// A silence ended now.
    ///
    /// - Throws: ``AlertingError`` when there is no such silence or it has already ended.
    public func expireSilence(_ id: UUID, current: TenantAlerting) throws(AlertingError) -> AuditEvent {
        guard let silence = current.silences[id] else { throw AlertingError("id: there is no silence \(id.uuidString.lowercased())") }
        guard silence.endsAt > now else { throw AlertingError("id: silence \(id.uuidString.lowercased()) has already ended") }
        return AlertingRecord.silenceExpired(id, tenant: tenant, actor: actor, at: now, id: newID())
    }

    /// A test notification for `receiver`: one firing alert labelled `test`, straight into the
    /// outbox (never grouped, silenced or inhibited), delivered like any other.
    ///
    /// - Throws: ``AlertingError`` when there is no such receiver.
    public func testNotification(to receiver: String, current: TenantAlerting) throws(AlertingError) -> OutboxNotification {
        guard current.receivers[receiver] != nil else { throw AlertingError("name: there is no receiver \(receiver)") }
        let id = newID()
        let alert = Alert(
            labels: [
                "tenant": tenant.rawValue, "incident_id": "test-\(id.uuidString.lowercased())", "incident_type": "test", "threat_level": "low",
                "rule": "palisade.test", "status": "open", "test": "true",
            ],
            annotations: ["title": "Palisade test notification (sent by \(actor))", "action": "test"],
            fingerprint: "test-\(id.uuidString.lowercased())",
            isFiring: true,
            startsAt: now,
            updatedAt: now
        )
        let notification = AlertNotification(
            receiver: receiver,
            groupKey: "test|\(id.uuidString.lowercased())",
            groupLabels: ["test": "true"],
            firing: [alert],
            resolved: [],
            at: now
        )
        return OutboxNotification(
            id: id,
            tenant: tenant,
            receiver: receiver,
            stateKey: "test/\(id.uuidString.lowercased())",
            payload: CanonicalJSON.encode(notification.json),
            createdAt: now
        )
    }

    /// A plain mailbox (`name@example.com`): no display name, spaces, angle brackets or line breaks
    /// (which would let a value inject SMTP commands or headers).
    static func isAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && text.utf8.count <= 254
            && text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") && $0 != UInt8(ascii: ",") }
    }

    private func newID() -> UUID {
        var generator = SystemRandomNumberGenerator()
        return .version7(at: now, using: &generator)
    }

    private static func parse(_ bytes: [UInt8]) throws(AlertingError) -> JSONValue {
        do {
            return try JSONParser().parse(bytes)
        } catch {
            throw AlertingError("a sealed receiver secret does not read as JSON")
        }
    }
}
