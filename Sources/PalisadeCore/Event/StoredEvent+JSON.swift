extension StoredEvent {
    /// The event's JSON with its `log_index` (what the API returns and exporters send).
    public var jsonValue: JSONValue {
        guard case .object(var members) = event.jsonValue else { return event.jsonValue }
        members["log_index"] = .number(Double(index))
        return .object(members)
    }
}
