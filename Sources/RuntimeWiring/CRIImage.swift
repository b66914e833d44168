import ContainerRuntime

/// CRI's image record. The module `ContainerRuntime` shares its name with a protocol there, so
/// `ContainerRuntime.Image` cannot be written where `Images` (with its own `Image`) is imported.
public typealias CRIImage = Image
