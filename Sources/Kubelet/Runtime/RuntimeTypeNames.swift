// KubeAPI and ContainerRuntime both have a `ContainerStatus` and a `ContainerState`; the scoped
// imports here pick the runtime's, and the rest of the module uses these unambiguous names.
import struct ContainerRuntime.ContainerStatus
import enum ContainerRuntime.ContainerState
import struct ContainerRuntime.Container

/// The runtime's view of a container (CRI `ContainerStatus`).
public typealias RuntimeContainerStatus = ContainerStatus
/// CRI `ContainerState`.
public typealias RuntimeContainerState = ContainerState
/// A container as the runtime lists it (CRI `Container`).
public typealias RuntimeContainer = Container
