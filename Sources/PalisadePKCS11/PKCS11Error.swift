/// Why a PKCS#11 token could not be used, in words that say what to check.
public enum PKCS11Error: Error, Hashable, Sendable, CustomStringConvertible {
    /// The module could not be loaded or lacks a function.
    case module(String)
    /// No token with this label is present.
    case noSuchToken(String)
    /// The PIN was refused (or the token locked it).
    case login(String)
    /// The token holds no usable key with this label (or more than one).
    case key(String)
    /// A Cryptoki call failed with this return value.
    case call(String, UInt)

    /// The reason.
    public var description: String {
        switch self {
        case .module(let why): "PKCS#11 module: \(why)"
        case .noSuchToken(let label): "no PKCS#11 token labelled \(label) is present (check the module and the token's label)"
        case .login(let why): "PKCS#11 login failed: \(why)"
        case .key(let why): "PKCS#11 key: \(why)"
        case .call(let function, let value): "\(function) failed with CKR 0x\(String(value, radix: 16))"
        }
    }
}
