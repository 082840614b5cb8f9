#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lib/api/acme_types.h"

// cert-manager's deterministic object names (pkg/api/util/names.go ComputeName,
// cert-manager-api.md §1.7, §1.8): `<prefix, DNS-safe, at most 52 characters>-<FNV-1 32-bit hash
// of a JSON document, in decimal>`. The result is at most 63 characters, so it can name Pods and
// Services downstream.
//
// What is hashed: the compact JSON that api::encode() writes for the spec (nlohmann::json, keys
// in lexicographic order), not Go's encoding/json output (keys in struct field order). The names
// are therefore NOT byte-identical to the ones cert-manager computes for the same spec; what
// matters, and what the controllers rely on, is that the name is a pure function of the spec:
// the same on every reconcile and after a restart, and different when the spec changes.
// Pure functions; thread-safe.
namespace certkeeper::api {

// FNV-1 (not FNV-1a), 32 bits: offset basis 2166136261, for each byte multiply by 16777619 and
// then xor the byte (Go's hash/fnv New32).
std::uint32_t fnv1_32(std::string_view data);

// Go's DNSSafeShortenTo52Characters: a name of 52 characters or more is cut to 52 and then back
// to its last ASCII letter or digit (so it does not end in '-' or '.'); shorter names are kept.
std::string dns_safe_shorten_52(std::string_view name);

// `<dns_safe_shorten_52(prefix)>-<fnv1_32(hashed)>`. When the prefix is 52 characters or longer
// (so that it is shortened and two long names could share the cut), the full prefix is hashed in
// front of `hashed`, so different long prefixes still give different names (§1.7).
std::string compute_name(std::string_view prefix, std::string_view hashed);

// The Order of a CertificateRequest: the request's name and the compact JSON of `spec` without
// `request` (the CSR is not part of the name, as in cert-manager's buildOrder).
std::string order_name(std::string_view request_name, const OrderSpec& spec);

// A Challenge of an Order: the Order's name and the compact JSON of the whole Challenge spec.
std::string challenge_name(std::string_view order_name, const ChallengeSpec& spec);

}  // namespace certkeeper::api
