import Foundation
import PalisadeCore

/// A ``ManagedKey`` as stored: metadata in the clear, each version's material sealed under the
/// data-encryption key for a context naming the tenant, key and version (so sealed material
/// cannot be moved to another key or version).
struct KeyDocument: Codable, Sendable {
    struct Version: Codable, Sendable {
        var number: Int
        var createdAt: Int64
        /// Sealed material; nil once destroyed.
        var sealed: Data?
    }

    var name: String
    var type: KeyType
    var createdAt: Int64
    var state: KeyState
    var policy: KeyPolicy
    var versions: [Version]
    var currentVersion: Int
    var minDecryptionVersion: Int
    var minEncryptionVersion: Int
    var purgeAfter: Int64?

    static func context(tenant: TenantID, key: String, version: Int) -> String { "palisade.vault/key/\(tenant.rawValue)/\(key)/v\(version)" }

    /// Seals a key's material.
    init(_ key: ManagedKey, tenant: TenantID, sealer: Sealer) {
        name = key.name
        type = key.type
        createdAt = key.createdAt.microseconds
        state = key.state
        policy = key.policy
        versions = key.versions.map { version in
            Version(
                number: version.number,
                createdAt: version.createdAt.microseconds,
                sealed: version.material.map { material in
                    Data(
                        material.secret.withBytes {
                            sealer.seal(Array($0), context: Self.context(tenant: tenant, key: key.name, version: version.number))
                        }
                    )
                }
            )
        }
        currentVersion = key.currentVersion
        minDecryptionVersion = key.minDecryptionVersion
        minEncryptionVersion = key.minEncryptionVersion
        purgeAfter = key.purgeAfter?.microseconds
    }

    /// Opens every version's material.
    func key(tenant: TenantID, sealer: Sealer) throws(VaultError) -> ManagedKey {
        var opened = [ManagedKey.Version]()
        for version in versions {
            var material: KeyMaterial?
            if let sealed = version.sealed {
                let secret = try sealer.open(Array(sealed), context: Self.context(tenant: tenant, key: name, version: version.number))
                material = try KeyMaterial(type: type, secret: secret)
            }
            opened.append(ManagedKey.Version(number: version.number, createdAt: Timestamp(microseconds: version.createdAt), material: material))
        }
        return ManagedKey(
            name: name,
            type: type,
            createdAt: Timestamp(microseconds: createdAt),
            state: state,
            policy: policy,
            versions: opened,
            currentVersion: currentVersion,
            minDecryptionVersion: minDecryptionVersion,
            minEncryptionVersion: minEncryptionVersion,
            purgeAfter: purgeAfter.map(Timestamp.init(microseconds:))
        )
    }

    func stored(tenant: TenantID, revision: Int = 1) -> StoredDocument {
        StoredDocument(tenant: tenant, id: name, status: state.rawValue, document: DocumentCoding.encode(self), revision: revision)
    }

    init(decoding stored: StoredDocument) throws(VaultError) {
        self = try DocumentCoding.decode(KeyDocument.self, from: stored.document, what: "key \(stored.id)")
    }
}
