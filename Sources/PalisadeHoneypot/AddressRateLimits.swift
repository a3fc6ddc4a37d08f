/// Per-source-address limits on new connections and authentication attempts, as token buckets
/// (original defaults: 10 connections a minute, 100 attempts an hour). Pure: the caller passes the
/// time. Memory is bounded: past `maxAddresses`, addresses whose buckets have refilled are
/// forgotten (a full bucket is the same as a new one); if none have, the oldest-seen is.
public struct AddressRateLimits: Sendable {
    /// Limits; 0 turns one off.
    public struct Limits: Sendable, Equatable {
        /// New connections per address per minute.
        public var connectionsPerMinute: Int
        /// Authentication attempts (not `none`) per address per hour.
        public var attemptsPerHour: Int

        /// Limits.
        public init(connectionsPerMinute: Int = 10, attemptsPerHour: Int = 100) {
            self.connectionsPerMinute = connectionsPerMinute
            self.attemptsPerHour = attemptsPerHour
        }

        /// No limits.
        public static let off = Limits(connectionsPerMinute: 0, attemptsPerHour: 0)
    }

    private struct Bucket {
        var tokens: Double
        var updated: Double

        mutating func take(capacity: Int, per seconds: Double, now: Double) -> Bool {
            guard capacity > 0 else { return true }
            tokens = min(Double(capacity), tokens + (now - updated) * Double(capacity) / seconds)
            updated = now
            guard tokens >= 1 else { return false }
            tokens -= 1
            return true
        }

        func isFull(capacity: Int, per seconds: Double, now: Double) -> Bool {
            capacity == 0 || tokens + (now - updated) * Double(capacity) / seconds >= Double(capacity)
        }
    }

    private struct Entry {
        var connections: Bucket
        var attempts: Bucket
        var firstSeen: Double
    }

    /// The limits applied.
    public let limits: Limits
    /// Addresses tracked at most.
    public let maxAddresses: Int
    private var entries: [String: Entry] = [:]

    /// Limits over at most `maxAddresses` addresses at once.
    public init(limits: Limits, maxAddresses: Int = 65_536) {
        self.limits = limits
        self.maxAddresses = maxAddresses
    }

    /// Addresses tracked now.
    public var trackedAddresses: Int { entries.count }

    /// Takes a connection from `address`'s allowance at `now` (seconds); false: over the limit.
    public mutating func admitConnection(from address: String, now: Double) -> Bool {
        let capacity = limits.connectionsPerMinute
        return update(address, now: now) { $0.connections.take(capacity: capacity, per: 60, now: now) }
    }

    /// Takes an authentication attempt from `address`'s allowance; false: over the limit.
    public mutating func admitAttempt(from address: String, now: Double) -> Bool {
        let capacity = limits.attemptsPerHour
        return update(address, now: now) { $0.attempts.take(capacity: capacity, per: 3_600, now: now) }
    }

    private mutating func update(_ address: String, now: Double, _ change: (inout Entry) -> Bool) -> Bool {
        var entry: Entry
        if let known = entries[address] {
            entry = known
        } else {
            if entries.count >= maxAddresses { evict(now: now) }
            let connections = Bucket(tokens: Double(limits.connectionsPerMinute), updated: now)
            let attempts = Bucket(tokens: Double(limits.attemptsPerHour), updated: now)
            entry = Entry(connections: connections, attempts: attempts, firstSeen: now)
        }
        let admitted = change(&entry)
        entries[address] = entry
        return admitted
    }

    private mutating func evict(now: Double) {
        entries = entries.filter { _, entry in
            !(entry.connections.isFull(capacity: limits.connectionsPerMinute, per: 60, now: now)
                && entry.attempts.isFull(capacity: limits.attemptsPerHour, per: 3_600, now: now))
        }
        if entries.count >= maxAddresses, let oldest = entries.min(by: { $0.value.firstSeen < $1.value.firstSeen })?.key {
            entries[oldest] = nil
        }
    }
}
