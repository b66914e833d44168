// Matching objects' labels against a `MetaV1.LabelSelector` (matchLabels + matchExpressions), and
// its validation, as upstream's LabelSelectorAsSelector and ValidateLabelSelector do.

extension MetaV1.LabelSelector {
    /// The operators a `matchExpressions` entry may use.
    public static let supportedOperators = ["In", "NotIn", "Exists", "DoesNotExist"]

    /// The problems upstream's `ValidateLabelSelector` reports, paths under `path`: `In`/`NotIn`
    /// need values, `Exists`/`DoesNotExist` must have none, operators must be known, keys must be
    /// valid label keys and matchLabels valid labels.
    public func validate(at path: FieldPath) -> [ValidationError] {
        var problems: [ValidationError] = []
        for (index, requirement) in (matchExpressions ?? []).enumerated() {
            let itemPath = path.child("matchExpressions").index(index)
            let values = requirement.values ?? []
            switch requirement.operator {
            case "In", "NotIn":
                if values.isEmpty {
                    problems.append(.required(itemPath.child("values"), "must be specified when `operator` is 'In' or 'NotIn'"))
                }
            case "Exists", "DoesNotExist":
                if !values.isEmpty {
                    problems.append(.forbidden(itemPath.child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
                }
            default:
                problems.append(.invalid(itemPath.child("operator"), .string(requirement.operator), "not a valid selector operator"))
            }
            problems += MetadataValidation.validateLabelName(requirement.key, at: itemPath.child("key"))
        }
        problems += MetadataValidation.validateLabels(matchLabels ?? [:], at: path.child("matchLabels"))
        return problems
    }

    /// The selector as requirements (upstream's `LabelSelectorAsSelector`); a selector with
    /// neither matchLabels nor matchExpressions matches everything.
    ///
    /// - Throws: ``LabelSelectorParseError`` for an unknown operator or invalid requirement.
    public func expression() throws(LabelSelectorParseError) -> LabelSelectorExpression {
        var requirements: [LabelSelectorExpression.Requirement] = []
        for key in (matchLabels ?? [:]).keys.sorted() {
            requirements.append(try .init(key: key, operator: .equals, values: [matchLabels![key]!]))
        }
        for requirement in matchExpressions ?? [] {
            let op: LabelSelectorExpression.Operator
            switch requirement.operator {
            case "In": op = .in
            case "NotIn": op = .notIn
            case "Exists": op = .exists
            case "DoesNotExist": op = .doesNotExist
            default:
                throw LabelSelectorParseError(syntax: "\(ValidationError.quoted(requirement.operator)) is not a valid label selector operator")
            }
            let values = Array(Set(requirement.values ?? [])).sorted()
            requirements.append(try .init(key: requirement.key, operator: op, values: values))
        }
        return LabelSelectorExpression(requirements: requirements)
    }

    /// Whether `labels` satisfy every matchLabels entry and every matchExpressions entry.
    /// An invalid selector matches nothing.
    public func matches(_ labels: [String: String]) -> Bool {
        guard let expression = try? expression() else { return false }
        return expression.matches(labels)
    }
}
