/// An exponentially weighted moving mean and variance of a per-bucket total (events per hour, bytes
/// per hour), with the bucket being filled: the baseline a rate or volume detector compares the
/// current bucket with.
///
/// Buckets close when a later event arrives. Only buckets with activity enter the baseline: it
/// describes the entity *when active* ("about 20 events in an hour of work"), so that nights and
/// weekends do not make every Monday morning look like a burst.
struct EWMABaseline: Codable, Sendable, Hashable {
    /// The mean of closed buckets.
    private(set) var mean: Double = 0
    /// Their variance.
    private(set) var variance: Double = 0
    /// How many buckets have closed.
    private(set) var samples: Int = 0
    /// The bucket being filled (bucket number since the epoch), once there is one.
    private(set) var bucket: Int64?
    /// Its total so far.
    private(set) var current: Double = 0
    /// Whether the current bucket already raised an alert.
    var alerted = false

    /// Adds `value` at `bucket`, closing the buckets before it into the baseline.
    mutating func add(_ value: Double, bucket next: Int64, alpha: Double) {
        guard let bucket else {
            self.bucket = next
            current += value
            return
        }
        if next > bucket {
            close(current, alpha: alpha)
            self.bucket = next
            current = 0
            alerted = false
        } else if next < bucket {
            return  // late event of a closed bucket: the baseline has moved on
        }
        current += value
    }

    private mutating func close(_ total: Double, alpha: Double) {
        if samples == 0 {
            mean = total
            variance = 0
        } else {
            let delta = total - mean
            mean += alpha * delta
            variance = (1 - alpha) * (variance + alpha * delta * delta)
        }
        samples += 1
    }

    /// How many standard deviations the current bucket is above the mean (the deviation has a
    /// floor, so that a perfectly regular history does not make any change infinitely surprising).
    func zScore(floor: Double) -> Double {
        (current - mean) / max(variance.squareRoot(), floor)
    }
}
