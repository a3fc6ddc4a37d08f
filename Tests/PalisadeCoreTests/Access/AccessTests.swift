import PalisadeCore
import Testing

@Suite("Scopes, networks and token records")
struct AccessTests {
    @Test(arguments: [
        ("10.0.0.0/8", "10.255.1.2", true), ("10.0.0.0/8", "11.0.0.1", false), ("192.168.1.77/24", "192.168.1.1", true),
        ("0.0.0.0/0", "203.0.113.9", true), ("203.0.113.9", "203.0.113.9", true), ("203.0.113.9", "203.0.113.10", false),
        ("2001:db8::/32", "2001:db8:ffff::1", true), ("2001:db8::/32", "2001:db9::1", false), ("::1", "::1", true),
        ("10.0.0.0/8", "::ffff:10.0.0.1", false), ("2001:db8::/33", "2001:db8:8000::1", false),
    ])
    func networksContainTheirAddressesOnly(network: String, address: String, inside: Bool) throws {
        let parsed = try #require(IPNetwork(network))
        #expect(parsed.contains(try #require(IPAddress(address))) == inside)
    }

    @Test func networksAreCanonicalAndBadOnesRefused() {
        #expect(IPNetwork("192.168.1.77/24")?.description == "192.168.1.0/24")
        #expect(IPNetwork("2001:DB8::1/32")?.description == "2001:db8::/32")
        #expect(IPNetwork("10.0.0.1")?.description == "10.0.0.1/32")
        for bad in ["10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/08", "2001:db8::/129", "10.0.0/8", "", "/8", "10.0.0.0/"] {
            #expect(IPNetwork(bad) == nil, "\(bad)")
        }
    }

    @Test func ipv4MappedAddressesAreUnmapped() {
        #expect(IPAddress("::ffff:10.0.0.1")?.unmappingIPv4 == IPAddress("10.0.0.1"))
        #expect(IPAddress("2001:db8::1")?.unmappingIPv4 == IPAddress("2001:db8::1"))
        #expect(IPAddress("10.0.0.1")?.unmappingIPv4 == IPAddress("10.0.0.1"))
    }

    @Test func scopeListsParseOnlyKnownScopes() {
        #expect(Scope.parseList("ingest read") == [.ingest, .read])
        #expect(Scope.parseList("admin,read") == [.admin, .read])
        #expect(Scope.parseList("read root") == nil)
        #expect(Scope.allCases.sorted() == [.ingest, .read, .admin, .respond, .vaultAdministrator, .vaultOperator, .vaultAuditor, .vaultService])
        #expect(Scope.parseList("read,vault:service") == [.read, .vaultService] && Scope.parseList("vault:root") == nil)
    }

    @Test func aTokenRecordSaysWhyItCannotBeUsed() {
        let now = Timestamp(microseconds: 1_700_000_000_000_000)
        var record = APITokenRecord(
            id: "abcdefghijkl",
            tenant: .default,
            name: "t",
            scopes: [.read],
            secretHash: [],
            createdAt: now,
            expiresAt: Timestamp(microseconds: now.microseconds + 10),
            allowedNetworks: [IPNetwork("10.0.0.0/8")!]
        )
        #expect(record.refusal(at: now, from: IPAddress("10.1.2.3")) == nil)
        #expect(record.refusal(at: now, from: IPAddress("127.0.0.1"))?.contains("may not be used from 127.0.0.1") == true)
        #expect(record.refusal(at: now, from: nil) != nil)
        #expect(record.refusal(at: Timestamp(microseconds: now.microseconds + 10), from: IPAddress("10.1.2.3"))?.contains("expired") == true)
        record.revokedAt = now
        #expect(record.refusal(at: now, from: IPAddress("10.1.2.3")) == "the token was revoked")
    }
}
