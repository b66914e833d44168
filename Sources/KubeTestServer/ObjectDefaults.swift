import KubeAPI

/// The defaults kube-apiserver fills in on create, for the fields clients here read back.
enum ObjectDefaults {
    static func apply(_ resource: ResourceType, to object: JSONValue, store: StoreState) -> JSONValue {
        switch resource {
        case .pods: pod(object)
        case .namespaces:
            object.setting(path: ["spec", "finalizers"], to: object["spec"]?["finalizers"] ?? ["kubernetes"])
                .setting(path: ["status", "phase"], to: "Active")
        case .secrets:
            object["type"] == nil ? object.setting("type", to: "Opaque") : object
        case .services: service(object, store: store)
        case .certificateSigningRequests:
            object["status"] == nil ? object.setting("status", to: .object(JSONObject())) : object
        default: object
        }
    }

    static func pod(_ pod: JSONValue) -> JSONValue {
        var spec = pod["spec"]?.objectValue ?? JSONObject()
        let defaults: [(String, JSONValue)] = [
            ("restartPolicy", "Always"), ("terminationGracePeriodSeconds", 30), ("dnsPolicy", "ClusterFirst"),
            ("securityContext", .object(JSONObject())), ("schedulerName", "default-scheduler"),
            ("serviceAccountName", "default"), ("enableServiceLinks", true), ("preemptionPolicy", "PreemptLowerPriority"),
            ("priority", 0),
        ]
        for (key, value) in defaults where spec[key] == nil { spec[key] = value }
        for listKey in ["containers", "initContainers"] {
            guard let containers = spec[listKey]?.arrayValue else { continue }
            spec[listKey] = .array(JSONArray(containers.map(container)))
        }
        var result = pod.setting("spec", to: .object(spec))
        if result["status"]?["phase"] == nil {
            result = result.setting(path: ["status", "phase"], to: "Pending")
                .setting(path: ["status", "qosClass"], to: "BestEffort")
        }
        return result
    }

    static func container(_ container: JSONValue) -> JSONValue {
        guard var object = container.objectValue else { return container }
        if object["imagePullPolicy"] == nil {
            let image = object["image"]?.stringValue ?? ""
            let tag = image.split(separator: "/").last.flatMap { $0.split(separator: ":", maxSplits: 1).dropFirst().first }
            object["imagePullPolicy"] = (tag == nil || tag == "latest") && !image.contains("@") ? "Always" : "IfNotPresent"
        }
        if object["terminationMessagePath"] == nil { object["terminationMessagePath"] = "/dev/termination-log" }
        if object["terminationMessagePolicy"] == nil { object["terminationMessagePolicy"] = "File" }
        if object["resources"] == nil { object["resources"] = .object(JSONObject()) }
        return .object(object)
    }

    static func service(_ service: JSONValue, store: StoreState) -> JSONValue {
        var spec = service["spec"]?.objectValue ?? JSONObject()
        if spec["type"] == nil { spec["type"] = "ClusterIP" }
        if spec["sessionAffinity"] == nil { spec["sessionAffinity"] = "None" }
        if spec["clusterIP"] == nil || spec["clusterIP"] == "" {
            let used = Set(store.objects(of: .services).values.compactMap { $0["spec"]?["clusterIP"]?.stringValue })
            var host = 10
            while used.contains("10.96.\(host / 256).\(host % 256)") { host += 1 }
            spec["clusterIP"] = .string("10.96.\(host / 256).\(host % 256)")
        }
        if spec["clusterIPs"] == nil, let ip = spec["clusterIP"], ip != "None" { spec["clusterIPs"] = [ip] }
        if spec["ipFamilies"] == nil { spec["ipFamilies"] = ["IPv4"] }
        if spec["ipFamilyPolicy"] == nil { spec["ipFamilyPolicy"] = "SingleStack" }
        if spec["internalTrafficPolicy"] == nil { spec["internalTrafficPolicy"] = "Cluster" }
        return service.setting("spec", to: .object(spec))
            .setting("status", to: service["status"] ?? ["loadBalancer": .object(JSONObject())])
    }
}
