// swift-tools-version:6.0
import PackageDescription

// Dependencies are chosen for build time on 2 cores: see README "Dependencies".
let package = Package(
    name: "bench",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "bench", targets: ["bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .systemLibrary(name: "CLibEdit", path: "Sources/CLibEdit", pkgConfig: "libedit",
                       providers: [.apt(["libedit-dev"])]),
        .systemLibrary(name: "CTimerFD", path: "Sources/CTimerFD"),
        // Exact nearest neighbours (the ground truth of a vector search's recall): a blocked, AVX2 matrix product.
        .target(name: "CVectorKernels", path: "Sources/CVectorKernels"),
        .target(name: "BenchCore", dependencies: [
            .product(name: "Yams", package: "Yams"),
            .product(name: "Histogram", package: "hdrhistogram-swift"),
        ]),
        .target(name: "BenchPlacement", dependencies: ["BenchCore"]),
        // Slow-path HTTP and the one address resolver; BenchPlacement's lookup is its getaddrinfo.
        .target(name: "BenchNetwork", dependencies: [
            "BenchCore", "BenchPlacement",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .target(name: "BenchServers", dependencies: ["BenchCore", "BenchPlacement", "BenchNetwork"]),
        .target(name: "BenchClients", dependencies: [
            "BenchCore", "BenchPlacement", "BenchNetwork", "CTimerFD", "CVectorKernels",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .target(name: "BenchMonitors", dependencies: ["BenchCore", "BenchPlacement", "BenchNetwork"]),
        .target(name: "BenchShell", dependencies: [
            "BenchCore", "BenchPlacement", "BenchServers", "BenchClients", "BenchMonitors", "CLibEdit",
        ]),
        .executableTarget(name: "bench", dependencies: [
            "BenchShell", "BenchCore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "BenchCoreTests", dependencies: ["BenchCore"]),
        .testTarget(name: "BenchShellTests", dependencies: ["BenchShell", "BenchCore"]),
        // Process and socket helpers for the placement and server tests.
        .target(name: "ProcessTestSupport", dependencies: ["BenchPlacement", "BenchCore"], path: "Tests/ProcessTestSupport"),
        .testTarget(name: "BenchPlacementTests", dependencies: ["BenchPlacement", "BenchCore", "ProcessTestSupport"]),
        .testTarget(name: "BenchNetworkTests", dependencies: ["BenchNetwork"]),
        .testTarget(name: "BenchServersTests", dependencies: ["BenchServers", "BenchPlacement", "BenchCore", "ProcessTestSupport"], exclude: ["Golden"]),
        .testTarget(name: "BenchClientsTests", dependencies: [
            "BenchClients", "BenchCore", "BenchPlacement", "BenchNetwork", .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .testTarget(name: "BenchMonitorsTests", dependencies: ["BenchMonitors", "BenchServers", "BenchPlacement", "BenchNetwork", "BenchCore"]),
        // Depends on the executable so `swift test` builds the binary these tests drive; the libraries
        // are there to read back what the binary wrote with bench's own readers (fault tests).
        .testTarget(name: "EndToEndTests", dependencies: ["bench", "BenchShell", "BenchServers", "BenchCore"]),
    ],
    swiftLanguageModes: [.v6]
)
