/// SSH message numbers (RFC 4250 §4.1) the server handles.
public enum MessageNumber {
    /// SSH_MSG_DISCONNECT.
    public static let disconnect: UInt8 = 1
    /// SSH_MSG_IGNORE.
    public static let ignore: UInt8 = 2
    /// SSH_MSG_UNIMPLEMENTED.
    public static let unimplemented: UInt8 = 3
    /// SSH_MSG_DEBUG.
    public static let debug: UInt8 = 4
    /// SSH_MSG_SERVICE_REQUEST.
    public static let serviceRequest: UInt8 = 5
    /// SSH_MSG_SERVICE_ACCEPT.
    public static let serviceAccept: UInt8 = 6
    /// SSH_MSG_EXT_INFO (RFC 8308).
    public static let extInfo: UInt8 = 7
    /// SSH_MSG_KEXINIT.
    public static let kexInit: UInt8 = 20
    /// SSH_MSG_NEWKEYS.
    public static let newKeys: UInt8 = 21
    /// SSH_MSG_KEX_ECDH_INIT (RFC 5656).
    public static let kexECDHInit: UInt8 = 30
    /// SSH_MSG_KEX_ECDH_REPLY.
    public static let kexECDHReply: UInt8 = 31
    /// SSH_MSG_KEX_DH_GEX_GROUP (RFC 4419): the same number as the reply above, another method.
    public static let kexDHGexGroup: UInt8 = 31
    /// SSH_MSG_KEX_DH_GEX_INIT.
    public static let kexDHGexInit: UInt8 = 32
    /// SSH_MSG_KEX_DH_GEX_REPLY.
    public static let kexDHGexReply: UInt8 = 33
    /// SSH_MSG_KEX_DH_GEX_REQUEST.
    public static let kexDHGexRequest: UInt8 = 34
    /// SSH_MSG_USERAUTH_REQUEST.
    public static let userauthRequest: UInt8 = 50
    /// SSH_MSG_USERAUTH_FAILURE.
    public static let userauthFailure: UInt8 = 51
    /// SSH_MSG_USERAUTH_SUCCESS.
    public static let userauthSuccess: UInt8 = 52
    /// SSH_MSG_USERAUTH_BANNER.
    public static let userauthBanner: UInt8 = 53
    /// SSH_MSG_USERAUTH_PK_OK (RFC 4252 §7).
    public static let userauthPublicKeyOK: UInt8 = 60
    /// SSH_MSG_USERAUTH_INFO_REQUEST (RFC 4256 §3.2): the same number, another method.
    public static let userauthInfoRequest: UInt8 = 60
    /// SSH_MSG_USERAUTH_INFO_RESPONSE (RFC 4256 §3.4).
    public static let userauthInfoResponse: UInt8 = 61
    /// SSH_MSG_GLOBAL_REQUEST (RFC 4254).
    public static let globalRequest: UInt8 = 80
    /// SSH_MSG_REQUEST_SUCCESS.
    public static let requestSuccess: UInt8 = 81
    /// SSH_MSG_REQUEST_FAILURE.
    public static let requestFailure: UInt8 = 82
    /// SSH_MSG_CHANNEL_OPEN.
    public static let channelOpen: UInt8 = 90
    /// SSH_MSG_CHANNEL_OPEN_CONFIRMATION.
    public static let channelOpenConfirmation: UInt8 = 91
    /// SSH_MSG_CHANNEL_OPEN_FAILURE.
    public static let channelOpenFailure: UInt8 = 92
    /// SSH_MSG_CHANNEL_WINDOW_ADJUST.
    public static let channelWindowAdjust: UInt8 = 93
    /// SSH_MSG_CHANNEL_DATA.
    public static let channelData: UInt8 = 94
    /// SSH_MSG_CHANNEL_EXTENDED_DATA.
    public static let channelExtendedData: UInt8 = 95
    /// SSH_MSG_CHANNEL_EOF.
    public static let channelEOF: UInt8 = 96
    /// SSH_MSG_CHANNEL_CLOSE.
    public static let channelClose: UInt8 = 97
    /// SSH_MSG_CHANNEL_REQUEST.
    public static let channelRequest: UInt8 = 98
    /// SSH_MSG_CHANNEL_SUCCESS.
    public static let channelSuccess: UInt8 = 99
    /// SSH_MSG_CHANNEL_FAILURE.
    public static let channelFailure: UInt8 = 100
}
