import KubeAPI

extension NodeStatusBuilder {
    /// `cpu`, `memory`, `pods`, `hugepages-<size>` and `ephemeral-storage`, as upstream's
    /// `MachineInfo` setter reports them.
    public func capacity(machine: MachineInfo) -> [String: Quantity] {
        var capacity: [String: Quantity] = [
            "cpu": Quantity(milli: Int64(machine.cpuCores) * 1000),
            "memory": Quantity(machine.memoryBytes, format: .binarySI),
        ]
        var pods = Int64(settings.maxPods)
        if settings.podsPerCore > 0 { pods = min(Int64(machine.cpuCores) * Int64(settings.podsPerCore), pods) }
        capacity["pods"] = Quantity(pods)
        for (pageSize, pages) in machine.hugePages {
            capacity[Self.hugePageResourceName(pageSize: pageSize)] = Quantity(pageSize * pages, format: .binarySI)
        }
        if let storage = machine.ephemeralStorageBytes {
            capacity["ephemeral-storage"] = Quantity(storage, format: .binarySI)
        }
        return capacity
    }

    /// `hugepages-2Mi` for 2 MiB pages.
    public static func hugePageResourceName(pageSize: Int64) -> String {
        "hugepages-" + Quantity(pageSize, format: .binarySI).description
    }

    /// Capacity minus `kubeReserved`, `systemReserved` and the hard eviction thresholds, never below
    /// zero; huge pages are also taken from memory (upstream's `MachineInfo` setter).
    public func allocatable(capacity: [String: Quantity]) -> [String: Quantity] {
        let reservation = allocatableReservation(capacity: capacity)
        var allocatable: [String: Quantity] = [:]
        for (name, total) in capacity {
            var value = total
            if let reserved = reservation[name] { value -= reserved }
            if value.sign < 0 { value = Quantity(0, format: total.format) }
            allocatable[name] = value
        }
        for (name, pages) in capacity where name.hasPrefix("hugepages-") {
            guard var memory = allocatable["memory"] else { continue }
            memory -= allocatable[name] ?? pages
            if memory.sign < 0 { memory = Quantity(0, format: .binarySI) }
            allocatable["memory"] = memory
        }
        return allocatable
    }

    /// What is kept from pods per resource: `kubeReserved` + `systemReserved` + the hard eviction
    /// thresholds of `memory.available` (as memory) and `nodefs.available` (as ephemeral storage),
    /// percentages taken of capacity (upstream's `GetNodeAllocatableReservation`). Entries that
    /// are not quantities are left out; configuration validation reports them.
    public func allocatableReservation(capacity: [String: Quantity]) -> [String: Quantity] {
        var reservation: [String: Quantity] = [:]
        for reserved in [settings.kubeReserved, settings.systemReserved] {
            for (name, text) in reserved {
                guard let quantity = try? Quantity(parsing: text) else { continue }
                reservation[name, default: .zero] += quantity
            }
        }
        let signals = ["memory.available": "memory", "nodefs.available": "ephemeral-storage"]
        for (signal, resource) in signals {
            guard let text = settings.evictionHard[signal],
                let threshold = Self.thresholdQuantity(text, capacity: capacity[resource])
            else { continue }
            reservation[resource, default: .zero] += threshold
        }
        return reservation
    }

    /// A threshold's quantity: itself, or a percentage of `capacity` (zero when there is none).
    static func thresholdQuantity(_ text: String, capacity: Quantity?) -> Quantity? {
        if text.hasSuffix("%") {
            guard let percent = Double(text.dropLast()), percent >= 0, percent <= 100 else { return nil }
            let total = capacity?.value ?? 0
            return Quantity(Int64(Double(total) * percent / 100), format: .binarySI)
        }
        return try? Quantity(parsing: text)
    }
}
