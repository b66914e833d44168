// Probe and lifecycle-hook checks: exactly one handler, sane numbers, and the rules that differ
// between liveness, readiness and startup probes.

extension PodValidation {
    /// Which probe is checked; the rules differ slightly.
    enum ProbeKind {
        case liveness, readiness, startup
    }

    static func validateProbe(_ probe: CoreV1.Probe?, kind: ProbeKind, at path: FieldPath) -> [ValidationError] {
        guard let probe else { return [] }
        var problems = validateHandler(
            exec: probe.exec, httpGet: probe.httpGet, tcpSocket: probe.tcpSocket, grpc: probe.grpc, sleep: nil, at: path)
        let numbers: [(String, Int32?)] = [
            ("initialDelaySeconds", probe.initialDelaySeconds),
            ("timeoutSeconds", probe.timeoutSeconds),
            ("periodSeconds", probe.periodSeconds),
            ("successThreshold", probe.successThreshold),
            ("failureThreshold", probe.failureThreshold),
        ]
        // Zero stands for the default (1 s, 10 s, 1, 3), so only negatives are wrong.
        for (field, value) in numbers {
            problems += MetadataValidation.validateNonNegative(value.map(Int64.init), at: path.child(field))
        }
        if let grace = probe.terminationGracePeriodSeconds {
            if kind == .readiness {
                problems.append(.invalid(path.child("terminationGracePeriodSeconds"), .integer(grace), "must not be set for readinessProbes"))
            } else if grace <= 0 {
                problems.append(.invalid(path.child("terminationGracePeriodSeconds"), .integer(grace), "must be greater than 0"))
            }
        }
        if kind != .readiness, let threshold = probe.successThreshold, threshold != 0, threshold != 1 {
            problems.append(.invalid(path.child("successThreshold"), .integer(Int64(threshold)), "must be 1"))
        }
        return problems
    }

    static func validateLifecycle(_ lifecycle: CoreV1.Lifecycle?, gracePeriod: Int64, at path: FieldPath) -> [ValidationError] {
        guard let lifecycle else { return [] }
        var problems: [ValidationError] = []
        for (field, handler) in [("postStart", lifecycle.postStart), ("preStop", lifecycle.preStop)] {
            guard let handler else { continue }
            problems += validateHandler(
                exec: handler.exec, httpGet: handler.httpGet, tcpSocket: handler.tcpSocket, grpc: nil,
                sleep: handler.sleep, gracePeriod: gracePeriod, at: path.child(field))
        }
        return problems
    }

    /// Exactly one handler, each valid in itself.
    static func validateHandler(
        exec: CoreV1.ExecAction?, httpGet: CoreV1.HTTPGetAction?, tcpSocket: CoreV1.TCPSocketAction?,
        grpc: CoreV1.GRPCAction?, sleep: CoreV1.SleepAction?, gracePeriod: Int64 = 0, at path: FieldPath
    ) -> [ValidationError] {
        var problems: [ValidationError] = []
        var count = 0
        func claim(_ field: String) -> Bool {
            if count > 0 {
                problems.append(.forbidden(path.child(field), "may not specify more than 1 handler type"))
                return false
            }
            count += 1
            return true
        }
        if let exec, claim("exec"), (exec.command ?? []).isEmpty {
            problems.append(.required(path.child("exec").child("command"), ""))
        }
        if let httpGet, claim("httpGet") {
            problems += validateHTTPGet(httpGet, at: path.child("httpGet"))
        }
        if let tcpSocket, claim("tcpSocket") {
            problems += validatePortNumberOrName(tcpSocket.port, at: path.child("tcpSocket").child("port"))
        }
        if let grpc, claim("grpc") {
            problems += NameValidation.portNumber(Int(grpc.port))
                .map { .invalid(path.child("grpc").child("port"), .integer(Int64(grpc.port)), $0) }
        }
        if let sleep, claim("sleep"), sleep.seconds < 0 || sleep.seconds > gracePeriod {
            problems.append(.invalid(path.child("sleep"), .integer(sleep.seconds),
                                     "must be non-negative and less than terminationGracePeriodSeconds (\(gracePeriod))"))
        }
        if count == 0 {
            problems.append(.required(path, "must specify a handler type"))
        }
        return problems
    }

    static func validateHTTPGet(_ action: CoreV1.HTTPGetAction, at path: FieldPath) -> [ValidationError] {
        var problems = validatePortNumberOrName(action.port, at: path.child("port"))
        if let scheme = action.scheme, !scheme.isEmpty, scheme != "HTTP", scheme != "HTTPS" {
            problems.append(.notSupported(path.child("scheme"), .string(scheme), supported: ["HTTP", "HTTPS"]))
        }
        for (index, header) in (action.httpHeaders ?? []).enumerated() {
            let valid = !header.name.isEmpty && header.name.utf8.allSatisfy {
                ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == UInt8(ascii: "-")
            }
            if !valid {
                problems.append(.invalid(
                    path.child("httpHeaders").index(index).child("name"), .string(header.name),
                    NameValidation.regexMessage("a valid HTTP header must consist of alphanumeric characters or '-'",
                                                "[-A-Za-z0-9]+", examples: ["X-Header-Name"])))
            }
        }
        return problems
    }

    /// A port given as a number (1-65535) or an IANA service name.
    static func validatePortNumberOrName(_ port: IntOrString, at path: FieldPath) -> [ValidationError] {
        switch port {
        case .int(let number):
            return NameValidation.portNumber(Int(number)).map { .invalid(path, .integer(Int64(number)), $0) }
        case .string(let name):
            return NameValidation.portName(name).map { .invalid(path, .string(name), $0) }
        }
    }
}
