import KubeAPI
import Logging

/// ConfigMaps and Secrets from the API server, on demand (upstream's watch-based
/// `configmap`/`secret` managers): an object is fetched and watched from the first time a pod
/// needs it, served from the cache while it is watched, and released when no pod of the node
/// refers to it any more. A change to a watched object calls `onChange`, so the kubelet resyncs
/// its pods and the new content reaches their volumes.
public actor APIConfigObjects: ConfigObjectLookup {
    /// What kind of object a key names.
    public enum Kind: String, Sendable, Hashable { case configMap = "ConfigMap", secret = "Secret" }

    /// An object by kind, namespace and name.
    public struct Key: Sendable, Hashable, CustomStringConvertible {
        public var kind: Kind
        public var namespace: String
        public var name: String
        public init(_ kind: Kind, namespace: String, name: String) {
            self.kind = kind
            self.namespace = namespace
            self.name = name
        }
        public var description: String { "\(kind.rawValue) \(namespace)/\(name)" }
    }

    private enum Value: Sendable {
        case configMap(CoreV1.ConfigMap?)
        case secret(CoreV1.Secret?)
    }

    private struct Watch {
        var task: Task<Void, Never>
        var value: Value?
        var waiters: [CheckedContinuation<Value?, Never>] = []
    }

    private let watcher: any ConfigObjectWatcher
    private let onChange: @Sendable () async -> Void
    private let logger: Logger
    private var watches: [Key: Watch] = [:]

    /// A lookup over `watcher`; `onChange` runs after each change to a watched object.
    public init(
        watcher: any ConfigObjectWatcher, onChange: @escaping @Sendable () async -> Void = {},
        logger: Logger = Logger(label: "swiftlet.kubelet.objects")
    ) {
        self.watcher = watcher
        self.onChange = onChange
        self.logger = logger
    }

    public func configMap(namespace: String, name: String) async throws -> CoreV1.ConfigMap? {
        guard case .configMap(let object)? = await value(Key(.configMap, namespace: namespace, name: name)) else {
            throw LookupError(key: Key(.configMap, namespace: namespace, name: name))
        }
        return object
    }

    public func secret(namespace: String, name: String) async throws -> CoreV1.Secret? {
        guard case .secret(let object)? = await value(Key(.secret, namespace: namespace, name: name)) else {
            throw LookupError(key: Key(.secret, namespace: namespace, name: name))
        }
        return object
    }

    /// The objects being watched.
    public var watched: Set<Key> { Set(watches.keys) }

    /// Stops watching every object that none of `pods` refers to.
    public func retain(referencedBy pods: [CoreV1.Pod]) {
        let keep = Set(pods.flatMap(Self.references))
        for (key, watch) in watches where !keep.contains(key) {
            watch.task.cancel()
            for waiter in watch.waiters { waiter.resume(returning: nil) }
            watches[key] = nil
            logger.debug("object no longer referenced, watch released", metadata: ["object": "\(key)"])
        }
    }

    /// The ConfigMaps and Secrets a pod refers to: volumes (projected sources included),
    /// `env[].valueFrom` and `envFrom` of every container.
    public static func references(of pod: CoreV1.Pod) -> [Key] {
        let namespace = pod.metadata?.namespace ?? "default"
        var keys: [Key] = []
        func add(_ kind: Kind, _ name: String?) {
            if let name, !name.isEmpty { keys.append(Key(kind, namespace: namespace, name: name)) }
        }
        for volume in pod.spec?.volumes ?? [] {
            add(.configMap, volume.configMap?.name)
            add(.secret, volume.secret?.secretName)
            for source in volume.projected?.sources ?? [] {
                add(.configMap, source.configMap?.name)
                add(.secret, source.secret?.name)
            }
        }
        let containers = (pod.spec?.initContainers ?? []) + (pod.spec?.containers ?? [])
        for container in containers {
            for variable in container.env ?? [] {
                add(.configMap, variable.valueFrom?.configMapKeyRef?.name)
                add(.secret, variable.valueFrom?.secretKeyRef?.name)
            }
            for source in container.envFrom ?? [] {
                add(.configMap, source.configMapRef?.name)
                add(.secret, source.secretRef?.name)
            }
        }
        return keys
    }

    /// A lookup that found no answer: the watch ended before its first value.
    public struct LookupError: Error, CustomStringConvertible {
        public var key: Key
        public var description: String { "cannot fetch \(key) from the API server" }
    }

    private func value(_ key: Key) async -> Value? {
        if let watch = watches[key] {
            if let value = watch.value { return value }
        } else {
            start(key)
        }
        return await withCheckedContinuation { watches[key]?.waiters.append($0) ?? $0.resume(returning: nil) }
    }

    private func start(_ key: Key) {
        let watcher = watcher
        let task = Task { [weak self] in
            do {
                switch key.kind {
                case .configMap:
                    for try await object in watcher.watchConfigMap(namespace: key.namespace, name: key.name) {
                        await self?.received(.configMap(object), for: key)
                    }
                case .secret:
                    for try await object in watcher.watchSecret(namespace: key.namespace, name: key.name) {
                        await self?.received(.secret(object), for: key)
                    }
                }
            } catch {
                await self?.failed(key, error)
            }
        }
        watches[key] = Watch(task: task)
    }

    private func received(_ value: Value, for key: Key) async {
        guard var watch = watches[key] else { return }
        let first = watch.value == nil
        watch.value = value
        let waiters = watch.waiters
        watch.waiters = []
        watches[key] = watch
        for waiter in waiters { waiter.resume(returning: value) }
        if !first {
            logger.info("referenced object changed", metadata: ["object": "\(key)"])
            await onChange()
        }
    }

    /// A watch that failed is dropped, so the next lookup starts a new one.
    private func failed(_ key: Key, _ error: any Error) {
        guard let watch = watches.removeValue(forKey: key) else { return }
        logger.warning("watch of a referenced object failed", metadata: ["object": "\(key)", "error": "\(error)"])
        for waiter in watch.waiters { waiter.resume(returning: nil) }
    }
}
