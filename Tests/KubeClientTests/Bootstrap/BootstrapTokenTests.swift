import KubeClient
import Testing

@Suite struct BootstrapTokenTests {
    @Test func validTokenSplitsIntoPublicIdAndSecret() throws {
        let token = try BootstrapToken("07401b.f395accd246ae52d")
        #expect(token.id == "07401b")
        #expect(token.secret == "f395accd246ae52d")
        #expect(token.bearerToken == "07401b.f395accd246ae52d")
        #expect(token.userName == "system:bootstrap:07401b")
        #expect(token.description == "07401b.<redacted>")
    }

    @Test(arguments: [
        ("abcdef0123456789abcdef", "exactly one"),
        ("abc.def.0123456789abcdef", "exactly one"),
        ("ABCDEF.0123456789abcdef", "id \"ABCDEF\" must be 6 characters"),
        ("abcde.0123456789abcdef", "id \"abcde\" must be 6 characters"),
        ("abcdef.0123456789abcde", "secret of token abcdef must be 16 characters"),
        ("abcdef.0123456789abcdeF", "secret of token abcdef must be 16 characters"),
        ("abcdef.0123456789abcd-f", "secret of token abcdef must be 16 characters"),
    ])
    func malformedTokenIsRefusedWithWhatWasExpected(input: String, expectedPart: String) {
        #expect {
            _ = try BootstrapToken(input)
        } throws: { error in
            let text = (error as? BootstrapError)?.description ?? ""
            return text.contains(expectedPart) && text.contains("[a-z0-9]{6}.[a-z0-9]{16}")
        }
    }

    @Test func errorsNeverEchoTheSecret() {
        for input in ["abcdef.0123456789ABCDEF", "abcdef.0123456789abcdefgh", "abcdef0123456789abcdef"] {
            do {
                _ = try BootstrapToken(input)
                Issue.record("\(input) was accepted")
            } catch {
                #expect(!error.description.contains("0123456789"))
            }
        }
    }
}
