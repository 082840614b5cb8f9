#include "lib/crypto/x509_types.h"

namespace certkeeper::crypto {

std::string_view to_string(KeyUsage usage) {
  switch (usage) {
    case KeyUsage::kDigitalSignature:
      return "digitalSignature";
    case KeyUsage::kContentCommitment:
      return "contentCommitment";
    case KeyUsage::kKeyEncipherment:
      return "keyEncipherment";
    case KeyUsage::kDataEncipherment:
      return "dataEncipherment";
    case KeyUsage::kKeyAgreement:
      return "keyAgreement";
    case KeyUsage::kKeyCertSign:
      return "keyCertSign";
    case KeyUsage::kCrlSign:
      return "cRLSign";
    case KeyUsage::kEncipherOnly:
      return "encipherOnly";
    case KeyUsage::kDecipherOnly:
      return "decipherOnly";
  }
  return "unknown";
}

std::string_view to_string(ExtendedKeyUsage usage) {
  switch (usage) {
    case ExtendedKeyUsage::kAny:
      return "anyExtendedKeyUsage";
    case ExtendedKeyUsage::kServerAuth:
      return "serverAuth";
    case ExtendedKeyUsage::kClientAuth:
      return "clientAuth";
    case ExtendedKeyUsage::kCodeSigning:
      return "codeSigning";
    case ExtendedKeyUsage::kEmailProtection:
      return "emailProtection";
    case ExtendedKeyUsage::kIpsecEndSystem:
      return "ipsecEndSystem";
    case ExtendedKeyUsage::kIpsecTunnel:
      return "ipsecTunnel";
    case ExtendedKeyUsage::kIpsecUser:
      return "ipsecUser";
    case ExtendedKeyUsage::kTimeStamping:
      return "timeStamping";
    case ExtendedKeyUsage::kOcspSigning:
      return "OCSPSigning";
    case ExtendedKeyUsage::kMicrosoftSgc:
      return "msSGC";
    case ExtendedKeyUsage::kNetscapeSgc:
      return "nsSGC";
  }
  return "unknown";
}

}  // namespace certkeeper::crypto
