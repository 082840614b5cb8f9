#!/usr/bin/env bash
# Checks `certkeeper acmesolver`: the challenge URL answers 200 with exactly the key, a wrong
# token, path or host answers 404, and SIGTERM stops it promptly with exit code 0.
# Usage: acmesolver_test.sh <path to the certkeeper binary>
set -uo pipefail
BIN="${1:?usage: $0 <certkeeper binary>}"
fails=0
check() { # description, condition...
  local what="$1"; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fails=$((fails + 1)); fi
}
scratch=$(mktemp -d)
pid=""
cleanup() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
  rm -rf "$scratch"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN" acmesolver --listen-port "$port" --domain a.example.test --token TOK --key TOK.THUMB \
  >"$scratch/out" 2>&1 &
pid=$!

# Wait for the listener (up to 10 s) by polling the port, not by sleeping a fixed time.
for _ in $(seq 1 100); do
  if curl -s -o /dev/null "http://127.0.0.1:$port/"; then break; fi
  sleep 0.1
done

base="http://a.example.test:$port/.well-known/acme-challenge"
resolve=(--resolve "a.example.test:$port:127.0.0.1")
body=$(curl -s "${resolve[@]}" -w '\n%{http_code}' "$base/TOK")
check "the challenge answers 200" test "$(tail -n1 <<<"$body")" = "200"
check "the body is exactly the key" test "$(head -n -1 <<<"$body")" = "TOK.THUMB"
bytes=$(curl -s "${resolve[@]}" "$base/TOK" | wc -c)
check "no trailing newline in the body (9 bytes)" test "$bytes" -eq 9
code=$(curl -s "${resolve[@]}" -o /dev/null -w '%{http_code}' "$base/WRONG")
check "a wrong token answers 404" test "$code" = "404"
code=$(curl -s "${resolve[@]}" -o /dev/null -w '%{http_code}' "http://a.example.test:$port/other/TOK")
check "another path answers 404" test "$code" = "404"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/.well-known/acme-challenge/TOK")
check "another host answers 404" test "$code" = "404"

kill -TERM "$pid"
rc=""
for _ in $(seq 1 50); do
  if ! kill -0 "$pid" 2>/dev/null; then wait "$pid"; rc=$?; break; fi
  sleep 0.1
done
check "SIGTERM stops it within 5 s" test -n "$rc"
check "it exits 0 after SIGTERM" test "${rc:-x}" = "0"
check "requests are logged" grep -q "/.well-known/acme-challenge/TOK" "$scratch/out"
pid=""
if ((fails > 0)); then cat "$scratch/out"; fi
exit $((fails > 0))
