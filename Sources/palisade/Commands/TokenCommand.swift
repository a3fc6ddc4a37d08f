import ArgumentParser
import Foundation
import PalisadeCore
import PalisadeIngest
import PalisadeSQLite
import PalisadeServer

/// `palisade token`: API tokens managed on the data directory directly (for the first token of a
/// tenant, or when the admin token is lost). The HTTP admin API does the same over the network.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, list and revoke API tokens in the data directory.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mint a token (printed once; only its hash is stored). Registers the tenant if needed."
        )
        @OptionGroup var global: GlobalOptions
        @Option(help: "A label for the token.") var name: String
        @Option(help: ArgumentHelp("Comma-separated scopes: ingest, read, admin, respond.", valueName: "scopes")) var scopes: String
        @Option(help: ArgumentHelp("When it stops working (RFC 3339).", valueName: "time")) var expires: String?
        @Option(help: ArgumentHelp("A network it may be used from (CIDR); repeat for several.", valueName: "cidr")) var allow: [String] = []

        func run() async throws {
            try await reportingErrors {
                let tenant = try global.tenantID()
                guard let parsed = Scope.parseList(scopes), !parsed.isEmpty else {
                    throw ValidationError("--scopes must list some of ingest, read, admin, respond")
                }
                var expiresAt: Timestamp?
                if let expires {
                    guard let time = Timestamp(rfc3339: expires) else { throw ValidationError("--expires must be an RFC 3339 time") }
                    expiresAt = time
                }
                var networks: [IPNetwork] = []
                for text in allow {
                    guard let network = IPNetwork(text) else { throw ValidationError("--allow \(text) is not a CIDR such as 10.0.0.0/8") }
                    networks.append(network)
                }
                try await global.withSecrets { _, store, secrets in
                    let codec = APITokenCodec(key: try await secrets.tokenKey())
                    let clock = SystemWallClock()
                    try await Bootstrap.register(tenant, in: store, clock: clock)
                    let (token, record) = codec.mint(
                        tenant: tenant,
                        name: name,
                        scopes: parsed,
                        createdAt: clock.now(),
                        expiresAt: expiresAt,
                        allowedNetworks: networks
                    )
                    try await store.createToken(record)
                    printError(
                        "palisade: token \(record.id) for tenant \(tenant) with scopes \(parsed.sorted().map(\.rawValue).joined(separator: ",")); shown once:"
                    )
                    print(token)
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a tenant's tokens (never their secrets).")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await reportingErrors {
                try await global.withStore { _, store in
                    let now = SystemWallClock().now()
                    for record in try await store.tokens(of: try global.tenantID()) {
                        let state =
                            record.revokedAt.map { "revoked \($0.rfc3339)" } ?? record.expiresAt.flatMap { now >= $0 ? "expired \($0.rfc3339)" : nil }
                            ?? "active"
                        let networks =
                            record.allowedNetworks.isEmpty ? "" : "  from \(record.allowedNetworks.map(\.description).joined(separator: ","))"
                        let scopes = record.scopes.sorted().map(\.rawValue).joined(separator: ",")
                        print("pal_\(record.id)  \(scopes)  \(QueryEvents.printable(record.name))  \(state)\(networks)")
                    }
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by id; a running server refuses it on the next request.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The token id (the 12 characters after pal_).") var id: String

        func run() async throws {
            try await reportingErrors {
                try await global.withStore { _, store in
                    let id = self.id.hasPrefix("pal_") ? String(self.id.dropFirst(4).prefix(12)) : self.id
                    guard try await store.revokeToken(id: id, of: try global.tenantID(), at: SystemWallClock().now()) != nil else {
                        throw CLIError("tenant \(try global.tenantID()) has no token \(id)")
                    }
                    print("revoked pal_\(id)")
                }
            }
        }
    }
}
