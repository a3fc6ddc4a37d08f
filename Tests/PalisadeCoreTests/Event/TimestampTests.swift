import PalisadeCore
import Testing

struct TimestampTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", Int64(0), "1970-01-01T00:00:00.000000Z"),
        ("2026-11-22T20:42:15.123Z", Int64(1_795_380_135_123_000), "2026-11-22T20:42:15.123000Z"),
        ("2026-11-22T21:42:15.1234567+01:00", Int64(1_795_380_135_123_456), "2026-11-22T20:42:15.123456Z"),
        ("1969-12-31T23:59:59.999999z", Int64(-1), "1969-12-31T23:59:59.999999Z"),
        ("2024-02-29t12:00:00-05:30", Int64(1_709_227_800_000_000), "2024-02-29T17:30:00.000000Z"),
        ("0001-01-01T00:00:00Z", Int64(-62_135_596_800_000_000), "0001-01-01T00:00:00.000000Z"),
        ("9999-12-31T23:59:59.999999Z", Int64(253_402_300_799_999_999), "9999-12-31T23:59:59.999999Z"),
    ])
    func parsesAndFormatsRFC3339(text: String, micros: Int64, canonical: String) throws {
        let timestamp = try #require(Timestamp(rfc3339: text))
        #expect(timestamp.microseconds == micros)
        #expect(timestamp.rfc3339 == canonical)
        #expect(Timestamp(rfc3339: canonical) == timestamp)
    }

    @Test(arguments: [
        "2026-11-22", "2026-11-22 20:42:15Z", "2026-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2026-11-22T24:00:00Z",
        "2026-11-22T23:59:60Z", "2026-11-22T20:42:15", "2026-11-22T20:42:15.Z", "2026-11-22T20:42:15+0100", "2026-11-22T20:42:15Z ",
        "0000-01-01T00:00:00Z", "１９７０-01-01T00:00:00Z", "2026-11-22T20:42:15+24:00",
    ])
    func rejectsWhatIsNotRFC3339(text: String) {
        #expect(Timestamp(rfc3339: text) == nil)
    }

    @Test func everyDayOfFourCenturiesRoundTrips() {
        var day = Timestamp(rfc3339: "1900-01-01T00:00:00Z")!
        for _ in 0..<(400 * 366) {
            #expect(Timestamp(rfc3339: day.rfc3339) == day)
            day = day.adding(microseconds: 86_400_000_000 + 1_234)
        }
    }
}
