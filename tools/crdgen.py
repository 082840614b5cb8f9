#!/usr/bin/env python3
"""Renders crds/*.yaml, certkeeper's CRDs for the six cert-manager v1 kinds.

The schemas are written here once, as Python values, because the same shapes recur: Issuer and
ClusterIssuer share one spec, a Challenge embeds the ACME solver an Issuer lists, and issuerRef,
Secret references and conditions appear in most kinds. The field lists follow
shared/docs/reference/cert-manager-api.md sections 1-2; the descriptions are ours.

    tools/crdgen.py          rewrite crds/*.yaml
    tools/crdgen.py --check  exit 1 if crds/*.yaml differ from what this script renders

Python 3 standard library only (no PyYAML): the YAML writer below handles the few value types
a CRD needs.
"""
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CRD_DIR = ROOT / "crds"


# --- schema building blocks ----------------------------------------------------------------------
def string(desc=None, **extra):
    return _with({"type": "string"}, desc, extra)


def integer(desc=None, fmt=None, **extra):
    node = {"type": "integer"}
    if fmt:
        node["format"] = fmt
    return _with(node, desc, extra)


def boolean(desc=None):
    return _with({"type": "boolean"}, desc, {})


def time(desc=None):
    return string(desc, format="date-time")


def pem_bytes(desc):
    # Go []byte fields travel as base64 in JSON; the apiserver checks the encoding.
    return string(desc, format="byte")


def enum(desc, values):
    return string(desc, enum=list(values))


def strings(desc=None):
    return _with({"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "atomic"},
                 desc, {})


def array(items, desc=None):
    return _with({"type": "array", "items": items}, desc, {})


def string_map(desc=None):
    return _with({"type": "object", "additionalProperties": {"type": "string"}}, desc, {})


def obj(desc=None, required=(), **props):
    node = {"description": desc} if desc else {}
    node["type"] = "object"
    if required:
        node["required"] = list(required)
    node["properties"] = props
    return node


def open_obj(desc, **props):
    """An object that keeps whatever the user writes (large embedded Kubernetes shapes)."""
    node = {"description": desc} if desc else {}
    node.update({"type": "object", "x-kubernetes-preserve-unknown-fields": True})
    if props:
        node["properties"] = props
    return node


def _with(node, desc, extra):
    node.update(extra)
    if desc:
        node = {"description": desc, **node}
    return node


def quantity_map(desc):
    quantity = {"anyOf": [{"type": "integer"}, {"type": "string"}], "x-kubernetes-int-or-string": True}
    return _with({"type": "object", "additionalProperties": quantity}, desc, {})


# --- shapes shared between kinds -----------------------------------------------------------------
def issuer_ref():
    return obj("The issuer that signs: name, kind (Issuer when empty) and group (cert-manager.io "
               "when empty).", required=["name"],
               name=string("Name of the issuer."),
               kind=string("Kind of the issuer, e.g. Issuer or ClusterIssuer."),
               group=string("API group of the issuer; another group means an external issuer."))


def secret_key_ref(desc):
    return obj(desc, required=["name"],
               name=string("Name of the Secret, in the namespace of the referring object (the "
                           "cluster resource namespace for cluster-scoped ones)."),
               key=string("Key in the Secret's data; each field documents its default."))


def local_ref(desc):
    return obj(desc, required=["name"], name=string("Name of the referenced object."))


def conditions(with_observed_generation):
    props = {
        "type": string("Condition type, e.g. Ready."),
        "status": enum("True, False or Unknown.", ["True", "False", "Unknown"]),
        "lastTransitionTime": time("When status last changed."),
        "reason": string("Machine-readable reason in CamelCase."),
        "message": string("Human-readable detail."),
    }
    if with_observed_generation:
        props["observedGeneration"] = integer("The metadata.generation this condition was "
                                              "computed for.", fmt="int64")
    item = {"type": "object", "required": ["type", "status"], "properties": props}
    return {"description": "Current conditions, at most one per type.", "type": "array",
            "items": item, "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"]}


ACME_STATES = ["valid", "ready", "pending", "processing", "invalid", "expired", "errored"]

KEY_USAGES = [
    "signing", "digital signature", "content commitment", "key encipherment", "key agreement",
    "data encipherment", "cert sign", "crl sign", "encipher only", "decipher only", "any",
    "server auth", "client auth", "code signing", "email protection", "s/mime",
    "ipsec end system", "ipsec tunnel", "ipsec user", "timestamping", "ocsp signing",
    "microsoft sgc", "netscape sgc",
]


def usages(desc):
    return {"description": desc, "type": "array", "items": enum(None, KEY_USAGES)}


def ready_column(name="Ready"):
    return {"name": name, "type": "string",
            "jsonPath": '.status.conditions[?(@.type == "Ready")].status'}


def status_column():
    return {"name": "Status", "type": "string", "priority": 1,
            "jsonPath": '.status.conditions[?(@.type == "Ready")].message'}


def age_column():
    return {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}


ISSUER_REF_FIELDS = [{"jsonPath": ".spec.issuerRef.group"}, {"jsonPath": ".spec.issuerRef.kind"},
                     {"jsonPath": ".spec.issuerRef.name"}]


# --- Certificate ---------------------------------------------------------------------------------
def certificate_spec():
    def name_list(what):
        return obj(f"Names {what} by the CA.",
                   dnsDomains=strings("DNS domains."),
                   ipRanges=strings("IP ranges in CIDR notation."),
                   emailAddresses=strings("Email addresses or domains."),
                   uriDomains=strings("URI domains."))

    def keystore_password(fmt):
        return {
            "passwordSecretRef": secret_key_ref(f"Secret key holding the {fmt} password; "
                                                "exclusive with password."),
            "password": string(f"The {fmt} password as a literal; exclusive with "
                               "passwordSecretRef."),
        }

    return obj(
        "What the certificate should look like and where to keep it.",
        required=["secretName", "issuerRef"],
        secretName=string("Secret, in this namespace, that receives the key pair."),
        issuerRef=issuer_ref(),
        commonName=string("Subject common name; exclusive with literalSubject."),
        literalSubject=string("The whole subject as an RFC 4514 string, used verbatim; exclusive "
                              "with subject and commonName."),
        subject=obj("Subject fields other than the common name.",
                    organizations=strings(), countries=strings(), organizationalUnits=strings(),
                    localities=strings(), provinces=strings(), streetAddresses=strings(),
                    postalCodes=strings(), serialNumber=string()),
        duration=string("Requested lifetime, a Go duration (controller default 2160h)."),
        renewBefore=string("Renew this long before expiry, a Go duration; exclusive with "
                           "renewBeforePercentage."),
        renewBeforePercentage=integer("Renew when this percentage of the lifetime is left "
                                      "(1-99).", fmt="int32"),
        renewal=obj("When renewal may happen.",
                    policy=enum("RenewBefore (default) or Disabled.", ["RenewBefore", "Disabled"]),
                    windows=array(obj(None,
                                      cron=string("Five-field cron expression for window starts."),
                                      timezone=string("IANA time zone of cron (UTC when empty)."),
                                      windowDuration=string("How long each window stays open.")),
                                  "Time windows renewal is restricted to.")),
        dnsNames=strings("DNS subject alternative names."),
        ipAddresses=strings("IP address subject alternative names."),
        uris=strings("URI subject alternative names."),
        emailAddresses=strings("Email subject alternative names."),
        otherNames=array(obj(None, oid=string("Object identifier of the otherName type."),
                             utf8Value=string("Value, encoded as a UTF8String.")),
                         "otherName subject alternative names."),
        secretTemplate=obj("Labels and annotations copied onto the Secret.",
                           annotations=string_map(), labels=string_map()),
        keystores=obj("Extra keystore formats written to the Secret.",
                      jks=obj("Java KeyStore (keystore.jks, truststore.jks).", required=["create"],
                              create=boolean("Write the JKS files."),
                              alias=string("Alias of the key entry (default certificate)."),
                              **keystore_password("JKS")),
                      pkcs12=obj("PKCS#12 (keystore.p12, truststore.p12).", required=["create"],
                                 create=boolean("Write the PKCS#12 files."),
                                 profile=enum("Encryption profile (default LegacyRC2).",
                                              ["LegacyRC2", "LegacyDES", "Modern2023",
                                               "Modern2026"]),
                                 **keystore_password("PKCS#12"))),
        isCA=boolean("Ask for a CA certificate."),
        usages=usages("Key usages and extended key usages to request."),
        encodeUsagesInRequest=boolean("Put the usages in the CSR (default true)."),
        privateKey=obj("The private key: algorithm, size, encoding and when to rotate it.",
                       algorithm=enum("Key algorithm (default RSA).", ["RSA", "ECDSA", "Ed25519"]),
                       size=integer("Key size: RSA bits or ECDSA curve size; ignored for Ed25519."),
                       encoding=enum("tls.key encoding (default PKCS1).", ["PKCS1", "PKCS8"]),
                       rotationPolicy=enum("Whether each issuance makes a new key (default "
                                           "Always).", ["Never", "Always"])),
        signatureAlgorithm=enum("Signature algorithm the issuer should use.",
                                ["SHA256WithRSA", "SHA384WithRSA", "SHA512WithRSA",
                                 "ECDSAWithSHA256", "ECDSAWithSHA384", "ECDSAWithSHA512",
                                 "PureEd25519"]),
        revisionHistoryLimit=integer("How many CertificateRequests to keep (default 1).",
                                     fmt="int32"),
        additionalOutputFormats=array(obj(None, required=["type"],
                                          type=enum("DER writes key.der; CombinedPEM writes "
                                                    "tls-combined.pem.", ["DER", "CombinedPEM"])),
                                      "Extra Secret keys in other encodings."),
        nameConstraints=obj("Name constraints for a CA certificate.",
                            critical=boolean("Mark the extension critical."),
                            permitted=name_list("permitted"), excluded=name_list("excluded")),
    )


def certificate_status():
    ari = obj("ACME Renewal Information (RFC 9773) for the current certificate.",
              suggestedWindow=obj("The window the CA suggests renewing in.", start=time(),
                                  end=time()),
              explanationURL=string("Page the CA links for an explanation."),
              lastChecked=time("When the renewal information was last fetched."),
              nextCheck=time("When it will be fetched next."),
              lastError=string("Why the last fetch failed, if it did."))
    return obj("Observed state, written by the controller.",
               conditions=conditions(True),
               lastFailureTime=time("When the last issuance failed."),
               failedIssuanceAttempts=integer("Consecutive failed issuances."),
               notBefore=time("Start of validity of the certificate in the Secret."),
               notAfter=time("End of validity of the certificate in the Secret."),
               renewalTime=time("When the certificate will next be renewed."),
               revision=integer("Revision of the CertificateRequest the Secret came from."),
               nextPrivateKeySecretName=string("Secret holding the key for the issuance in "
                                               "progress."),
               acme=obj("ACME details.", ari=ari))


# --- CertificateRequest --------------------------------------------------------------------------
def certificate_request_spec():
    return obj(
        "A CSR for an issuer to sign; immutable once created.",
        required=["request", "issuerRef"],
        request=pem_bytes("PEM-encoded PKCS#10 request."),
        issuerRef=issuer_ref(),
        duration=string("Requested lifetime, a Go duration."),
        isCA=boolean("Ask for a CA certificate."),
        usages=usages("Key usages and extended key usages to request."),
        username=string("Who created the request (set by the admission webhook)."),
        uid=string("UID of that user."),
        groups=strings("Groups of that user."),
        extra={"description": "Extra attributes of that user.", "type": "object",
               "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    )


def certificate_request_status():
    return obj("Observed state, written by approvers and signers.",
               conditions=conditions(False),
               certificate=pem_bytes("The signed certificate chain, PEM."),
               ca=pem_bytes("The CA certificate, PEM, when the issuer knows it."),
               failureTime=time("When the request failed for good."))


# --- Issuer / ClusterIssuer ----------------------------------------------------------------------
def pod_template():
    spec = open_obj(
        "Pod spec fields for the solver Pod; other Pod spec fields are kept as written.",
        nodeSelector=string_map(),
        affinity=open_obj(None),
        tolerations=array(open_obj(None)),
        priorityClassName=string(),
        serviceAccountName=string(),
        imagePullSecrets=array(local_ref(None)),
        securityContext=open_obj("Pod security context."),
        resources=obj("Solver container resources.", limits=quantity_map(None),
                      requests=quantity_map(None)))
    return obj("Overrides for the solver Pod.",
               metadata=obj(None, labels=string_map(), annotations=string_map()), spec=spec)


def http01_solver():
    ingress = obj(
        "Solve through an Ingress.",
        serviceType=string("Service type of the solver (NodePort or ClusterIP)."),
        ingressClassName=string("IngressClass of the solver Ingress."),
        **{"class": string("Legacy ingress class annotation value.")},
        name=string("Existing Ingress to add the challenge path to."),
        podTemplate=pod_template(),
        ingressTemplate=open_obj("Overrides for the solver Ingress.",
                                 metadata=obj(None, labels=string_map(),
                                              annotations=string_map())))
    parent_ref = obj(None, required=["name"],
                     group={"type": "string", "default": "gateway.networking.k8s.io"},
                     kind={"type": "string", "default": "Gateway"},
                     namespace=string(), name=string(), sectionName=string(),
                     port=integer(None, fmt="int32"))
    route = obj("Solve through a Gateway API HTTPRoute.",
                serviceType=string("Service type of the solver (NodePort or ClusterIP)."),
                labels=string_map("Labels for the HTTPRoute."),
                parentRefs=array(parent_ref, "Gateways the HTTPRoute attaches to."),
                podTemplate=pod_template())
    return obj("HTTP-01 solver.", ingress=ingress, gatewayHTTPRoute=route)


def dns01_solver():
    ref = secret_key_ref
    sa_ref = obj("ServiceAccount whose token is used.", required=["name"], name=string(),
                 audiences=strings("Token audiences."))
    return obj(
        "DNS-01 solver: one provider.",
        cnameStrategy=enum("Follow a CNAME at _acme-challenge (default None).", ["None", "Follow"]),
        nameservers=strings("Nameservers to check propagation with (host:port or https URL)."),
        akamai=obj("Akamai Edge DNS.", serviceConsumerDomain=string(),
                   clientTokenSecretRef=ref(None), clientSecretSecretRef=ref(None),
                   accessTokenSecretRef=ref(None)),
        cloudDNS=obj("Google Cloud DNS.", project=string(), hostedZoneName=string(),
                     serviceAccountSecretRef=ref("Service account key; ambient when unset.")),
        cloudflare=obj("Cloudflare.", email=string(), apiKeySecretRef=ref("Global API key."),
                       apiTokenSecretRef=ref("API token (preferred).")),
        route53=obj("AWS Route 53.", region=string(), hostedZoneID=string(),
                    role=string("Role to assume."), accessKeyID=string(),
                    accessKeyIDSecretRef=ref(None), secretAccessKeySecretRef=ref(None),
                    auth=obj("Web identity authentication.",
                             kubernetes=obj(None, required=["serviceAccountRef"],
                                            serviceAccountRef=sa_ref))),
        azureDNS=obj("Azure DNS.", subscriptionID=string(), resourceGroupName=string(),
                     hostedZoneName=string(),
                     environment=enum(None, ["AzurePublicCloud", "AzureChinaCloud",
                                             "AzureGermanCloud", "AzureUSGovernmentCloud"]),
                     clientID=string(), clientSecretSecretRef=ref(None), tenantID=string(),
                     managedIdentity=obj("Managed or workload identity.", clientID=string(),
                                         resourceID=string(), tenantID=string()),
                     zoneType=enum(None, ["AzurePublicZone", "AzurePrivateZone"])),
        digitalocean=obj("DigitalOcean.", tokenSecretRef=ref(None)),
        acmeDNS=obj("acme-dns.", host=string(), accountSecretRef=ref("acme-dns account JSON.")),
        rfc2136=obj("RFC 2136 dynamic updates.", required=["nameserver"],
                    nameserver=string("host[:port]; IPv6 in brackets."),
                    tsigKeyName=string(), tsigSecretSecretRef=ref(None),
                    tsigAlgorithm=string("HMACMD5 (default), HMACSHA1, HMACSHA256 or HMACSHA512."),
                    protocol=enum("UDP (default) or TCP.", ["UDP", "TCP"])),
        webhook=obj("An out-of-tree DNS provider served as an aggregated API.",
                    required=["groupName", "solverName"],
                    groupName=string("API group of the provider."),
                    solverName=string("Name of the solver in that group."),
                    config=open_obj("Provider configuration, passed through unchanged.")),
    )


def acme_solver(desc):
    return obj(
        desc,
        selector=obj("Which identifiers this solver is for; none means all.",
                     matchLabels=string_map("Labels the Certificate must have."),
                     dnsNames=strings("Exact DNS names."),
                     dnsZones=strings("DNS zones (and their subdomains).")),
        http01=http01_solver(),
        dns01=dns01_solver(),
        waitInsteadOfSelfCheck=string("Skip the self-check and wait this long after presenting."),
    )


def issuer_spec():
    ref = secret_key_ref
    acme = obj(
        "An ACME (RFC 8555) certificate authority.",
        required=["server", "privateKeySecretRef"],
        server=string("Directory URL."),
        email=string("Account contact email."),
        privateKeySecretRef=ref("Secret holding the account key (key default tls.key)."),
        disableAccountKeyGeneration=boolean("Require an existing account key."),
        externalAccountBinding=obj("External account binding for registration.",
                                   required=["keyID", "keySecretRef"],
                                   keyID=string("Key identifier from the CA."),
                                   keySecretRef=ref("Secret with the base64url HMAC key."),
                                   keyAlgorithm=enum("Deprecated; HS256 is always used.",
                                                     ["HS256", "HS384", "HS512"])),
        preferredChain=string("Issuer common name of the preferred alternate chain.",
                              maxLength=64),
        caBundle=pem_bytes("PEM CA bundle to trust for the ACME server."),
        skipTLSVerify=boolean("Do not verify the ACME server's TLS certificate."),
        enableDurationFeature=boolean("Send the requested duration as notAfter."),
        profile=string("ACME profile to order with."),
        renewalInformationSource=enum("Whether to use ACME Renewal Information.",
                                      ["ARI", "None"]) | {"default": "ARI"},
        solvers=array(acme_solver("A way to solve challenges, and what for."),
                      "Challenge solvers, chosen per identifier."),
    )
    ca = obj("Sign with a CA key pair kept in a Secret.", required=["secretName"],
             secretName=string("Secret with tls.crt and tls.key of the CA."),
             crlDistributionPoints=strings("CRL URLs to embed."),
             ocspServers=strings("OCSP URLs to embed."),
             issuingCertificateURLs=strings("CA issuers URLs to embed."))
    self_signed = obj("Sign each certificate with its own key.",
                      crlDistributionPoints=strings("CRL URLs to embed."))
    sa_ref = obj(None, required=["name"], name=string(), audiences=strings())
    vault = obj(
        "HashiCorp Vault PKI.",
        required=["server", "path"],
        server=string("Vault address."),
        path=string("Signing path, e.g. pki/sign/role."),
        namespace=string("Vault namespace."),
        serverName=string("TLS server name to expect."),
        caBundle=pem_bytes("PEM CA bundle to trust for Vault."),
        caBundleSecretRef=ref("Secret with the CA bundle (key default ca.crt)."),
        clientCertSecretRef=ref("Client certificate for mutual TLS."),
        clientKeySecretRef=ref("Client key for mutual TLS."),
        auth=obj("How to log in to Vault: one method.",
                 tokenSecretRef=ref("Token (key default token)."),
                 appRole=obj(None, required=["path", "roleId", "secretRef"], path=string(),
                             roleId=string(), secretRef=ref(None)),
                 clientCertificate=obj(None, mountPath=string(), secretName=string(),
                                       name=string()),
                 kubernetes=obj(None, required=["role"], mountPath=string(), role=string(),
                                secretRef=ref(None), serviceAccountRef=sa_ref),
                 aws=obj(None, mountPath=string(), role=string(), region=string(),
                         serviceAccountRef=sa_ref, iamRoleArn=string(),
                         vaultHeaderValue=string())),
    )
    venafi = obj(
        "CyberArk Certificate Manager (Venafi): one of tpp, cloud, ngts.",
        required=["zone"],
        zone=string("Policy zone."),
        tpp=obj(None, required=["url", "credentialsRef"], url=string(),
                credentialsRef=local_ref(None), caBundle=pem_bytes(None),
                caBundleSecretRef=ref(None)),
        cloud=obj(None, required=["apiTokenSecretRef"], url=string(), apiTokenSecretRef=ref(None)),
        ngts=obj(None, required=["tsgID", "credentialsRef"], url=string(),
                 tokenEndpoint=string(), tsgID=string(), credentialsRef=local_ref(None)),
    )
    venafi["x-kubernetes-validations"] = [{
        "rule": "[has(self.tpp), has(self.cloud), has(self.ngts)].filter(x, x).size() == 1",
        "message": "set exactly one of tpp, cloud or ngts",
    }]
    return obj("How this issuer signs: set one of acme, ca, selfSigned, vault, venafi.",
               acme=acme, ca=ca, selfSigned=self_signed, vault=vault, venafi=venafi)


def issuer_status():
    return obj("Observed state, written by the controller.",
               conditions=conditions(True),
               acme=obj("ACME account state.", uri=string("Account URL."),
                        lastRegisteredEmail=string("Email the account was registered with."),
                        lastPrivateKeyHash=string("Hash of the account key last registered.")))


# --- Order / Challenge ---------------------------------------------------------------------------
def order_spec():
    return obj(
        "An ACME order for one CertificateRequest.",
        required=["request", "issuerRef"],
        request=pem_bytes("The CSR to finalize the order with."),
        issuerRef=issuer_ref(),
        commonName=string("Common name of the CSR; must be among the identifiers."),
        dnsNames=strings("DNS identifiers to order."),
        ipAddresses=strings("IP identifiers to order."),
        duration=string("Requested lifetime (sent only with enableDurationFeature)."),
        profile=string("ACME profile to order with."),
        replaces=string("ARI CertID of the certificate this order replaces."),
    )


def order_status():
    challenge = obj(None, required=["url", "token", "type"], url=string(), token=string(),
                    type=string("Challenge type, e.g. http-01."))
    authorization = obj(None, required=["url"],
                        url=string("Authorization URL."),
                        identifier=string("The identifier being authorized."),
                        wildcard=boolean(),
                        initialState=enum("State when the order was created.", ACME_STATES),
                        challenges=array(challenge, "Challenges the server offers."))
    return obj("Observed state; holds the ACME URLs so a restarted controller resumes.",
               url=string("Order URL."),
               finalizeURL=string("Finalize URL."),
               authorizations=array(authorization, "Authorizations of the order."),
               certificate=pem_bytes("The issued chain, PEM."),
               state=enum("ACME state of the order.", ACME_STATES),
               reason=string("Why the order is in this state."),
               failureTime=time("When the order failed."))


def challenge_spec():
    return obj(
        "One ACME challenge to solve.",
        required=["url", "authorizationURL", "dnsName", "type", "token", "key", "solver",
                  "issuerRef"],
        url=string("Challenge URL."),
        authorizationURL=string("URL of the authorization this challenge belongs to."),
        dnsName=string("Identifier, without a wildcard prefix."),
        wildcard=boolean("The identifier is a wildcard."),
        type=enum("Challenge type.", ["HTTP-01", "DNS-01"]),
        token=string("Challenge token."),
        key=string("Key authorization (HTTP-01) or TXT record value (DNS-01)."),
        solver=acme_solver("The solver chosen for this challenge."),
        issuerRef=issuer_ref(),
    )


def challenge_status():
    return obj("Observed state, written by the controller.",
               processing=boolean("The controller is working on this challenge."),
               presented=boolean("The record or response has been put in place."),
               presentedAt=time("When it was put in place."),
               reason=string("Why the challenge is in this state."),
               state=enum("ACME state of the challenge.", ACME_STATES))


# --- the six CRDs --------------------------------------------------------------------------------
def crd(group, kind, plural, scope, short_names, categories, desc, spec, status, columns,
        selectable=None):
    root = obj(desc, required=["spec"],
               apiVersion=string("Versioned schema of this object."),
               kind=string("Kind of this object."),
               metadata={"type": "object"},
               spec=spec, status=status)
    version = {
        "name": "v1", "served": True, "storage": True,
        "subresources": {"status": {}},
        "additionalPrinterColumns": columns,
    }
    if selectable:
        version["selectableFields"] = selectable
    version["schema"] = {"openAPIV3Schema": root}
    names = {"kind": kind, "listKind": kind + "List", "plural": plural,
             "singular": kind.lower()}
    if short_names:
        names["shortNames"] = short_names
    names["categories"] = categories
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}",
                     "labels": {"app.kubernetes.io/name": "certkeeper"}},
        "spec": {"group": group, "names": names, "scope": scope, "versions": [version]},
    }


def all_crds():
    cm, acme = "cert-manager.io", "acme.cert-manager.io"
    issuer_ref_column = {"name": "Issuer", "type": "string", "jsonPath": ".spec.issuerRef.name"}
    issuer_columns = [ready_column(), status_column(), age_column()]
    return [
        crd(cm, "Certificate", "certificates", "Namespaced", ["cert", "certs"], ["cert-manager"],
            "A certificate to obtain and keep renewed in a Secret.",
            certificate_spec(), certificate_status(),
            [ready_column(), {"name": "Secret", "type": "string", "jsonPath": ".spec.secretName"},
             issuer_ref_column | {"priority": 1}, status_column(),
             {"name": "Expiration", "type": "date", "priority": 1, "jsonPath": ".status.notAfter"},
             age_column()],
            ISSUER_REF_FIELDS),
        crd(cm, "CertificateRequest", "certificaterequests", "Namespaced", ["cr", "crs"],
            ["cert-manager"], "A request for an issuer to sign one CSR.",
            certificate_request_spec(), certificate_request_status(),
            [{"name": "Approved", "type": "string",
              "jsonPath": '.status.conditions[?(@.type == "Approved")].status'},
             {"name": "Denied", "type": "string",
              "jsonPath": '.status.conditions[?(@.type == "Denied")].status'},
             ready_column(), issuer_ref_column,
             {"name": "Requester", "type": "string", "jsonPath": ".spec.username"},
             status_column(), age_column()],
            ISSUER_REF_FIELDS),
        crd(cm, "Issuer", "issuers", "Namespaced", ["iss"], ["cert-manager"],
            "A certificate authority that signs for its own namespace.",
            issuer_spec(), issuer_status(), issuer_columns),
        crd(cm, "ClusterIssuer", "clusterissuers", "Cluster", ["ciss"], ["cert-manager"],
            "A certificate authority that signs for every namespace.",
            issuer_spec(), issuer_status(), issuer_columns),
        crd(acme, "Order", "orders", "Namespaced", None, ["cert-manager", "cert-manager-acme"],
            "An ACME order, made for one CertificateRequest.", order_spec(), order_status(),
            [{"name": "State", "type": "string", "jsonPath": ".status.state"},
             issuer_ref_column | {"priority": 1},
             {"name": "Reason", "type": "string", "priority": 1, "jsonPath": ".status.reason"},
             age_column()],
            ISSUER_REF_FIELDS),
        crd(acme, "Challenge", "challenges", "Namespaced", None,
            ["cert-manager", "cert-manager-acme"],
            "An ACME challenge to solve for one identifier of an Order.",
            challenge_spec(), challenge_status(),
            [{"name": "State", "type": "string", "jsonPath": ".status.state"},
             {"name": "Domain", "type": "string", "jsonPath": ".spec.dnsName"},
             {"name": "Reason", "type": "string", "priority": 1, "jsonPath": ".status.reason"},
             age_column()],
            ISSUER_REF_FIELDS),
    ]


# --- YAML writer ---------------------------------------------------------------------------------
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 _./()'-]*")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}


def scalar(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if _PLAIN.fullmatch(value) and value.lower() not in _RESERVED and not value.endswith(" "):
        return value
    return json.dumps(value)


def render(value, indent=0):
    """Block-style YAML lines for a dict or list (keys in insertion order)."""
    pad = " " * indent
    lines = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{pad}{key}:")
                lines.extend(render(item, indent + 2))
            elif isinstance(item, (dict, list)):
                lines.append(f"{pad}{key}: {'{}' if isinstance(item, dict) else '[]'}")
            else:
                lines.append(f"{pad}{key}: {scalar(item)}")
    else:
        for item in value:
            if isinstance(item, (dict, list)) and item:
                inner = render(item, indent + 2)
                lines.append(f"{pad}- {inner[0].lstrip()}")
                lines.extend(inner[1:])
            else:
                lines.append(f"{pad}- {scalar(item) if not isinstance(item, (dict, list)) else '{}'}")
    return lines


HEADER = ("# Generated by tools/crdgen.py from the field lists in its source; edit that, then run "
          "it.\n# See crds/README.md.\n")


def rendered():
    out = {}
    for doc in all_crds():
        out[doc["metadata"]["name"] + ".yaml"] = HEADER + "\n".join(render(doc)) + "\n"
    return out


def main(argv):
    files = rendered()
    if argv[1:] == ["--check"]:
        stale = [n for n, text in files.items()
                 if not (CRD_DIR / n).is_file() or (CRD_DIR / n).read_text() != text]
        extra = [p.name for p in CRD_DIR.glob("*.yaml") if p.name not in files]
        for name in stale:
            print(f"crdgen: crds/{name} is not what tools/crdgen.py renders; run tools/crdgen.py")
        for name in extra:
            print(f"crdgen: crds/{name} is not rendered by tools/crdgen.py")
        if stale or extra:
            return 1
        print(f"crdgen: {len(files)} CRDs up to date")
        return 0
    if argv[1:]:
        print("usage: tools/crdgen.py [--check]", file=sys.stderr)
        return 2
    for name, text in files.items():
        (CRD_DIR / name).write_text(text)
        print(f"crdgen: wrote crds/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
