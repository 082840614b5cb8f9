#include "lib/crypto/internal/x509_util.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <utility>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

namespace certkeeper::crypto::internal {

using common::ErrorCode;
using common::make_error;

namespace {

// --- names ---------------------------------------------------------------------------------------

struct NamedAttribute {
  std::string_view name;
  int nid;
};

// RFC 4514 §3 short names, plus the names Go's ldap.ParseDN and cert-manager users write.
constexpr std::array<NamedAttribute, 14> kAttributeNames = {{
    {"CN", NID_commonName},
    {"C", NID_countryName},
    {"L", NID_localityName},
    {"ST", NID_stateOrProvinceName},
    {"STREET", NID_streetAddress},
    {"O", NID_organizationName},
    {"OU", NID_organizationalUnitName},
    {"DC", NID_domainComponent},
    {"UID", NID_userId},
    {"SERIALNUMBER", NID_serialNumber},
    {"POSTALCODE", NID_postalCode},
    {"EMAILADDRESS", NID_pkcs9_emailAddress},
    {"E", NID_pkcs9_emailAddress},
    {"TITLE", NID_title},
}};

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

bool is_dotted_oid(std::string_view s) {
  return !s.empty() && std::isdigit(static_cast<unsigned char>(s.front())) != 0 &&
         std::all_of(s.begin(), s.end(), [](char c) {
           return c == '.' || std::isdigit(static_cast<unsigned char>(c)) != 0;
         });
}

common::Result<Asn1ObjectPtr> attribute_type(std::string_view type) {
  for (const auto& attribute : kAttributeNames) {
    if (iequals(type, attribute.name)) {
      // OBJ_nid2obj returns a static object; ASN1_OBJECT_free leaves static objects alone.
      return Asn1ObjectPtr(OBJ_nid2obj(attribute.nid));
    }
  }
  const std::string text(type);
  Asn1ObjectPtr object(OBJ_txt2obj(text.c_str(), is_dotted_oid(type) ? 1 : 0));
  if (object == nullptr) {
    clear_openssl_errors();
    return make_error(ErrorCode::kInvalidArgument,
                      "literal subject: unknown attribute type \"" + text + "\"");
  }
  return object;
}

common::Status add_entry(X509_NAME* name, const ASN1_OBJECT* type, std::string_view value,
                         bool join_previous, std::string_view field) {
  if (value.empty()) {
    return make_error(ErrorCode::kInvalidArgument, std::string(field) + " is empty");
  }
  if (!fits_int(value)) {
    return make_error(ErrorCode::kInvalidArgument, std::string(field) + " is too long");
  }
  // MBSTRING_UTF8: OpenSSL checks the UTF-8 and picks PrintableString or UTF8String, enforcing
  // the RFC 5280 size bounds (a CN of at most 64 characters, a two-letter country).
  if (X509_NAME_add_entry_by_OBJ(name, type, MBSTRING_UTF8, bytes(value),
                                 static_cast<int>(value.size()), -1, join_previous ? -1 : 0) != 1) {
    return tl::unexpected(
        openssl_error(ErrorCode::kInvalidArgument, std::string(field) + " is not valid"));
  }
  return common::ok();
}

common::Status add_values(X509_NAME* name, int nid, const std::vector<std::string>& values,
                          std::string_view field) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    auto status = add_entry(name, OBJ_nid2obj(nid), values[i], false,
                            std::string(field) + "[" + std::to_string(i) + "]");
    if (!status) {
      return status;
    }
  }
  return common::ok();
}

struct Ava {
  std::string type;
  std::string value;
};
using Rdn = std::vector<Ava>;

bool is_hex_digit(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

int hex_digit_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  return std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
}

// RFC 4514 §3 string -> RDNs in string order. Spaces around types and values are tolerated
// (as Go's ldap.ParseDN does); an escaped trailing space is kept.
common::Result<std::vector<Rdn>> parse_rfc4514(std::string_view dn) {
  std::vector<Rdn> rdns;
  Rdn current;
  std::size_t i = 0;
  const std::size_t n = dn.size();
  const auto fail = [&i](const std::string& what) {
    return make_error(ErrorCode::kInvalidArgument,
                      "literal subject: " + what + " at offset " + std::to_string(i));
  };
  const auto skip_spaces = [&] {
    while (i < n && dn[i] == ' ') {
      ++i;
    }
  };
  if (dn.find_first_not_of(' ') == std::string_view::npos) {
    return make_error(ErrorCode::kInvalidArgument, "literal subject is empty");
  }
  for (;;) {
    skip_spaces();
    const std::size_t type_start = i;
    while (i < n && dn[i] != '=' && dn[i] != ',' && dn[i] != '+') {
      ++i;
    }
    if (i >= n || dn[i] != '=') {
      return fail("expected '=' after the attribute type");
    }
    std::string type(dn.substr(type_start, i - type_start));
    while (!type.empty() && type.back() == ' ') {
      type.pop_back();
    }
    if (type.empty()) {
      return fail("empty attribute type");
    }
    ++i;  // '='
    skip_spaces();
    if (i < n && dn[i] == '#') {
      return fail("hex-encoded (#) values are not supported");
    }
    std::string value;
    std::size_t keep = 0;  // value[0, keep) ends with an escaped character: never trimmed
    while (i < n && dn[i] != ',' && dn[i] != '+') {
      const char c = dn[i];
      if (c == '\\') {
        if (i + 1 >= n) {
          return fail("dangling escape");
        }
        const char e = dn[i + 1];
        if (i + 2 < n && is_hex_digit(e) && is_hex_digit(dn[i + 2])) {
          value.push_back(static_cast<char>(hex_digit_value(e) * 16 + hex_digit_value(dn[i + 2])));
          i += 3;
        } else if (std::string_view(" \"#+,;<=>\\").find(e) != std::string_view::npos) {
          value.push_back(e);
          i += 2;
        } else {
          return fail("invalid escape");
        }
        keep = value.size();
        continue;
      }
      if (c == '"' || c == ';' || c == '<' || c == '>') {
        return fail(std::string("unescaped '") + c + "'");
      }
      value.push_back(c);
      ++i;
    }
    while (value.size() > keep && value.back() == ' ') {
      value.pop_back();
    }
    if (value.empty()) {
      return fail("empty value for " + type);
    }
    current.push_back({std::move(type), std::move(value)});
    if (i >= n) {
      rdns.push_back(std::move(current));
      return rdns;
    }
    if (dn[i] == ',') {
      rdns.push_back(std::move(current));
      current.clear();
    }
    ++i;  // ',' or '+'
  }
}

std::string utf8_of(const ASN1_STRING* s, bool* ok) {
  unsigned char* out = nullptr;
  const int length = ASN1_STRING_to_UTF8(&out, s);
  OpensslBytesPtr owned(out);
  if (length < 0) {
    *ok = false;
    return {};
  }
  *ok = true;
  // NOLINTNEXTLINE: bytes as chars
  return {reinterpret_cast<const char*>(owned.get()), static_cast<std::size_t>(length)};
}

// --- extensions ----------------------------------------------------------------------------------

constexpr std::array<std::pair<ExtendedKeyUsage, int>, 12> kEkuNids = {{
    {ExtendedKeyUsage::kAny, NID_anyExtendedKeyUsage},
    {ExtendedKeyUsage::kServerAuth, NID_server_auth},
    {ExtendedKeyUsage::kClientAuth, NID_client_auth},
    {ExtendedKeyUsage::kCodeSigning, NID_code_sign},
    {ExtendedKeyUsage::kEmailProtection, NID_email_protect},
    {ExtendedKeyUsage::kIpsecEndSystem, NID_ipsecEndSystem},
    {ExtendedKeyUsage::kIpsecTunnel, NID_ipsecTunnel},
    {ExtendedKeyUsage::kIpsecUser, NID_ipsecUser},
    {ExtendedKeyUsage::kTimeStamping, NID_time_stamp},
    {ExtendedKeyUsage::kOcspSigning, NID_OCSP_sign},
    {ExtendedKeyUsage::kMicrosoftSgc, NID_ms_sgc},
    {ExtendedKeyUsage::kNetscapeSgc, NID_ns_sgc},
}};

constexpr int kKeyUsageBits = 9;  // digitalSignature (0) .. decipherOnly (8)

common::Status push_name(GENERAL_NAMES* names, int type, ASN1_STRING* value) {
  Asn1StringPtr owned_value(value);
  GeneralNamePtr name(GENERAL_NAME_new());
  if (name == nullptr || owned_value == nullptr) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "allocating a subjectAltName"));
  }
  GENERAL_NAME_set0_value(name.get(), type, owned_value.release());
  if (sk_GENERAL_NAME_push(names, name.get()) == 0) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "adding a subjectAltName"));
  }
  static_cast<void>(name.release());  // now owned by the stack
  return common::ok();
}

common::Status add_ia5_names(GENERAL_NAMES* names, int type, const std::vector<std::string>& values,
                             std::string_view field) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::string& value = values[i];
    const std::string where = std::string(field) + "[" + std::to_string(i) + "]";
    if (value.empty()) {
      return make_error(ErrorCode::kInvalidArgument, where + " is empty");
    }
    // IA5String; no spaces or controls in DNS names, URIs or addresses. Internationalised names
    // must arrive as A-labels (RFC 5280 §7.2) and IRIs as URIs (§7.4).
    const bool printable_ascii = std::all_of(value.begin(), value.end(), [](char c) {
      return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7F;
    });
    if (!printable_ascii || !fits_int(value)) {
      return make_error(ErrorCode::kInvalidArgument,
                        where + " must be printable ASCII without spaces");
    }
    Asn1StringPtr s(ASN1_IA5STRING_new());
    if (s == nullptr ||
        ASN1_STRING_set(s.get(), value.data(), static_cast<int>(value.size())) != 1) {
      return tl::unexpected(openssl_error(ErrorCode::kInternal, "allocating " + where));
    }
    auto status = push_name(names, type, s.release());
    if (!status) {
      return status;
    }
  }
  return common::ok();
}

common::Status add_ip_names(GENERAL_NAMES* names, const std::vector<std::string>& values) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::string where = "ipAddresses[" + std::to_string(i) + "]";
    unsigned char address[sizeof(in6_addr)] = {};
    int length = 0;
    if (inet_pton(AF_INET, values[i].c_str(), address) == 1) {
      length = 4;
    } else if (inet_pton(AF_INET6, values[i].c_str(), address) == 1) {
      length = 16;
    } else {
      return make_error(ErrorCode::kInvalidArgument,
                        where + " \"" + values[i] + "\" is not an IPv4 or IPv6 address");
    }
    Asn1StringPtr s(ASN1_OCTET_STRING_new());
    if (s == nullptr || ASN1_OCTET_STRING_set(s.get(), address, length) != 1) {
      return tl::unexpected(openssl_error(ErrorCode::kInternal, "allocating " + where));
    }
    auto status = push_name(names, GEN_IPADD, s.release());
    if (!status) {
      return status;
    }
  }
  return common::ok();
}

common::Status push_extension(STACK_OF(X509_EXTENSION) * stack, X509_EXTENSION* extension,
                              std::string_view what) {
  X509ExtPtr owned(extension);
  if (owned == nullptr) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "encoding " + std::string(what)));
  }
  if (sk_X509_EXTENSION_push(stack, owned.get()) == 0) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "adding " + std::string(what)));
  }
  static_cast<void>(owned.release());  // now owned by the stack
  return common::ok();
}

// X509V3_get_d2i with its "absent / duplicated / undecodable" cases told apart.
template <typename T, auto Free>
common::Result<UP<T, Free>> get_extension(const STACK_OF(X509_EXTENSION) * extensions, int nid,
                                          std::string_view what) {
  int critical = -1;
  UP<T, Free> value(static_cast<T*>(X509V3_get_d2i(extensions, nid, &critical, nullptr)));
  if (value == nullptr && critical == -2) {
    return make_error(ErrorCode::kInvalidArgument, "duplicate " + std::string(what) + " extension");
  }
  if (value == nullptr && critical >= 0) {
    return tl::unexpected(openssl_error(ErrorCode::kInvalidArgument,
                                        "malformed " + std::string(what) + " extension"));
  }
  return value;
}

}  // namespace

// --- names ---------------------------------------------------------------------------------------

common::Result<X509NamePtr> build_name(const Subject& subject) {
  X509NamePtr name(X509_NAME_new());
  if (name == nullptr) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "allocating a name"));
  }
  const std::pair<int, const std::vector<std::string>*> multi[] = {
      {NID_countryName, &subject.countries},
      {NID_stateOrProvinceName, &subject.provinces},
      {NID_localityName, &subject.localities},
      {NID_streetAddress, &subject.street_addresses},
      {NID_postalCode, &subject.postal_codes},
      {NID_organizationName, &subject.organizations},
      {NID_organizationalUnitName, &subject.organizational_units},
  };
  const std::string_view fields[] = {"subject.countries",          "subject.provinces",
                                     "subject.localities",         "subject.streetAddresses",
                                     "subject.postalCodes",        "subject.organizations",
                                     "subject.organizationalUnits"};
  for (std::size_t i = 0; i < std::size(multi); ++i) {
    auto status = add_values(name.get(), multi[i].first, *multi[i].second, fields[i]);
    if (!status) {
      return tl::unexpected(status.error());
    }
  }
  if (!subject.common_name.empty()) {
    auto status = add_entry(name.get(), OBJ_nid2obj(NID_commonName), subject.common_name, false,
                            "commonName");
    if (!status) {
      return tl::unexpected(status.error());
    }
  }
  if (!subject.serial_number.empty()) {
    auto status = add_entry(name.get(), OBJ_nid2obj(NID_serialNumber), subject.serial_number, false,
                            "subject.serialNumber");
    if (!status) {
      return tl::unexpected(status.error());
    }
  }
  return name;
}

common::Result<X509NamePtr> build_name_rfc4514(std::string_view dn) {
  auto rdns = parse_rfc4514(dn);
  if (!rdns) {
    return tl::unexpected(rdns.error());
  }
  X509NamePtr name(X509_NAME_new());
  if (name == nullptr) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "allocating a name"));
  }
  for (std::size_t k = rdns->size(); k-- > 0;) {
    const Rdn& rdn = (*rdns)[k];
    bool first = true;
    for (const Ava& ava : rdn) {
      auto type = attribute_type(ava.type);
      if (!type) {
        return tl::unexpected(type.error());
      }
      auto status =
          add_entry(name.get(), type->get(), ava.value, !first, "literal subject " + ava.type);
      if (!status) {
        return tl::unexpected(status.error());
      }
      first = false;
    }
  }
  return name;
}

std::string name_to_string(const X509_NAME* name) {
  auto bio = write_bio(false);
  // RFC 2253/4514 form with UTF-8 left as UTF-8 rather than escaped byte by byte.
  const unsigned long flags =  // NOLINT(google-runtime-int): OpenSSL's type
      XN_FLAG_RFC2253 & ~static_cast<unsigned long>(ASN1_STRFLGS_ESC_MSB);  // NOLINT
  if (bio == nullptr || X509_NAME_print_ex(bio.get(), name, 0, flags) < 0) {
    clear_openssl_errors();
    return {};
  }
  return bio_contents(bio.get());
}

common::Result<Subject> name_to_subject(const X509_NAME* name) {
  Subject subject;
  const int count = X509_NAME_entry_count(name);
  for (int i = 0; i < count; ++i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
    bool ok = false;
    std::string value = utf8_of(X509_NAME_ENTRY_get_data(entry), &ok);
    if (!ok) {
      return tl::unexpected(
          openssl_error(ErrorCode::kInvalidArgument, "undecodable attribute in name"));
    }
    switch (OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry))) {
      case NID_commonName:
        subject.common_name = std::move(value);
        break;
      case NID_serialNumber:
        subject.serial_number = std::move(value);
        break;
      case NID_countryName:
        subject.countries.push_back(std::move(value));
        break;
      case NID_stateOrProvinceName:
        subject.provinces.push_back(std::move(value));
        break;
      case NID_localityName:
        subject.localities.push_back(std::move(value));
        break;
      case NID_streetAddress:
        subject.street_addresses.push_back(std::move(value));
        break;
      case NID_postalCode:
        subject.postal_codes.push_back(std::move(value));
        break;
      case NID_organizationName:
        subject.organizations.push_back(std::move(value));
        break;
      case NID_organizationalUnitName:
        subject.organizational_units.push_back(std::move(value));
        break;
      default:
        break;
    }
  }
  return subject;
}

// --- extensions ----------------------------------------------------------------------------------

common::Result<ParsedExtensions> parse_extensions(const STACK_OF(X509_EXTENSION) * extensions) {
  ParsedExtensions parsed;
  if (extensions == nullptr) {
    return parsed;
  }
  auto names = get_extension<GENERAL_NAMES, GENERAL_NAMES_free>(extensions, NID_subject_alt_name,
                                                                "subjectAltName");
  if (!names) {
    return tl::unexpected(names.error());
  }
  if (*names != nullptr) {
    for (int i = 0; i < sk_GENERAL_NAME_num(names->get()); ++i) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(names->get(), i);
      int type = 0;
      const auto* value = static_cast<const ASN1_STRING*>(GENERAL_NAME_get0_value(name, &type));
      switch (type) {
        case GEN_DNS:
          parsed.sans.dns_names.push_back(asn1_bytes(value));
          break;
        case GEN_URI:
          parsed.sans.uris.push_back(asn1_bytes(value));
          break;
        case GEN_EMAIL:
          parsed.sans.email_addresses.push_back(asn1_bytes(value));
          break;
        case GEN_IPADD: {
          const std::string address = asn1_bytes(value);
          char text[INET6_ADDRSTRLEN] = {};
          const int family = address.size() == 4 ? AF_INET : address.size() == 16 ? AF_INET6 : -1;
          if (family < 0 || inet_ntop(family, address.data(), text, sizeof(text)) == nullptr) {
            return make_error(ErrorCode::kInvalidArgument,
                              "malformed subjectAltName: an iPAddress of " +
                                  std::to_string(address.size()) + " bytes");
          }
          parsed.sans.ip_addresses.emplace_back(text);
          break;
        }
        default:
          break;  // otherName, directoryName, ...: not ours to interpret here
      }
    }
  }

  auto key_usage =
      get_extension<ASN1_BIT_STRING, ASN1_BIT_STRING_free>(extensions, NID_key_usage, "keyUsage");
  if (!key_usage) {
    return tl::unexpected(key_usage.error());
  }
  if (*key_usage != nullptr) {
    for (int bit = 0; bit < kKeyUsageBits; ++bit) {
      if (ASN1_BIT_STRING_get_bit(key_usage->get(), bit) == 1) {
        parsed.key_usages.push_back(static_cast<KeyUsage>(bit));
      }
    }
  }

  auto eku = get_extension<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>(
      extensions, NID_ext_key_usage, "extKeyUsage");
  if (!eku) {
    return tl::unexpected(eku.error());
  }
  if (*eku != nullptr) {
    for (int i = 0; i < sk_ASN1_OBJECT_num(eku->get()); ++i) {
      const int nid = OBJ_obj2nid(sk_ASN1_OBJECT_value(eku->get(), i));
      for (const auto& [usage, usage_nid] : kEkuNids) {
        if (nid == usage_nid) {
          parsed.extended_key_usages.push_back(usage);
        }
      }
    }
  }

  auto constraints = get_extension<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free>(
      extensions, NID_basic_constraints, "basicConstraints");
  if (!constraints) {
    return tl::unexpected(constraints.error());
  }
  parsed.is_ca = *constraints != nullptr && (*constraints)->ca != 0;
  return parsed;
}

common::Result<ExtStackPtr> build_extensions(const SubjectAltNames& sans, bool san_critical,
                                             const std::vector<KeyUsage>& key_usages,
                                             const std::vector<ExtendedKeyUsage>& ext_key_usages,
                                             bool is_ca) {
  ExtStackPtr stack(sk_X509_EXTENSION_new_null());
  if (stack == nullptr) {
    return tl::unexpected(openssl_error(ErrorCode::kInternal, "allocating extensions"));
  }

  if (!sans.empty()) {
    GeneralNamesPtr names(GENERAL_NAMES_new());
    if (names == nullptr) {
      return tl::unexpected(openssl_error(ErrorCode::kInternal, "allocating subjectAltName"));
    }
    // Go's order (crypto/x509 marshalSANs): DNS, email, IP, URI.
    common::Status status = add_ia5_names(names.get(), GEN_DNS, sans.dns_names, "dnsNames");
    if (status) {
      status = add_ia5_names(names.get(), GEN_EMAIL, sans.email_addresses, "emailAddresses");
    }
    if (status) {
      status = add_ip_names(names.get(), sans.ip_addresses);
    }
    if (status) {
      status = add_ia5_names(names.get(), GEN_URI, sans.uris, "uris");
    }
    if (status) {
      status = push_extension(
          stack.get(), X509V3_EXT_i2d(NID_subject_alt_name, san_critical ? 1 : 0, names.get()),
          "subjectAltName");
    }
    if (!status) {
      return tl::unexpected(status.error());
    }
  }

  if (!key_usages.empty()) {
    BitStringPtr bits(ASN1_BIT_STRING_new());
    if (bits == nullptr) {
      return tl::unexpected(openssl_error(ErrorCode::kInternal, "allocating keyUsage"));
    }
    for (const KeyUsage usage : key_usages) {
      if (ASN1_BIT_STRING_set_bit(bits.get(), static_cast<int>(usage), 1) != 1) {
        return tl::unexpected(openssl_error(ErrorCode::kInternal, "encoding keyUsage"));
      }
    }
    auto status =
        push_extension(stack.get(), X509V3_EXT_i2d(NID_key_usage, 1, bits.get()), "keyUsage");
    if (!status) {
      return tl::unexpected(status.error());
    }
  }

  if (!ext_key_usages.empty()) {
    EkuPtr eku(sk_ASN1_OBJECT_new_null());
    if (eku == nullptr) {
      return tl::unexpected(openssl_error(ErrorCode::kInternal, "allocating extKeyUsage"));
    }
    std::vector<ExtendedKeyUsage> added;
    for (const ExtendedKeyUsage usage : ext_key_usages) {
      if (std::find(added.begin(), added.end(), usage) != added.end()) {
        continue;
      }
      added.push_back(usage);
      const auto entry = std::find_if(kEkuNids.begin(), kEkuNids.end(),
                                      [usage](const auto& e) { return e.first == usage; });
      // OBJ_nid2obj objects are static; EXTENDED_KEY_USAGE_free leaves them alone.
      if (entry == kEkuNids.end() ||
          sk_ASN1_OBJECT_push(eku.get(), OBJ_nid2obj(entry->second)) == 0) {
        return tl::unexpected(openssl_error(ErrorCode::kInternal, "encoding extKeyUsage"));
      }
    }
    auto status =
        push_extension(stack.get(), X509V3_EXT_i2d(NID_ext_key_usage, 0, eku.get()), "extKeyUsage");
    if (!status) {
      return tl::unexpected(status.error());
    }
  }

  if (is_ca) {
    BasicConstraintsPtr constraints(BASIC_CONSTRAINTS_new());
    if (constraints == nullptr) {
      return tl::unexpected(openssl_error(ErrorCode::kInternal, "allocating basicConstraints"));
    }
    constraints->ca = 0xFF;  // DER TRUE
    auto status =
        push_extension(stack.get(), X509V3_EXT_i2d(NID_basic_constraints, 1, constraints.get()),
                       "basicConstraints");
    if (!status) {
      return tl::unexpected(status.error());
    }
  }
  return stack;
}

// --- times and strings ---------------------------------------------------------------------------

common::Result<std::chrono::system_clock::time_point> to_time_point(const ASN1_TIME* time) {
  using std::chrono::system_clock;
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) {
    return tl::unexpected(openssl_error(ErrorCode::kInvalidArgument, "malformed time"));
  }
  const std::chrono::year_month_day date{std::chrono::year{tm.tm_year + 1900},
                                         std::chrono::month{static_cast<unsigned>(tm.tm_mon + 1)},
                                         std::chrono::day{static_cast<unsigned>(tm.tm_mday)}};
  if (!date.ok()) {
    return make_error(ErrorCode::kInvalidArgument, "malformed time: not a calendar date");
  }
  const std::chrono::sys_seconds seconds =
      std::chrono::sys_days{date} + std::chrono::hours{tm.tm_hour} +
      std::chrono::minutes{tm.tm_min} + std::chrono::seconds{tm.tm_sec};
  const auto max = std::chrono::floor<std::chrono::seconds>(system_clock::time_point::max());
  const auto min = std::chrono::ceil<std::chrono::seconds>(system_clock::time_point::min());
  if (seconds >= max) {
    return system_clock::time_point::max();
  }
  if (seconds <= min) {
    return system_clock::time_point::min();
  }
  return std::chrono::time_point_cast<system_clock::duration>(seconds);
}

std::string asn1_bytes(const ASN1_STRING* s) {
  if (s == nullptr || ASN1_STRING_length(s) <= 0) {
    return {};
  }
  // NOLINTNEXTLINE: bytes as chars
  return {reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
          static_cast<std::size_t>(ASN1_STRING_length(s))};
}

}  // namespace certkeeper::crypto::internal
