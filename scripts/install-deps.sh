#!/usr/bin/env bash
# Installs everything rekey needs to build and test, from Debian packages only.
# Idempotent: packages already present are left alone. Run as root on Debian 12.
set -euo pipefail

build_packages=(
  build-essential cmake pkg-config clang-format
  libyaml-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libsodium-dev libsqlite3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # client libraries of the database and cache issuers
  libpq-dev libssl-dev libmariadb-dev libhiredis-dev libldap-dev
  # HTTP(S) client of the API holders and HTTP checks; openssl makes the TLS tests' certificates
  libcurl4-openssl-dev openssl
  # tools scripts/test-services and the tests use (ss, pgrep), often absent from minimal images
  iproute2 procps
  # real servers the demo and tests start on loopback (scripts/test-services)
  redis-server redis-tools postgresql-15 postgresql-client-15 mariadb-server mariadb-client
  # the ssh issuer's client library, and the sshd and ssh client its tests use
  libssh-dev openssh-server openssh-client
  slapd ldap-utils openssl
  etcd-server etcd-client
  # the htpasswd issuer's bcrypt (libxcrypt), and the nginx, curl and Apache htpasswd its tests use
  libcrypt-dev nginx curl apache2-utils
)

missing=()
for p in "${build_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  # No postinst may start a service on its default port (see shared notes on real servers).
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
