import Foundation
import JWTKit
public import Logging
public import PalisadeCore
public import ServiceLifecycle

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Verifies JWTs against shared HMAC secrets and a JWKS (file or URL) that it reloads without a
/// restart, and turns their claims into a ``Principal``.
///
/// HMAC and public-key tokens use separate key collections chosen by the `alg` header, so a
/// public key can never be used as an HMAC secret (the classic algorithm-confusion attack). If the
/// JWKS cannot be reloaded for longer than `maxStalenessSeconds`, or was never loaded, tokens that
/// need it are refused with 503: the check fails closed.
public actor JWTVerifier: Service {
    private let configuration: JWTConfiguration
    private let rules: JWTClaimRules
    private let clock: any WallClock
    private let logger: Logger
    private var hmacKeys: [String: JWTKeyCollection] = [:]
    private var jwksKeys: JWTKeyCollection?
    private var jwksLoadedAt: Timestamp?
    private var jwksFileStamp: (Date, Int)?
    private var lastReloadError: String?

    /// A verifier for `configuration`; call ``reload()`` (or run it as a service) to load the JWKS.
    public init(configuration: JWTConfiguration, clock: any WallClock, logger: Logger) async {
        self.configuration = configuration
        self.rules = JWTClaimRules(configuration: configuration)
        self.clock = clock
        self.logger = logger
        for (algorithm, digest) in [("HS256", DigestAlgorithm.sha256), ("HS384", .sha384), ("HS512", .sha512)]
        where configuration.algorithms.contains(algorithm) && !configuration.hmacSecrets.isEmpty {
            let keys = JWTKeyCollection()
            for secret in configuration.hmacSecrets {
                await keys.add(hmac: HMACKey(from: secret.secret), digestAlgorithm: digest, kid: secret.keyID.map { JWKIdentifier(string: $0) })
            }
            hmacKeys[algorithm] = keys
        }
    }

    /// Whether a JWKS source is configured.
    public var usesJWKS: Bool { configuration.jwksFile != nil || configuration.jwksURL != nil }

    /// `nil` when the key set is usable, otherwise why not (for `/healthz`).
    public func problem() -> String? {
        guard usesJWKS else { return nil }
        guard let loaded = jwksLoadedAt else { return "the JWKS was never loaded: \(lastReloadError ?? "not yet tried")" }
        let age = (clock.now().microseconds - loaded.microseconds) / 1_000_000
        if age > Int64(configuration.maxStalenessSeconds) {
            return "the JWKS is \(age) s old and reloading fails: \(lastReloadError ?? "unknown error")"
        }
        if let lastReloadError { return "the last JWKS reload failed (using keys \(age) s old): \(lastReloadError)" }
        return nil
    }

    /// Verifies a compact JWT and returns the principal its claims grant.
    ///
    /// - Throws: ``APIError`` 401 naming why the token is refused, or 503 when the key set cannot
    ///   be consulted.
    public func principal(for token: String) async throws -> Principal {
        let segments = try JWTSegments(token)
        guard let algorithm = segments.algorithm, configuration.algorithms.contains(algorithm) else {
            throw APIError.unauthorized("the JWT algorithm \(segments.algorithm ?? "(none)") is not accepted")
        }
        let keys: JWTKeyCollection
        if let hmac = hmacKeys[algorithm] {
            keys = hmac
        } else if algorithm.hasPrefix("HS") {
            throw APIError.unauthorized("no shared secret is configured for \(algorithm)")
        } else {
            guard usesJWKS else { throw APIError.unauthorized("no JWKS is configured for \(algorithm) tokens") }
            guard let loaded = jwksKeys, let loadedAt = jwksLoadedAt,
                (clock.now().microseconds - loadedAt.microseconds) / 1_000_000 <= Int64(configuration.maxStalenessSeconds)
            else {
                throw APIError.unavailable("the JWKS cannot be consulted (\(lastReloadError ?? "not loaded")); try again later")
            }
            keys = loaded
        }
        do {
            _ = try await keys.verify(token, as: SignatureOnly.self)
        } catch let error as JWTError {
            switch error.errorType {
            case .unknownKID, .missingKIDHeader: throw APIError.unauthorized("the JWT key id \(segments.keyID ?? "(none)") is not in the key set")
            case .signatureVerificationFailed: throw APIError.unauthorized("the JWT signature does not verify")
            default: throw APIError.unauthorized("the JWT was refused: \(error.reason ?? error.errorType.description)")
            }
        } catch {
            throw APIError.unauthorized("the JWT was refused")
        }
        return try rules.principal(from: segments.claims, now: clock.now())
    }

    /// Loads the JWKS (if configured and, for a file, changed). Failures keep the previous keys and
    /// are logged and reported by ``problem()``.
    public func reload() async {
        guard usesJWKS else { return }
        do {
            let text: String
            if let path = configuration.jwksFile {
                let attributes = try FileManager.default.attributesOfItem(atPath: path)
                let stamp = (attributes[.modificationDate] as? Date ?? .distantPast, (attributes[.size] as? Int) ?? -1)
                if let previous = jwksFileStamp, previous == stamp, jwksKeys != nil {
                    lastReloadError = nil
                    jwksLoadedAt = clock.now()
                    return
                }
                text = try String(contentsOfFile: path, encoding: .utf8)
                jwksFileStamp = stamp
            } else if let address = configuration.jwksURL, let url = URL(string: address) {
                var request = URLRequest(url: url, timeoutInterval: 10)
                request.setValue("application/json", forHTTPHeaderField: "Accept")
                let (data, response) = try await URLSession.shared.data(for: request)
                guard let http = response as? HTTPURLResponse, http.statusCode == 200 else {
                    throw APIError.unavailable("the JWKS URL answered \((response as? HTTPURLResponse)?.statusCode ?? 0)")
                }
                text = String(decoding: data, as: UTF8.self)
            } else {
                throw APIError.unavailable("the JWKS URL \(configuration.jwksURL ?? "") is not a URL")
            }
            let keys = JWTKeyCollection()
            try await keys.add(jwksJSON: text)
            jwksKeys = keys
            jwksLoadedAt = clock.now()
            lastReloadError = nil
            logger.info("loaded the JWKS", metadata: ["source": "\(configuration.jwksFile ?? configuration.jwksURL ?? "")"])
        } catch {
            lastReloadError = "\(error)"
            logger.error("cannot reload the JWKS; keeping the previous keys", metadata: ["error": "\(error)"])
        }
    }

    /// Reloads the JWKS every `reloadIntervalSeconds` until shutdown.
    public func run() async throws {
        guard usesJWKS else { return }
        await reload()
        let interval = max(configuration.reloadIntervalSeconds, 1)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await Task.sleep(for: .seconds(interval))
            } catch {
                return  // Cancelled: the service group is stopping.
            }
            await reload()
        }
    }
}
