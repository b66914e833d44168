// The fields regular, init and ephemeral containers share, so one set of checks serves all three.

/// What validation reads from any kind of container.
protocol ContainerFields {
    var name: String { get }
    var image: String? { get }
    var imagePullPolicy: String? { get }
    var terminationMessagePolicy: String? { get }
    var ports: [CoreV1.ContainerPort]? { get }
    var env: [CoreV1.EnvVar]? { get }
    var envFrom: [CoreV1.EnvFromSource]? { get }
    var volumeMounts: [CoreV1.VolumeMount]? { get }
    var resources: CoreV1.ResourceRequirements? { get }
    var lifecycle: CoreV1.Lifecycle? { get }
    var livenessProbe: CoreV1.Probe? { get }
    var readinessProbe: CoreV1.Probe? { get }
    var startupProbe: CoreV1.Probe? { get }
    var restartPolicy: String? { get }
}

extension CoreV1.Container: ContainerFields {}
extension CoreV1.EphemeralContainer: ContainerFields {}
