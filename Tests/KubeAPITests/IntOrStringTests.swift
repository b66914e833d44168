import Testing
import KubeAPI

@Test func intOrStringDecodesNumberAsIntAndStringAsString() throws {
    #expect(try IntOrString(decoding: .number("8080")) == .int(8080))
    #expect(try IntOrString(decoding: .string("http")) == .string("http"))
    #expect(try IntOrString(decoding: .string("25%")) == .string("25%"))
}

@Test func intOrStringEncodesBackToTheSameKind() throws {
    for value: JSONValue in [.number("80"), .string("metrics"), .string("10%"), .number("-1")] {
        #expect(try IntOrString(decoding: value).encoded() == value)
    }
}

@Test func intOrStringRejectsOtherTypesAndNonInt32Numbers() {
    #expect(throws: FieldErrorList(FieldError(message: "expected integer or string, got true"))) {
        try IntOrString(decoding: .bool(true))
    }
    #expect(throws: FieldErrorList.self) { try IntOrString(decoding: .number("1.5")) }
    #expect(throws: FieldErrorList.self) { try IntOrString(decoding: .number("4294967296")) }
}

@Test func intValueReadsDigitsOfAStringAndZeroOtherwise() {
    #expect(IntOrString.int(42).intValue == 42)
    #expect(IntOrString.string("42").intValue == 42)
    #expect(IntOrString.string("http").intValue == 0)
}

/// Upstream's TestGetIntOrPercentValue / GetScaledValueFromIntOrPercent cases.
private let scaledTable: [(IntOrString, Int, Bool, Int)] = [
    (.int(123), 100, true, 123),
    (.string("90%"), 100, true, 90),
    (.string("90%"), 95, true, 86),
    (.string("90%"), 95, false, 85),
    (.string("25%"), 10, true, 3),
    (.string("25%"), 10, false, 2),
    (.string("0%"), 10, true, 0),
    (.string("100%"), 7, false, 7),
]

@Test(arguments: scaledTable)
func scaledValueTakesPercentOfTotalRoundedAsAsked(value: IntOrString, total: Int, roundUp: Bool, expected: Int) throws {
    #expect(try value.scaledValue(total: total, roundUp: roundUp) == expected)
}

@Test func scaledValueRejectsStringsThatAreNotPercentages() {
    #expect(throws: IntOrString.ScalingError.self) { try IntOrString.string("90").scaledValue(total: 10, roundUp: true) }
    #expect(throws: IntOrString.ScalingError.self) { try IntOrString.string("a%").scaledValue(total: 10, roundUp: true) }
    do {
        _ = try IntOrString.string("90").scaledValue(total: 10, roundUp: true)
    } catch {
        #expect(error.description == "invalid value for IntOrString: invalid type: string is not a percentage")
    }
}

@Test func namedPortResolvesToTheContainerPortOfThatName() throws {
    let ports = [CoreV1.ContainerPort(containerPort: 8080, name: "http"), CoreV1.ContainerPort(containerPort: 9090, name: "metrics")]
    #expect(try IntOrString.string("metrics").resolvedPort(in: ports) == 9090)
    #expect(try IntOrString.int(81).resolvedPort(in: ports) == 81)
    #expect(try IntOrString.string("8443").resolvedPort(in: ports) == 8443)
    #expect(throws: IntOrString.PortResolutionError(description: "port \"grpc\" not found; expected a port number or the name of a container port")) {
        try IntOrString.string("grpc").resolvedPort(in: ports)
    }
    #expect(throws: IntOrString.PortResolutionError(description: "invalid port number: 0; expected 1-65535")) {
        try IntOrString.int(0).resolvedPort(in: ports)
    }
}
