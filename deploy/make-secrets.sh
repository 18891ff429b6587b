#!/usr/bin/env bash
# Writes the secrets deploy/compose.yaml reads from files into deploy/secrets/ (mode 600), once.
# An existing file is kept: the pid key must never change (every citizen's pseudonym derives from it).
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p secrets
chmod 700 secrets
umask 077
random() { head -c 48 /dev/urandom | base64 | tr -d '/+=\n' | cut -c1-48; }
keep_or_write() { [ -s "secrets/$1" ] || printf '%s' "$2" > "secrets/$1"; }

keep_or_write pid_key "$(random)"
keep_or_write door_token_key "$(random)"
keep_or_write db_password "$(random)"
keep_or_write database_url "postgres://minside:$(cat secrets/db_password)@postgres:5432/minside?sslmode=disable"
[ -s secrets/oidc_client_secret ] || echo "write the client secret ID-porten gave you into deploy/secrets/oidc_client_secret"

if [ ! -s secrets/vapid_private_key ]; then
  # The binary prints MINSIDE_VAPID_PUBLIC_KEY=… and MINSIDE_VAPID_PRIVATE_KEY=… lines.
  if [ -x ../bin/minside ]; then pair=$(../bin/minside vapid-keys); else pair=$(docker run --rm minside:local vapid-keys); fi
  printf '%s' "$(sed -n 's/^MINSIDE_VAPID_PRIVATE_KEY=//p' <<<"$pair")" > secrets/vapid_private_key
  sed -n 's/^MINSIDE_VAPID_PUBLIC_KEY=/export MINSIDE_VAPID_PUBLIC_KEY=/p' <<<"$pair" > secrets/vapid_public_key.env
fi
echo "secrets are in deploy/secrets; export the public key with: source deploy/secrets/vapid_public_key.env"
