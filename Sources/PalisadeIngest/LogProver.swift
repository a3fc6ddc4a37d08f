public import PalisadeCore
public import PalisadeLedger

/// Builds inclusion and consistency proofs for a tenant's log from its stored tiles.
///
/// Proofs read O(log n) tiles. Their JSON form (``InclusionProof/json``, ``ConsistencyProof/json``)
/// is what `../shared/tools/verify_checkpoint.py` and other RFC 9162 verifiers read.
public struct LogProver: Sendable {
    private let backend: any LedgerBackend

    /// Creates a prover over a backend.
    public init(backend: any LedgerBackend) {
        self.backend = backend
    }

    /// The current size of the tenant's log (0 when it has none).
    public func size(of tenant: TenantID) async throws -> UInt64 {
        try await backend.logHead(of: tenant)?.size ?? 0
    }

    /// The inclusion proof of entry `index` in the tree of `size` entries (default: the latest).
    ///
    /// - Throws: ``LedgerError`` `outOfRange` when the index or size is beyond the log.
    public func inclusionProof(tenant: TenantID, index: UInt64, size: UInt64? = nil) async throws -> InclusionProof {
        let current = try await self.size(of: tenant)
        let treeSize = size ?? current
        guard treeSize <= current else { throw ProverError.beyondLog(size: treeSize, current: current) }
        guard index < treeSize else { throw ProverError.indexBeyondSize(index: index, size: treeSize) }
        // The leaf's own hash rides along as a one-leaf span, so the tiles are fetched once.
        let spans = try ProofPlan.inclusion(index: index, size: treeSize) + [ProofSpan(begin: index, end: index + 1)]
        var hashes = try await reader(tenant).hashes(of: spans)
        let leaf = hashes.removeLast()
        return InclusionProof(leafIndex: index, treeSize: treeSize, leafHash: leaf, proof: hashes)
    }

    /// The consistency proof from the tree of `first` entries to the tree of `second` entries.
    public func consistencyProof(tenant: TenantID, from first: UInt64, to second: UInt64) async throws -> ConsistencyProof {
        let current = try await self.size(of: tenant)
        guard second <= current else { throw ProverError.beyondLog(size: second, current: current) }
        guard first <= second else { throw ProverError.sizesReversed(first: first, second: second) }
        let proof = try await reader(tenant).hashes(of: ProofPlan.consistency(from: first, to: second))
        return ConsistencyProof(firstSize: first, secondSize: second, proof: proof)
    }

    /// The root of the tree of `size` entries, computed from tiles.
    public func root(tenant: TenantID, size: UInt64) async throws -> MerkleHash {
        try await reader(tenant).root(ofSize: size)
    }

    private func reader(_ tenant: TenantID) -> TileHashReader {
        let backend = backend
        return TileHashReader { ids in try await backend.tiles(ids, of: tenant) }
    }
}

/// A request for a proof the log cannot give.
public enum ProverError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The size asked for is larger than the log.
    case beyondLog(size: UInt64, current: UInt64)
    /// The index is not inside the tree asked for.
    case indexBeyondSize(index: UInt64, size: UInt64)
    /// The first size is larger than the second.
    case sizesReversed(first: UInt64, second: UInt64)

    /// What is wrong and what to ask instead.
    public var description: String {
        switch self {
        case .beyondLog(let size, let current): "the log has \(current) entries; a tree of \(size) does not exist yet"
        case .indexBeyondSize(let index, let size): "index \(index) is not in the tree of \(size) entries (indices start at 0)"
        case .sizesReversed(let first, let second): "the first size \(first) is larger than the second size \(second)"
        }
    }
}

/// An inclusion proof.
public struct InclusionProof: Hashable, Sendable {
    /// The entry's index.
    public var leafIndex: UInt64
    /// The size of the tree it is proven against.
    public var treeSize: UInt64
    /// The entry's leaf hash.
    public var leafHash: MerkleHash
    /// The audit path (RFC 9162 §2.1.3).
    public var proof: [MerkleHash]

    /// `{"leaf_hash":…,"leaf_index":…,"proof":[…],"tree_size":…}` (canonical JSON).
    public var json: JSONValue {
        .object([
            "leaf_index": .number(Double(leafIndex)),
            "tree_size": .number(Double(treeSize)),
            "leaf_hash": .string(leafHash.base64),
            "proof": .array(proof.map { .string($0.base64) }),
        ])
    }
}

/// A consistency proof.
public struct ConsistencyProof: Hashable, Sendable {
    /// The older size.
    public var firstSize: UInt64
    /// The newer size.
    public var secondSize: UInt64
    /// The proof (RFC 9162 §2.1.4).
    public var proof: [MerkleHash]

    /// `{"first_size":…,"proof":[…],"second_size":…}` (canonical JSON).
    public var json: JSONValue {
        .object([
            "first_size": .number(Double(firstSize)),
            "second_size": .number(Double(secondSize)),
            "proof": .array(proof.map { .string($0.base64) }),
        ])
    }
}
