#!/usr/bin/env bash
# Run a command with EKSGUARD_PROVIDER_MIRROR set, for machines that cannot download
# Terraform providers but keep hashicorp/aws in a filesystem mirror somewhere.
#
#   scripts/with-provider-mirror.sh COMMAND [ARG...]
#
# An explicit EKSGUARD_PROVIDER_MIRROR always wins; set it empty to install from the
# registry without searching. Otherwise the first directory laid out as a filesystem
# mirror (.../registry.terraform.io/hashicorp/aws/...) on this file system is used.
# Prints one line saying which. If the mirror, or the registry, cannot serve the version
# a stack needs, the harness stops the session before Terraform runs and says why.
set -euo pipefail

if [ -n "${EKSGUARD_PROVIDER_MIRROR+set}" ]; then
  echo "eksguard: provider mirror: ${EKSGUARD_PROVIDER_MIRROR:-none, the registry} (EKSGUARD_PROVIDER_MIRROR)"
else
  # Pruned: pytest's temporary folders, where the harness's own tests build fake mirrors.
  provider=$(find / -xdev \( -name 'pytest-of-*' -o -name node_modules -o -name .git \) -prune \
               -o -path '*/registry.terraform.io/hashicorp/aws/*' -name 'terraform-provider-aws_*' \
               -print -quit 2>/dev/null || true)
  if [ -n "$provider" ]; then
    export EKSGUARD_PROVIDER_MIRROR=${provider%%/registry.terraform.io/*}
    echo "eksguard: provider mirror: $EKSGUARD_PROVIDER_MIRROR (found on this machine;" \
         "set EKSGUARD_PROVIDER_MIRROR to choose another, or empty for the registry)"
  else
    echo "eksguard: provider mirror: none found on this machine, the registry" \
         "(set EKSGUARD_PROVIDER_MIRROR to use one)"
  fi
fi
exec "$@"
