# Shared by the shell suites that run against a tools/testenv environment. Source it after
# setting BIN; it reads the env file ctest names in CK_TESTENV_FILE and defines:
#   ROOT     the repository root
#   check    "check DESCRIPTION COMMAND..." prints ok:/FAIL: and counts failures in $fails
#   k        kubectl with the environment's admin kubeconfig
#   eventually SECONDS COMMAND...  retries COMMAND quietly every 0.2 s for up to SECONDS; the
#            last try runs with its output shown
#   free_port  prints a free loopback TCP port
# and sources tools/lib/acme-stack.sh (stack_install_crds, stack_pebble, ...).
ENV_FILE="${CK_TESTENV_FILE:?CK_TESTENV_FILE must name a tools/testenv env file}"
set -a; source "$ENV_FILE"; set +a
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
fails=0
check() { # description, condition...
  local what="$1"; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fails=$((fails + 1)); fi
}
k() { "$CK_KUBECTL" --kubeconfig "$KUBECONFIG" "$@"; }
eventually() {
  local end=$((SECONDS + $1)); shift
  while ((SECONDS < end)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  "$@"
}
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# shellcheck source=tools/lib/acme-stack.sh
source "$ROOT/tools/lib/acme-stack.sh"
