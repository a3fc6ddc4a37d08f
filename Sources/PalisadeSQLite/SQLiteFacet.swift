import PalisadeCore

/// The high-cardinality filters kept in the `event_facets` table instead of as indexes on
/// `events` (see the schema for why). The raw values are stored in `event_facets.facet`.
enum SQLiteFacet: Int, CaseIterable {
    case actor = 1
    case resource = 2
    case sourceIP = 3
    case session = 4
    case request = 5

    /// The column of `events` holding the same value.
    var column: String {
        switch self {
        case .actor: "actor"
        case .resource: "resource"
        case .sourceIP: "source_ip"
        case .session: "session_id"
        case .request: "request_id"
        }
    }

    /// The most selective first: the facet a query is driven by when it filters on several.
    static let bySelectivity: [SQLiteFacet] = [.request, .session, .sourceIP, .resource, .actor]

    /// The value a query filters this facet on, if any.
    func value(in query: EventQuery) -> String? {
        switch self {
        case .actor: query.actor
        case .resource: query.resource
        case .sourceIP: query.sourceIP?.text
        case .session: query.sessionID
        case .request: query.requestID
        }
    }
}
