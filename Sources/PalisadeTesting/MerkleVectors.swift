import Foundation

/// One inclusion-proof case of `../shared/testvectors/merkle/inclusion`.
public struct InclusionVector: Decodable, Sendable {
    /// The leaf index.
    public var leafIdx: UInt64
    /// The tree size.
    public var treeSize: UInt64
    /// The expected root (standard base64, any length).
    public var root: String
    /// The leaf hash (standard base64).
    public var leafHash: String
    /// The proof hashes (standard base64).
    public var proof: [String]?
    /// What the case is about.
    public var desc: String
    /// Whether a verifier must reject it.
    public var wantErr: Bool
}

/// One consistency-proof case of `../shared/testvectors/merkle/consistency`.
public struct ConsistencyVector: Decodable, Sendable {
    /// The older tree size.
    public var size1: UInt64
    /// The newer tree size.
    public var size2: UInt64
    /// The older root (standard base64, any length).
    public var root1: String
    /// The newer root (standard base64, any length).
    public var root2: String
    /// The proof hashes (standard base64).
    public var proof: [String]?
    /// What the case is about.
    public var desc: String
    /// Whether a verifier must reject it.
    public var wantErr: Bool
}

/// The RFC 6962 reference tree of `rfc6962-reference.json`.
public struct ReferenceTreeVector: Decodable, Sendable {
    /// The eight leaf inputs, hex.
    public var leaf_inputs_hex: [String]
    /// The root of every size 0…8, hex.
    public var root_by_size: [String]
    /// `level_hashes[l][i]`: the i-th complete subtree of level l, hex.
    public var level_hashes: [[String]]
}

/// Loads the Merkle test vectors, one file per case.
public enum MerkleVectors {
    /// A loaded case and the file it came from.
    public struct Case<Vector: Sendable>: Sendable {
        /// The file's path relative to `testvectors/merkle`.
        public var name: String
        /// The case.
        public var vector: Vector
    }

    /// Every inclusion case.
    public static func inclusion() throws -> [Case<InclusionVector>] { try load("testvectors/merkle/inclusion") }
    /// Every consistency case.
    public static func consistency() throws -> [Case<ConsistencyVector>] { try load("testvectors/merkle/consistency") }
    /// The reference tree.
    public static func reference() throws -> ReferenceTreeVector {
        try JSONDecoder().decode(ReferenceTreeVector.self, from: Data(contentsOf: SharedFiles.url("testvectors/merkle/rfc6962-reference.json")))
    }

    /// Decodes standard base64 of any length (vectors use placeholder roots that are not hashes).
    public static func bytes(_ base64: String) -> [UInt8] {
        guard let data = Data(base64Encoded: base64) else { return Array(base64.utf8) }
        return Array(data)
    }

    private static func load<V: Decodable & Sendable>(_ folder: String) throws -> [Case<V>] {
        let prefix = SharedFiles.url(folder).path + "/"
        return try SharedFiles.jsonFiles(under: folder).map { url in
            Case(name: String(url.path.dropFirst(prefix.count)), vector: try JSONDecoder().decode(V.self, from: Data(contentsOf: url)))
        }
    }
}
