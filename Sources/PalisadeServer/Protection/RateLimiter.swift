import Synchronization

/// Token buckets per (actor, route class): each request takes one token; tokens refill at a
/// steady rate up to the burst size. A refused request learns how long until a token is back.
public final class RateLimiter: Sendable {
    /// The classes of routes that have separate budgets.
    public enum RouteClass: String, Sendable, CaseIterable {
        /// Event ingest.
        case ingest
        /// Queries, proofs, tiles.
        case read
        /// Administration.
        case admin
        /// Failed authentications, keyed by client address.
        case authFailure = "auth_failure"
    }

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let budgets: [RouteClass: ServerConfiguration.RateLimits.Budget]
    private let enabled: Bool
    private let buckets = Mutex<[String: Bucket]>([:])
    /// Failed authentications not written to the ledger because their address was over its
    /// budget; the count goes into the next failure event written for that address.
    private let suppressed = Mutex<[String: Int]>([:])
    /// Buckets are swept when there are more than this many (full buckets carry no state).
    private let sweepThreshold = 10_000

    /// A limiter with these budgets.
    public init(_ limits: ServerConfiguration.RateLimits) {
        enabled = limits.enabled
        budgets = [.ingest: limits.ingest, .read: limits.read, .admin: limits.admin, .authFailure: limits.authFailures]
    }

    /// Takes a token for `actor` in `routeClass`.
    ///
    /// - Returns: `nil` when allowed, or the seconds to wait before the next token.
    public func take(actor: String, _ routeClass: RouteClass, now: ContinuousClock.Instant = .now) -> Int? {
        guard enabled, let budget = budgets[routeClass], budget.perSecond > 0 else { return nil }
        let key = routeClass.rawValue + "\u{0}" + actor
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: budget.burst, updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(budget.burst, bucket.tokens + seconds * budget.perSecond)
            bucket.updated = now
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                buckets[key] = bucket
                if buckets.count > sweepThreshold { Self.sweep(&buckets, budgets: budgets, now: now) }
                return nil
            }
            buckets[key] = bucket
            return max(1, Int(((1 - bucket.tokens) / budget.perSecond).rounded(.up)))
        }
    }

    /// Drops buckets that have refilled completely: they are the same as no bucket.
    private static func sweep(
        _ buckets: inout [String: Bucket],
        budgets: [RouteClass: ServerConfiguration.RateLimits.Budget],
        now: ContinuousClock.Instant
    ) {
        buckets = buckets.filter { key, bucket in
            guard let className = key.split(separator: "\u{0}", maxSplits: 1).first,
                let budget = RouteClass(rawValue: String(className)).flatMap({ budgets[$0] })
            else { return false }
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            return bucket.tokens + seconds * budget.perSecond < budget.burst
        }
    }

    /// Counts a failed authentication from `address` that was not written to the ledger.
    public func noteSuppressedFailure(from address: String) {
        suppressed.withLock { counts in
            // Bounded memory under a flood from many addresses: the per-address summaries start
            // over. Every failure is still counted in palisade_auth_failures_total.
            if counts.count > sweepThreshold { counts.removeAll() }
            counts[address, default: 0] += 1
        }
    }

    /// The failures from `address` not yet written, and resets their count.
    public func takeSuppressedFailures(from address: String) -> Int {
        suppressed.withLock { $0.removeValue(forKey: address) ?? 0 }
    }
}
