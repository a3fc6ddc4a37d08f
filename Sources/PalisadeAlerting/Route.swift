/// A routing tree node (Alertmanager's semantics): an alert enters at the root, descends into
/// every child whose matchers it passes — stopping at the first such child unless that child says
/// `continue` — and is delivered by the deepest nodes it reached (the node itself when no child
/// took it). Children inherit the receiver, grouping and timers they do not set.
public struct Route: Hashable, Sendable {
    /// How a node groups and paces notifications.
    public struct Timing: Hashable, Sendable {
        /// Seconds to wait after a group's first alert, to batch its siblings.
        public var groupWait: Int64
        /// Seconds between notifications about a group that changed.
        public var groupInterval: Int64
        /// Seconds after which an unchanged, still firing group is notified again.
        public var repeatInterval: Int64

        /// Alertmanager's defaults: 30 s, 5 min, 4 h.
        public static let standard = Timing(groupWait: 30, groupInterval: 300, repeatInterval: 14_400)

        /// Creates timing.
        public init(groupWait: Int64, groupInterval: Int64, repeatInterval: Int64) {
            self.groupWait = groupWait
            self.groupInterval = groupInterval
            self.repeatInterval = repeatInterval
        }
    }

    /// The receiver (a channel name).
    public var receiver: String
    /// Which alerts the node takes (the root takes everything).
    public var matchers: [Matcher]
    /// Whether siblings after this node are tried too when it matched.
    public var continues: Bool
    /// The labels that split alerts into groups (`["..."]`: every label, one group per alert).
    public var groupBy: [String]
    /// Pacing.
    public var timing: Timing
    /// The children, in order.
    public var routes: [Route]

    /// Creates a node; ``inherit(from:)`` fills what a child leaves out.
    public init(
        receiver: String,
        matchers: [Matcher] = [],
        continues: Bool = false,
        groupBy: [String] = ["tenant", "incident_type"],
        timing: Timing = .standard,
        routes: [Route] = []
    ) {
        self.receiver = receiver
        self.matchers = matchers
        self.continues = continues
        self.groupBy = groupBy
        self.timing = timing
        self.routes = routes
    }

    /// A node that reached an alert, with its position in the tree (`0.2.1`: the root's first
    /// child's … ) — part of a group's identity, so the same labels routed twice are two groups.
    public struct Match: Hashable, Sendable {
        /// The node's path.
        public var path: String
        /// The node.
        public var route: Route
    }

    /// The nodes that deliver an alert with these labels.
    public func matches(_ labels: [String: String]) -> [Match] { matches(labels, path: "0") }

    private func matches(_ labels: [String: String], path: String) -> [Match] {
        guard matchers.matchAll(labels) else { return [] }
        var found = [Match]()
        for (position, child) in routes.enumerated() {
            let childMatches = child.matches(labels, path: "\(path).\(position)")
            guard !childMatches.isEmpty else { continue }
            found += childMatches
            if !child.continues { break }
        }
        return found.isEmpty ? [Match(path: path, route: self)] : found
    }

    /// The group key of an alert's labels on this node: its group-by labels and their values.
    public func groupLabels(_ labels: [String: String]) -> [String: String] {
        if groupBy == ["..."] { return labels }
        var values = [String: String]()
        for name in groupBy { values[name] = labels[name] ?? "" }
        return values
    }
}
