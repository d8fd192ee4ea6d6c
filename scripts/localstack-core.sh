#!/usr/bin/env bash
# Run LocalStack's open-source core without Docker, bound to 127.0.0.1, for eksguard's
# LocalStack scenario. It serves IAM, STS and EC2 (no EKS without a paid licence).
#
#   scripts/localstack-core.sh start PORT   # builds .venv-localstack when needed, waits until ready
#   scripts/localstack-core.sh stop
#
# localstack-core 2026.3 needs Python >= 3.13 (it imports warnings.deprecated).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv-localstack
STATE=.localstack
REQUIREMENTS=scripts/localstack-requirements.txt

find_python() {
  local candidate
  for candidate in "${LOCALSTACK_PYTHON:-}" python3.14 python3.13 \
      $(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[3-9]*/bin/python3 2>/dev/null | sort -rV); do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 13))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "localstack-core needs Python >= 3.13. Checked: \$LOCALSTACK_PYTHON, python3.14, python3.13," \
       "pyenv versions 3.13+. Fix: install one (pyenv install 3.13) or set LOCALSTACK_PYTHON." >&2
  return 1
}

venv() {
  if [ ! -f "$VENV/.installed" ] || [ "$REQUIREMENTS" -nt "$VENV/.installed" ]; then
    "$(find_python)" -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$REQUIREMENTS"
    touch "$VENV/.installed"
  fi
}

start() {
  local port=${1:?usage: $0 start PORT}
  venv
  mkdir -p "$STATE"
  GATEWAY_LISTEN="127.0.0.1:$port" SERVICES=iam,sts,ec2 DNS_ADDRESS=0 \
    LOCALSTACK_VOLUME_DIR="$PWD/$STATE/volume" SKIP_SSL_CERT_DOWNLOAD=1 DISABLE_EVENTS=1 \
    nohup "$VENV/bin/python" -m localstack.runtime.main >"$STATE/localstack.log" 2>&1 &
  echo $! >"$STATE/pid"
  for _ in $(seq 1 120); do
    if curl -sf "http://127.0.0.1:$port/_localstack/health" >/dev/null 2>&1; then
      echo "localstack-core ready on http://127.0.0.1:$port (pid $(cat "$STATE/pid"))"; return 0
    fi
    if ! kill -0 "$(cat "$STATE/pid")" 2>/dev/null; then
      echo "localstack-core exited; last log lines:" >&2; tail -20 "$STATE/localstack.log" >&2; return 1
    fi
    sleep 1
  done
  echo "localstack-core did not become ready in 120 s; see $STATE/localstack.log" >&2
  stop; return 1
}

stop() {
  if [ -f "$STATE/pid" ]; then
    kill "$(cat "$STATE/pid")" 2>/dev/null || true
    rm -f "$STATE/pid"
  fi
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  *) echo "usage: $0 start PORT | stop" >&2; exit 2 ;;
esac
