#pragma once

#include <string_view>

// Exact strings of cert-manager's v1 API that users, tools and external issuers depend on
// (shared/docs/reference/cert-manager-api.md §1.1, §1.2, §1.7, §1.9, §1.10, §11.1): groups and
// kinds, annotation and label keys, Secret data keys, finalizers and enumerated values.
namespace certkeeper::api {

// --- groups, versions, kinds (§1.1) ---
inline constexpr std::string_view kGroup = "cert-manager.io";
inline constexpr std::string_view kAcmeGroup = "acme.cert-manager.io";
inline constexpr std::string_view kApiVersion = "cert-manager.io/v1";
inline constexpr std::string_view kAcmeApiVersion = "acme.cert-manager.io/v1";
inline constexpr std::string_view kKindCertificate = "Certificate";
inline constexpr std::string_view kKindCertificateRequest = "CertificateRequest";
inline constexpr std::string_view kKindIssuer = "Issuer";
inline constexpr std::string_view kKindClusterIssuer = "ClusterIssuer";
inline constexpr std::string_view kKindOrder = "Order";
inline constexpr std::string_view kKindChallenge = "Challenge";

// --- labels (§1.9) ---
inline constexpr std::string_view kLabelFao = "controller.cert-manager.io/fao";
inline constexpr std::string_view kLabelNextPrivateKey = "cert-manager.io/next-private-key";
inline constexpr std::string_view kLabelHttpDomain = "acme.cert-manager.io/http-domain";
inline constexpr std::string_view kLabelHttpToken = "acme.cert-manager.io/http-token";
inline constexpr std::string_view kLabelHttp01Solver = "acme.cert-manager.io/http01-solver";

// --- annotations on Secrets and CertificateRequests (§1.5, §1.9) ---
inline constexpr std::string_view kAnnotationCertificateName = "cert-manager.io/certificate-name";
inline constexpr std::string_view kAnnotationIssuerName = "cert-manager.io/issuer-name";
inline constexpr std::string_view kAnnotationIssuerKind = "cert-manager.io/issuer-kind";
inline constexpr std::string_view kAnnotationIssuerGroup = "cert-manager.io/issuer-group";
inline constexpr std::string_view kAnnotationCommonName = "cert-manager.io/common-name";
inline constexpr std::string_view kAnnotationAltNames = "cert-manager.io/alt-names";
inline constexpr std::string_view kAnnotationIpSans = "cert-manager.io/ip-sans";
inline constexpr std::string_view kAnnotationUriSans = "cert-manager.io/uri-sans";
inline constexpr std::string_view kAnnotationEmailSans = "cert-manager.io/email-sans";
inline constexpr std::string_view kAnnotationSubjectOrganizations =
    "cert-manager.io/subject-organizations";
inline constexpr std::string_view kAnnotationSubjectOrganizationalUnits =
    "cert-manager.io/subject-organizationalunits";
inline constexpr std::string_view kAnnotationSubjectCountries = "cert-manager.io/subject-countries";
inline constexpr std::string_view kAnnotationSubjectProvinces = "cert-manager.io/subject-provinces";
inline constexpr std::string_view kAnnotationSubjectLocalities =
    "cert-manager.io/subject-localities";
inline constexpr std::string_view kAnnotationSubjectStreetAddresses =
    "cert-manager.io/subject-streetaddresses";
inline constexpr std::string_view kAnnotationSubjectPostalCodes =
    "cert-manager.io/subject-postalcodes";
inline constexpr std::string_view kAnnotationSubjectSerialNumber =
    "cert-manager.io/subject-serialnumber";
inline constexpr std::string_view kAnnotationCertificateRevision =
    "cert-manager.io/certificate-revision";
inline constexpr std::string_view kAnnotationPrivateKeySecretName =
    "cert-manager.io/private-key-secret-name";
inline constexpr std::string_view kAnnotationIssueTemporaryCertificate =
    "cert-manager.io/issue-temporary-certificate";
// Prefix of the annotations users may not put in spec.secretTemplate (one exception below).
inline constexpr std::string_view kAnnotationPrefix = "cert-manager.io/";

// --- cainjector (§1.9) ---
inline constexpr std::string_view kAnnotationInjectCaFrom = "cert-manager.io/inject-ca-from";
inline constexpr std::string_view kAnnotationInjectCaFromSecret =
    "cert-manager.io/inject-ca-from-secret";
inline constexpr std::string_view kAnnotationInjectApiserverCa =
    "cert-manager.io/inject-apiserver-ca";
inline constexpr std::string_view kAnnotationAllowDirectInjection =
    "cert-manager.io/allow-direct-injection";

// --- HTTP-01 solver overrides: Certificate → CertificateRequest → Order (§1.9) ---
inline constexpr std::string_view kAnnotationHttp01OverrideIngressName =
    "acme.cert-manager.io/http01-override-ingress-name";
inline constexpr std::string_view kAnnotationHttp01OverrideIngressClass =
    "acme.cert-manager.io/http01-override-ingress-class";
inline constexpr std::string_view kAnnotationHttp01OverrideIngressClassName =
    "acme.cert-manager.io/http01-override-ingress-ingressclassname";
inline constexpr std::string_view kAnnotationHttp01ParentRefName =
    "acme.cert-manager.io/http01-parentrefname";
inline constexpr std::string_view kAnnotationHttp01ParentRefKind =
    "acme.cert-manager.io/http01-parentrefkind";
inline constexpr std::string_view kAnnotationHttp01ParentRefNamespace =
    "acme.cert-manager.io/http01-parentrefnamespace";
inline constexpr std::string_view kAnnotationHttp01ParentRefFallback =
    "acme.cert-manager.io/http01-parentreffallback";

// --- Venafi signer (§1.9) ---
inline constexpr std::string_view kAnnotationVenafiCustomFields =
    "venafi.cert-manager.io/custom-fields";
inline constexpr std::string_view kAnnotationVenafiPickupId = "venafi.cert-manager.io/pickup-id";

// --- ingress-/gateway-shim inputs (§1.9, §4) ---
inline constexpr std::string_view kAnnotationIngressIssuer = "cert-manager.io/issuer";
inline constexpr std::string_view kAnnotationIngressClusterIssuer =
    "cert-manager.io/cluster-issuer";
inline constexpr std::string_view kAnnotationIngressDuration = "cert-manager.io/duration";
inline constexpr std::string_view kAnnotationIngressRenewBefore = "cert-manager.io/renew-before";
inline constexpr std::string_view kAnnotationIngressRenewBeforePercentage =
    "cert-manager.io/renew-before-percentage";
inline constexpr std::string_view kAnnotationIngressUsages = "cert-manager.io/usages";
inline constexpr std::string_view kAnnotationIngressRevisionHistoryLimit =
    "cert-manager.io/revision-history-limit";
inline constexpr std::string_view kAnnotationIngressPrivateKeyAlgorithm =
    "cert-manager.io/private-key-algorithm";
inline constexpr std::string_view kAnnotationIngressPrivateKeyEncoding =
    "cert-manager.io/private-key-encoding";
inline constexpr std::string_view kAnnotationIngressPrivateKeySize =
    "cert-manager.io/private-key-size";
inline constexpr std::string_view kAnnotationIngressPrivateKeyRotationPolicy =
    "cert-manager.io/private-key-rotation-policy";
inline constexpr std::string_view kAnnotationIngressSecretTemplate =
    "cert-manager.io/secret-template";
inline constexpr std::string_view kAnnotationIngressIgnoreTlsListeners =
    "cert-manager.io/ignore-tls-listeners";
inline constexpr std::string_view kAnnotationIngressTlsAcme = "kubernetes.io/tls-acme";

// --- Secret data keys (§1.10) ---
inline constexpr std::string_view kSecretTlsCrt = "tls.crt";
inline constexpr std::string_view kSecretTlsKey = "tls.key";
inline constexpr std::string_view kSecretCaCrt = "ca.crt";
inline constexpr std::string_view kSecretKeystoreJks = "keystore.jks";
inline constexpr std::string_view kSecretTruststoreJks = "truststore.jks";
inline constexpr std::string_view kSecretKeystoreP12 = "keystore.p12";
inline constexpr std::string_view kSecretTruststoreP12 = "truststore.p12";
inline constexpr std::string_view kSecretKeyDer = "key.der";
inline constexpr std::string_view kSecretTlsCombinedPem = "tls-combined.pem";
inline constexpr std::string_view kSecretTypeTls = "kubernetes.io/tls";

// --- finalizers (§1.8) ---
inline constexpr std::string_view kAcmeFinalizer = "acme.cert-manager.io/finalizer";
inline constexpr std::string_view kAcmeLegacyFinalizer = "finalizer.acme.cert-manager.io";

// --- enumerated values (§1.2, §2.1, §2.2, §1.7) ---
inline constexpr std::string_view kKeyAlgorithmRsa = "RSA";
inline constexpr std::string_view kKeyAlgorithmEcdsa = "ECDSA";
inline constexpr std::string_view kKeyAlgorithmEd25519 = "Ed25519";
inline constexpr std::string_view kKeyEncodingPkcs1 = "PKCS1";
inline constexpr std::string_view kKeyEncodingPkcs8 = "PKCS8";
inline constexpr std::string_view kRotationPolicyNever = "Never";
inline constexpr std::string_view kRotationPolicyAlways = "Always";
inline constexpr std::string_view kRenewalPolicyRenewBefore = "RenewBefore";
inline constexpr std::string_view kRenewalPolicyDisabled = "Disabled";
inline constexpr std::string_view kOutputFormatDer = "DER";
inline constexpr std::string_view kOutputFormatCombinedPem = "CombinedPEM";
inline constexpr std::string_view kPkcs12LegacyRc2 = "LegacyRC2";
inline constexpr std::string_view kPkcs12LegacyDes = "LegacyDES";
inline constexpr std::string_view kPkcs12Modern2023 = "Modern2023";
inline constexpr std::string_view kPkcs12Modern2026 = "Modern2026";
inline constexpr std::string_view kCnameStrategyNone = "None";
inline constexpr std::string_view kCnameStrategyFollow = "Follow";
inline constexpr std::string_view kServiceTypeNodePort = "NodePort";
inline constexpr std::string_view kServiceTypeClusterIp = "ClusterIP";
inline constexpr std::string_view kChallengeTypeHttp01 = "HTTP-01";
inline constexpr std::string_view kChallengeTypeDns01 = "DNS-01";

// Order and Challenge states (§1.7); "" means unknown. Final: valid, invalid, expired, errored.
inline constexpr std::string_view kStateValid = "valid";
inline constexpr std::string_view kStateReady = "ready";
inline constexpr std::string_view kStatePending = "pending";
inline constexpr std::string_view kStateProcessing = "processing";
inline constexpr std::string_view kStateInvalid = "invalid";
inline constexpr std::string_view kStateExpired = "expired";
inline constexpr std::string_view kStateErrored = "errored";

// True for the states after which an Order or Challenge never changes again.
constexpr bool is_final_state(std::string_view state) {
  return state == kStateValid || state == kStateInvalid || state == kStateExpired ||
         state == kStateErrored;
}

}  // namespace certkeeper::api
