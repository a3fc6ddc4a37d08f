import Foundation

/// How the vault's stored documents (header, keys, approvals) are written and read: JSON with
/// sorted keys; a document that does not read back is ``VaultError/corrupt(_:)``.
enum DocumentCoding {
    static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            return Array(try encoder.encode(value))
        } catch {
            // Plain structs of strings, numbers and data always encode.
            preconditionFailure("a vault document does not encode: \(error)")
        }
    }

    static func decode<Document: Decodable>(_ type: Document.Type, from bytes: [UInt8], what: String) throws(VaultError) -> Document {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw .corrupt("\(what): \(error)")
        }
    }
}
