import PalisadeCore
import Testing

@Suite("Event queries from parameters")
struct EventQueryParameterTests {
    @Test func everyFilterRoundTripsThroughItsParameters() throws {
        var query = EventQuery(tenant: .default)
        query.start = Timestamp(rfc3339: "2026-11-01T00:00:00Z")
        query.end = Timestamp(rfc3339: "2026-11-02T00:00:00Z")
        query.eventTypes = [.authentication, .network]
        query.minSeverity = .low
        query.maxSeverity = .high
        query.actor = "alice & bob"
        query.resource = "doc/1"
        query.success = false
        query.sourceIP = IPAddress("2001:db8::1")
        query.sessionID = "s"
        query.requestID = "r"
        query.actionContains = "log"
        query.order = .oldestFirst
        query.limit = 7
        query.cursor = EventCursor(timestamp: Timestamp(microseconds: 5), index: 9)
        let parsed = try EventQuery(tenant: .default, parameters: query.parameters)
        #expect(parsed == query)
    }

    @Test func everyBadParameterIsNamed() {
        do {
            _ = try EventQuery(
                tenant: .default,
                parameters: [("since", "yesterday"), ("success", "maybe"), ("limit", "0"), ("colour", "red"), ("actor", "a"), ("actor", "b")]
            )
            Issue.record("accepted bad parameters")
        } catch {
            #expect(Set(error.issues.map(\.field)) == ["since", "success", "limit", "colour", "actor"])
        }
    }

    @Test func typesMayBeRepeatedOrCommaSeparated() throws {
        let query = try EventQuery(tenant: .default, parameters: [("type", "authentication,network"), ("type", "honeypot")])
        #expect(query.eventTypes == [.authentication, .network, .honeypot])
    }
}
