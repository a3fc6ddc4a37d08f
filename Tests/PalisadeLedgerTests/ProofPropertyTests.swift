import PalisadeLedger
import PalisadeTesting
import Testing

/// Proofs built from tiles against the RFC-literal reference, for many sizes.
struct ProofPropertyTests {
    static func leaves(_ count: Int) -> [[UInt8]] {
        (0..<count).map { Array("entry-\($0)".utf8) }
    }

    static func tiles(for leaves: [[UInt8]], batches: [Int]) -> MemoryTiles {
        var tiles = MemoryTiles()
        var start = 0
        for batch in batches where start < leaves.count {
            let end = min(leaves.count, start + batch)
            tiles.append(leaves[start..<end].map { RFC9162.leafHash(of: $0) })
            start = end
        }
        if start < leaves.count { tiles.append(leaves[start...].map { RFC9162.leafHash(of: $0) }) }
        return tiles
    }

    @Test(arguments: [1, 2, 3, 7, 8, 9, 255, 256, 257, 511, 513, 1000])
    func inclusionProofsMatchTheReferenceAndVerify(size: Int) async throws {
        let leaves = Self.leaves(size)
        let tiles = Self.tiles(for: leaves, batches: [1, 3, 100, 7])
        let root = tiles.tree.root
        #expect(root.bytes == ReferenceMerkle.root(leaves[...]))
        for index in Set([0, size / 2, size - 1, size / 3]) {
            let proof = try await tiles.reader.hashes(of: ProofPlan.inclusion(index: UInt64(index), size: UInt64(size)))
            #expect(proof.map(\.bytes) == ReferenceMerkle.inclusionProof(index, leaves[...]))
            let verdict = ProofVerifier.verifyInclusion(
                leafHash: RFC9162.leafHash(of: leaves[index]),
                index: UInt64(index),
                size: UInt64(size),
                proof: proof,
                root: root
            )
            #expect(verdict == .valid)
        }
    }

    @Test func randomSizesProveInclusionAndConsistencyAndEveryBitFlipBreaksThem() async throws {
        var random = SplitMix(state: 0x5EED)
        let total = 2_100
        let leaves = Self.leaves(total)
        let tiles = Self.tiles(for: leaves, batches: [17, 256, 1, 1000, 33])
        let reader = tiles.reader
        for _ in 0..<40 {
            let n = UInt64.random(in: 1...UInt64(total), using: &random)
            let m = UInt64.random(in: 1...n, using: &random)
            let rootN = try await reader.root(ofSize: n)
            let rootM = try await reader.root(ofSize: m)
            #expect(rootN.bytes == ReferenceMerkle.root(leaves[0..<Int(n)]))

            let index = UInt64.random(in: 0..<n, using: &random)
            let inclusion = try await reader.hashes(of: ProofPlan.inclusion(index: index, size: n))
            let leafHash = RFC9162.leafHash(of: leaves[Int(index)])
            #expect(ProofVerifier.verifyInclusion(leafHash: leafHash, index: index, size: n, proof: inclusion, root: rootN) == .valid)

            let consistency = try await reader.hashes(of: ProofPlan.consistency(from: m, to: n))
            #expect(consistency.map(\.bytes) == ReferenceMerkle.consistencyProof(Int(m), leaves[0..<Int(n)]))
            #expect(ProofVerifier.verifyConsistency(first: m, second: n, firstRoot: rootM, secondRoot: rootN, proof: consistency) == .valid)

            // Flip every bit of every proof hash: each flip must break the proof.
            for position in 0..<inclusion.count {
                for bit in 0..<256 {
                    var bad = inclusion.map(\.bytes)
                    bad[position][bit / 8] ^= 1 << (bit % 8)
                    let verdict = ProofVerifier.verifyInclusion(
                        leafHash: leafHash.bytes,
                        index: index,
                        size: n,
                        proof: bad,
                        root: rootN.bytes
                    )
                    #expect(!verdict.isValid, "inclusion flip \(position):\(bit) for \(index)@\(n)")
                }
            }
            for position in 0..<consistency.count {
                for bit in stride(from: 0, to: 256, by: 7) {
                    var bad = consistency.map(\.bytes)
                    bad[position][bit / 8] ^= 1 << (bit % 8)
                    let verdict = ProofVerifier.verifyConsistency(
                        first: m,
                        second: n,
                        firstRoot: rootM.bytes,
                        secondRoot: rootN.bytes,
                        proof: bad
                    )
                    #expect(!verdict.isValid, "consistency flip \(position):\(bit) for \(m)->\(n)")
                }
            }
            // A different leaf or index must not verify either.
            let otherLeaf = RFC9162.leafHash(of: Array("forged".utf8))
            #expect(!ProofVerifier.verifyInclusion(leafHash: otherLeaf, index: index, size: n, proof: inclusion, root: rootN).isValid)
        }
    }

    @Test func outOfRangeRequestsThrow() throws {
        #expect(throws: LedgerError.self) { try ProofPlan.inclusion(index: 5, size: 5) }
        #expect(throws: LedgerError.self) { try ProofPlan.consistency(from: 6, to: 5) }
        #expect(try ProofPlan.consistency(from: 5, to: 5) == [])
    }
}
