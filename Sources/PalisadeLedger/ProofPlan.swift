/// Which subtree hashes make up an inclusion or consistency proof (RFC 9162 §2.1.3.1 and §2.1.4.1).
///
/// The plan is pure arithmetic on sizes and indices: it names the spans whose hashes the proof
/// lists, in proof order, and leaves fetching those hashes to the caller (see ``TileHashReader``).
/// Math stays separate from storage, as in transparency-dev/merkle's `proof` package.
public enum ProofPlan {
    /// The spans of the inclusion proof of leaf `index` in the tree of the first `size` leaves.
    ///
    /// - Throws: ``LedgerError`` with code `outOfRange` when `index >= size`.
    public static func inclusion(index: UInt64, size: UInt64) throws -> [ProofSpan] {
        guard index < size else {
            throw LedgerError.outOfRange("leaf index \(index) is not below tree size \(size)")
        }
        var spans = [ProofSpan]()
        path(index, 0, size, into: &spans)
        return spans
    }

    /// The spans of the consistency proof between the trees of the first `first` and `second` leaves.
    ///
    /// The proof is empty when `first == second` or `first == 0`.
    /// - Throws: ``LedgerError`` with code `outOfRange` when `first > second`.
    public static func consistency(from first: UInt64, to second: UInt64) throws -> [ProofSpan] {
        guard first <= second else {
            throw LedgerError.outOfRange("first size \(first) is larger than second size \(second)")
        }
        var spans = [ProofSpan]()
        if first > 0 && first < second {
            subproof(first, 0, second, complete: true, into: &spans)
        }
        return spans
    }

    // RFC 9162 §2.1.3.1:
    //   PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n])   for m < k; and
    //   PATH(m, D[n]) = PATH(m - k, D[k:n]) : MTH(D[0:k])   for m >= k
    private static func path(_ m: UInt64, _ begin: UInt64, _ end: UInt64, into spans: inout [ProofSpan]) {
        let n = end - begin
        guard n > 1 else { return }
        let k = RFC9162.splitPoint(n)
        if m < k {
            path(m, begin, begin + k, into: &spans)
            spans.append(ProofSpan(begin: begin + k, end: end))
        } else {
            path(m - k, begin + k, end, into: &spans)
            spans.append(ProofSpan(begin: begin, end: begin + k))
        }
    }

    // RFC 9162 §2.1.4.1:
    //   SUBPROOF(m, D[m], true) = {}
    //   SUBPROOF(m, D[m], false) = {MTH(D[m])}
    //   m <= k: SUBPROOF(m, D[n], b) = SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
    //   m > k:  SUBPROOF(m, D[n], b) = SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
    private static func subproof(_ m: UInt64, _ begin: UInt64, _ end: UInt64, complete: Bool, into spans: inout [ProofSpan]) {
        let n = end - begin
        if m == n {
            if !complete { spans.append(ProofSpan(begin: begin, end: end)) }
            return
        }
        let k = RFC9162.splitPoint(n)
        if m <= k {
            subproof(m, begin, begin + k, complete: complete, into: &spans)
            spans.append(ProofSpan(begin: begin + k, end: end))
        } else {
            subproof(m - k, begin + k, end, complete: false, into: &spans)
            spans.append(ProofSpan(begin: begin, end: begin + k))
        }
    }
}
