#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "lib/api/meta.h"

// Condition types, reasons and messages with cert-manager's exact strings
// (shared/docs/reference/cert-manager-api.md §1.3, §1.5, §1.6, §3.2, §3.3), and the helpers that
// keep a status.conditions list. Alerts, `kubectl wait --for=condition=Ready`, cmctl, Argo CD
// health checks and external issuers match on these strings.
namespace certkeeper::api {

// --- condition types ---
inline constexpr std::string_view kConditionReady = "Ready";
inline constexpr std::string_view kConditionIssuing = "Issuing";    // Certificate
inline constexpr std::string_view kConditionApproved = "Approved";  // CertificateRequest
inline constexpr std::string_view kConditionDenied = "Denied";      // CertificateRequest
inline constexpr std::string_view kConditionInvalidRequest =
    "InvalidRequest";  // CertificateRequest

// --- Certificate Ready / Issuing (§1.3) ---
inline constexpr std::string_view kReasonReady = "Ready";
inline constexpr std::string_view kMessageCertificateReady =
    "Certificate is up to date and has not expired";
inline constexpr std::string_view kReasonManuallyTriggered = "ManuallyTriggered";
inline constexpr std::string_view kMessageManuallyTriggered =
    "Certificate re-issuance manually triggered";
// Issuing=False after a failed request: this prefix, then the CertificateRequest's message.
inline constexpr std::string_view kMessageIssuingFailedPrefix =
    "The certificate request has failed to complete and will be retried: ";
inline constexpr std::string_view kMessageCertificateIssued =
    "The certificate has been successfully issued";

// Trigger and readiness policy reasons (§1.3, internal/controller/certificates/policies).
inline constexpr std::string_view kReasonDoesNotExist = "DoesNotExist";
inline constexpr std::string_view kReasonMissingData = "MissingData";
inline constexpr std::string_view kReasonInvalidKeyPair = "InvalidKeyPair";
inline constexpr std::string_view kReasonInvalidCertificate = "InvalidCertificate";
inline constexpr std::string_view kReasonInvalidCertificateRequest = "InvalidCertificateRequest";
inline constexpr std::string_view kReasonSecretMismatch = "SecretMismatch";
inline constexpr std::string_view kReasonIncorrectIssuer = "IncorrectIssuer";
inline constexpr std::string_view kReasonIncorrectCertificate = "IncorrectCertificate";
inline constexpr std::string_view kReasonRequestChanged = "RequestChanged";
inline constexpr std::string_view kReasonRenewing = "Renewing";
inline constexpr std::string_view kReasonExpired = "Expired";
inline constexpr std::string_view kReasonWindowError = "WindowError";
inline constexpr std::string_view kReasonAriError = "ARIError";
inline constexpr std::string_view kReasonSecretTemplateMismatch = "SecretTemplateMismatch";
inline constexpr std::string_view kReasonSecretManagedMetadataMismatch =
    "SecretManagedMetadataMismatch";
inline constexpr std::string_view kReasonAdditionalOutputFormatsMismatch =
    "AdditionalOutputFormatsMismatch";
inline constexpr std::string_view kReasonManagedFieldsParseError = "ManagedFieldsParseError";
inline constexpr std::string_view kReasonSecretOwnerRefMismatch = "SecretOwnerRefMismatch";

// --- CertificateRequest Ready (§1.5) ---
inline constexpr std::string_view kReasonPending = "Pending";
inline constexpr std::string_view kReasonFailed = "Failed";
inline constexpr std::string_view kReasonIssued = "Issued";
inline constexpr std::string_view kReasonDenied = "Denied";
inline constexpr std::string_view kMessageCertificateFetched =
    "Certificate fetched from issuer successfully";
// The Event a signer records with kMessageCertificateFetched.
inline constexpr std::string_view kReasonCertificateIssued = "CertificateIssued";
inline constexpr std::string_view kMessageRequestDenied =
    "The CertificateRequest was denied by an approval controller";
// The built-in approver (§3.2).
inline constexpr std::string_view kReasonApprovedByCertManager = "cert-manager.io";
inline constexpr std::string_view kMessageApprovedByCertManager =
    "Certificate request has been approved by cert-manager.io";

// Pending/Failed reasons of the built-in signers (§1.5).
inline constexpr std::string_view kReasonIssuerNotFound = "IssuerNotFound";
inline constexpr std::string_view kReasonIssuerTypeMissing = "IssuerTypeMissing";
inline constexpr std::string_view kReasonIssuerNotReady = "IssuerNotReady";
inline constexpr std::string_view kReasonWaitingForApproval = "WaitingForApproval";
inline constexpr std::string_view kReasonDecodeError = "DecodeError";
inline constexpr std::string_view kReasonRequestParsingError = "RequestParsingError";
inline constexpr std::string_view kReasonInvalidOrder = "InvalidOrder";
inline constexpr std::string_view kReasonOrderBuildingError = "OrderBuildingError";
inline constexpr std::string_view kReasonOrderCreatingError = "OrderCreatingError";
inline constexpr std::string_view kReasonOrderCreated = "OrderCreated";
inline constexpr std::string_view kReasonOrderGetError = "OrderGetError";
inline constexpr std::string_view kReasonOrderFailed = "OrderFailed";
inline constexpr std::string_view kReasonOrderPending = "OrderPending";
inline constexpr std::string_view kReasonSecretMissing = "SecretMissing";
inline constexpr std::string_view kReasonSecretInvalidData = "SecretInvalidData";
inline constexpr std::string_view kReasonSecretGetError = "SecretGetError";
inline constexpr std::string_view kReasonSigningError = "SigningError";
inline constexpr std::string_view kReasonMissingAnnotation = "MissingAnnotation";
inline constexpr std::string_view kReasonMissingSecret = "MissingSecret";
inline constexpr std::string_view kReasonErrorParsingKey = "ErrorParsingKey";
inline constexpr std::string_view kReasonErrorGettingSecret = "ErrorGettingSecret";
inline constexpr std::string_view kReasonErrorGenerating = "ErrorGenerating";
inline constexpr std::string_view kReasonErrorPublicKey = "ErrorPublicKey";
inline constexpr std::string_view kReasonErrorKeyMatch = "ErrorKeyMatch";
inline constexpr std::string_view kReasonErrorSigning = "ErrorSigning";

// --- Issuer / ClusterIssuer Ready (§1.6) ---
inline constexpr std::string_view kReasonAcmeAccountRegistered = "ACMEAccountRegistered";
inline constexpr std::string_view kReasonAcmeAccountVerified = "ACMEAccountVerified";
inline constexpr std::string_view kReasonErrRegisterAcmeAccount = "ErrRegisterACMEAccount";
inline constexpr std::string_view kReasonErrVerifyAcmeAccount = "ErrVerifyACMEAccount";
inline constexpr std::string_view kReasonErrUpdateAcmeAccount = "ErrUpdateACMEAccount";
inline constexpr std::string_view kReasonInvalidConfig = "InvalidConfig";
inline constexpr std::string_view kReasonInvalidUrl = "InvalidURL";
inline constexpr std::string_view kReasonInvalidSolver = "InvalidSolver";
inline constexpr std::string_view kReasonKeyPairVerified = "KeyPairVerified";
inline constexpr std::string_view kMessageKeyPairVerified = "Signing CA verified";
inline constexpr std::string_view kReasonErrGetKeyPair = "ErrGetKeyPair";
inline constexpr std::string_view kReasonErrInvalidKeyPair = "ErrInvalidKeyPair";
inline constexpr std::string_view kReasonIsReady = "IsReady";
inline constexpr std::string_view kReasonVaultVerified = "VaultVerified";
inline constexpr std::string_view kReasonVaultError = "VaultError";

// "True" / "False" / "Unknown".
std::string_view to_string(ConditionStatus status);
std::optional<ConditionStatus> parse_condition_status(std::string_view text);

// The condition of that type, or nullptr. The pointer is valid until `conditions` changes.
const Condition* find_condition(const std::vector<Condition>& conditions, std::string_view type);

// True when a condition of that type exists with that status.
bool has_condition(const std::vector<Condition>& conditions, std::string_view type,
                   ConditionStatus status);

// Sets the condition of `type`, adding it at the end if absent, as cert-manager's
// Set*Condition does: lastTransitionTime becomes `now` (truncated to seconds, as metav1.Time
// stores it) only when the condition is new or its status changes; reason, message and
// observedGeneration are always replaced. Pass no observed_generation for CertificateRequests,
// whose conditions have none. Returns whether anything in the list changed.
bool set_condition(std::vector<Condition>& conditions, std::string_view type,
                   ConditionStatus status, std::string_view reason, std::string_view message,
                   std::optional<std::int64_t> observed_generation, Time now);

// Removes the condition of `type`; returns whether one was there.
bool remove_condition(std::vector<Condition>& conditions, std::string_view type);

}  // namespace certkeeper::api
