#!/usr/bin/env bash
# Checks `certkeeper acme` end to end against Pebbles of its own (tools/testenv pebble: nothing
# answers their challenge ports but the CLI's own listeners) and the environment's BIND9:
# issuance over HTTP-01, DNS-01 (RFC 2136) and TLS-ALPN-01, an IP certificate, chains verified
# with openssl, key files, EAB, key rollover, deactivation, revocation both ways, alternate
# chains, profiles, ARI renewal with `replaces`, 50 % nonce rejection and the one-line errors.
# Usage: acme_cli_test.sh <path to the certkeeper binary>   (CK_TESTENV_FILE: a running testenv)
set -uo pipefail
BIN="${1:?usage: $0 <certkeeper binary>}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
: "${CK_TESTENV_FILE:?set CK_TESTENV_FILE to the env file of tools/testenv up}"
TE_DIR=$(dirname "$CK_TESTENV_FILE")
set -a
# shellcheck disable=SC1090
source "$CK_TESTENV_FILE"
set +a

fails=0
ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; fails=$((fails + 1)); }
check() { # description, command...
  local what="$1"; shift
  if "$@"; then ok "$what"; else not_ok "$what"; fi
}

scratch=$(mktemp -d)
suffix="cli$$"
pebbles=()
cleanup() {
  for name in "${pebbles[@]}"; do
    "$ROOT/tools/testenv" pebble-stop "$name" --dir "$TE_DIR" >/dev/null 2>&1 || true
  done
  rm -rf "$scratch"
}
trap cleanup EXIT

# start_pebble VAR NAME [options]: starts a Pebble and loads its env file into VAR_* variables.
start_pebble() {
  local var="$1" name="$2-$suffix"; shift 2
  local file
  file=$("$ROOT/tools/testenv" pebble "$name" --dir "$TE_DIR" "$@" 2>"$scratch/$name.err") || {
    cat "$scratch/$name.err"; echo "Bail out! could not start pebble $name"; exit 1; }
  pebbles+=("$name")
  while IFS='=' read -r key value; do
    [[ "$key" =~ ^CK_ ]] && printf -v "${var}_${key#CK_}" '%s' "$value"
  done <"$file"
}

start_pebble MAIN main
start_pebble EAB eab --eab-required
start_pebble ALT alt --alternate-roots 1
start_pebble NONCE nonce --nonce-reject 50

# acme SUB PEBBLE_VAR ACCOUNT_DIR [flags...]: runs the CLI against that Pebble; stdout in
# $scratch/out, stderr in $scratch/err.
acme() {
  local sub="$1" p="$2" account="$3"; shift 3
  local dir_var="${p}_ACME_DIRECTORY" ca_var="${p}_ACME_SERVER_CA_FILE"
  "$BIN" acme "$sub" --server "${!dir_var}" --ca-bundle "${!ca_var}" \
    --account-dir "$scratch/$account" --email "ops@$CK_DNS_ZONE" --timeout 60 "$@" \
    >"$scratch/out" 2>"$scratch/err"
}
http01() { local v="${1}_PEBBLE_HTTP01_PORT"; echo --http-01 --http-port "${!v}"; }
tlsalpn01() { local v="${1}_PEBBLE_TLSALPN01_PORT"; echo --tls-alpn-01 --tls-port "${!v}"; }
printf '%s\n' "$CK_TSIG_SECRET" >"$scratch/tsig.secret"
dns01() {
  echo --dns-01-rfc2136 --dns-server "$CK_DNS_SERVER" --tsig-key-name "$CK_TSIG_KEY_NAME" \
    --tsig-algorithm "$CK_TSIG_ALGORITHM" --tsig-secret-file "$scratch/tsig.secret"
}
show_err() { sed 's/^/#   /' "$scratch/err" | tail -5; }
last_err_line() { grep -v '^[0-9T:.-]*Z [A-Z] \[' "$scratch/err" | tail -1; }

# verify_issued STEM ROOT DESC: the chain verifies, the key is 0600 and matches the leaf.
verify_issued() {
  local out="$scratch/out-certs" stem="$1" root="$2" what="$3"
  check "$what: chain verifies against the Pebble root" \
    openssl verify -CAfile "$root" -untrusted "$out/$stem.issuer.crt" "$out/$stem.crt"
  check "$what: fullchain is leaf + issuers" \
    test "$(cat "$out/$stem.crt" "$out/$stem.issuer.crt")" = "$(cat "$out/$stem.fullchain.crt")"
  check "$what: key file mode is 0600" test "$(stat -c %a "$out/$stem.key")" = "600"
  check "$what: key matches the certificate" test \
    "$(openssl x509 -in "$out/$stem.crt" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum)" = \
    "$(openssl pkey -in "$out/$stem.key" -pubout -outform DER | sha256sum)"
}
sans() { openssl x509 -in "$scratch/out-certs/$1.crt" -noout -ext subjectAltName | tail -n +2 | tr -d ' '; }
serial() { openssl x509 -in "$1" -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f'; }
cert_status() { # PEBBLE_VAR certfile
  local mgmt="${1}_PEBBLE_MGMT_URL" ca="${1}_ACME_SERVER_CA_FILE"
  curl -s --cacert "${!ca}" "${!mgmt}/cert-status-by-serial/$(serial "$2")" |
    python3 -c 'import json,sys; print(json.load(sys.stdin).get("Status",""))' 2>/dev/null
}
OUT="--out-dir $scratch/out-certs"
Z="$CK_DNS_ZONE"

# --- issuance over each challenge type ------------------------------------------------------
# shellcheck disable=SC2046,SC2086
if acme issue MAIN acct --agree-tos -d "a.$suffix.$Z" -d "b.$suffix.$Z" $(http01 MAIN) \
  --key-type ec256 $OUT; then
  ok "issue over HTTP-01 for two names"
  check "both names in the certificate" test "$(sans "a.$suffix.$Z")" = "DNS:a.$suffix.$Z,DNS:b.$suffix.$Z"
  verify_issued "a.$suffix.$Z" "$MAIN_PEBBLE_ROOT_FILE" "HTTP-01"
else not_ok "issue over HTTP-01 for two names"; show_err; fi

# shellcheck disable=SC2046,SC2086
if acme issue MAIN acct -d "*.w.$suffix.$Z" -d "w.$suffix.$Z" $(dns01) --key-type rsa2048 $OUT; then
  ok "issue over DNS-01 (RFC 2136) for a wildcard and its apex"
  check "wildcard and apex in the certificate" test "$(sans "_.w.$suffix.$Z")" = "DNS:*.w.$suffix.$Z,DNS:w.$suffix.$Z"
  verify_issued "_.w.$suffix.$Z" "$MAIN_PEBBLE_ROOT_FILE" "DNS-01"
  check "DNS-01 waited for propagation at the authoritative servers" grep -q "visible at" "$scratch/err"
else not_ok "issue over DNS-01 (RFC 2136) for a wildcard and its apex"; show_err; fi

# shellcheck disable=SC2046,SC2086
if acme issue MAIN acct -d "t.$suffix.$Z" $(tlsalpn01 MAIN) --key-type ec384 $OUT; then
  ok "issue over TLS-ALPN-01"
  verify_issued "t.$suffix.$Z" "$MAIN_PEBBLE_ROOT_FILE" "TLS-ALPN-01"
else not_ok "issue over TLS-ALPN-01"; show_err; fi

# shellcheck disable=SC2046,SC2086
if acme issue MAIN acct -d 127.0.0.1 $(http01 MAIN) --profile shortlived $OUT; then
  ok "issue an IP-address certificate over HTTP-01"
  check "the SAN is the IP address" test "$(sans 127.0.0.1)" = "IPAddress:127.0.0.1"
  verify_issued 127.0.0.1 "$MAIN_PEBBLE_ROOT_FILE" "IP"
else not_ok "issue an IP-address certificate over HTTP-01"; show_err; fi

# --- profiles -------------------------------------------------------------------------------
lifetime_days() {
  local nb na
  nb=$(date -d "$(openssl x509 -in "$1" -noout -startdate | cut -d= -f2)" +%s)
  na=$(date -d "$(openssl x509 -in "$1" -noout -enddate | cut -d= -f2)" +%s)
  echo $(((na - nb + 3600) / 86400))
}
# shellcheck disable=SC2046,SC2086
if acme issue MAIN acct -d "s.$suffix.$Z" $(http01 MAIN) --profile shortlived $OUT; then
  days=$(lifetime_days "$scratch/out-certs/s.$suffix.$Z.crt")
  check "profile shortlived: notAfter - notBefore is 6 days (got $days)" test "$days" = 6
else not_ok "issue with --profile shortlived"; show_err; fi
# shellcheck disable=SC2046,SC2086
if acme issue MAIN acct -d "l.$suffix.$Z" $(http01 MAIN) --profile default $OUT; then
  days=$(lifetime_days "$scratch/out-certs/l.$suffix.$Z.crt")
  check "profile default: 90 days (got $days)" test "$days" = 90
else not_ok "issue with --profile default"; show_err; fi

# --- renewal (ARI) --------------------------------------------------------------------------
# shellcheck disable=SC2046,SC2086
if acme renew MAIN acct -d "l.$suffix.$Z" $(http01 MAIN) $OUT; then
  check "renew without --force leaves a fresh certificate alone" grep -q "^not renewed: not due" "$scratch/out"
else not_ok "renew without --force"; show_err; fi
old_serial=$(serial "$scratch/out-certs/l.$suffix.$Z.crt")
old_aki=$(openssl x509 -in "$scratch/out-certs/l.$suffix.$Z.crt" -noout -ext authorityKeyIdentifier | tail -1 | tr -d ' :')
# shellcheck disable=SC2046,SC2086
if acme renew MAIN acct -d "l.$suffix.$Z" $(http01 MAIN) $OUT --force; then
  new_serial=$(serial "$scratch/out-certs/l.$suffix.$Z.crt")
  check "renew --force writes a new certificate" test "$new_serial" != "$old_serial"
  # The CertID the CLI sent is base64url(AKI).base64url(serial); decode and compare.
  replaces=$(grep -o 'replaces [A-Za-z0-9_.-]*' "$scratch/out" | head -1 | cut -d' ' -f2)
  decoded=$(python3 - "$replaces" <<'EOF'
import base64, sys
aki, serial = sys.argv[1].split(".")
pad = lambda s: s + "=" * (-len(s) % 4)
print(base64.urlsafe_b64decode(pad(aki)).hex() + " " + base64.urlsafe_b64decode(pad(serial)).hex().lstrip("0"))
EOF
)
  check "the renewal order replaces the old certificate's ARI CertID" \
    test "$decoded" = "$(tr 'A-F' 'a-f' <<<"$old_aki") ${old_serial#0}"
  check "Pebble's order echoed replaces" grep -qE "order .* is [a-z]+, replaces $replaces" "$scratch/err"
else not_ok "renew --force"; show_err; fi

# --- revocation both ways -------------------------------------------------------------------
cert="$scratch/out-certs/a.$suffix.$Z.crt"
if acme revoke MAIN acct --cert "$cert" --reason superseded; then
  check "revoked with the account key: Pebble says Revoked" test "$(cert_status MAIN "$cert")" = Revoked
else not_ok "revoke with the account key"; show_err; fi
cert="$scratch/out-certs/t.$suffix.$Z.crt"
check "before revocation Pebble says Valid" test "$(cert_status MAIN "$cert")" = Valid
if acme revoke MAIN nobody --cert "$cert" --cert-key "$scratch/out-certs/t.$suffix.$Z.key" \
  --reason keyCompromise; then
  check "revoked with the certificate key: Pebble says Revoked" test "$(cert_status MAIN "$cert")" = Revoked
  check "revoking with the certificate key created no account key" test ! -e "$scratch/nobody/account.key"
else not_ok "revoke with the certificate key"; show_err; fi

# --- rollover, then deactivation ------------------------------------------------------------
old_key=$(sha256sum <"$scratch/acct/account.key")
if acme rollover-key MAIN acct --account-key-type ec384; then
  ok "rollover-key"
  check "the new key replaced account.key" test "$(sha256sum <"$scratch/acct/account.key")" != "$old_key"
  check "the old key is kept as account.key.old" test "$(sha256sum <"$scratch/acct/account.key.old")" = "$old_key"
  check "the new key is 0600" test "$(stat -c %a "$scratch/acct/account.key")" = 600
  check "the new key is P-384" grep -q "P-384" <(openssl pkey -in "$scratch/acct/account.key" -noout -text)
  # shellcheck disable=SC2046,SC2086
  check "issue after rollover (signed with the new key)" acme issue MAIN acct -d "r.$suffix.$Z" $(http01 MAIN) $OUT
else not_ok "rollover-key"; show_err; fi
check "deactivate without --yes is refused" bash -c "! '$BIN' acme deactivate --server '$MAIN_ACME_DIRECTORY' --account-dir '$scratch/acct' 2>'$scratch/err'"
check "  ... naming --yes" grep -q "^certkeeper acme deactivate: --yes" "$scratch/err"
if acme deactivate MAIN acct --yes; then
  ok "deactivate --yes"
  # shellcheck disable=SC2046,SC2086
  if acme issue MAIN acct -d "d.$suffix.$Z" $(http01 MAIN) $OUT; then
    not_ok "issue after deactivation is refused"
  else
    ok "issue after deactivation is refused"
    check "  ... with one line naming the problem ($(last_err_line))" \
      grep -qE "^certkeeper acme issue: .*(unauthorized|deactivated)" "$scratch/err"
  fi
else not_ok "deactivate --yes"; show_err; fi

# --- External Account Binding ---------------------------------------------------------------
if acme register EAB eab --agree-tos; then
  not_ok "register without EAB at a CA that requires it is refused"
else
  ok "register without EAB at a CA that requires it is refused"
  check "  ... with a message naming EAB ($(last_err_line))" grep -q "^certkeeper acme register: .*EAB" "$scratch/err"
fi
if acme register EAB eab --agree-tos --eab-kid "$EAB_PEBBLE_EAB_KID" --eab-hmac-key "$EAB_PEBBLE_EAB_HMAC"; then
  check "register with EAB prints the account URL" grep -q "^https://.*/my-account/" "$scratch/out"
  # shellcheck disable=SC2046,SC2086
  check "issue with the EAB-bound account" acme issue EAB eab -d "e.$suffix.$Z" $(http01 EAB) $OUT
else not_ok "register with EAB"; show_err; fi

# --- alternate chains -----------------------------------------------------------------------
root1=$(cut -d, -f2 <<<"$ALT_PEBBLE_ROOT_FILES")
root0=$(cut -d, -f1 <<<"$ALT_PEBBLE_ROOT_FILES")
cn1=$(openssl x509 -in "$root1" -noout -subject -nameopt RFC2253 | sed 's/.*CN=\([^,]*\).*/\1/')
# shellcheck disable=SC2046,SC2086
if acme issue ALT alt --agree-tos -d "c.$suffix.$Z" $(http01 ALT) --preferred-chain "$cn1" $OUT; then
  ok "issue with --preferred-chain '$cn1'"
  verify_issued "c.$suffix.$Z" "$root1" "preferred chain"
  check "  ... and the chain is not the default one (does not verify against root 0)" \
    bash -c "! openssl verify -CAfile '$root0' -untrusted '$scratch/out-certs/c.$suffix.$Z.issuer.crt' '$scratch/out-certs/c.$suffix.$Z.crt' >/dev/null 2>&1"
else not_ok "issue with --preferred-chain"; show_err; fi

# --- 50 % nonce rejection -------------------------------------------------------------------
good=0
for i in 1 2 3 4 5; do
  # shellcheck disable=SC2046,SC2086
  if acme issue NONCE nonce --agree-tos -d "n$i.$suffix.$Z" $(http01 NONCE) $OUT; then
    good=$((good + 1))
  else show_err; fi
done
check "5 sequential issuances with 50 % badNonce all succeed ($good/5)" test "$good" = 5
# Pebble does not log the rejections; a rejected POST shows up as the same POST sent again. Without
# retries there are 11 of these (one newAccount, five newOrder, five finalize).
posts=$(grep -cE "POST /(sign-me-up|order-plz|finalize-order/)" "$NONCE_PEBBLE_LOG_FILE")
check "  ... and badNonce was retried ($posts POSTs for 11 requests)" test "$posts" -gt 11

# --- errors: one line on stderr naming what was wrong, non-zero exit -----------------------
one_line() { test "$(grep -c '^certkeeper acme' "$scratch/err")" = 1; }
# shellcheck disable=SC2046,SC2086
if "$BIN" acme issue --server https://127.0.0.1:1/dir --account-dir "$scratch/x" --agree-tos \
  -d "u.$Z" --http-01 --http-port 0 $OUT 2>"$scratch/err"; then
  not_ok "an unreachable directory fails"
else
  check "an unreachable directory names the URL ($(last_err_line))" \
    grep -q "^certkeeper acme issue: .*https://127.0.0.1:1/dir" "$scratch/err"
  check "  ... in one line" one_line
fi
# shellcheck disable=SC2046,SC2086
if acme issue MAIN acct2 --agree-tos -d "blocked.$Z" $(http01 MAIN) $OUT; then
  not_ok "a blocked name is rejected"
else
  check "a blocked name is rejected with the CA's detail ($(last_err_line))" \
    grep -q "^certkeeper acme issue: .*rejectedIdentifier.*blocked.$Z.*forbidden" "$scratch/err"
  check "  ... in one line" one_line
fi
# Pebble validates HTTP-01 on its port; the CLI listens elsewhere (an ephemeral port).
# shellcheck disable=SC2086
if acme issue MAIN acct2 -d "f.$suffix.$Z" --http-01 --http-port 0 $OUT; then
  not_ok "a challenge nobody answers fails"
else
  check "a failed challenge names identifier, type and reason ($(last_err_line))" \
    grep -q "^certkeeper acme issue: f.$suffix.$Z: http-01 challenge failed: .*connection refused" "$scratch/err"
  check "  ... in one line" one_line
fi
# shellcheck disable=SC2046,SC2086
if acme issue MAIN acct2 -d "k.$Z" $(http01 MAIN) --key-type ec999 $OUT; then
  not_ok "a bad --key-type is refused"
else
  check "a bad flag value names the flag ($(last_err_line))" grep -q "^certkeeper acme issue: --key-type: unknown key type 'ec999'" "$scratch/err"
fi
check "no private key material on stderr or stdout" bash -c "! grep -rq 'PRIVATE KEY' '$scratch/err' '$scratch/out'"

if ((fails > 0)); then echo "# $fails failed"; fi
exit $((fails > 0))
