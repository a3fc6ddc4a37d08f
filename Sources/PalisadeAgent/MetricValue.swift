/// One measured value: a metric name (`cpu_percent`, `disk_used_percent`…), the labels that say
/// which instance it is (`mode`, `interface`, `device`, `mount`), and the value.
public struct MetricValue: Hashable, Sendable {
    /// The metric's name: `[a-z][a-z0-9_]*`, with its unit as a suffix (`_bytes`, `_percent`, `_per_second`).
    public let name: String
    /// Which instance.
    public let labels: [String: String]
    /// The value.
    public let value: Double

    /// A value.
    public init(_ name: String, _ value: Double, labels: [String: String] = [:]) {
        self.name = name
        self.labels = labels
        self.value = value
    }
}
