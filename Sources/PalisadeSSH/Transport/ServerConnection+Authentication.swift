/// The userauth service (RFC 4252, RFC 4256) as sshd answers it: every request goes to the policy;
/// publickey queries get PK_OK only for keys the policy accepts, signatures are checked;
/// keyboard-interactive prompts "Password: " as sshd with PAM does; each failure but `none`
/// counts towards MaxAuthTries.
extension ServerConnection {
    static let hostBound = "publickey-hostbound-v00@openssh.com"

    func handleAuthentication(_ number: UInt8, _ payload: [UInt8], _ output: inout [UInt8], _ events: inout [SSHEvent]) throws(SSHWireError) {
        if number == MessageNumber.userauthInfoResponse, let user = interactiveUser {
            interactiveUser = nil
            var reader = SSHReader(payload, offset: 1)
            let count = try reader.readUInt32()
            guard count <= 8 else { throw SSHWireError(.protocolError, "\(count) keyboard-interactive responses") }
            var responses: [String] = []
            for _ in 0..<count { responses.append(try reader.readText(limit: 4_096)) }
            var attempt = AuthenticationAttempt(username: user, method: "keyboard-interactive", password: responses.first ?? "")
            attempt.number = authFailures + 1
            try conclude(attempt, succeeded: configuration.accepts(attempt), &output, &events)
            return
        }
        guard number == MessageNumber.userauthRequest else {
            try unimplemented(&output)
            return
        }
        interactiveUser = nil
        var reader = SSHReader(payload, offset: 1)
        let username = try reader.readText(limit: 1_024)
        let service = try reader.readText(limit: 64)
        let method = try reader.readText(limit: 64)
        var attempt = AuthenticationAttempt(username: username, method: method)
        attempt.number = method == "none" ? 0 : authFailures + 1
        switch method {
        case "password":
            attempt.changingPassword = try reader.readBool()
            attempt.password = try reader.readText(limit: 4_096)
            if attempt.changingPassword { _ = try reader.readText(limit: 4_096) }
        case "publickey", Self.hostBound:
            attempt.method = "publickey"
            let signed = try reader.readBool()
            let algorithm = try reader.readText(limit: 128)
            let blob = try reader.readString(limit: 16_384)
            attempt.publicKeyAlgorithm = algorithm
            attempt.publicKeyBlob = blob
            // OpenSSH 8.9+: the server's host key, bound into the signature.
            let hostKey = method == Self.hostBound ? try reader.readString(limit: 16_384) : nil
            guard signed else {
                guard configuration.accepts(attempt) else { break }
                events.append(.publicKeyAcceptable(attempt))
                var ok = SSHWriter()
                ok.write(byte: MessageNumber.userauthPublicKeyOK)
                ok.write(text: algorithm)
                ok.write(string: blob)
                try send(ok.bytes, &output)
                return
            }
            let signature = try reader.readString(limit: 4_096)
            let data = ClientKeySignature.signedData(
                sessionID: sessionID ?? [],
                user: username,
                service: service,
                method: method,
                algorithm: algorithm,
                blob: blob,
                hostKey: hostKey
            )
            let verdict = ClientKeySignature.verify(algorithm: algorithm, blob: blob, signature: signature, data: data)
            attempt.signature = "\(verdict)"
            try conclude(attempt, succeeded: verdict == .valid && configuration.accepts(attempt), &output, &events)
            return
        case "keyboard-interactive" where configuration.authenticationMethods.contains("keyboard-interactive"):
            _ = try reader.readText(limit: 256)  // language tag (deprecated)
            _ = try reader.readText(limit: 1_024)  // submethods
            interactiveUser = username
            var prompt = SSHWriter()
            prompt.write(byte: MessageNumber.userauthInfoRequest)
            prompt.write(text: "")  // name
            prompt.write(text: "")  // instruction
            prompt.write(text: "")  // language
            prompt.write(uint32: 1)
            prompt.write(text: "Password: ")
            prompt.write(bool: false)  // no echo
            try send(prompt.bytes, &output)
            return
        default:
            break
        }
        try conclude(attempt, succeeded: configuration.accepts(attempt), &output, &events)
    }

    /// Answers an attempt: SUCCESS (and the connection protocol), or FAILURE with the methods —
    /// and, at MaxAuthTries failures, sshd's disconnect.
    private func conclude(
        _ attempt: AuthenticationAttempt,
        succeeded: Bool,
        _ output: inout [UInt8],
        _ events: inout [SSHEvent]
    )
        throws(SSHWireError)
    {
        events.append(.authentication(attempt, succeeded: succeeded))
        if !succeeded && attempt.method != "none" {
            authFailures += 1
            if authFailures >= configuration.maxAuthTries {
                throw SSHWireError(
                    .protocolError,
                    "too many authentication failures for \(attempt.username)",
                    peerMessage: "Too many authentication failures"
                )
            }
        }
        var answer = SSHWriter()
        if succeeded {
            answer.write(byte: MessageNumber.userauthSuccess)
            phase = .connection
        } else {
            answer.write(byte: MessageNumber.userauthFailure)
            answer.write(nameList: configuration.authenticationMethods)
            answer.write(bool: false)
        }
        try send(answer.bytes, &output)
    }
}
