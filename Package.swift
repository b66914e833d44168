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
    products: [
        .executable(name: "swiftlet", targets: ["swiftlet"]),
        .library(name: "KubeAPI", targets: ["KubeAPI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.20.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.27.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.0.0"),
    ],
    targets: [
        // MARK: System libraries (pkg-config, with the Debian packages that provide them)

        .systemLibrary(name: "CNftnl", pkgConfig: "libnftnl", providers: [.apt(["libnftnl-dev"])]),
        .systemLibrary(name: "CMnl", pkgConfig: "libmnl", providers: [.apt(["libmnl-dev"])]),
        .systemLibrary(name: "CSeccomp", pkgConfig: "libseccomp", providers: [.apt(["libseccomp-dev"])]),
        .systemLibrary(name: "CCap", pkgConfig: "libcap", providers: [.apt(["libcap-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CLinuxFS"),
        .systemLibrary(name: "CMalloc"),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),

        // MARK: Container runtime

        .target(name: "ContainerRuntime", swiftSettings: swiftSettings),
        .target(name: "ContainerRuntimeTesting", dependencies: ["ContainerRuntime"], swiftSettings: swiftSettings),
        .target(
            name: "CSwiftletRuntime",
            dependencies: ["CCap"],
            cSettings: [.define("_GNU_SOURCE"), .unsafeFlags(["-Wall", "-Wextra", "-Werror"])]
        ),
        .executableTarget(
            name: "swiftlet-monitor",
            dependencies: ["CSwiftletRuntime"],
            cSettings: [.define("_GNU_SOURCE"), .unsafeFlags(["-Wall", "-Wextra", "-Werror"])],
            // C only and linked statically (about 0.9 MiB resident): see swift_runtime_stubs.c.
            linkerSettings: [.unsafeFlags(["-static-executable"])]
        ),
        .target(
            name: "NativeRuntime",
            dependencies: [
                "ContainerRuntime", "CSwiftletRuntime", "CSeccomp", "CCap", .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "swiftlet-runtime-tool",
            dependencies: ["NativeRuntime", "ContainerRuntime"],
            swiftSettings: swiftSettings
        ),

        // MARK: Swift modules, leaves first

        .target(
            name: "Images",
            dependencies: [
                "CLinuxFS",
                "CZlib",
                "CZstd",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        .target(
            name: "ImagesCLI",
            dependencies: ["Images", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),

        .target(
            name: "KubeAPI",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KubeClient",
            dependencies: [
                "KubeAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Kubelet",
            dependencies: [
                "KubeAPI",
                "ContainerRuntime",
                "CZlib",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "NodeAgent",
            dependencies: [
                "KubeAPI",
                "Kubelet",
                "RuntimeWiring",
                "Images",
                "PodNetwork",
                "Netlink",
                "ServiceProxy",
                "NFTables",
                "KubeClient",
                "CMalloc",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "swiftlet",
            dependencies: [
                "NodeAgent",
                "KubeAPI",
                "ImagesCLI",
                "RuntimeCLI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings,
            // Release: linked by lld with packed relative relocations (RELR, glibc 2.36+) and no
            // exported symbol table. With the Swift runtime linked in (`--static-swift-stdlib`,
            // as scripts/install and scripts/bench build it), gold's PIE carries 3.5 MiB of
            // relocations and 2 MiB of dynamic symbols that the loader reads in at every start.
            linkerSettings: [
                .unsafeFlags(
                    ["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-export-dynamic"],
                    .when(configuration: .release))
            ]
        ),

        // MARK: Benchmarks (run by scripts/bench, never by the test suite)

        .target(name: "BenchReport", path: "Benchmarks/BenchReport", swiftSettings: swiftSettings),
        .executableTarget(
            name: "swiftlet-bench",
            dependencies: ["KubeAPI", "BenchReport"],
            path: "Benchmarks/swiftlet-bench",
            swiftSettings: swiftSettings
        ),

        // MARK: C shims

        .target(name: "CSwiftletNet", path: "Sources/CSwiftletNet"),
        // The kernel's nf_tables constants, headers only; namespace switching lives in CSwiftletNet.
        .systemLibrary(name: "CSwiftletNetfilter", path: "Sources/CSwiftletNetfilter"),

        // MARK: Networking

        .target(name: "Netlink", dependencies: ["CMnl", "CSwiftletNet"], swiftSettings: swiftSettings),
        .target(
            name: "NFTables",
            dependencies: ["CNftnl", "CMnl", "CSwiftletNetfilter", "CSwiftletNet"],
            swiftSettings: swiftSettings
        ),
        .target(name: "PodNetwork", dependencies: ["KubeAPI", "Netlink", "NFTables", "CSwiftletNet"], swiftSettings: swiftSettings),

        // MARK: The runtime put together with the image store and the pod network

        .target(
            name: "RuntimeWiring",
            dependencies: [
                "NativeRuntime", "ContainerRuntime", "Images", "PodNetwork", "Netlink",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        .target(
            name: "RuntimeCLI",
            dependencies: [
                "RuntimeWiring", "NodeAgent", "KubeAPI", "NativeRuntime", "ContainerRuntime", "Images", "PodNetwork", "Netlink",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Benchmarks

        .executableTarget(
            name: "swiftlet-bench-network",
            dependencies: ["PodNetwork", "Netlink", "CSwiftletNet", "BenchReport"],
            path: "Benchmarks/swiftlet-bench-network",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ServiceProxy",
            dependencies: ["KubeAPI", "NFTables", "CSwiftletNetfilter", "CSwiftletNet"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "swiftlet-bench-runtime",
            dependencies: ["NativeRuntime", "ContainerRuntime", "BenchReport"],
            path: "Benchmarks/swiftlet-bench-runtime",
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "swiftlet-bench-pods",
            dependencies: ["BenchReport", "KubeAPI", "KubeClient", "KubeTestServer"],
            path: "Benchmarks/swiftlet-bench-pods",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "swiftlet-bench-proxy",
            dependencies: ["BenchReport", "ServiceProxy", "NFTables", "Netlink", "CSwiftletNet"],
            path: "Benchmarks/swiftlet-bench-proxy",
            swiftSettings: swiftSettings
        ),

        // MARK: Tests

        .target(name: "TestSupport", dependencies: ["Netlink"], swiftSettings: swiftSettings),
        // A faithful Kubernetes API server for tests (REST, watch, TLS, CSR flow, faults on demand):
        // test support, never shipped in the swiftlet binary.
        .target(
            name: "KubeTestServer",
            dependencies: [
                "KubeAPI",
                "CSwiftletNet",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KubeClientTests",
            dependencies: [
                "KubeClient", "KubeTestServer", "KubeAPI", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KubeTestServerTests",
            dependencies: [
                "KubeTestServer", "KubeAPI", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "KubeAPITests", dependencies: ["KubeAPI", "TestSupport"], resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "NodeAgentTests",
            dependencies: [
                "NodeAgent", "Kubelet", "KubeAPI", "ServiceProxy", "NFTables", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ImagesTests",
            dependencies: [
                "Images", "ImagesCLI", "CLinuxFS", "CZlib", "CZstd", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KubeletTests",
            dependencies: ["Kubelet", "KubeAPI", "ContainerRuntime", "ContainerRuntimeTesting", "TestSupport"],
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "ContainerRuntimeTests",
            dependencies: ["ContainerRuntime", "ContainerRuntimeTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NativeRuntimeTests",
            dependencies: ["NativeRuntime", "ContainerRuntime", "ContainerRuntimeTesting", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SystemLibraryTests",
            dependencies: ["CNftnl", "CMnl", "CSeccomp", "CCap"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NetlinkTests",
            dependencies: ["Netlink", "CSwiftletNet", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PodNetworkTests",
            dependencies: ["PodNetwork", "Netlink", "NFTables", "CSwiftletNet", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RuntimeWiringTests",
            dependencies: [
                "KubeTestServer", "KubeAPI",
                "RuntimeWiring", "RuntimeCLI", "NativeRuntime", "ContainerRuntime", "Images", "PodNetwork", "Netlink", "TestSupport",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NFTablesTests",
            dependencies: ["NFTables", "CNftnl", "CMnl", "CSwiftletNetfilter", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServiceProxyTests",
            dependencies: ["ServiceProxy", "KubeAPI", "NFTables", "CSwiftletNetfilter", "CSwiftletNet", "TestSupport"],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
