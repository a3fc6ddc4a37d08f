import Crypto

/// The server an SSH sensor impersonates: its banner and its KEXINIT lists in its exact order
/// (measured from the real server: ../shared/specs/openssh-profile-debian12.md), offered minus
/// what Palisade cannot complete — an algorithm offered and not completed is itself a fingerprint.
public struct ServerProfile: Hashable, Sendable {
    /// The banner.
    public var identification: Identification
    /// Key-exchange methods, with `kex-strict-s-v00@openssh.com` (and `ext-info-s` where the real
    /// server sends it).
    public var kex: [String]
    /// Host key algorithms.
    public var hostKeys: [String]
    /// Ciphers (both directions).
    public var ciphers: [String]
    /// MACs (both directions).
    public var macs: [String]
    /// Compression (both directions).
    public var compression: [String]

    /// OpenSSH 9.2p1 on Debian 12, as measured.
    public static let debian12 = ServerProfile(
        identification: Identification(softwareVersion: "OpenSSH_9.2p1", comments: "Debian-2+deb12u10"),
        kex: [
            "sntrup761x25519-sha512", "sntrup761x25519-sha512@openssh.com", "curve25519-sha256", "curve25519-sha256@libssh.org",
            "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521", "diffie-hellman-group-exchange-sha256",
            "diffie-hellman-group16-sha512", "diffie-hellman-group18-sha512", "diffie-hellman-group14-sha256", "kex-strict-s-v00@openssh.com",
        ],
        hostKeys: ["ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", "rsa-sha2-256"],
        ciphers: [
            "chacha20-poly1305@openssh.com", "aes128-ctr", "aes192-ctr", "aes256-ctr", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com",
        ],
        macs: [
            "umac-64-etm@openssh.com", "umac-128-etm@openssh.com", "hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com",
            "hmac-sha1-etm@openssh.com", "umac-64@openssh.com", "umac-128@openssh.com", "hmac-sha2-256", "hmac-sha2-512", "hmac-sha1",
        ],
        compression: ["none", "zlib@openssh.com"]
    )

    /// The profile limited to `implemented` algorithms (markers stay), order kept.
    public func offering(only implemented: Set<String>) -> ServerProfile {
        var limited = self
        let keep = { (name: String) in implemented.contains(name) || AlgorithmNegotiation.markers.contains(name) }
        limited.kex = kex.filter(keep)
        limited.hostKeys = hostKeys.filter(keep)
        limited.ciphers = ciphers.filter(keep)
        limited.macs = macs.filter(keep)
        limited.compression = compression.filter(keep)
        return limited
    }

    /// The server's KEXINIT with a fresh cookie.
    public func kexInit(cookie: [UInt8]) -> KexInit {
        KexInit(cookie: cookie, kexAlgorithms: kex, serverHostKeyAlgorithms: hostKeys, encryption: ciphers, mac: macs, compression: compression)
    }
}

/// HASSH fingerprints (salesforce/hassh): the MD5 of a side's algorithm lists, as SIEMs and threat
/// feeds key SSH clients and servers by.
public enum HASSH {
    /// The client's: md5("kex;enc_c2s;mac_c2s;comp_c2s"), and the string hashed.
    public static func client(_ kexInit: KexInit) -> (hash: String, algorithms: String) {
        fingerprint([kexInit.kexAlgorithms, kexInit.encryptionClientToServer, kexInit.macClientToServer, kexInit.compressionClientToServer])
    }

    /// The server's (hasshServer): md5("kex;enc_s2c;mac_s2c;comp_s2c").
    public static func server(_ kexInit: KexInit) -> (hash: String, algorithms: String) {
        fingerprint([kexInit.kexAlgorithms, kexInit.encryptionServerToClient, kexInit.macServerToClient, kexInit.compressionServerToClient])
    }

    private static func fingerprint(_ lists: [[String]]) -> (hash: String, algorithms: String) {
        let text = lists.map { $0.joined(separator: ",") }.joined(separator: ";")
        let digest = Insecure.MD5.hash(data: Array(text.utf8))
        let digits = Array("0123456789abcdef")
        return (String(digest.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] }), text)
    }
}
