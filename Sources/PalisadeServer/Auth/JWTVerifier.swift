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
    private var jwksKeys: [String: KeySet]?
    private var jwksLoadedAt: Timestamp?
    private var jwksFileStamp: (Date, Int)?
    private var lastReloadError: String?

    /// The JWKS keys usable with one algorithm, with the algorithm pinned on each key.
    ///
    /// jwt-kit pins a key without `alg` to the first algorithm it sees and falls back to a default
    /// key for an unknown `kid`; one collection per algorithm and an explicit `kid` check avoid both.
    private struct KeySet {
        let collection: JWTKeyCollection
        let keyIDs: Set<String>
        let count: Int
    }

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
            guard let set = loaded[algorithm] else { throw APIError.unauthorized("the key set has no key for \(algorithm)") }
            if let keyID = segments.keyID {
                guard set.keyIDs.contains(keyID) else { throw APIError.unauthorized("the JWT key id \(keyID) is not in the key set") }
            } else {
                guard set.count == 1 else { throw APIError.unauthorized("the JWT has no key id (kid) and the key set has several keys") }
            }
            keys = set.collection
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
            jwksKeys = try await Self.keySets(fromJWKS: text, algorithms: configuration.algorithms)
            jwksLoadedAt = clock.now()
            lastReloadError = nil
            logger.info("loaded the JWKS", metadata: ["source": "\(configuration.jwksFile ?? configuration.jwksURL ?? "")"])
        } catch {
            lastReloadError = "\(error)"
            logger.error("cannot reload the JWKS; keeping the previous keys", metadata: ["error": "\(error)"])
        }
    }

    /// Splits a JWKS into one key collection per accepted algorithm (RSA keys for RS*, P-256 for
    /// ES256, P-384 for ES384), each key pinned to that algorithm unless it names another.
    private static func keySets(fromJWKS text: String, algorithms: Set<String>) async throws -> [String: KeySet] {
        guard case .object(let root) = try JSONParser(limits: .init(maxBytes: 1 << 20, maxDepth: 8)).parse(text),
            case .array(let keys) = root["keys"]
        else { throw APIError.unavailable("the JWKS is not an object with a keys array") }
        var sets: [String: KeySet] = [:]
        for algorithm in algorithms where !algorithm.hasPrefix("HS") {
            var selected: [JSONValue] = []
            var keyIDs: Set<String> = []
            for case .object(var key) in keys {
                if let use = key["use"], use != .string("sig") { continue }
                if let declared = key["alg"], declared != .string(algorithm) { continue }
                let fits: Bool =
                    switch algorithm {
                    case "ES256": key["kty"] == .string("EC") && key["crv"] == .string("P-256")
                    case "ES384": key["kty"] == .string("EC") && key["crv"] == .string("P-384")
                    default: key["kty"] == .string("RSA")
                    }
                guard fits else { continue }
                key["alg"] = .string(algorithm)
                if case .string(let keyID) = key["kid"] { keyIDs.insert(keyID) }
                selected.append(.object(key))
            }
            guard !selected.isEmpty else { continue }
            let collection = JWTKeyCollection()
            try await collection.add(jwksJSON: String(decoding: CanonicalJSON.encode(.object(["keys": .array(selected)])), as: UTF8.self))
            sets[algorithm] = KeySet(collection: collection, keyIDs: keyIDs, count: selected.count)
        }
        return sets
    }

    /// Reloads the JWKS every `reloadIntervalSeconds` until shutdown.
    public func run() async throws {
        guard usesJWKS else { return }
        await reload()
        let interval = max(configuration.reloadIntervalSeconds, 1)
        // Graceful shutdown cancels the sleep; the loop then ends.
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(interval))
                await self.reload()
            }
        }
    }
}
