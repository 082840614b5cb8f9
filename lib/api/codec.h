#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "lib/api/acme_types.h"
#include "lib/api/certificate.h"
#include "lib/api/issuer.h"
#include "lib/common/error.h"

// JSON codecs for the six kinds, as the API server stores them.
//
// Decoding never throws. It ignores members it does not know (newer cert-manager fields,
// managedFields), treats null like an absent member, and fails with kInvalidArgument naming the
// first bad field by its path ("spec.dnsNames[1]: expected a string, got number"). apiVersion and
// kind may be absent (list items); when present they must match.
//
// Encoding writes apiVersion, kind, metadata and spec, and status only when it has content. It
// writes exactly the members present in the struct (certificate.h, "Conventions"), so
// decode → encode of an object gives back what the user wrote, with no defaults added.
namespace certkeeper::api {

common::Result<Certificate> decode_certificate(const nlohmann::json& object);
common::Result<CertificateRequest> decode_certificate_request(const nlohmann::json& object);
common::Result<Issuer> decode_issuer(const nlohmann::json& object);
common::Result<ClusterIssuer> decode_cluster_issuer(const nlohmann::json& object);
common::Result<Order> decode_order(const nlohmann::json& object);
common::Result<Challenge> decode_challenge(const nlohmann::json& object);

// Pieces that controllers embed elsewhere (a Challenge's solver is copied from the Issuer).
common::Result<AcmeChallengeSolver> decode_solver(const nlohmann::json& object);
common::Result<ObjectMeta> decode_object_meta(const nlohmann::json& object);

nlohmann::json encode(const Certificate& object);
nlohmann::json encode(const CertificateRequest& object);
nlohmann::json encode(const Issuer& object);
nlohmann::json encode(const ClusterIssuer& object);
nlohmann::json encode(const Order& object);
nlohmann::json encode(const Challenge& object);
nlohmann::json encode(const AcmeChallengeSolver& solver);
nlohmann::json encode(const ObjectMeta& metadata);

// JSON text to a value, without exceptions; errors say where the text is broken.
common::Result<nlohmann::json> parse_json(std::string_view text);

}  // namespace certkeeper::api
