import Foundation
import PalisadeAlerting
import PalisadeCore
import Testing

/// Alertmanager's routing semantics: matchers, the first matching child unless it continues,
/// inherited defaults at the root, and group labels.
struct RoutingTests {
    static func labels(_ level: String, type: String = "brute_force_attack", tenant: String = "acme") -> [String: String] {
        ["tenant": tenant, "incident_type": type, "threat_level": level, "entity": "actor=alice"]
    }

    @Test func matchersParseAndMatchWholeValues() throws {
        let regex = try Matcher(parsing: "threat_level=~high|critical")
        #expect(regex.matches(Self.labels("critical")) && !regex.matches(Self.labels("medium")))
        #expect(!(try Matcher(parsing: "threat_level=~hig")).matches(Self.labels("high")), "regular expressions are anchored")
        #expect(try Matcher(parsing: #"tenant!="acme""#).matches(Self.labels("low", tenant: "globex")))
        #expect(try Matcher(parsing: "missing=").matches(Self.labels("low")), "an absent label is the empty string")
        #expect(try Matcher(parsing: "type!~brute.*").matches(Self.labels("low")))
        #expect(throws: AlertingError.self) { try Matcher(parsing: "level") }
        #expect(throws: AlertingError.self) { try Matcher(parsing: "level=~(") }
        #expect(throws: AlertingError.self) { try Matcher(parsing: "le vel=x") }
    }

    @Test func theFirstMatchingChildTakesTheAlertUnlessItContinues() throws {
        let root = Route(
            receiver: "default",
            routes: [
                Route(receiver: "pager", matchers: [try Matcher(parsing: "threat_level=critical")], continues: true),
                Route(receiver: "security-chat", matchers: [try Matcher(parsing: "threat_level=~high|critical")]),
                Route(receiver: "never", matchers: [try Matcher(parsing: "threat_level=~high|critical")]),
                Route(
                    receiver: "acme-team",
                    matchers: [try Matcher(parsing: "tenant=acme")],
                    routes: [Route(receiver: "acme-stuffing", matchers: [try Matcher(parsing: "incident_type=credential_stuffing")])]
                ),
            ]
        )
        #expect(root.matches(Self.labels("critical")).map(\.route.receiver) == ["pager", "security-chat"])
        #expect(root.matches(Self.labels("high")).map(\.route.receiver) == ["security-chat"])
        #expect(root.matches(Self.labels("low")).map(\.route.receiver) == ["acme-team"], "no child of acme-team matched: the node itself")
        #expect(root.matches(Self.labels("low", type: "credential_stuffing")).map(\.route.receiver) == ["acme-stuffing"])
        #expect(root.matches(Self.labels("low", tenant: "globex")).map(\.route.receiver) == ["default"])
        #expect(root.matches(Self.labels("critical")).map(\.path) == ["0.0", "0.1"])
        #expect(root.groupLabels(Self.labels("low")) == ["tenant": "acme", "incident_type": "brute_force_attack"])
    }

    @Test func alertsComeFromIncidentRecords() throws {
        var incident = Incident(
            id: UUID(),
            tenant: .default,
            type: .bruteForceAttack,
            threatLevel: .high,
            title: "Brute force against alice",
            description: "",
            source: "auth.brute_force.actor",
            dedupKey: "auth.brute_force.actor|actor=alice",
            entities: IncidentEntities(),
            evidence: [1],
            seenAt: Timestamp(microseconds: 0),
            openedAt: Timestamp(microseconds: 10)
        )
        let opened = IncidentRecord(incident: incident, change: .opened, actor: "palisade-detection", alert: true)
        let alert = try #require(Alert(incidentRecord: opened.event(id: UUID(), at: Timestamp(microseconds: 20))))
        #expect(alert.isFiring && alert.fingerprint == incident.id.lowercasedString && alert.labels["entity"] == "actor=alice")
        #expect(
            alert.labels["threat_level"] == "high" && alert.labels["rule"] == "auth.brute_force.actor"
                && alert.annotations["title"] == "Brute force against alice"
        )
        try incident.apply(.resolve(resolution: "blocked", rootCause: nil), by: "oncall", at: Timestamp(microseconds: 30))
        let resolved = IncidentRecord(
            incident: incident,
            change: .transition(.resolve(resolution: "blocked", rootCause: nil)),
            actor: "oncall",
            alert: true
        )
        #expect(Alert(incidentRecord: resolved.event(id: UUID(), at: Timestamp(microseconds: 40)))?.isFiring == false)
    }
}
