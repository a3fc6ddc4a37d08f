import Foundation
import PalisadeCore
import Testing

struct UUIDTests {
    @Test func textRoundTripsAndMatchesFoundation() {
        for _ in 0..<1000 {
            let id = UUID()
            #expect(id.lowercasedString == id.uuidString.lowercased())
            #expect(UUID(text: id.uuidString) == id)
            #expect(UUID(text: id.lowercasedString) == id)
        }
    }

    @Test(arguments: [
        "", "123e4567e89b12d3a456426614174000", "{123e4567-e89b-12d3-a456-426614174000}", "123e4567-e89b-12d3-a456-42661417400g",
        "123e4567-e89b-12d3-a456_426614174000",
    ])
    func malformedTextIsRejected(text: String) {
        #expect(UUID(text: text) == nil)
    }

    @Test func version7CarriesTimeVersionAndVariant() {
        var random = SystemRandomNumberGenerator()
        let time = Timestamp(rfc3339: "2026-11-22T20:42:15.123456Z")!
        let id = UUID.version7(at: time, using: &random)
        let bytes = withUnsafeBytes(of: id.uuid) { Array($0) }
        let milliseconds = bytes[0..<6].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        #expect(milliseconds == UInt64(time.microseconds / 1000))
        #expect(bytes[6] >> 4 == 7)
        #expect(bytes[8] >> 6 == 0b10)
        // Later ids sort after earlier ones.
        let later = UUID.version7(at: time.adding(microseconds: 1000), using: &random)
        #expect(id.lowercasedString < later.lowercasedString)
        #expect(UUID.version7(at: time, using: &random) != id)
    }
}
