public import PalisadeCore

extension Alert {
    /// Its JSON (in notifications and in the dispatcher's saved state).
    public var json: JSONValue {
        var members: [String: JSONValue] = [
            "fingerprint": .string(fingerprint), "status": .string(isFiring ? "firing" : "resolved"),
            "labels": .object(labels.mapValues { .string($0) }), "annotations": .object(annotations.mapValues { .string($0) }),
            "starts_at": .string(startsAt.rfc3339), "updated_at": .string(updatedAt.rfc3339),
        ]
        if let endsAt { members["ends_at"] = .string(endsAt.rfc3339) }
        return .object(members)
    }

    /// Reads ``json`` back.
    public init(json: JSONValue) throws(AlertingError) {
        guard case .object(let members) = json, case .string(let fingerprint)? = members["fingerprint"],
            case .string(let status)? = members["status"], case .string(let starts)? = members["starts_at"],
            let startsAt = Timestamp(rfc3339: starts), case .string(let updated)? = members["updated_at"],
            let updatedAt = Timestamp(rfc3339: updated)
        else { throw AlertingError("an alert needs fingerprint, status, starts_at and updated_at") }
        self.init(
            labels: try Self.strings(members["labels"]),
            annotations: try Self.strings(members["annotations"]),
            fingerprint: fingerprint,
            isFiring: status == "firing",
            startsAt: startsAt,
            updatedAt: updatedAt,
            endsAt: { if case .string(let text)? = members["ends_at"] { Timestamp(rfc3339: text) } else { nil } }()
        )
    }

    static func strings(_ value: JSONValue?) throws(AlertingError) -> [String: String] {
        guard case .object(let members)? = value else { return [:] }
        var strings = [String: String]()
        for (name, value) in members {
            guard case .string(let text) = value else { throw AlertingError("label \(name) must be a string") }
            strings[name] = text
        }
        return strings
    }
}

extension AlertNotification {
    /// Its JSON: what the outbox stores and channels render from.
    public var json: JSONValue {
        .object([
            "receiver": .string(receiver), "group_key": .string(groupKey), "group_labels": .object(groupLabels.mapValues { .string($0) }),
            "firing": .array(firing.map(\.json)), "resolved": .array(resolved.map(\.json)), "at": .string(at.rfc3339),
            "sequence": .number(Double(sequence)),
        ])
    }

    /// Reads ``json`` back.
    public init(json: JSONValue) throws(AlertingError) {
        guard case .object(let members) = json, case .string(let receiver)? = members["receiver"],
            case .string(let groupKey)? = members["group_key"], case .string(let at)? = members["at"], let time = Timestamp(rfc3339: at),
            case .array(let firing)? = members["firing"], case .array(let resolved)? = members["resolved"]
        else { throw AlertingError("a notification needs receiver, group_key, at, firing and resolved") }
        var sequence = 1
        if case .number(let number)? = members["sequence"] { sequence = Int(number) }
        var firingAlerts = [Alert]()
        for item in firing { firingAlerts.append(try Alert(json: item)) }
        var resolvedAlerts = [Alert]()
        for item in resolved { resolvedAlerts.append(try Alert(json: item)) }
        self.init(
            receiver: receiver,
            groupKey: groupKey,
            groupLabels: try Alert.strings(members["group_labels"]),
            firing: firingAlerts,
            resolved: resolvedAlerts,
            at: time,
            sequence: sequence
        )
    }
}

extension Dispatcher {
    /// The groups as JSON (saved with the alerting consumer's cursor).
    public func state() -> JSONValue {
        var saved = [String: JSONValue]()
        for (key, group) in groups {
            var members: [String: JSONValue] = [
                "receiver": .string(group.receiver), "labels": .object(group.labels.mapValues { .string($0) }),
                "group_wait": .number(Double(group.timing.groupWait)), "group_interval": .number(Double(group.timing.groupInterval)),
                "repeat_interval": .number(Double(group.timing.repeatInterval)),
                "alerts": .array(group.alerts.values.sorted { $0.fingerprint < $1.fingerprint }.map(\.json)),
                "created_at": .number(Double(group.createdAt.microseconds)), "last_firing": .array(group.lastFiring.sorted().map { .string($0) }),
                "notified": .number(Double(group.notified)),
            ]
            if let last = group.lastNotifiedAt { members["last_notified_at"] = .number(Double(last.microseconds)) }
            saved[key] = .object(members)
        }
        return .object(saved)
    }

    /// Restores groups saved by ``state()``.
    public mutating func restore(_ saved: JSONValue) throws(AlertingError) {
        guard case .object(let entries) = saved else { throw AlertingError("the saved dispatcher state is not an object") }
        var restored = [String: Group]()
        for (key, entry) in entries {
            guard case .object(let members) = entry, case .string(let receiver)? = members["receiver"],
                case .number(let wait)? = members["group_wait"], case .number(let interval)? = members["group_interval"],
                case .number(let repeating)? = members["repeat_interval"], case .number(let created)? = members["created_at"],
                case .array(let alerts)? = members["alerts"]
            else { throw AlertingError("saved group \(key) does not read") }
            var group = Group(
                receiver: receiver,
                labels: try Alert.strings(members["labels"]),
                timing: Route.Timing(groupWait: Int64(wait), groupInterval: Int64(interval), repeatInterval: Int64(repeating)),
                createdAt: Timestamp(microseconds: Int64(created))
            )
            for item in alerts {
                let alert = try Alert(json: item)
                group.alerts[alert.fingerprint] = alert
            }
            if case .number(let last)? = members["last_notified_at"] { group.lastNotifiedAt = Timestamp(microseconds: Int64(last)) }
            if case .array(let told)? = members["last_firing"] {
                group.lastFiring = Set(told.compactMap { if case .string(let text) = $0 { text } else { nil } })
            }
            if case .number(let count)? = members["notified"] { group.notified = Int(count) }
            restored[key] = group
        }
        groups = restored
    }
}
