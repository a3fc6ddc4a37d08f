import PalisadeLedger
import PalisadeTesting
import Testing

/// The published RFC 6962 / RFC 9162 vectors of `../shared/testvectors/merkle`.
struct TestVectorTests {
    @Test func referenceTreeRootsAndSubtrees() throws {
        let reference = try MerkleVectors.reference()
        let leaves = reference.leaf_inputs_hex.map { Hex.decode($0)! }
        var range = CompactRange()
        var seen = [NodeID: MerkleHash]()
        #expect(range.root.hex == reference.root_by_size[0])
        for (index, leaf) in leaves.enumerated() {
            range.append(RFC9162.leafHash(of: leaf)) { seen[$0] = $1 }
            #expect(range.root.hex == reference.root_by_size[index + 1], "root of size \(index + 1)")
        }
        for (level, hashes) in reference.level_hashes.enumerated() {
            for (index, hex) in hashes.enumerated() {
                #expect(seen[NodeID(height: level, index: UInt64(index))]?.hex == hex, "subtree \(level)/\(index)")
            }
        }
    }

    @Test func everyInclusionVectorGetsTheRightVerdict() throws {
        let cases = try MerkleVectors.inclusion()
        #expect(cases.count > 50)
        var wrong = [String]()
        for item in cases {
            let vector = item.vector
            let verdict = ProofVerifier.verifyInclusion(
                leafHash: MerkleVectors.bytes(vector.leafHash),
                index: vector.leafIdx,
                size: vector.treeSize,
                proof: (vector.proof ?? []).map(MerkleVectors.bytes),
                root: MerkleVectors.bytes(vector.root)
            )
            if verdict.isValid == vector.wantErr { wrong.append("\(item.name): \(vector.desc) gave \(verdict)") }
        }
        #expect(wrong.isEmpty, "wrong verdicts:\n\(wrong.joined(separator: "\n"))")
    }

    @Test func everyConsistencyVectorGetsTheRightVerdict() throws {
        let cases = try MerkleVectors.consistency()
        #expect(cases.count > 50)
        var wrong = [String]()
        for item in cases {
            let vector = item.vector
            let verdict = ProofVerifier.verifyConsistency(
                first: vector.size1,
                second: vector.size2,
                firstRoot: MerkleVectors.bytes(vector.root1),
                secondRoot: MerkleVectors.bytes(vector.root2),
                proof: (vector.proof ?? []).map(MerkleVectors.bytes)
            )
            if verdict.isValid == vector.wantErr { wrong.append("\(item.name): \(vector.desc) gave \(verdict)") }
        }
        #expect(wrong.isEmpty, "wrong verdicts:\n\(wrong.joined(separator: "\n"))")
    }

    @Test func allVectorFilesAreRead() throws {
        let total = try MerkleVectors.inclusion().count + MerkleVectors.consistency().count
        // The README promises 196 case files; the reference tree is a separate file.
        #expect(total == 196)
    }
}
