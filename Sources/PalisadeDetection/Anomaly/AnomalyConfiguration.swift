public import PalisadeCore

/// How the statistical detectors learn and when they speak. The defaults favour precision: they
/// need weeks of history before they alert, a large deviation, an absolute floor, and they stay
/// quiet for a cool-down after alerting about an entity.
public struct AnomalyConfiguration: Sendable {
    /// The length of a rate or volume bucket, seconds.
    public var bucketSeconds: Int64 = 3_600
    /// The EWMA weight of the newest bucket.
    public var alpha: Double = 0.05
    /// How many standard deviations above the mean a bucket must be.
    public var zThreshold: Double = 5
    /// Closed buckets of history before an entity's rate or volume can alert.
    public var minimumBuckets = 48
    /// Events in one bucket below which no rate alert is raised, whatever the baseline.
    public var minimumEvents: Double = 30
    /// The floor of the rate's standard deviation, events per bucket.
    public var rateDeviationFloor: Double = 3
    /// The metadata field data volumes are read from (bytes per event).
    public var volumeField = "metadata.bytes"
    /// Bytes in one bucket below which no volume alert is raised.
    public var minimumBytes: Double = 50_000_000
    /// The floor of the volume's standard deviation, bytes per bucket.
    public var volumeDeviationFloor: Double = 5_000_000
    /// The metadata field LLM token counts are read from (tokens per call).
    public var tokenField = "metadata.tokens"
    /// Tokens in one bucket below which no token-usage alert is raised.
    public var minimumTokens: Double = 200_000
    /// The floor of the token usage's standard deviation, tokens per bucket.
    public var tokenDeviationFloor: Double = 20_000
    /// Days an entity must have been seen before unusual hours or first-time values alert.
    public var learningDays: Int64 = 14
    /// Events an entity must have had before unusual hours or first-time values alert.
    public var learningEvents = 100
    /// The (actor, field) pairs whose first-time values alert: a new resource, user agent or country.
    public var newValueFields = ["resource", "user_agent", "country"]
    /// Values remembered per entity and field (the oldest are forgotten).
    public var maxValuesPerEntity = 500
    /// Faster than this between two successful sign-ins is impossible travel, km/h.
    public var maxTravelSpeed: Double = 900
    /// Shorter hops than this never count as travel (GeoIP is imprecise), km.
    public var minimumTravelKilometres: Double = 500
    /// Seconds after an alert about an entity before the same detector alerts about it again.
    public var cooldownSeconds: Int64 = 3_600
    /// Entities kept per detector.
    public var maxEntities = 50_000
    /// Actors never alerted about (service accounts that are busy by design).
    public var allowedActors: Set<String> = []
    /// Source networks never alerted about (scanners you run, office egress).
    public var allowedNetworks: [IPNetwork] = []

    /// The defaults.
    public init() {}
}
