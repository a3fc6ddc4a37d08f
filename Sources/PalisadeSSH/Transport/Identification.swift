/// The identification line each side sends first (RFC 4253 §4.2): `SSH-protoversion-softwareversion
/// [SP comments] CR LF`, at most 255 bytes with the CR LF.
public struct Identification: Hashable, Sendable, CustomStringConvertible {
    /// `2.0`, or `1.99` (a client that also speaks SSH-1 accepts 2.0).
    public var protocolVersion: String
    /// `OpenSSH_9.2p1`.
    public var softwareVersion: String
    /// `Debian-2+deb12u10`, when present.
    public var comments: String?

    /// The longest line, CR LF included.
    public static let maxLength = 255

    /// Creates an identification.
    public init(protocolVersion: String = "2.0", softwareVersion: String, comments: String? = nil) {
        self.protocolVersion = protocolVersion
        self.softwareVersion = softwareVersion
        self.comments = comments
    }

    /// The line without CR LF.
    public var description: String {
        "SSH-\(protocolVersion)-\(softwareVersion)" + (comments.map { " \($0)" } ?? "")
    }

    /// The line as sent, with CR LF.
    public var line: [UInt8] { Array((description + "\r\n").utf8) }

    /// Reads a peer's line (without its line end; a lone LF is accepted, as OpenSSH does).
    ///
    /// - Throws: ``SSHWireError`` for a line that is not an SSH-2 identification.
    public init(parsing raw: [UInt8]) throws(SSHWireError) {
        var line = raw
        if line.last == 0x0D { line.removeLast() }
        guard line.count + 2 <= Self.maxLength else { throw SSHWireError(.protocolError, "the identification line is over 255 bytes") }
        guard line.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
            throw SSHWireError(.protocolError, "the identification line holds a byte that is not printable US-ASCII")
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("SSH-") else { throw SSHWireError(.protocolError, "not an SSH identification line") }
        let rest = text.dropFirst(4)
        guard let dash = rest.firstIndex(of: "-") else { throw SSHWireError(.protocolError, "the identification line has no software version") }
        let version = String(rest[..<dash])
        guard version == "2.0" || version == "1.99" else {
            throw SSHWireError(.protocolVersionNotSupported, "protocol version \(version) is not SSH-2")
        }
        let software = rest[rest.index(after: dash)...]
        let parts = software.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
        guard let name = parts.first, !name.isEmpty else { throw SSHWireError(.protocolError, "the software version is empty") }
        self.init(protocolVersion: version, softwareVersion: String(name), comments: parts.count > 1 ? String(parts[1]) : nil)
    }
}
