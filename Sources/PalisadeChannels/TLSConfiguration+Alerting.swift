import NIOSSL

extension TLSConfiguration {
    /// The client TLS of every channel: TLS 1.2 or later, the system's trust roots and, when given,
    /// a PEM file of further CAs (a private SMTP relay, syslog collector or webhook).
    static func alertingClient(extraTrustRootsFile: String?) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if let extraTrustRootsFile { tls.additionalTrustRoots = [.file(extraTrustRootsFile)] }
        return tls
    }
}
