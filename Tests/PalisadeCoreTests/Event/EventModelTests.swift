import Foundation
import PalisadeCore
import PalisadeTesting
import Testing

struct EventModelTests {
    let factory = EventFactory()
    let received = Timestamp(rfc3339: "2026-11-22T12:00:00Z")!

    func validate(_ json: String) throws -> AuditEvent {
        try EventValidator().validate(EventDraft(json: JSONParser().parse(json)), tenant: .default, receivedAt: received, generatedID: UUID())
    }

    func issues(_ json: String) throws -> [String] {
        do {
            _ = try validate(json)
            return []
        } catch let error as EventValidationError {
            return error.issues.map(\.field)
        }
    }

    @Test func severitiesAreOrderedAndAliasesMapOnce() {
        #expect(Severity.allCases == [.info, .low, .medium, .high, .critical])
        #expect(Severity.info < Severity.low && Severity.low < Severity.medium && Severity.medium < Severity.high)
        #expect(Severity.high < Severity.critical)
        #expect(Severity(parsing: "debug") == .info)
        #expect(Severity(parsing: "WARNING") == .medium)
        #expect(Severity(parsing: "error") == .high)
        #expect(Severity(parsing: "Critical") == .critical)
        #expect(Severity(parsing: "fatal") == nil)
    }

    @Test func aliasesAreStoredCanonically() throws {
        let event = try validate(#"{"event_type":"security","action":"scan","severity":"warning"}"#)
        #expect(event.severity == .medium)
        #expect(String(decoding: event.canonicalEntry, as: UTF8.self).contains(#""severity":"medium""#))
    }

    @Test func eventTypesAreAnOpenSetWithWellKnownValues() {
        #expect(
            EventType.wellKnown.map(\.rawValue) == [
                "authentication", "authorization", "data_access", "configuration", "security", "llm_interaction", "key_management", "network",
                "honeypot", "agent", "system",
            ]
        )
        #expect(EventType("payments.refund") != nil)
        #expect(EventType("Payments") == nil)
        #expect(EventType("") == nil)
        #expect(EventType(String(repeating: "a", count: 65)) == nil)
    }

    @Test(arguments: [
        ("203.0.113.7", "203.0.113.7"), ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"), ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
        ("::", "::"), ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
    ])
    func addressesAreCanonicalized(input: String, canonical: String) {
        #expect(IPAddress(input)?.text == canonical)
    }

    @Test(arguments: ["256.1.1.1", "01.2.3.4", "1.2.3", "1.2.3.4/24", "fe80::1%eth0", "::g", "", " 1.2.3.4", "1.2.3.4.5"])
    func badAddressesAreRejected(input: String) {
        #expect(IPAddress(input) == nil)
    }

    @Test func validationNamesEveryBadField() throws {
        let fields = try issues(
            #"{"event_type":"X","severity":"nope","source_ip":"999.1.1.1","timestamp":"yesterday","success":"yes","metadata":[1],"extra":1,"tenant":"t","id":"nope","actor":""}"#
        )
        #expect(
            Set(fields) == ["event_type", "severity", "source_ip", "timestamp", "success", "metadata", "extra", "tenant", "id", "actor", "action"]
        )
    }

    @Test func limitsAreEnforcedPerField() throws {
        let long = String(repeating: "a", count: 257)
        #expect(try issues(#"{"event_type":"system","action":"x","actor":"\#(long)"}"#) == ["actor"])
        #expect(try issues(#"{"event_type":"system","action":"x","actor":"a\u001b[31m"}"#) == ["actor"])
        #expect(try issues(#"{"event_type":"system","action":"x","error_message":"line1\nline2"}"#) == [])
        let deep = String(repeating: #"{"a":"#, count: 9) + "1" + String(repeating: "}", count: 9)
        #expect(try issues(#"{"event_type":"system","action":"x","metadata":\#(deep)}"#) == ["metadata"])
        let big = #"{"blob":""# + String(repeating: "x", count: 33_000) + #""}"#
        #expect(try issues(#"{"event_type":"system","action":"x","metadata":\#(big)}"#) == ["metadata"])
        // U+0000 cannot be stored by PostgreSQL; an escaped backslash followed by "u0000" is fine.
        #expect(try issues(#"{"event_type":"system","action":"x","metadata":{"a":["b\u0000"]}}"#) == ["metadata"])
        #expect(try issues(#"{"event_type":"system","action":"x","metadata":{"k\u0000":1}}"#) == ["metadata"])
        #expect(try issues(#"{"event_type":"system","action":"x","metadata":{"a":"\\u0000"}}"#) == [])
    }

    @Test func timestampsAreBoundedBySkew() throws {
        #expect(try issues(#"{"event_type":"system","action":"x","timestamp":"2026-11-22T12:04:59Z"}"#) == [])
        #expect(try issues(#"{"event_type":"system","action":"x","timestamp":"2026-11-22T12:05:01Z"}"#) == ["timestamp"])
        #expect(try issues(#"{"event_type":"system","action":"x","timestamp":"2026-10-01T00:00:00Z"}"#) == ["timestamp"])
        let event = try validate(#"{"event_type":"system","action":"x"}"#)
        #expect(event.timestamp == received && event.receivedAt == received)
    }

    @Test func canonicalEntryIsRFC8785OfTheEventAndDecodesBack() throws {
        let event = factory.event(
            type: "data_access",
            severity: "high",
            actor: "bob",
            action: "export \"users\"",
            resource: "db/users",
            success: false,
            sourceIP: "2001:db8::7",
            sessionID: "s-1",
            requestID: "r-1",
            timestamp: "2026-11-22T11:59:00.5+00:00",
            metadata: .object(["rows": .number(1e21), "nested": .object(["z": .null, "a": .array([.bool(true), .string("é\u{1}")])])])
        )
        #expect(event.canonicalEntry == CanonicalJSON.encode(event.jsonValue))
        let decoded = try AuditEvent(canonicalEntry: event.canonicalEntry)
        #expect(decoded == event)
        let minimal = factory.event(actor: nil)
        #expect(minimal.canonicalEntry == CanonicalJSON.encode(minimal.jsonValue))
    }

    @Test func sameEventSameBytes() throws {
        let a = try validate(
            #"{"id":"123E4567-E89B-12D3-A456-426614174000","event_type":"system","action":"x","metadata":{"b":1.0,"a":[1e2]},"timestamp":"2026-11-22T13:00:00+01:00"}"#
        )
        let b = try validate(
            #"{"timestamp":"2026-11-22T12:00:00.000000Z","metadata":{"a":[100],"b":1},"action":"x","event_type":"system","id":"123e4567-e89b-12d3-a456-426614174000"}"#
        )
        #expect(a.canonicalEntry == b.canonicalEntry)
    }

    @Test func nonCanonicalEntriesAreRejected() throws {
        let entry = String(decoding: factory.event().canonicalEntry, as: UTF8.self)
        for bad in [
            entry.replacingOccurrences(of: "{", with: "{ "),
            entry.replacingOccurrences(of: #""severity":"info""#, with: #""severity":"debug""#),
            entry.replacingOccurrences(of: #""v":1"#, with: #""v":2"#),
            entry.replacingOccurrences(of: #""action":"login","#, with: ""),
            entry.replacingOccurrences(of: #""v":1"#, with: #""v":1,"w":1"#),
        ] {
            #expect(throws: EntryDecodingError.self, "\(bad)") { try AuditEvent(canonicalEntry: Array(bad.utf8)) }
        }
    }

    @Test func queryValidationCatchesInvertedRangesAndCapsLimits() throws {
        var query = EventQuery(tenant: .default)
        query.start = received
        query.end = received.adding(microseconds: -1)
        #expect(throws: EventValidationError.self) { try query.validated() }
        query.end = received
        #expect(try query.validated().isEmptyRange)
        query.end = nil
        query.limit = 1_000_000
        let capped = try query.validated()
        #expect(capped.limitWasCapped && capped.query.limit == EventQuery.maxLimit && capped.requestedLimit == 1_000_000)
        query.limit = 0
        #expect(throws: EventValidationError.self) { try query.validated() }
        query.limit = 10
        query.minSeverity = .high
        query.maxSeverity = .low
        #expect(throws: EventValidationError.self) { try query.validated() }
        #expect(EventCursor(token: EventCursor(timestamp: received, index: 42).token) == EventCursor(timestamp: received, index: 42))
        #expect(EventCursor(token: "garbage") == nil)
    }
}
