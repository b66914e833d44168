// ContainerRuntime: the protocol between the kubelet and a container runtime backend, shaped after
// CRI v1 (`runtime.v1` RuntimeService and ImageService) so a gRPC adapter is a thin mapping.
//
// This module owns only Sendable value types and protocols. It must not know about any backend
// (native, OCI, remote CRI), about the Kubernetes object model, or about Linux.

/// A complete container runtime backend: pod sandboxes, containers, streams and images.
///
/// Every backend must pass the contract in `ContainerRuntimeTesting.RuntimeContract`.
public typealias ContainerRuntime = RuntimeService & ImageService
