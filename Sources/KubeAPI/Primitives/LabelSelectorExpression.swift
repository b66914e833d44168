// The string form of label selectors (`?labelSelector=`, `kubectl -l`), parsed and matched as
// k8s.io/apimachinery/pkg/labels does: `a=b,c!=d,e in (x,y),f notin (z),!g,h,i>1,j<9`.

/// A parsed label selector: every requirement must hold (AND).
///
/// An empty selector matches everything. Requirements are kept sorted by key, and each
/// requirement's values sorted and without duplicates, as upstream's parser leaves them.
public struct LabelSelectorExpression: Sendable, Hashable, CustomStringConvertible {
    /// How a requirement relates a key to its values (upstream's `selection.Operator`).
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        case `in` = "in"
        case notIn = "notin"
        case equals = "="
        case doubleEquals = "=="
        case notEquals = "!="
        case exists = "exists"
        case doesNotExist = "!"
        case greaterThan = "gt"
        case lessThan = "lt"
    }

    /// One condition on one label.
    public struct Requirement: Sendable, Hashable, CustomStringConvertible {
        public let key: String
        public let `operator`: Operator
        /// The values, as given (the parser gives them sorted and distinct).
        public let values: [String]

        /// A requirement checked as upstream's `NewRequirement`: a valid key, values for `in` and
        /// `notin`, exactly one for the equality operators and `gt`/`lt` (an integer for those),
        /// none for `exists` and `!`, and valid label values.
        ///
        /// - Throws: ``LabelSelectorParseError`` listing every problem.
        public init(key: String, operator op: Operator, values: [String], path: FieldPath = .root) throws(LabelSelectorParseError) {
            var problems: [ValidationError] = []
            let keyProblems = NameValidation.labelKey(key)
            if !keyProblems.isEmpty {
                problems.append(.invalid(path.child("key"), .string(key), keyProblems.joined(separator: "; ")))
            }
            let valuesPath = path.child("values")
            switch op {
            case .in, .notIn:
                if values.isEmpty {
                    problems.append(.invalid(valuesPath, .strings(values), "for 'in', 'notin' operators, values set can't be empty"))
                }
            case .equals, .doubleEquals, .notEquals:
                if values.count != 1 {
                    problems.append(.invalid(valuesPath, .strings(values), "exact-match compatibility requires one single value"))
                }
            case .exists, .doesNotExist:
                if !values.isEmpty {
                    problems.append(.invalid(valuesPath, .strings(values), "values set must be empty for exists and does not exist"))
                }
            case .greaterThan, .lessThan:
                if values.count != 1 {
                    problems.append(.invalid(valuesPath, .strings(values), "for 'Gt', 'Lt' operators, exactly one value is required"))
                }
                for (index, value) in values.enumerated() where Int64(value) == nil {
                    problems.append(.invalid(valuesPath.index(index), .string(value), "for 'Gt', 'Lt' operators, the value must be an integer"))
                }
            }
            for (index, value) in values.enumerated() {
                let valueProblems = NameValidation.labelValue(value)
                if !valueProblems.isEmpty {
                    problems.append(.invalid(valuesPath.index(index).key(key), .string(value), valueProblems.joined(separator: "; ")))
                }
            }
            if !problems.isEmpty { throw LabelSelectorParseError(problems: problems) }
            self.key = key
            self.operator = op
            self.values = values
        }

        /// Whether `labels` satisfy this requirement (upstream's `Requirement.Matches`).
        public func matches(_ labels: [String: String]) -> Bool {
            switch self.operator {
            case .in, .equals, .doubleEquals:
                guard let value = labels[key] else { return false }
                return values.contains(value)
            case .notIn, .notEquals:
                guard let value = labels[key] else { return true }
                return !values.contains(value)
            case .exists:
                return labels[key] != nil
            case .doesNotExist:
                return labels[key] == nil
            case .greaterThan, .lessThan:
                guard let text = labels[key], let labelValue = Int64(text),
                      values.count == 1, let bound = Int64(values[0]) else { return false }
                return self.operator == .greaterThan ? labelValue > bound : labelValue < bound
            }
        }

        /// The requirement written back in selector syntax, e.g. `env in (prod,qa)`.
        public var description: String {
            var text = self.operator == .doesNotExist ? "!" + key : key
            switch self.operator {
            case .equals: text += "="
            case .doubleEquals: text += "=="
            case .notEquals: text += "!="
            case .in: text += " in "
            case .notIn: text += " notin "
            case .greaterThan: text += ">"
            case .lessThan: text += "<"
            case .exists, .doesNotExist: return text
            }
            let list = values.count == 1 ? values[0] : values.sorted().joined(separator: ",")
            return (self.operator == .in || self.operator == .notIn) ? text + "(" + list + ")" : text + list
        }
    }

    /// The requirements, sorted by key.
    public private(set) var requirements: [Requirement]

    /// A selector of the given requirements (sorted by key here).
    public init(requirements: [Requirement]) {
        self.requirements = Self.sortedByKey(requirements)
    }

    /// The selector that matches everything.
    public static let everything = LabelSelectorExpression(requirements: [])

    /// Whether the selector has no requirements (and so matches everything).
    public var isEmpty: Bool { requirements.isEmpty }

    /// Whether `labels` satisfy every requirement.
    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { $0.matches(labels) }
    }

    /// The selector in its string form, requirements joined by `,`.
    public var description: String {
        requirements.map(\.description).joined(separator: ",")
    }

    static func sortedByKey(_ requirements: [Requirement]) -> [Requirement] {
        requirements.enumerated().sorted { lhs, rhs in
            lhs.element.key == rhs.element.key ? lhs.offset < rhs.offset : lhs.element.key < rhs.element.key
        }.map(\.element)
    }
}
