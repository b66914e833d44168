import Testing
import KubeAPI

/// Names and whether each rule accepts them (cases from upstream's validation_test.go).
private let dns1123LabelTable: [(String, Bool)] = [
    ("a", true), ("ab", true), ("abc", true), ("a1", true), ("a-1", true), ("a--1--2--b", true),
    ("0", true), ("01", true), ("012", true), ("1a", true), ("1-a", true), ("1--a--b--2", true),
    (String(repeating: "a", count: 63), true),
    ("", false), ("A", false), ("ABC", false), ("aBc", false), ("A1", false), ("A-1", false), ("1-A", false),
    ("-", false), ("a-", false), ("-a", false), ("1-", false), ("-1", false), ("_", false), ("a_", false),
    ("_a", false), ("a_b", false), ("1_", false), ("_1", false), ("1_2", false), (".", false), ("a.", false),
    (".a", false), ("a.b", false), ("1.", false), (".1", false), ("1.2", false), (" ", false), ("a ", false),
    (" a", false), ("a b", false), ("1 ", false), (" 1", false), ("1 2", false),
    (String(repeating: "a", count: 64), false),
]

@Test(arguments: dns1123LabelTable)
func dns1123LabelRuleMatchesUpstream(name: String, valid: Bool) {
    #expect(NameValidation.dns1123Label(name).isEmpty == valid)
}

private let dns1123SubdomainTable: [(String, Bool)] = [
    ("a", true), ("a.b.c.d.e", true), ("aaa.bbb.ccc", true), ("a1.b2.c3", true), ("0.1.2", true),
    ("1-a.b-2", true), (String(repeating: "a", count: 253), true),
    ("", false), ("A", false), ("a.B", false), ("-a", false), ("a-", false), ("a..b", false), (".a", false),
    ("a.", false), ("a_b", false), ("a.-b", false), (String(repeating: "a", count: 254), false),
]

@Test(arguments: dns1123SubdomainTable)
func dns1123SubdomainRuleMatchesUpstream(name: String, valid: Bool) {
    #expect(NameValidation.dns1123Subdomain(name).isEmpty == valid)
}

private let labelKeyTable: [(String, Bool)] = [
    ("simple", true), ("now-with-dashes", true), ("1-starts-with-num", true), ("1234", true),
    ("simple/simple", true), ("now-with-dashes/simple", true), ("now-with-dashes/now-with-dashes", true),
    ("now.with.dots/now-with-dashes", true), ("now-with.dashes-and.dots/now_with.dashes-and_dots", true),
    ("1.2.3.4/5678", true), ("Uppercase_Is_OK_123", true), ("example.com/Uppercase_Is_OK_123", true),
    ("requests.storage-foo", true), (String(repeating: "a", count: 63), true),
    ("nospecialchars%^=@", false), ("cantendwithadash-", false), ("-cantstartwithadash-", false),
    ("only/one/slash", false), ("Example.com/abc", false), ("example_com/abc", false), ("example.com/", false),
    ("/simple", false), (String(repeating: "a", count: 64), false), ("", false),
]

@Test(arguments: labelKeyTable)
func labelKeyRuleMatchesUpstream(key: String, valid: Bool) {
    #expect(NameValidation.labelKey(key).isEmpty == valid)
}

private let labelValueTable: [(String, Bool)] = [
    ("simple", true), ("now-with-dashes", true), ("1-starts-with-num", true), ("end-with-num-1", true),
    ("1234", true), ("", true), (String(repeating: "a", count: 63), true), ("Uppercase_Is_OK_123", true),
    ("nospecialchars%^=@", false), ("Tama-nui-te-rā.is.Māori.sun", false), ("\\backslashes\\are\\bad", false),
    ("-starts-with-dash", false), ("ends-with-dash-", false), (".starts.with.dot", false),
    ("ends.with.dot.", false), (String(repeating: "a", count: 64), false),
]

@Test(arguments: labelValueTable)
func labelValueRuleMatchesUpstream(value: String, valid: Bool) {
    #expect(NameValidation.labelValue(value).isEmpty == valid)
}

private let portNameTable: [(String, Bool)] = [
    ("telnet", true), ("re-mail-ck", true), ("pop3", true), ("a", true), ("a-1", true), ("1-a", true),
    ("a-1-b-2-c-3-d-4", true),
    ("", false), ("-telnet", false), ("telnet-", false), ("re--mail", false), ("http_web", false),
    ("HTTP", false), ("1234", false), ("a-1-b-2-c-3-d-4-e", false),
]

@Test(arguments: portNameTable)
func portNameRuleMatchesUpstream(name: String, valid: Bool) {
    #expect(NameValidation.portName(name).isEmpty == valid)
}

private let envNameTable: [(String, Bool)] = [
    ("A", true), ("ABC", true), ("AbC_123", true), ("_", true), ("a.b", true), ("1ABC", true),
    ("my.env-name", true), ("A B", true), ("$HOME", true),
    ("", false), ("A=B", false), ("tab\there", false), ("héllo", false),
]

@Test(arguments: envNameTable)
func environmentVariableNameRuleMatchesCurrentUpstream(name: String, valid: Bool) {
    #expect(NameValidation.environmentVariableName(name).isEmpty == valid)
}
