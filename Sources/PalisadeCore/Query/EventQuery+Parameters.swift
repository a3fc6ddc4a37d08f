extension EventQuery {
    /// The names of the filter parameters, as HTTP query parameters (and, with `-` for `_`, CLI flags).
    public static let parameterNames: [String] = [
        "since", "until", "type", "min_severity", "max_severity", "actor", "resource", "success", "source_ip", "session_id",
        "request_id", "action_contains", "order", "limit", "cursor",
    ]

    /// Builds a query from named text parameters, such as an HTTP query string.
    ///
    /// `type` may be repeated or comma-separated; every other parameter may appear once. Every bad
    /// parameter is reported, by name, in one error.
    ///
    /// - Throws: ``EventValidationError`` naming each unknown, repeated or malformed parameter.
    public init(tenant: TenantID, parameters: [(name: String, value: String)]) throws(EventValidationError) {
        self.init(tenant: tenant)
        var issues: [EventValidationError.Issue] = []
        var seen: Set<String> = []
        for (name, value) in parameters {
            guard Self.parameterNames.contains(name) else {
                issues.append(.init(field: name, message: "is not a filter; use one of \(Self.parameterNames.joined(separator: ", "))"))
                continue
            }
            if name != "type" {
                guard seen.insert(name).inserted else {
                    issues.append(.init(field: name, message: "may be given only once"))
                    continue
                }
            }
            if let message = apply(name: name, value: value) {
                issues.append(.init(field: name, message: message))
            }
        }
        guard issues.isEmpty else { throw EventValidationError(issues: issues) }
    }

    /// Sets one parameter; returns what is wrong with its value, if anything.
    private mutating func apply(name: String, value: String) -> String? {
        switch name {
        case "since", "until":
            guard let time = Timestamp(rfc3339: value) else { return "must be an RFC 3339 time such as 2026-11-22T00:00:00Z" }
            if name == "since" { start = time } else { end = time }
        case "type":
            for word in value.split(separator: ",") {
                guard let type = EventType(String(word)) else { return "must match [a-z][a-z0-9_.]{0,63}" }
                eventTypes.insert(type)
            }
        case "min_severity", "max_severity":
            guard let severity = Severity(parsing: value) else { return "must be info, low, medium, high or critical" }
            if name == "min_severity" { minSeverity = severity } else { maxSeverity = severity }
        case "actor": actor = value
        case "resource": resource = value
        case "success":
            guard value == "true" || value == "false" else { return "must be true or false" }
            success = value == "true"
        case "source_ip":
            guard let address = IPAddress(value) else { return "must be an IPv4 or IPv6 address" }
            sourceIP = address
        case "session_id": sessionID = value
        case "request_id": requestID = value
        case "action_contains": actionContains = value
        case "order":
            guard let parsed = Order(rawValue: value) else { return "must be newest or oldest" }
            order = parsed
        case "limit":
            guard let parsed = Int(value), parsed > 0 else { return "must be a positive whole number" }
            limit = parsed
        default:  // "cursor"
            guard let parsed = EventCursor(token: value) else { return "is not a cursor returned by a previous page" }
            cursor = parsed
        }
        return nil
    }

    /// The query as parameters (the inverse of ``init(tenant:parameters:)``), for `next` links.
    public var parameters: [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        if let start { result.append(("since", start.rfc3339)) }
        if let end { result.append(("until", end.rfc3339)) }
        for type in eventTypes.sorted(by: { $0.rawValue < $1.rawValue }) { result.append(("type", type.rawValue)) }
        if let minSeverity { result.append(("min_severity", minSeverity.name)) }
        if let maxSeverity { result.append(("max_severity", maxSeverity.name)) }
        if let actor { result.append(("actor", actor)) }
        if let resource { result.append(("resource", resource)) }
        if let success { result.append(("success", String(success))) }
        if let sourceIP { result.append(("source_ip", sourceIP.text)) }
        if let sessionID { result.append(("session_id", sessionID)) }
        if let requestID { result.append(("request_id", requestID)) }
        if let actionContains { result.append(("action_contains", actionContains)) }
        result.append(("order", order.rawValue))
        result.append(("limit", String(limit)))
        if let cursor { result.append(("cursor", cursor.token)) }
        return result
    }
}
