import Foundation
public import PalisadeVault

/// The vault's master key in a PKCS#11 token: an AES-256 key generated inside the token (token
/// object, private, sensitive, not extractable — its bytes never leave it), found by its label,
/// sealing the vault's data-encryption key with AES-GCM (CKM_AES_GCM, a fresh 96-bit IV, the
/// context as additional data, a 128-bit tag).
///
/// A box is `version (1) ‖ IV (12) ‖ ciphertext ‖ tag (16)`. Each call opens a session, logs in
/// with the user PIN and closes the session afterwards; the vault calls it at initialisation and
/// unseal only.
public struct PKCS11Token: DataKeyWrapper {
    /// Where the token is and how to use it.
    public struct Configuration: Sendable {
        /// The module's path (such as `/usr/lib/softhsm/libsofthsm2.so`).
        public var module: String
        /// The token's label.
        public var tokenLabel: String
        /// The user PIN.
        public var pin: String
        /// The master key's label in the token.
        public var keyLabel: String

        /// A configuration; the key is labelled `palisade-master` unless told otherwise.
        public init(module: String, tokenLabel: String, pin: String, keyLabel: String = "palisade-master") {
            self.module = module
            self.tokenLabel = tokenLabel
            self.pin = pin
            self.keyLabel = keyLabel
        }
    }

    private let configuration: Configuration
    private let module: CryptokiModule

    /// Loads the module (once per process) and checks that the token is present.
    ///
    /// - Throws: ``PKCS11Error``.
    public init(_ configuration: Configuration) throws {
        self.configuration = configuration
        self.module = try CryptokiModule.load(configuration.module)
        _ = try slot()
    }

    /// `pkcs11:token=<label>;key=<label>` (RFC 7512's attribute names).
    public var identity: String { "pkcs11:token=\(configuration.tokenLabel);object=\(configuration.keyLabel)" }

    static let boxVersion: UInt8 = 1

    /// Makes the master key in the token unless it holds one already.
    ///
    /// - Returns: whether a key was made.
    @discardableResult
    public func ensureMasterKey() throws -> Bool {
        try withSession { session throws in
            if try findKey(session) != nil { return false }
            try generateKey(session)
            return true
        }
    }

    /// Whether the master key may leave the token (false for a key this made: checked, not assumed).
    public func masterKeyIsExtractable() throws -> Bool {
        try withSession { session throws in
            guard let key = try findKey(session) else { throw PKCS11Error.key("the token has no key labelled \(configuration.keyLabel)") }
            var extractable: UInt8 = 1
            var sensitive: UInt8 = 0
            try withUnsafeMutablePointer(to: &extractable) { extractablePointer throws in
                try withUnsafeMutablePointer(to: &sensitive) { sensitivePointer throws in
                    var template = [
                        Cryptoki.Attribute(type: Cryptoki.attributeExtractable, value: UnsafeMutableRawPointer(extractablePointer), length: 1),
                        Cryptoki.Attribute(type: Cryptoki.attributeSensitive, value: UnsafeMutableRawPointer(sensitivePointer), length: 1),
                    ]
                    let result = template.withUnsafeMutableBytes { module.getAttributeValue(session, key, $0.baseAddress, 2) }
                    guard result == Cryptoki.ok else { throw PKCS11Error.call("C_GetAttributeValue", result) }
                }
            }
            return extractable != 0 || sensitive == 0
        }
    }

    /// Seals `dataKey` with the token's master key (made first if the token has none).
    public func wrap(_ dataKey: SecretBytes, context: String) throws -> [UInt8] {
        try ensureMasterKey()
        var iv = [UInt8](repeating: 0, count: 12)
        var generator = SystemRandomNumberGenerator()
        for index in iv.indices { iv[index] = generator.next() }
        let sealed = try withSession { session throws in
            guard let key = try findKey(session) else { throw PKCS11Error.key("the token has no key labelled \(configuration.keyLabel)") }
            return try dataKey.withBytes { plaintext throws in
                try cipher(session, key: key, iv: iv, context: context, input: Array(plaintext), encrypting: true)
            }
        }
        return [Self.boxVersion] + iv + sealed
    }

    /// Opens a box ``wrap(_:context:)`` made.
    public func unwrap(_ wrapped: [UInt8], context: String) throws -> SecretBytes {
        guard wrapped.count > 1 + 12 + 16, wrapped[0] == Self.boxVersion else { throw PKCS11Error.key("the wrapped data-encryption key is damaged") }
        let iv = Array(wrapped[1..<13])
        let body = Array(wrapped[13...])
        var opened = try withSession { session throws in
            guard let key = try findKey(session) else { throw PKCS11Error.key("the token has no key labelled \(configuration.keyLabel)") }
            return try cipher(session, key: key, iv: iv, context: context, input: body, encrypting: false)
        }
        defer { for index in opened.indices { opened[index] = 0 } }
        return SecretBytes(opened)
    }

    // MARK: - Cryptoki

    private func slot() throws -> Cryptoki.ULong {
        var count: Cryptoki.ULong = 0
        var result = module.getSlotList(1, nil, &count)
        guard result == Cryptoki.ok else { throw PKCS11Error.call("C_GetSlotList", result) }
        var slots = [Cryptoki.ULong](repeating: 0, count: Int(count))
        result = slots.withUnsafeMutableBufferPointer { module.getSlotList(1, $0.baseAddress, &count) }
        guard result == Cryptoki.ok else { throw PKCS11Error.call("C_GetSlotList", result) }
        var info = [UInt8](repeating: 0, count: Cryptoki.tokenInfoCapacity)
        for slot in slots.prefix(Int(count)) {
            result = info.withUnsafeMutableBytes { module.getTokenInfo(slot, $0.baseAddress) }
            guard result == Cryptoki.ok else { continue }
            let label = String(decoding: info.prefix(32), as: UTF8.self).trimmingCharacters(in: .whitespaces)
            if label == configuration.tokenLabel { return slot }
        }
        throw PKCS11Error.noSuchToken(configuration.tokenLabel)
    }

    private func withSession<T>(_ body: (Cryptoki.ULong) throws -> T) throws -> T {
        let slot = try slot()
        var session: Cryptoki.ULong = 0
        var result = module.openSession(slot, Cryptoki.serialSession | Cryptoki.readWriteSession, nil, nil, &session)
        guard result == Cryptoki.ok else { throw PKCS11Error.call("C_OpenSession", result) }
        defer { _ = module.closeSession(session) }
        let pin = Array(configuration.pin.utf8)
        result = pin.withUnsafeBufferPointer { module.login(session, Cryptoki.userType, $0.baseAddress, Cryptoki.ULong($0.count)) }
        switch result {
        case Cryptoki.ok, Cryptoki.userAlreadyLoggedIn: break
        case Cryptoki.pinIncorrect: throw PKCS11Error.login("the token refused the PIN")
        case Cryptoki.pinLocked: throw PKCS11Error.login("the token's user PIN is locked")
        default: throw PKCS11Error.call("C_Login", result)
        }
        return try body(session)
    }

    private func findKey(_ session: Cryptoki.ULong) throws -> Cryptoki.ULong? {
        var keyClass = Cryptoki.secretKeyClass
        var label = Array(configuration.keyLabel.utf8)
        let labelLength = Cryptoki.ULong(label.count)
        return try withUnsafeMutablePointer(to: &keyClass) { classPointer throws -> Cryptoki.ULong? in
            try label.withUnsafeMutableBytes { labelBytes throws -> Cryptoki.ULong? in
                var template = [
                    Cryptoki.Attribute(type: Cryptoki.attributeClass, value: UnsafeMutableRawPointer(classPointer), length: 8),
                    Cryptoki.Attribute(type: Cryptoki.attributeLabel, value: labelBytes.baseAddress, length: labelLength),
                ]
                var result = template.withUnsafeMutableBytes { module.findObjectsInit(session, $0.baseAddress, 2) }
                guard result == Cryptoki.ok else { throw PKCS11Error.call("C_FindObjectsInit", result) }
                defer { _ = module.findObjectsFinal(session) }
                var found = [Cryptoki.ULong](repeating: 0, count: 2)
                var count: Cryptoki.ULong = 0
                result = found.withUnsafeMutableBufferPointer { module.findObjects(session, $0.baseAddress, 2, &count) }
                guard result == Cryptoki.ok else { throw PKCS11Error.call("C_FindObjects", result) }
                guard count <= 1 else { throw PKCS11Error.key("the token holds more than one key labelled \(configuration.keyLabel)") }
                return count == 1 ? found[0] : nil
            }
        }
    }

    private func generateKey(_ session: Cryptoki.ULong) throws {
        var yes: UInt8 = 1
        var no: UInt8 = 0
        var length: Cryptoki.ULong = 32
        var label = Array(configuration.keyLabel.utf8)
        let labelLength = Cryptoki.ULong(label.count)
        var mechanism = Cryptoki.Mechanism(mechanism: Cryptoki.aesKeyGeneration, parameter: nil, parameterLength: 0)
        var handle: Cryptoki.ULong = 0
        let result = withUnsafeMutablePointer(to: &yes) { yesPointer in
            withUnsafeMutablePointer(to: &no) { noPointer in
                withUnsafeMutablePointer(to: &length) { lengthPointer in
                    label.withUnsafeMutableBytes { labelBytes in
                        let on = UnsafeMutableRawPointer(yesPointer)
                        let off = UnsafeMutableRawPointer(noPointer)
                        var template = [
                            Cryptoki.Attribute(type: Cryptoki.attributeToken, value: on, length: 1),
                            Cryptoki.Attribute(type: Cryptoki.attributePrivate, value: on, length: 1),
                            Cryptoki.Attribute(type: Cryptoki.attributeSensitive, value: on, length: 1),
                            Cryptoki.Attribute(type: Cryptoki.attributeExtractable, value: off, length: 1),
                            Cryptoki.Attribute(type: Cryptoki.attributeEncrypt, value: on, length: 1),
                            Cryptoki.Attribute(type: Cryptoki.attributeDecrypt, value: on, length: 1),
                            Cryptoki.Attribute(type: Cryptoki.attributeValueLength, value: UnsafeMutableRawPointer(lengthPointer), length: 8),
                            Cryptoki.Attribute(type: Cryptoki.attributeLabel, value: labelBytes.baseAddress, length: labelLength),
                        ]
                        let count = Cryptoki.ULong(template.count)
                        return template.withUnsafeMutableBytes { templateBytes in
                            withUnsafeMutablePointer(to: &mechanism) { module.generateKey(session, $0, templateBytes.baseAddress, count, &handle) }
                        }
                    }
                }
            }
        }
        guard result == Cryptoki.ok else { throw PKCS11Error.call("C_GenerateKey", result) }
    }

    private func cipher(
        _ session: Cryptoki.ULong,
        key: Cryptoki.ULong,
        iv: [UInt8],
        context: String,
        input: [UInt8],
        encrypting: Bool
    ) throws -> [UInt8] {
        var ivBytes = iv
        var additional = Array(context.utf8)
        let additionalLength = Cryptoki.ULong(additional.count)
        let name = encrypting ? "C_Encrypt" : "C_Decrypt"
        return try ivBytes.withUnsafeMutableBytes { ivPointer throws -> [UInt8] in
            try additional.withUnsafeMutableBytes { additionalPointer throws -> [UInt8] in
                var parameters = Cryptoki.GCMParameters(
                    iv: ivPointer.baseAddress,
                    ivLength: 12,
                    ivBits: 96,
                    additionalData: additionalPointer.baseAddress,
                    additionalDataLength: additionalLength,
                    tagBits: 128
                )
                return try withUnsafeMutablePointer(to: &parameters) { parametersPointer throws -> [UInt8] in
                    var mechanism = Cryptoki.Mechanism(
                        mechanism: Cryptoki.aesGCM,
                        parameter: UnsafeMutableRawPointer(parametersPointer),
                        parameterLength: Cryptoki.ULong(MemoryLayout<Cryptoki.GCMParameters>.size)
                    )
                    var result = withUnsafeMutablePointer(to: &mechanism) {
                        encrypting ? module.encryptInit(session, $0, key) : module.decryptInit(session, $0, key)
                    }
                    guard result == Cryptoki.ok else { throw PKCS11Error.call(name + "Init", result) }
                    var output = [UInt8](repeating: 0, count: input.count + 16)
                    var outputLength = Cryptoki.ULong(output.count)
                    result = input.withUnsafeBufferPointer { inputPointer in
                        output.withUnsafeMutableBufferPointer { outputPointer in
                            (encrypting ? module.encrypt : module.decrypt)(
                                session,
                                inputPointer.baseAddress,
                                Cryptoki.ULong(inputPointer.count),
                                outputPointer.baseAddress,
                                &outputLength
                            )
                        }
                    }
                    guard result == Cryptoki.ok else { throw PKCS11Error.call(name, result) }
                    return Array(output.prefix(Int(outputLength)))
                }
            }
        }
    }
}
