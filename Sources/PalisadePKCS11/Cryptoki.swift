/// The few PKCS#11 (Cryptoki v2.40) types and constants the token adapter uses, laid out as the
/// C headers define them on LP64 Unix: `CK_ULONG` is `unsigned long` (64 bits), structures are
/// not packed.
enum Cryptoki {
    typealias ULong = UInt
    typealias ReturnValue = UInt

    // Return values.
    static let ok: ReturnValue = 0
    static let cryptokiAlreadyInitialized: ReturnValue = 0x191
    static let userAlreadyLoggedIn: ReturnValue = 0x100
    static let pinIncorrect: ReturnValue = 0xA0
    static let pinLocked: ReturnValue = 0xA4

    // Flags, user types, classes, key types.
    static let serialSession: ULong = 0x4
    static let readWriteSession: ULong = 0x2
    static let osLockingOK: ULong = 0x2
    static let userType: ULong = 1
    static let secretKeyClass: ULong = 0x4
    static let aesKeyType: ULong = 0x1F

    // Attributes.
    static let attributeClass: ULong = 0x0
    static let attributeToken: ULong = 0x1
    static let attributePrivate: ULong = 0x2
    static let attributeLabel: ULong = 0x3
    static let attributeKeyType: ULong = 0x100
    static let attributeSensitive: ULong = 0x103
    static let attributeEncrypt: ULong = 0x104
    static let attributeDecrypt: ULong = 0x105
    static let attributeValueLength: ULong = 0x161
    static let attributeExtractable: ULong = 0x162

    // Mechanisms.
    static let aesKeyGeneration: ULong = 0x1080
    static let aesGCM: ULong = 0x1087

    /// `CK_ATTRIBUTE`.
    struct Attribute {
        var type: ULong
        var value: UnsafeMutableRawPointer?
        var length: ULong
    }

    /// `CK_MECHANISM`.
    struct Mechanism {
        var mechanism: ULong
        var parameter: UnsafeMutableRawPointer?
        var parameterLength: ULong
    }

    /// `CK_GCM_PARAMS` (v2.40, with `ulIvBits`).
    struct GCMParameters {
        var iv: UnsafeMutableRawPointer?
        var ivLength: ULong
        var ivBits: ULong
        var additionalData: UnsafeMutableRawPointer?
        var additionalDataLength: ULong
        var tagBits: ULong
    }

    /// `CK_C_INITIALIZE_ARGS`: no mutex callbacks, the OS's locking allowed.
    struct InitializeArguments {
        var createMutex: UnsafeMutableRawPointer? = nil
        var destroyMutex: UnsafeMutableRawPointer? = nil
        var lockMutex: UnsafeMutableRawPointer? = nil
        var unlockMutex: UnsafeMutableRawPointer? = nil
        var flags: ULong
        var reserved: UnsafeMutableRawPointer? = nil
    }

    /// The size of `CK_TOKEN_INFO` is below this; its label is its first 32 bytes, space-padded.
    static let tokenInfoCapacity = 512
}
