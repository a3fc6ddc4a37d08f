public import Foundation

extension Incident {
    /// The incident as a JSON document (how stores keep it and the API shows it).
    public var jsonValue: JSONValue {
        func time(_ value: Timestamp?) -> JSONValue { value.map { .string($0.rfc3339) } ?? .null }
        func text(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
        return .object([
            "id": .string(id.lowercasedString),
            "tenant": .string(tenant.rawValue),
            "type": .string(type.rawValue),
            "threat_level": .string(threatLevel.name),
            "title": .string(title),
            "description": .string(description),
            "source": .string(source),
            "dedup_key": .string(dedupKey),
            "entities": .object([
                "actors": .array(entities.actors.sorted().map { .string($0) }),
                "addresses": .array(entities.addresses.sorted().map { .string($0) }),
                "resources": .array(entities.resources.sorted().map { .string($0) }),
            ]),
            "evidence": .array(evidence.map { .number(Double($0)) }),
            "evidence_count": .number(Double(evidenceCount)),
            "first_seen": time(firstSeen),
            "last_seen": time(lastSeen),
            "count": .number(Double(count)),
            "labels": .object(labels.mapValues { .string($0) }),
            "status": .string(status.rawValue),
            "assignee": text(assignee),
            "notes": .array(notes.map { .object(["author": .string($0.author), "text": .string($0.text), "at": .string($0.at.rfc3339)]) }),
            "resolution": text(resolution),
            "root_cause": text(rootCause),
            "opened_at": time(openedAt),
            "acknowledged_at": time(acknowledgedAt),
            "resolved_at": time(resolvedAt),
            "sla_restarted_at": time(slaRestartedAt),
            "escalations": .number(Double(escalations)),
        ])
    }

    /// Reads an incident from its JSON document.
    ///
    /// - Throws: ``IncidentDecodingError`` naming the member that is missing or malformed.
    public init(json: JSONValue) throws(IncidentDecodingError) {
        guard case .object(let m) = json else { throw IncidentDecodingError("an incident is a JSON object") }
        func string(_ name: String) throws(IncidentDecodingError) -> String {
            guard case .string(let value)? = m[name] else { throw IncidentDecodingError("\(name) is missing or not a string") }
            return value
        }
        func optional(_ name: String) throws(IncidentDecodingError) -> String? {
            switch m[name] {
            case .string(let value)?: return value
            case .null?, nil: return nil
            default: throw IncidentDecodingError("\(name) is not a string")
            }
        }
        func time(_ name: String) throws(IncidentDecodingError) -> Timestamp? {
            guard let text = try optional(name) else { return nil }
            guard let value = Timestamp(rfc3339: text) else { throw IncidentDecodingError("\(name) is not an RFC 3339 time") }
            return value
        }
        func required(_ name: String) throws(IncidentDecodingError) -> Timestamp {
            guard let value = try time(name) else { throw IncidentDecodingError("\(name) is missing") }
            return value
        }
        func integer(_ name: String) throws(IncidentDecodingError) -> Int {
            guard case .number(let value)? = m[name], value >= 0, value == value.rounded(), value < 9e15 else {
                throw IncidentDecodingError("\(name) is not a count")
            }
            return Int(value)
        }
        func strings(_ value: JSONValue?) -> Set<String> {
            guard case .array(let items)? = value else { return [] }
            return Set(items.compactMap { if case .string(let text) = $0 { text } else { nil } })
        }
        guard let id = UUID(text: try string("id")) else { throw IncidentDecodingError("id is not a UUID") }
        guard let tenant = TenantID(try string("tenant")) else { throw IncidentDecodingError("tenant is invalid") }
        guard let type = IncidentType(try string("type")) else { throw IncidentDecodingError("type is invalid") }
        guard let level = ThreatLevel(name: try string("threat_level")) else { throw IncidentDecodingError("threat_level is invalid") }
        guard let status = IncidentStatus(rawValue: try string("status")) else { throw IncidentDecodingError("status is invalid") }
        guard case .array(let evidenceItems)? = m["evidence"] else { throw IncidentDecodingError("evidence is not an array") }
        var evidence = [UInt64]()
        for item in evidenceItems {
            guard case .number(let value) = item, value >= 0, value == value.rounded(), value < 9e15 else {
                throw IncidentDecodingError("evidence holds something that is not a log index")
            }
            evidence.append(UInt64(value))
        }
        var entities = IncidentEntities()
        if case .object(let members)? = m["entities"] {
            entities = IncidentEntities(
                actors: strings(members["actors"]),
                addresses: strings(members["addresses"]),
                resources: strings(members["resources"])
            )
        }
        var labels = [String: String]()
        if case .object(let members)? = m["labels"] {
            for (key, value) in members { if case .string(let text) = value { labels[key] = text } }
        }
        var notes = [IncidentNote]()
        if case .array(let items)? = m["notes"] {
            for item in items {
                guard case .object(let note) = item, case .string(let author)? = note["author"], case .string(let text)? = note["text"],
                    case .string(let at)? = note["at"], let when = Timestamp(rfc3339: at)
                else { throw IncidentDecodingError("a note is malformed") }
                notes.append(IncidentNote(author: author, text: text, at: when))
            }
        }
        self.init(
            id: id,
            tenant: tenant,
            type: type,
            threatLevel: level,
            title: try string("title"),
            description: try string("description"),
            source: try string("source"),
            dedupKey: try string("dedup_key"),
            entities: entities,
            evidence: [],
            seenAt: try required("first_seen"),
            openedAt: try required("opened_at")
        )
        self.evidence = evidence
        self.evidenceCount = try integer("evidence_count")
        self.lastSeen = try required("last_seen")
        self.count = try integer("count")
        self.labels = labels
        restore(
            status: status,
            assignee: try optional("assignee"),
            notes: notes,
            resolution: try optional("resolution"),
            rootCause: try optional("root_cause"),
            acknowledgedAt: try time("acknowledged_at"),
            resolvedAt: try time("resolved_at"),
            slaRestartedAt: try time("sla_restarted_at"),
            escalations: m["escalations"] == nil ? 0 : try integer("escalations")
        )
    }
}

/// A stored incident document that is not one Palisade wrote.
public struct IncidentDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var description: String

    /// Creates an error.
    public init(_ description: String) {
        self.description = description
    }
}
