// swift-tools-version: 6.1
//
// swiftlet: a Kubernetes node agent for Linux. The module layout and the direction of the
// dependencies are described in README.md ("Architecture"); leaf modules know nothing of the
// ones above them, and C lives only in the small system-library and shim targets.

import PackageDescription

let swiftSettings: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "swiftlet",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // MARK: System libraries (pkg-config, with the Debian packages that provide them)

        .systemLibrary(name: "CNftnl", pkgConfig: "libnftnl", providers: [.apt(["libnftnl-dev"])]),
        .systemLibrary(name: "CMnl", pkgConfig: "libmnl", providers: [.apt(["libmnl-dev"])]),
        .systemLibrary(name: "CSeccomp", pkgConfig: "libseccomp", providers: [.apt(["libseccomp-dev"])]),
        .systemLibrary(name: "CCap", pkgConfig: "libcap", providers: [.apt(["libcap-dev"])]),

        // MARK: C shims

        .target(name: "CSwiftletNetfilter", path: "Sources/CSwiftletNetfilter"),

        // MARK: Libraries

        .target(
            name: "NFTables",
            dependencies: ["CNftnl", "CMnl", "CSwiftletNetfilter"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ServiceProxy",
            dependencies: ["NFTables", "CSwiftletNetfilter"],
            swiftSettings: swiftSettings
        ),

        // MARK: Tests

        .testTarget(
            name: "SystemLibraryTests",
            dependencies: ["CNftnl", "CMnl", "CSeccomp", "CCap"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NFTablesTests",
            dependencies: ["NFTables", "CNftnl", "CMnl", "CSwiftletNetfilter"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServiceProxyTests",
            dependencies: ["ServiceProxy", "NFTables", "CSwiftletNetfilter"],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
