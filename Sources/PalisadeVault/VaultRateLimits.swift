import Synchronization

/// Token buckets for vault calls, per actor and per key, with a weight per call (the original
/// design's API-method weights): a call takes its weight from both the caller's and the key's
/// bucket, or from neither. Refused calls learn how long to wait.
public final class VaultRateLimits: Sendable {
    /// Budgets: tokens per second (0 turns a limit off) and the burst a bucket holds.
    public struct Limits: Hashable, Sendable {
        /// Each actor's refill rate and burst.
        public var perActor: Double
        /// The actor bucket's size.
        public var actorBurst: Double
        /// Each key's refill rate and burst (across all its callers).
        public var perKey: Double
        /// The key bucket's size.
        public var keyBurst: Double

        /// Limits; by default 1,000 tokens a second per actor and 5,000 per key, bursts of twice that.
        public init(perActor: Double = 1_000, actorBurst: Double? = nil, perKey: Double = 5_000, keyBurst: Double? = nil) {
            self.perActor = perActor
            self.actorBurst = actorBurst ?? perActor * 2
            self.perKey = perKey
            self.keyBurst = keyBurst ?? perKey * 2
        }
    }

    /// What a call costs: cheap symmetric operations 1, signatures 2 (RSA 10: its private-key
    /// operation costs about a hundred times an Ed25519 signature), key management 10.
    public static func weight(of action: String, type: KeyType) -> Double {
        switch action {
        case "crypto.encrypt", "crypto.decrypt", "crypto.hmac", "crypto.verify-hmac", "crypto.verify": 1
        case "crypto.rewrap": 2
        case "crypto.sign": type == .rsa3072 || type == .rsa4096 ? 10 : 2
        default: 10
        }
    }

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let limits: Limits
    private let buckets = Mutex<[String: Bucket]>([:])
    /// Full buckets carry no state; past this many, they are dropped.
    private let sweepThreshold = 10_000

    /// Limits for these budgets.
    public init(_ limits: Limits) {
        self.limits = limits
    }

    /// Takes `weight` tokens for `actor` and for the key, or none.
    ///
    /// - Returns: nil when allowed, else the whole seconds until both buckets hold enough.
    public func take(_ weight: Double, actor: String, key: String, now: ContinuousClock.Instant = .now) -> Int? {
        buckets.withLock { buckets in
            var waits = [Double]()
            var updated = [(String, Bucket)]()
            for (name, rate, burst) in [("a\u{0}" + actor, limits.perActor, limits.actorBurst), ("k\u{0}" + key, limits.perKey, limits.keyBurst)]
            where rate > 0 {
                var bucket = buckets[name] ?? Bucket(tokens: burst, updated: now)
                bucket.tokens = min(burst, bucket.tokens + Self.seconds(now - bucket.updated) * rate)
                bucket.updated = now
                if bucket.tokens < min(weight, burst) { waits.append((min(weight, burst) - bucket.tokens) / rate) }
                updated.append((name, bucket))
            }
            guard waits.isEmpty else {
                for (name, bucket) in updated { buckets[name] = bucket }
                return max(1, Int((waits.max() ?? 1).rounded(.up)))
            }
            for (name, var bucket) in updated {
                bucket.tokens -= weight
                buckets[name] = bucket
            }
            if buckets.count > sweepThreshold { sweep(&buckets, now: now) }
            return nil
        }
    }

    private func sweep(_ buckets: inout [String: Bucket], now: ContinuousClock.Instant) {
        buckets = buckets.filter { name, bucket in
            let (rate, burst) = name.hasPrefix("a") ? (limits.perActor, limits.actorBurst) : (limits.perKey, limits.keyBurst)
            return bucket.tokens + Self.seconds(now - bucket.updated) * rate < burst
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
