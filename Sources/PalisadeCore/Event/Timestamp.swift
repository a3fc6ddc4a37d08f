/// An instant in UTC with microsecond precision, and its RFC 3339 text form.
///
/// Stored as microseconds since 1970-01-01T00:00:00Z, so it sorts and compares as an integer. The
/// canonical text is `YYYY-MM-DDTHH:MM:SS.ffffffZ` (always six fraction digits, always UTC), so an
/// instant has one spelling in the ledger whatever offset it arrived with.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Microseconds since the Unix epoch (negative before it).
    public var microseconds: Int64

    /// The earliest accepted instant, 0001-01-01T00:00:00Z.
    public static let minimum = Timestamp(microseconds: -62_135_596_800_000_000)
    /// The latest accepted instant, 9999-12-31T23:59:59.999999Z.
    public static let maximum = Timestamp(microseconds: 253_402_300_799_999_999)

    /// Creates a timestamp.
    public init(microseconds: Int64) {
        self.microseconds = microseconds
    }

    /// Orders by instant.
    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.microseconds < rhs.microseconds }

    /// Adds a duration in microseconds.
    public func adding(microseconds delta: Int64) -> Timestamp { Timestamp(microseconds: microseconds + delta) }

    /// The canonical RFC 3339 text.
    public var description: String { rfc3339 }

    /// The canonical RFC 3339 text: `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    public var rfc3339: String {
        let (days, inDay) = microseconds.floorDivided(by: 86_400_000_000)
        let (year, month, day) = Self.civil(fromDays: days)
        let seconds = inDay / 1_000_000
        let fields: [(Int64, Int, UInt8)] = [
            (year, 4, UInt8(ascii: "-")), (month, 2, UInt8(ascii: "-")), (day, 2, UInt8(ascii: "T")), (seconds / 3600, 2, UInt8(ascii: ":")),
            (seconds / 60 % 60, 2, UInt8(ascii: ":")), (seconds % 60, 2, UInt8(ascii: ".")), (inDay % 1_000_000, 6, UInt8(ascii: "Z")),
        ]
        // Digits written straight into the string's storage: this runs twice per appended event.
        return String(unsafeUninitializedCapacity: 27) { buffer in
            var position = 0
            for (value, width, separator) in fields {
                var rest = value
                for offset in stride(from: width - 1, through: 0, by: -1) {
                    buffer[position + offset] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
                buffer[position + width] = separator
                position += width + 1
            }
            return position
        }
    }

    /// Parses RFC 3339 `date-time` (§5.6): `T` or `t` between date and time, `Z`, `z` or `±HH:MM`.
    ///
    /// Fractions finer than a microsecond are truncated; leap seconds (`:60`) are rejected.
    /// - Returns: `nil` when the text is not a valid RFC 3339 date-time between years 1 and 9999.
    public init?(rfc3339 text: String) {
        let b = Array(text.utf8)
        func digits(_ start: Int, _ count: Int) -> Int64? {
            guard start + count <= b.count else { return nil }
            var value: Int64 = 0
            for index in start..<(start + count) {
                let char = b[index]
                guard char >= 48 && char <= 57 else { return nil }
                value = value * 10 + Int64(char - 48)
            }
            return value
        }
        guard b.count >= 20, let year = digits(0, 4), b[4] == 45, let month = digits(5, 2), b[7] == 45, let day = digits(8, 2),
            b[10] == 84 || b[10] == 116, let hour = digits(11, 2), b[13] == 58, let minute = digits(14, 2), b[16] == 58,
            let second = digits(17, 2)
        else { return nil }
        guard year >= 1, (1...12).contains(month), day >= 1, day <= Self.daysIn(month: month, year: year), hour <= 23, minute <= 59,
            second <= 59
        else { return nil }
        var position = 19
        var fraction: Int64 = 0
        if b[position] == 46 {  // "."
            position += 1
            var count = 0
            while position < b.count, b[position] >= 48, b[position] <= 57 {
                if count < 6 { fraction = fraction * 10 + Int64(b[position] - 48) }
                count += 1
                position += 1
            }
            guard count > 0 else { return nil }
            for _ in min(count, 6)..<6 { fraction *= 10 }
        }
        guard position < b.count else { return nil }
        var offsetMinutes: Int64 = 0
        switch b[position] {
        case 90, 122:  // "Z", "z"
            position += 1
        case 43, 45:  // "+", "-"
            guard let offsetHour = digits(position + 1, 2), position + 3 < b.count, b[position + 3] == 58,
                let offsetMinute = digits(position + 4, 2), offsetHour <= 23, offsetMinute <= 59
            else { return nil }
            offsetMinutes = (offsetHour * 60 + offsetMinute) * (b[position] == 45 ? -1 : 1)
            position += 6
        default:
            return nil
        }
        guard position == b.count else { return nil }
        let days = Self.days(fromCivil: year, month, day)
        let local = ((days * 24 + hour) * 60 + minute) * 60 + second
        let value = Timestamp(microseconds: (local - offsetMinutes * 60) * 1_000_000 + fraction)
        guard value >= .minimum, value <= .maximum else { return nil }
        self = value
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant, "chrono-compatible
    // low-level date algorithms", days_from_civil).
    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    // The inverse (civil_from_days).
    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension Int64 {
    /// Floor division and the non-negative remainder.
    fileprivate func floorDivided(by divisor: Int64) -> (Int64, Int64) {
        let quotient = self / divisor
        let remainder = self % divisor
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }
}
