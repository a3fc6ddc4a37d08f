public import PalisadeCore

/// Everything the HTTP server needs to know that is not a dependency: where to listen, limits,
/// authentication settings. The `palisade` command fills it from flags, environment and file.
public struct ServerConfiguration: Sendable {
    /// The address to bind. Loopback unless `isPublic`.
    public var host: String = "127.0.0.1"
    /// The port to bind; 0 picks a free one (reported by ``PalisadeServer/onServerRunning``).
    public var port: Int = 8080
    /// Whether binding a non-loopback address was explicitly allowed (`--public`).
    public var isPublic: Bool = false
    /// TLS certificate chain and private key (PEM files); plain HTTP when `nil`.
    public var tls: TLSFiles?
    /// The tenant whose admins manage all tenants and which receives server audit events.
    public var operatorTenant: TenantID = .default
    /// Request size, count and time limits.
    public var limits = Limits()
    /// Token-bucket budgets per route class.
    public var rateLimits = RateLimits()
    /// JWT verification, when configured.
    public var jwt: JWTConfiguration?
    /// Whether `/metrics` needs a credential with the `read` scope of the operator tenant.
    public var metricsRequireAuth: Bool = false

    /// The defaults: 127.0.0.1:8080, no TLS, no JWT.
    public init() {}

    /// Whether `host` is a loopback address (or `localhost`).
    public var bindsLoopbackOnly: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// PEM files for TLS.
    public struct TLSFiles: Sendable, Hashable {
        /// The certificate chain.
        public var certificatePath: String
        /// The private key.
        public var privateKeyPath: String

        /// Creates the pair.
        public init(certificatePath: String, privateKeyPath: String) {
            self.certificatePath = certificatePath
            self.privateKeyPath = privateKeyPath
        }
    }

    /// Size, count and time limits that protect the server from large or slow clients.
    public struct Limits: Sendable, Hashable {
        /// The largest body of a single-event request. Default 64 KiB.
        public var maxEventBytes: Int = 64 * 1024
        /// The largest body of a batch request. Default 16 MiB.
        public var maxBatchBytes: Int = 16 * 1024 * 1024
        /// The most events in one batch. Default 10,000.
        public var maxBatchEvents: Int = 10_000
        /// The largest body of an admin request. Default 16 KiB.
        public var maxAdminBytes: Int = 16 * 1024
        /// Connections idle this long (no bytes read) are closed; this also ends slow-loris clients.
        /// Default 30 s.
        public var idleTimeoutSeconds: Int = 30
        /// The largest header section, in bytes. Default 32 KiB.
        public var maxHeaderBytes: Int = 32 * 1024
        /// The deepest JSON nesting accepted in a request body. Default 16.
        public var maxJSONDepth: Int = 16

        /// The defaults.
        public init() {}
    }

    /// Token-bucket budgets (requests per second and burst) for each class of route, per actor.
    public struct RateLimits: Sendable, Hashable {
        /// One budget.
        public struct Budget: Sendable, Hashable {
            /// Tokens added per second.
            public var perSecond: Double
            /// Bucket size.
            public var burst: Double

            /// Creates a budget.
            public init(perSecond: Double, burst: Double) {
                self.perSecond = perSecond
                self.burst = burst
            }
        }

        /// Whether rate limiting is on. Default `true`.
        public var enabled: Bool = true
        /// Event ingest (single and batch requests). Default 2,000/s, burst 4,000.
        public var ingest = Budget(perSecond: 2000, burst: 4000)
        /// Queries, proofs and tiles. Default 200/s, burst 400.
        public var read = Budget(perSecond: 200, burst: 400)
        /// Admin calls. Default 10/s, burst 20.
        public var admin = Budget(perSecond: 10, burst: 20)
        /// Failed authentications per client address. Default 5/s, burst 20.
        public var authFailures = Budget(perSecond: 5, burst: 20)

        /// The defaults.
        public init() {}
    }
}

/// How JWTs are verified: keys, expected issuer and audience, and which claims carry the tenant
/// and scopes.
public struct JWTConfiguration: Sendable, Hashable {
    /// A JWKS file path; reloaded when it changes.
    public var jwksFile: String?
    /// A JWKS URL; fetched at start and every `reloadIntervalSeconds`.
    public var jwksURL: String?
    /// Shared secrets for HS256/384/512, each with an optional key id.
    public var hmacSecrets: [HMACSecret] = []
    /// Algorithms accepted (`alg` header). Default all of HS256/384/512, RS256/384/512, ES256/384.
    public var algorithms: Set<String> = JWTConfiguration.supportedAlgorithms
    /// The required `iss`.
    public var issuer: String
    /// The required audience (one of `aud`).
    public var audience: String
    /// Leeway for `exp` and `nbf`, in seconds (at most 300). Default 60.
    public var leewaySeconds: Int = 60
    /// The claim holding the tenant. Default `tenant`.
    public var tenantClaim: String = "tenant"
    /// The claim holding scopes (a space-separated string or an array). Default `scope`.
    public var scopesClaim: String = "scope"
    /// How often the JWKS is checked for changes. Default 60 s.
    public var reloadIntervalSeconds: Int = 60
    /// How long the last good JWKS may be used when reloading fails; after that requests with
    /// JWTs are refused with 503 (fail closed). Default 600 s.
    public var maxStalenessSeconds: Int = 600

    /// Every algorithm Palisade verifies.
    public static let supportedAlgorithms: Set<String> = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384"]

    /// A shared HMAC secret.
    public struct HMACSecret: Sendable, Hashable {
        /// The secret bytes (at least 32).
        public var secret: [UInt8]
        /// The `kid` it answers to, or `nil` for tokens without one.
        public var keyID: String?

        /// Creates a secret.
        public init(secret: [UInt8], keyID: String? = nil) {
            self.secret = secret
            self.keyID = keyID
        }
    }

    /// Creates a configuration with the required issuer and audience.
    public init(issuer: String, audience: String) {
        self.issuer = issuer
        self.audience = audience
    }
}
