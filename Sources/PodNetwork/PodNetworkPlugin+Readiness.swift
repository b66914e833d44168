extension PodNetworkPlugin {
    /// Plugins with nothing to ask are ready once started.
    public func ready() async throws {}
}
