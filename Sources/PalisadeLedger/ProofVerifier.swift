/// The verdict on an inclusion proof.
public enum InclusionVerdict: Hashable, Sendable {
    /// The proof shows the leaf at the index in the tree with the root.
    case valid
    /// The proof does not verify, for the reason given.
    case invalid(ProofFailure)

    /// Whether the proof verified.
    public var isValid: Bool { self == .valid }
}

/// The verdict on a consistency proof.
public enum ConsistencyVerdict: Hashable, Sendable {
    /// The proof shows the second tree extends the first.
    case valid
    /// The proof does not verify, for the reason given.
    case invalid(ProofFailure)

    /// Whether the proof verified.
    public var isValid: Bool { self == .valid }
}

/// Why a proof failed to verify. Safe to show: it names sizes and positions, never secrets.
public enum ProofFailure: Hashable, Sendable, CustomStringConvertible {
    /// The leaf index is not inside the tree.
    case indexOutOfRange(index: UInt64, size: UInt64)
    /// The first size is larger than the second.
    case sizesReversed(first: UInt64, second: UInt64)
    /// A consistency proof from the empty tree proves nothing (RFC 9162 §2.1.4.2 needs 0 < first).
    case emptyFirstTree
    /// The proof has more hashes than the sizes allow.
    case proofTooLong
    /// The proof has fewer hashes than the sizes need.
    case proofTooShort
    /// A hash in the proof, or the leaf hash, is not 32 bytes.
    case malformedHash
    /// The sizes are equal but the roots are not.
    case rootsDiffer
    /// The proof leads to a different root than the one given.
    case rootMismatch
    /// The proof leads to a different first (older) root.
    case firstRootMismatch

    /// A sentence naming the failure.
    public var description: String {
        switch self {
        case .indexOutOfRange(let index, let size): "leaf index \(index) is not below tree size \(size)"
        case .sizesReversed(let first, let second): "first size \(first) is larger than second size \(second)"
        case .emptyFirstTree: "a consistency proof from the empty tree proves nothing"
        case .proofTooLong: "the proof has more hashes than the tree sizes allow"
        case .proofTooShort: "the proof has fewer hashes than the tree sizes need"
        case .malformedHash: "a hash in the proof is not 32 bytes"
        case .rootsDiffer: "the sizes are equal but the roots differ"
        case .rootMismatch: "the proof does not lead to the expected root"
        case .firstRootMismatch: "the proof does not lead to the expected older root"
        }
    }
}

/// Verification of RFC 9162 proofs, straight from §2.1.3.2 and §2.1.4.2.
///
/// The byte-level entry points take roots and proof hashes exactly as received, so a verdict always
/// comes from the algorithm (a root of the wrong length simply never matches).
public enum ProofVerifier {
    /// Verifies that `leafHash` is leaf `index` of the tree of `size` leaves whose root is `root`.
    public static func verifyInclusion(
        leafHash: MerkleHash,
        index: UInt64,
        size: UInt64,
        proof: [MerkleHash],
        root: MerkleHash
    ) -> InclusionVerdict {
        verifyInclusion(leafHash: leafHash.bytes, index: index, size: size, proof: proof.map(\.bytes), root: root.bytes)
    }

    /// Verifies an inclusion proof given as raw bytes (RFC 9162 §2.1.3.2).
    public static func verifyInclusion(
        leafHash: [UInt8],
        index: UInt64,
        size: UInt64,
        proof: [[UInt8]],
        root: [UInt8]
    ) -> InclusionVerdict {
        // "1. Compare leaf_index from the inclusion_proof_v2 structure against tree_size. If
        //  leaf_index is greater than or equal to tree_size, then fail the proof verification."
        guard index < size else { return .invalid(.indexOutOfRange(index: index, size: size)) }
        guard let leaf = MerkleHash(bytes: leafHash) else { return .invalid(.malformedHash) }
        var hashes = [MerkleHash]()
        for element in proof {
            guard let hash = MerkleHash(bytes: element) else { return .invalid(.malformedHash) }
            hashes.append(hash)
        }
        // "2. Set fn to leaf_index and sn to tree_size - 1. 3. Set r to hash."
        var fn = index
        var sn = size - 1
        var r = leaf
        // "4. For each value p in the inclusion_path array:"
        for p in hashes {
            // "a. If sn is 0, then stop the iteration and fail the proof verification."
            guard sn != 0 else { return .invalid(.proofTooLong) }
            // "b. If LSB(fn) is set, or if fn is equal to sn, then:"
            if fn & 1 == 1 || fn == sn {
                r = RFC9162.nodeHash(p, r)
                // "If LSB(fn) is not set, then right-shift both fn and sn equally until either
                //  LSB(fn) is set or fn is 0."
                if fn & 1 == 0 {
                    while fn != 0 && fn & 1 == 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = RFC9162.nodeHash(r, p)
            }
            // "c. Finally, right-shift both fn and sn one time."
            fn >>= 1
            sn >>= 1
        }
        // "5. Compare sn to 0. Compare r against the root_hash. If sn is equal to 0 and r and the
        //  root_hash are equal, then the log has proven the inclusion of hash."
        guard sn == 0 else { return .invalid(.proofTooShort) }
        return r.bytes == root ? .valid : .invalid(.rootMismatch)
    }

    /// Verifies that the tree of `second` leaves with root `secondRoot` extends the tree of `first`
    /// leaves with root `firstRoot`.
    public static func verifyConsistency(
        first: UInt64,
        second: UInt64,
        firstRoot: MerkleHash,
        secondRoot: MerkleHash,
        proof: [MerkleHash]
    ) -> ConsistencyVerdict {
        verifyConsistency(first: first, second: second, firstRoot: firstRoot.bytes, secondRoot: secondRoot.bytes, proof: proof.map(\.bytes))
    }

    /// Verifies a consistency proof given as raw bytes (RFC 9162 §2.1.4.2).
    public static func verifyConsistency(
        first: UInt64,
        second: UInt64,
        firstRoot: [UInt8],
        secondRoot: [UInt8],
        proof: [[UInt8]]
    ) -> ConsistencyVerdict {
        guard first <= second else { return .invalid(.sizesReversed(first: first, second: second)) }
        // §2.1.4.2 is defined for 0 < first: nothing is proven about the empty tree.
        guard first > 0 else { return .invalid(.emptyFirstTree) }
        if first == second {
            guard proof.isEmpty else { return .invalid(.proofTooLong) }
            return firstRoot == secondRoot ? .valid : .invalid(.rootsDiffer)
        }
        // "1. If consistency_path is an empty array, stop and fail the proof verification."
        guard !proof.isEmpty else { return .invalid(.proofTooShort) }
        var path = [MerkleHash]()
        for element in proof {
            guard let hash = MerkleHash(bytes: element) else { return .invalid(.malformedHash) }
            path.append(hash)
        }
        // "2. If first is an exact power of 2, then prepend first_hash to the consistency_path array."
        if first & (first - 1) == 0 {
            guard let firstHash = MerkleHash(bytes: firstRoot) else { return .invalid(.firstRootMismatch) }
            path.insert(firstHash, at: 0)
        }
        // "3. Set fn to first - 1 and sn to second - 1."
        var fn = first - 1
        var sn = second - 1
        // "4. If LSB(fn) is set, then right-shift both fn and sn equally until LSB(fn) is not set."
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        // "5. Set both fr and sr to the first value in the consistency_path array."
        var fr = path[0]
        var sr = path[0]
        // "6. For each subsequent value c in the consistency_path array:"
        for c in path.dropFirst() {
            // "a. If sn is 0, then stop the iteration and fail the proof verification."
            guard sn != 0 else { return .invalid(.proofTooLong) }
            // "b. If LSB(fn) is set, or if fn is equal to sn, then:"
            if fn & 1 == 1 || fn == sn {
                fr = RFC9162.nodeHash(c, fr)
                sr = RFC9162.nodeHash(c, sr)
                if fn & 1 == 0 {
                    while fn != 0 && fn & 1 == 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = RFC9162.nodeHash(sr, c)
            }
            // "c. Finally, right-shift both fn and sn one time."
            fn >>= 1
            sn >>= 1
        }
        // "7. After completing iterating through the consistency_path array as described above,
        //  verify that the fr calculated is equal to the first_hash supplied, that the sr
        //  calculated is equal to the second_hash supplied, and that sn is 0."
        guard sn == 0 else { return .invalid(.proofTooShort) }
        guard fr.bytes == firstRoot else { return .invalid(.firstRootMismatch) }
        guard sr.bytes == secondRoot else { return .invalid(.rootMismatch) }
        return .valid
    }
}
