/// `host:port` as flags and settings give an address to listen on (`127.0.0.1:8080`, `[::1]:22`,
/// `0.0.0.0:0`): the host without IPv6 brackets, the port in 0…65535.
struct HostAndPort: Equatable {
    var host: String
    var port: Int

    /// Parses `text`; nil unless it ends in `:PORT` with a valid port.
    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else {
            return nil
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host
        self.port = port
    }
}

extension ServeSettings {
    /// The address setting `key`, or `fallback` when unset.
    ///
    /// - Throws: ``CLIError`` naming the setting and an `example` when it is not host:port.
    func address(_ key: String, fallback: String? = nil, example: String) throws -> HostAndPort? {
        guard let text = string(key) ?? fallback else { return nil }
        guard let address = HostAndPort(text) else { throw CLIError("\(describe(key)) must be host:port, such as \(example)") }
        return address
    }
}
