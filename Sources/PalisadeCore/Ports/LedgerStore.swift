/// Everything a Palisade store provides: the ledger's storage, the event queries, the access
/// records, the incidents, the consumers' cursors and the alert outbox. The SQLite and PostgreSQL
/// stores (and the in-memory one in tests) are each one.
public typealias LedgerStore = LedgerBackend & EventStore & AccessStore & IncidentStore & ConsumerCursorStore & OutboxStore
