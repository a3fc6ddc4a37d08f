/// Who is logged in, from the utmp file (/run/utmp): the USER_PROCESS records of glibc's
/// `struct utmp` on Linux (384 bytes: type, pid, line, id, user, host, …). A user that appears is
/// a security signal.
public struct LoggedInUser: Hashable, Sendable, Comparable {
    /// The login name.
    public let user: String
    /// The terminal (`pts/0`).
    public let line: String
    /// Where from (a host name or address; empty for a local login).
    public let host: String
    /// The login time, seconds since the epoch.
    public let loginSeconds: Int64

    /// A logged-in user.
    public init(user: String, line: String, host: String, loginSeconds: Int64) {
        self.user = user
        self.line = line
        self.host = host
        self.loginSeconds = loginSeconds
    }

    /// Orders by user, then terminal.
    public static func < (lhs: LoggedInUser, rhs: LoggedInUser) -> Bool { (lhs.user, lhs.line) < (rhs.user, rhs.line) }

    /// glibc's record size on Linux (x86-64 and aarch64 alike).
    static let recordSize = 384
    /// `ut_type` of a logged-in user.
    static let userProcess: Int16 = 7

    /// The logged-in users of a utmp file's bytes; a trailing partial record is ignored.
    public static func parse(utmp bytes: [UInt8]) -> [LoggedInUser] {
        var users = [LoggedInUser]()
        var offset = 0
        while offset + recordSize <= bytes.count {
            let record = bytes[offset..<(offset + recordSize)]
            offset += recordSize
            guard Int16(littleEndianBytes: record, at: 0) == userProcess else { continue }
            let user = text(record, from: 44, length: 32)
            guard !user.isEmpty else { continue }
            users.append(
                LoggedInUser(
                    user: user,
                    line: text(record, from: 8, length: 32),
                    host: text(record, from: 76, length: 256),
                    loginSeconds: Int64(Int32(littleEndianBytes: record, at: 340))
                )
            )
        }
        return users.sorted()
    }

    /// A NUL-padded field as text.
    private static func text(_ record: ArraySlice<UInt8>, from start: Int, length: Int) -> String {
        let field = record[(record.startIndex + start)..<(record.startIndex + start + length)]
        return String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
    }
}

extension FixedWidthInteger {
    /// The little-endian integer at `offset` of `bytes`.
    init(littleEndianBytes bytes: ArraySlice<UInt8>, at offset: Int) {
        var value: Self = 0
        for index in 0..<(Self.bitWidth / 8) {
            value |= Self(truncatingIfNeeded: bytes[bytes.startIndex + offset + index]) << (8 * index)
        }
        self = value
    }
}
