# Shared by the shell suites that run against a tools/testenv environment. Source it after
# setting BIN; it reads the env file ctest names in CK_TESTENV_FILE and defines:
#   ROOT     the repository root
#   check    "check DESCRIPTION COMMAND..." prints ok:/FAIL: and counts failures in $fails
#   k        kubectl with the environment's admin kubeconfig
ENV_FILE="${CK_TESTENV_FILE:?CK_TESTENV_FILE must name a tools/testenv env file}"
set -a; source "$ENV_FILE"; set +a
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
fails=0
check() { # description, condition...
  local what="$1"; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fails=$((fails + 1)); fi
}
k() { "$CK_KUBECTL" --kubeconfig "$KUBECONFIG" "$@"; }
