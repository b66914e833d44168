import Foundation
import KubeClient
import SwiftASN1
import Testing

@Suite struct CACertificatePinTests {
    // Expected values from `openssl x509 -pubkey -noout | openssl pkey -pubin -outform der |
    // openssl dgst -sha256`, the pipeline kubeadm's documentation gives for the hash.
    static let ecdsaCA = """
        -----BEGIN CERTIFICATE-----
        MIIBfzCCASWgAwIBAgIUNrUr/NVBfXRR6Ut45Q10nmHpQzcwCgYIKoZIzj0EAwIw
        FTETMBEGA1UEAwwKa3ViZXJuZXRlczAeFw0yNjExMjMwMzE3MzhaFw0zNjExMjAw
        MzE3MzhaMBUxEzARBgNVBAMMCmt1YmVybmV0ZXMwWTATBgcqhkjOPQIBBggqhkjO
        PQMBBwNCAATJogZCgdlQIk1o8EiHb7BbiHiLuv94SzOZVoNvzCMvOneI+R2JmkuB
        cBqYd77UMhcswlZmOdvyQy41XN5o6OKWo1MwUTAdBgNVHQ4EFgQUmVla3ZLN+xNB
        dKAMfwOX91+PTqMwHwYDVR0jBBgwFoAUmVla3ZLN+xNBdKAMfwOX91+PTqMwDwYD
        VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiEA2wIA/aDG+N4M6DZ7p7lh
        eanVfG2Cs8sMb8dTdJecnKwCIHDqO96ZyQ5qDmBX/M55EA9abkohoDC8+zP7aFrB
        z9l7
        -----END CERTIFICATE-----
        """
    static let ecdsaPin = "sha256:8d76c59880553c8cfdd309dcf50a4d1ddd071b68c15de8fba6ec819f5fd986e7"

    static let rsaCA = """
        -----BEGIN CERTIFICATE-----
        MIICBjCCAW+gAwIBAgIUH3XbjYrZN2dMlHe1yKW+mu4XgZ4wDQYJKoZIhvcNAQEL
        BQAwFTETMBEGA1UEAwwKa3ViZXJuZXRlczAeFw0yNjExMjMwMzE3NDBaFw0zNjEx
        MjAwMzE3NDBaMBUxEzARBgNVBAMMCmt1YmVybmV0ZXMwgZ8wDQYJKoZIhvcNAQEB
        BQADgY0AMIGJAoGBAMnXgjtQ/3BRL1Vsch/e6k458rCFvN9kZ4jgG2VCHbyaS0pC
        LaCr61j7EfwWMdEpoP4+4AiinegeN2eEajSZg9E+UA6KmNWJGnKye0+C+BpMdPtd
        F5pw1dGVOd232m42uuTwPYU6V/DZCXKdSA1/Ku+nB6Vhvqxl4/OiE6rNp301AgMB
        AAGjUzBRMB0GA1UdDgQWBBQmSReR9vSDvqztHkRTJ2OQHWyu9jAfBgNVHSMEGDAW
        gBQmSReR9vSDvqztHkRTJ2OQHWyu9jAPBgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3
        DQEBCwUAA4GBAMXQC5Mv/3WMbhhkiDvKkmb47V2Z2s9Rxgc5JcQSD4SbvCH2DzcO
        iaM85cRzVyyTi0cWHBDTanKcuoUVXBk/KNV/xTxkXPbNPCcNjn0GIigc0t/tkpDI
        q0FXars5fWVZv2OnxcqzECKj3cbVevuFO4/f0uf7hOsHGgyoy41gFHG2
        -----END CERTIFICATE-----
        """
    static let rsaPin = "sha256:f20a410da8d4959018a21b4b77e50843e6d8a49fad719f18f123fdbd4783a7dc"

    @Test(arguments: [(ecdsaCA, ecdsaPin), (rsaCA, rsaPin)])
    func pinOfCertificateEqualsKubeadmsHashOfItsSubjectPublicKeyInfo(pem: String, expected: String) throws {
        let der = try PEMDocument(pemString: pem).derBytes
        let pin = try CACertificatePin(certificateDER: der)
        #expect(pin.description == expected)
        #expect(try CACertificatePin(expected) == pin)
        #expect(pin.matchesAny(of: [der]))
    }

    @Test func pinParsingAcceptsUpperCaseHex() throws {
        #expect(try CACertificatePin(Self.ecdsaPin.uppercased().replacingOccurrences(of: "SHA256:", with: "sha256:")).description == Self.ecdsaPin)
    }

    @Test(arguments: [
        ("8d76c59880553c8cfdd309dcf50a4d1ddd071b68c15de8fba6ec819f5fd986e7", "no \"sha256:\" prefix"),
        ("md5:8d76c59880553c8cfdd309dcf50a4d1d", "only sha256"),
        ("sha256:8d76c5", "is not 64 hexadecimal digits"),
        ("sha256:zz76c59880553c8cfdd309dcf50a4d1ddd071b68c15de8fba6ec819f5fd986e7", "is not 64 hexadecimal digits"),
    ])
    func malformedPinIsRefusedWithWhatWasExpected(input: String, expectedPart: String) {
        #expect {
            _ = try CACertificatePin(input)
        } throws: { error in
            let text = (error as? BootstrapError)?.description ?? ""
            return text.contains(expectedPart) && text.contains("expected sha256:<64 hex digits>")
        }
    }

    @Test func otherCertificateDoesNotMatchPin() throws {
        let pin = try CACertificatePin(Self.ecdsaPin)
        #expect(!pin.matchesAny(of: [try PEMDocument(pemString: Self.rsaCA).derBytes]))
        #expect(!pin.matchesAny(of: [[0x30, 0x00]]))
    }
}
