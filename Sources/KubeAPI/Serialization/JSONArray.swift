/// The members of a JSON array, with the source line of each element when it came from a file.
public struct JSONArray: Sendable, Hashable, RandomAccessCollection, ExpressibleByArrayLiteral {
    /// The elements, in order.
    public var elements: [JSONValue]
    /// The 1-based source line of each element, or empty when the array was built in code.
    public var lines: [Int32]

    /// An empty array.
    public init() {
        elements = []
        lines = []
    }

    /// An array of `elements`; `lines`, when given, has one 1-based source line per element.
    public init(_ elements: [JSONValue], lines: [Int32] = []) {
        precondition(lines.isEmpty || lines.count == elements.count, "one line per element")
        self.elements = elements
        self.lines = lines
    }

    public init(arrayLiteral elements: JSONValue...) { self.init(elements) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { elements.count }
    public subscript(position: Int) -> JSONValue { elements[position] }

    /// The source line of element `index`, if known.
    public func line(at index: Int) -> Int? {
        index < lines.count ? Int(lines[index]) : nil
    }

    /// Adds an element; `line` is kept only when every element so far has one.
    public mutating func append(_ value: JSONValue, line: Int? = nil) {
        if let line, lines.count == elements.count {
            lines.append(Int32(clamping: line))
        } else if !lines.isEmpty {
            lines.removeAll()
        }
        elements.append(value)
    }

    public static func == (lhs: JSONArray, rhs: JSONArray) -> Bool {
        lhs.elements == rhs.elements
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(elements)
    }
}
