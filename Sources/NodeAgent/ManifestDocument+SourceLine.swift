import KubeAPI

extension ManifestDocument {
    /// The source line of the deepest member along `path` whose line is known; the document's
    /// first line when none is. Used to put a line on problems found after decoding
    /// (validation), which know only their field path.
    public func sourceLine(of path: FieldPath) -> Int {
        var best = line
        var current = value
        for component in path.components {
            switch (component, current) {
            case (.field(let name), .object(let object)), (.key(let name), .object(let object)):
                guard let index = object.index(of: name) else { return best }
                if let found = object.line(at: index) { best = found }
                current = object.values[index]
            case (.index(let index), .array(let array)):
                guard index < array.count else { return best }
                if let found = array.line(at: index) { best = found }
                current = array[index]
            default:
                return best
            }
        }
        return best
    }
}
