import Foundation

/// A parsed `postgres://` connection URL (libpq's URI form, the parts Palisade supports).
///
/// `postgres://user:password@host:port/database?sslmode=require&sslrootcert=/path/ca.pem`
///
/// - `user` and `password` are percent-decoded; the default port is 5432 and the default database
///   the user's name.
/// - `sslmode` is `disable`, `prefer` (the default, as in libpq), `require` (encrypted, any
///   certificate) or `verify-full` (encrypted, certificate checked against the system roots or
///   `sslrootcert`, and against the host name).
/// - `host=/run/postgresql` in the query string connects over a Unix socket directory instead.
///
/// ``description`` never shows the password.
public struct PostgresURL: Hashable, Sendable, CustomStringConvertible {
    /// How the connection is encrypted.
    public enum TLSMode: String, Hashable, Sendable, CaseIterable {
        /// Plain TCP.
        case disable
        /// TLS if the server offers it.
        case prefer
        /// TLS required; the certificate is not checked.
        case require
        /// TLS required; the certificate chain and host name are checked.
        case verifyFull = "verify-full"
    }

    /// The user name.
    public var user: String
    /// The password, if any.
    public var password: String?
    /// The host name or address (TCP), when not connecting over a Unix socket.
    public var host: String
    /// The TCP port.
    public var port: Int
    /// The Unix socket directory, when given as `?host=/dir`.
    public var socketDirectory: String?
    /// The database name.
    public var database: String
    /// TLS mode.
    public var tlsMode: TLSMode
    /// A PEM file of trusted roots for `verify-full`.
    public var rootCertificatePath: String?

    /// Parses a URL.
    ///
    /// - Throws: ``PostgresURLError`` naming the part that is wrong.
    public init(_ text: String) throws(PostgresURLError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme,
            scheme == "postgres" || scheme == "postgresql"
        else {
            throw PostgresURLError("must look like postgres://user:password@host:5432/database")
        }
        guard let user = components.percentEncodedUser.flatMap({ $0.removingPercentEncoding }), !user.isEmpty else {
            throw PostgresURLError("has no user name (postgres://USER@host/database)")
        }
        self.user = user
        self.password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        self.host = components.host ?? ""
        self.port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw PostgresURLError("has port \(port), which is not 1-65535") }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.database = path.isEmpty ? user : path
        self.tlsMode = .prefer
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else {
                    throw PostgresURLError("has sslmode=\(value); use one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                tlsMode = mode
            case "sslrootcert":
                rootCertificatePath = value
            case "host":
                guard value.hasPrefix("/") else { throw PostgresURLError("has host=\(value); only a Unix socket directory (/path) goes there") }
                socketDirectory = value
            case "application_name", "connect_timeout":
                continue
            default:
                throw PostgresURLError("has the parameter \(item.name), which Palisade does not support (sslmode, sslrootcert, host)")
            }
        }
        guard !host.isEmpty || socketDirectory != nil else {
            throw PostgresURLError("has no host (postgres://user@HOST/database or ?host=/socket/dir)")
        }
    }

    /// The URL with the password replaced by `***`.
    public var description: String {
        var text = "postgres://\(user)\(password == nil ? "" : ":***")@"
        text += host.contains(":") ? "[\(host)]" : host
        text += ":\(port)/\(database)?sslmode=\(tlsMode.rawValue)"
        if let socketDirectory { text += "&host=\(socketDirectory)" }
        return text
    }

    /// Whether a text looks like a PostgreSQL URL (it may still fail to parse).
    public static func looksLikeURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }
}

/// Why a `postgres://` URL was refused.
public struct PostgresURLError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong, completing "the database URL …".
    public let reason: String

    init(_ reason: String) { self.reason = reason }

    /// `the database URL <reason>`.
    public var description: String { "the database URL \(reason)" }
}
