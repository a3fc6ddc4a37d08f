// swift-tools-version:6.1
// A stand-alone measurement (not part of the palisade package or CI): GRDB against sqlite-nio for
// the ledger's write pattern. Run: swift run -c release (from this folder). See BENCHMARKS.md.
import PackageDescription

let package = Package(
    name: "sqlite-driver-comparison",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/sqlite-nio", from: "1.13.2"),
    ],
    targets: [
        .executableTarget(
            name: "sqlite-driver-comparison",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
            ]
        )
    ]
)
