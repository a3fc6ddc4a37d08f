/// A packet or message that does not follow the protocol: the connection is ended with
/// `reason` (RFC 4253 §11.1), never the process.
public struct SSHWireError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The SSH_MSG_DISCONNECT reason code to end the connection with.
    public var reason: DisconnectReason
    /// What was wrong (for the sensor's own log).
    public var description: String
    /// What the DISCONNECT tells the peer (OpenSSH's wording where it says something).
    public var peerMessage: String

    /// Creates an error.
    public init(_ reason: DisconnectReason = .protocolError, _ description: String, peerMessage: String = "") {
        self.reason = reason
        self.description = description
        self.peerMessage = peerMessage
    }
}

/// SSH_MSG_DISCONNECT reason codes (RFC 4250 §4.2.2).
public enum DisconnectReason: UInt32, Hashable, Sendable {
    /// SSH_DISCONNECT_HOST_NOT_ALLOWED_TO_CONNECT.
    case hostNotAllowedToConnect = 1
    /// SSH_DISCONNECT_PROTOCOL_ERROR.
    case protocolError = 2
    /// SSH_DISCONNECT_KEY_EXCHANGE_FAILED.
    case keyExchangeFailed = 3
    /// SSH_DISCONNECT_RESERVED.
    case reserved = 4
    /// SSH_DISCONNECT_MAC_ERROR.
    case macError = 5
    /// SSH_DISCONNECT_COMPRESSION_ERROR.
    case compressionError = 6
    /// SSH_DISCONNECT_SERVICE_NOT_AVAILABLE.
    case serviceNotAvailable = 7
    /// SSH_DISCONNECT_PROTOCOL_VERSION_NOT_SUPPORTED.
    case protocolVersionNotSupported = 8
    /// SSH_DISCONNECT_HOST_KEY_NOT_VERIFIABLE.
    case hostKeyNotVerifiable = 9
    /// SSH_DISCONNECT_CONNECTION_LOST.
    case connectionLost = 10
    /// SSH_DISCONNECT_BY_APPLICATION.
    case byApplication = 11
    /// SSH_DISCONNECT_TOO_MANY_CONNECTIONS.
    case tooManyConnections = 12
    /// SSH_DISCONNECT_AUTH_CANCELLED_BY_USER.
    case authCancelledByUser = 13
    /// SSH_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE.
    case noMoreAuthMethodsAvailable = 14
    /// SSH_DISCONNECT_ILLEGAL_USER_NAME.
    case illegalUserName = 15
}
