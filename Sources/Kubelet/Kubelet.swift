// Kubelet: the node agent's pod machinery, shaped as upstream's kubelet structures it.
//
// Owns the pod sources (manifest directory with inotify, manifest URL) and `PodConfig`, which
// merges them; one `PodWorker` per pod with serialised updates through the sync, terminating and
// terminated phases; the `RuntimeManager` that turns a pod spec into sandbox and container calls
// (`PodActions`, crash-loop back-off); the pod lifecycle event generator fed by the runtime's
// event stream; and pod status as upstream computes it. H11's Environment, Probes, Volumes and
// Resources live beside it.
//
// It must not know about any runtime backend, about the API server's transport, or about the
// agent's configuration files: it is handed a `ContainerRuntime`, sources and plain settings.
