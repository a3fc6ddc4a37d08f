/// Everything a Palisade store provides: the ledger's storage, the event queries, the access
/// records, the incidents, the consumers' cursors, the alert outbox and the vault's documents. The SQLite and PostgreSQL
/// stores (and the in-memory one in tests) are each one.
public typealias LedgerStore = LedgerBackend & EventStore & AccessStore & IncidentStore & ConsumerCursorStore & OutboxStore & KeyStore
