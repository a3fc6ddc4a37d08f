// swift-tools-version:6.1
import PackageDescription

/// Settings every Palisade target shares (../shared/CONVENTIONS.md, "Compiler settings").
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "palisade",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "palisade", targets: ["palisade"]),
        .library(name: "PalisadeLedger", targets: ["PalisadeLedger"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // L0: RFC 9162 Merkle trees, C2SP tiles, checkpoints and signed notes. Entries are bytes.
        .target(
            name: "PalisadeLedger",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        // L1: domain values, validation, canonical JSON and the ports adapters implement.
        .target(
            name: "PalisadeCore",
            dependencies: ["PalisadeLedger", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        // L2: the only writer of the ledger (validation, group commit, checkpoints) and its readers' tools.
        .target(
            name: "PalisadeIngest",
            dependencies: [
                "PalisadeCore",
                "PalisadeLedger",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // L2: the vault: sealed, versioned keys, their operations, Shamir unseal shares, approvals.
        .target(
            name: "PalisadeVault",
            dependencies: [
                "PalisadeCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        // L2: detection: threshold and sequence rules, Sigma, anomaly detectors, the incident manager.
        .target(
            name: "PalisadeDetection",
            dependencies: ["PalisadeCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: strictSettings
        ),
        // L2: alerting: routing, grouping, inhibition and silences (pure), signed webhooks, the
        // outbox's retry policy, and one file per channel behind one protocol.
        .target(
            name: "PalisadeAlerting",
            dependencies: [
                "PalisadeCore", "PalisadeLedger", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: strictSettings
        ),
        // L2: Palisade's own server-side SSH-2 (wire format, key exchange, ciphers), pure and bounded.
        .target(
            name: "PalisadeSSH",
            dependencies: [.product(name: "Crypto", package: "swift-crypto"), .product(name: "_CryptoExtras", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        // L3: the SSH honeypot: Palisade's SSH server on a socket, fake shells, events for the ledger.
        .target(
            name: "PalisadeHoneypot",
            dependencies: [
                "PalisadeSSH", "PalisadeCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // L3: alert channels over the network: HTTP receivers (webhook, Slack, Discord, PagerDuty)
        // with SSRF checks on resolved addresses, per-host caps and timeouts.
        .target(
            name: "PalisadeChannels",
            dependencies: [
                "PalisadeAlerting",
                "PalisadeCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strictSettings
        ),
        // L2: the sealed JSONL archive (export, offline verification, import), retention sweeps, and
        // anchoring outside the database (write-once files, witnesses, RFC 3161 time-stamps).
        .target(
            name: "PalisadeExport",
            dependencies: [
                "PalisadeCore",
                "PalisadeLedger",
                "PalisadeIngest",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strictSettings
        ),
        // L3: the embedded SQLite implementation of the core's ports.
        .target(
            name: "PalisadeSQLite",
            dependencies: [
                "PalisadeCore",
                "PalisadeLedger",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        // L3: the PostgreSQL implementation of the same ports: bind-only SQL, append-only triggers, partitions.
        .target(
            name: "PalisadePostgres",
            dependencies: [
                "PalisadeCore",
                "PalisadeLedger",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // L3: the HTTP API (Hummingbird): ingest, queries, proofs and tiles, auth, limits, metrics.
        .target(
            name: "PalisadeServer",
            dependencies: [
                "PalisadeCore",
                "PalisadeLedger",
                "PalisadeIngest",
                "PalisadeDetection",
                "PalisadeAlerting",
                "PalisadeVault",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            swiftSettings: strictSettings
        ),
        // L3: host metrics from /proc and /sys, for `palisade agent`.
        .target(
            name: "PalisadeAgent",
            swiftSettings: strictSettings
        ),
        // L3: the vault's master key in a PKCS#11 token (the module loaded with dlopen).
        .target(
            name: "PalisadePKCS11",
            dependencies: ["PalisadeVault"],
            swiftSettings: strictSettings
        ),
        // Tests only: in-memory ports, the store conformance suite, throwaway PostgreSQL databases, vector loading.
        .target(
            name: "PalisadeTesting",
            dependencies: [
                "PalisadeCore",
                "PalisadeLedger",
                "PalisadeIngest",
                "PalisadePostgres",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // L4: the `palisade` command.
        .executableTarget(
            name: "palisade",
            dependencies: [
                "PalisadeAgent",
                "PalisadeVault",
                "PalisadePKCS11",
                "PalisadeDetection",
                "PalisadeAlerting",
                "PalisadeChannels",
                "PalisadeSSH",
                "PalisadeHoneypot",
                "PalisadeCore",
                "PalisadeLedger",
                "PalisadeIngest",
                "PalisadeExport",
                "PalisadeSQLite",
                "PalisadePostgres",
                "PalisadeServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
        // The fuzz target for the SSH and honeypot parsers (scripts/fuzz builds it with libFuzzer;
        // built normally it replays the inputs it is given).
        .executableTarget(
            name: "palisade-ssh-fuzz",
            dependencies: ["PalisadeSSH", "PalisadeHoneypot", .product(name: "Crypto", package: "swift-crypto")],
            path: "Fuzz/SSHFuzz",
            swiftSettings: strictSettings
        ),
        // Release-mode benchmarks for BENCHMARKS.md (`swift run -c release palisade-bench`).
        .executableTarget(
            name: "palisade-bench",
            dependencies: [
                "PalisadeCore",
                "PalisadeDetection",
                "PalisadeAlerting",
                "PalisadeChannels",
                "PalisadeLedger",
                "PalisadeIngest",
                "PalisadeExport",
                "PalisadeSQLite",
                "PalisadePostgres",
                "PalisadeSSH",
                "PalisadeHoneypot",
                "PalisadeVault",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Benchmarks/palisade-bench",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PalisadeLedgerTests",
            dependencies: ["PalisadeLedger", "PalisadeTesting"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PalisadeAgentTests",
            dependencies: ["PalisadeAgent"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PalisadePKCS11Tests",
            dependencies: ["PalisadePKCS11", "PalisadeVault", "PalisadeCore", "PalisadeTesting"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PalisadeVaultTests",
            dependencies: [
                "PalisadeVault", "PalisadeCore", "PalisadeTesting",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PalisadeCoreTests",
            dependencies: ["PalisadeCore", "PalisadeTesting"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PalisadeIngestTests",
            dependencies: [
                "PalisadeIngest",
                "PalisadeCore",
                "PalisadeLedger",
                "PalisadeTesting",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PalisadeSQLiteTests",
            dependencies: ["PalisadeSQLite", "PalisadeIngest", "PalisadeCore", "PalisadeLedger", "PalisadeTesting"],
            swiftSettings: strictSettings
        ),
        // The store conformance suite against every backend, and PostgreSQL's own guarantees.
        .testTarget(
            name: "PalisadeStoreTests",
            dependencies: [
                "PalisadePostgres",
                "PalisadeSQLite",
                "PalisadeIngest",
                "PalisadeCore",
                "PalisadeLedger",
                "PalisadeTesting",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PalisadeServerTests",
            dependencies: [
                "PalisadeServer",
                "PalisadeAlerting",
                "PalisadeChannels",
                "PalisadeSQLite",
                "PalisadeDetection",
                "PalisadeIngest",
                "PalisadeCore",
                "PalisadeLedger",
                "PalisadeTesting",
                "PalisadeVault",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            exclude: ["Scripts"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "palisadeTests",
            dependencies: ["PalisadeCore", "PalisadeLedger", "PalisadePostgres", "PalisadeSQLite", "PalisadeTesting"],
            exclude: ["Scripts"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PalisadeDetectionTests",
            dependencies: [
                "PalisadeDetection", "PalisadeCore", "PalisadeIngest", "PalisadeLedger", "PalisadeSQLite", "PalisadeTesting",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PalisadeAlertingTests",
            dependencies: [
                "PalisadeAlerting", "PalisadeChannels", "PalisadeCore", "PalisadeLedger", "PalisadeIngest", "PalisadeSQLite", "PalisadeTesting",
                "PalisadeVault",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            exclude: ["Scripts"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PalisadeSSHTests",
            dependencies: [
                "PalisadeSSH", "PalisadeHoneypot", "PalisadeCore", "PalisadeTesting",
                .product(name: "Logging", package: "swift-log"), .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ],
            exclude: ["Scripts"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PalisadeExportTests",
            dependencies: [
                "PalisadeExport", "PalisadeCore", "PalisadeLedger", "PalisadeIngest", "PalisadeTesting",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
