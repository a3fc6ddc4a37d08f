import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A PKCS#11 module loaded with `dlopen`, its functions looked up by their exported names (every
/// module this was tried with — SoftHSM2, p11-kit's proxy — exports them; a module that does not
/// is refused by name). Loaded once per path and never unloaded, as a module may keep threads.
final class CryptokiModule: @unchecked Sendable {
    // @unchecked: every stored property is set once in init and only read afterwards.
    typealias Initialize = @convention(c) (UnsafeMutableRawPointer?) -> Cryptoki.ReturnValue
    typealias GetSlotList =
        @convention(c) (UInt8, UnsafeMutablePointer<Cryptoki.ULong>?, UnsafeMutablePointer<Cryptoki.ULong>?) ->
        Cryptoki.ReturnValue
    typealias GetTokenInfo = @convention(c) (Cryptoki.ULong, UnsafeMutableRawPointer?) -> Cryptoki.ReturnValue
    typealias OpenSession =
        @convention(c) (
            Cryptoki.ULong, Cryptoki.ULong, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, UnsafeMutablePointer<Cryptoki.ULong>?
        ) -> Cryptoki.ReturnValue
    typealias SessionCall = @convention(c) (Cryptoki.ULong) -> Cryptoki.ReturnValue
    typealias Login = @convention(c) (Cryptoki.ULong, Cryptoki.ULong, UnsafePointer<UInt8>?, Cryptoki.ULong) -> Cryptoki.ReturnValue
    typealias FindObjectsInit = @convention(c) (Cryptoki.ULong, UnsafeMutableRawPointer?, Cryptoki.ULong) -> Cryptoki.ReturnValue
    typealias FindObjects =
        @convention(c) (
            Cryptoki.ULong, UnsafeMutablePointer<Cryptoki.ULong>?, Cryptoki.ULong, UnsafeMutablePointer<Cryptoki.ULong>?
        ) -> Cryptoki.ReturnValue
    typealias CipherInit = @convention(c) (Cryptoki.ULong, UnsafeMutableRawPointer?, Cryptoki.ULong) -> Cryptoki.ReturnValue
    typealias Cipher =
        @convention(c) (
            Cryptoki.ULong, UnsafePointer<UInt8>?, Cryptoki.ULong, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<Cryptoki.ULong>?
        ) -> Cryptoki.ReturnValue
    typealias GenerateKey =
        @convention(c) (
            Cryptoki.ULong, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, Cryptoki.ULong, UnsafeMutablePointer<Cryptoki.ULong>?
        ) -> Cryptoki.ReturnValue
    typealias GetAttributeValue =
        @convention(c) (Cryptoki.ULong, Cryptoki.ULong, UnsafeMutableRawPointer?, Cryptoki.ULong) ->
        Cryptoki.ReturnValue

    let path: String
    let initialize: Initialize
    let getSlotList: GetSlotList
    let getTokenInfo: GetTokenInfo
    let openSession: OpenSession
    let closeSession: SessionCall
    let login: Login
    let findObjectsInit: FindObjectsInit
    let findObjects: FindObjects
    let findObjectsFinal: SessionCall
    let encryptInit: CipherInit
    let encrypt: Cipher
    let decryptInit: CipherInit
    let decrypt: Cipher
    let generateKey: GenerateKey
    let getAttributeValue: GetAttributeValue

    private static let loaded = NSLock()
    nonisolated(unsafe) private static var modules: [String: CryptokiModule] = [:]

    /// The module at `path`, loaded and initialised on first use.
    ///
    /// - Throws: ``PKCS11Error`` when it cannot be loaded, lacks a function or fails to initialise.
    static func load(_ path: String) throws -> CryptokiModule {
        try loaded.withLock { () throws -> CryptokiModule in
            if let module = modules[path] { return module }
            let module = try CryptokiModule(path: path)
            modules[path] = module
            return module
        }
    }

    private init(path: String) throws {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown reason"
            throw PKCS11Error.module("cannot load \(path): \(reason)")
        }
        func function<T>(_ name: String, _: T.Type) throws -> T {
            guard let symbol = dlsym(handle, name) else { throw PKCS11Error.module("\(path) does not export \(name)") }
            return unsafeBitCast(symbol, to: T.self)
        }
        self.path = path
        initialize = try function("C_Initialize", Initialize.self)
        getSlotList = try function("C_GetSlotList", GetSlotList.self)
        getTokenInfo = try function("C_GetTokenInfo", GetTokenInfo.self)
        openSession = try function("C_OpenSession", OpenSession.self)
        closeSession = try function("C_CloseSession", SessionCall.self)
        login = try function("C_Login", Login.self)
        findObjectsInit = try function("C_FindObjectsInit", FindObjectsInit.self)
        findObjects = try function("C_FindObjects", FindObjects.self)
        findObjectsFinal = try function("C_FindObjectsFinal", SessionCall.self)
        encryptInit = try function("C_EncryptInit", CipherInit.self)
        encrypt = try function("C_Encrypt", Cipher.self)
        decryptInit = try function("C_DecryptInit", CipherInit.self)
        decrypt = try function("C_Decrypt", Cipher.self)
        generateKey = try function("C_GenerateKey", GenerateKey.self)
        getAttributeValue = try function("C_GetAttributeValue", GetAttributeValue.self)
        var arguments = Cryptoki.InitializeArguments(flags: Cryptoki.osLockingOK)
        let result = initialize(&arguments)
        guard result == Cryptoki.ok || result == Cryptoki.cryptokiAlreadyInitialized else {
            throw PKCS11Error.call("C_Initialize", result)
        }
    }
}
