#include "connectors/registry.h"

#include <array>

#include "connectors/etcd/etcd_holder.h"
#include "connectors/exec/exec_issuer.h"
#include "connectors/file/file_holder.h"
#include "connectors/github/github_actions_holder.h"
#include "connectors/gitlab/gitlab_ci_holder.h"
#include "connectors/htpasswd/bcrypt.h"
#include "connectors/htpasswd/htpasswd_issuer.h"
#include "connectors/kubernetes/kubernetes_secret_holder.h"
#include "connectors/ldap/ldap_issuer.h"
#include "connectors/mariadb/mariadb_issuer.h"
#include "connectors/postgres/postgres_issuer.h"
#include "connectors/redis/redis_issuer.h"
#include "connectors/ssh/ssh_issuer.h"
#include "connectors/vault/vault_kv2_holder.h"

namespace rekey {
namespace {

using S = OptionSpec;
using T = OptionType;
using Sessions = Capabilities::Sessions;

// Option tables, one per type and role. `required` options must be present.
constexpr S kFileSystem[] = {{"root", T::kString, false, "paths must stay under this directory"}};
constexpr S kFileHolder[] = {
    {"path", T::kString, true, "the file to write"},
    {"format", T::kString, false, "dotenv, json, yaml or raw (default raw)"},
    {"key", T::kString, false, "variable name (dotenv) or dotted key path (json, yaml)"},
};
constexpr S kExecIssuer[] = {
    {"install", T::kList, true, "argv; new value on stdin, old on fd 3"},
    {"remove", T::kList, false, "argv; old value on stdin, new on fd 3"},
    {"accepts", T::kList, true, "argv; value on stdin; exit 0 accepted, 1 rejected"},
    {"end_sessions", T::kList, false, "argv; old value on stdin"},
    {"disable", T::kList, false, "argv"},
    {"enable", T::kList, false, "argv"},
    {"overlap", T::kBool, false, "true when the system accepts two values at once"},
};
constexpr S kPostgresSystem[] = {
    {"dsn", T::kString, true,
     "libpq connection string without the password (sslmode, sslrootcert pass through)"},
    {"admin_secret", T::kSecretRef, true, "the admin user's password"},
};
constexpr S kPostgresIssuer[] = {{"role", T::kString, true, "the login role"}};
constexpr S kMariadbSystem[] = {
    {"host", T::kString, true, ""},
    {"port", T::kInt, false, "default 3306"},
    {"admin_user", T::kString, true, ""},
    {"admin_secret", T::kSecretRef, true, ""},
    {"tls", T::kBool, false, "require TLS (verified against ca_file)"},
    {"ca_file", T::kString, false, "CA certificate file for tls"},
};
constexpr S kMariadbIssuer[] = {
    {"user", T::kString, true, ""},
    {"host", T::kString, false, "the account's host part (default %)"},
};
constexpr S kRedisSystem[] = {
    {"address", T::kString, true, "host:port"},
    {"admin_user", T::kString, false, "ACL user (default: default)"},
    {"admin_secret", T::kSecretRef, true, ""},
    {"acl_save", T::kBool, false, "ACL SAVE after each change (the server uses an aclfile)"},
};
constexpr S kRedisIssuer[] = {{"user", T::kString, true, "the ACL user"}};
constexpr std::string_view kLdapLocks[] = {"ppolicy", "ad"};
constexpr std::string_view kLdapPasswordChanges[] = {"auto", "exop", "replace"};
constexpr S kLdapSystem[] = {
    {"url", T::kString, true, "ldap://host:port or ldaps://host:port"},
    {"bind_dn", T::kString, true, "the DN rekey binds as (may change the accounts' passwords)"},
    {"admin_secret", T::kSecretRef, true, "that DN's password"},
    {"lock", T::kString, false,
     "how to disable an account: ppolicy (OpenLDAP pwdAccountLockedTime) or ad "
     "(userAccountControl); without it, contain replaces the password at once",
     kLdapLocks},
    {"starttls", T::kBool, false, "StartTLS on an ldap:// URL (TLS is verified)"},
    {"ca_file", T::kString, false, "CA certificates for TLS (default: the system's)"},
    {"password_change", T::kString, false,
     "auto (Password Modify if the server lists it, else replace), exop or replace",
     kLdapPasswordChanges},
};
constexpr S kLdapIssuer[] = {{"dn", T::kString, true, "the account's DN"}};
constexpr S kSshSystem[] = {
    {"host", T::kString, false, "sshd's address (default 127.0.0.1 with local)"},
    {"port", T::kInt, false, "default 22"},
    {"admin_user", T::kString, false, "who edits authorized_keys over SSH (default root)"},
    {"admin_key", T::kSecretRef, false, "OpenSSH private key of admin_user"},
    {"local", T::kBool, false, "edit authorized_keys on this machine"},
    {"known_hosts", T::kString, false, "file the host key must be listed in"},
    {"host_key", T::kString, false, "the host key's SHA256:... fingerprint (instead)"},
};
constexpr S kSshIssuer[] = {
    {"user", T::kString, true, "the account whose key is reset"},
    {"authorized_keys", T::kString, false, "default ~USER/.ssh/authorized_keys"},
    {"end_sessions", T::kList, false, "argv run on the host to end the user's sessions"},
};
constexpr S kHtpasswdSystem[] = {
    {"url", T::kString, true, "the web server: http://host:port or https://host:port"},
    {"ca_file", T::kString, false, "CA certificate file for https"},
    {"cost",
     T::kInt,
     false,
     "bcrypt cost (default 5, as htpasswd -B); each request pays it",
     {},
     htpasswd::kMinCost,
     htpasswd::kMaxCost},
    {"reload", T::kList, false, "argv run after the file changes (nginx needs none)"},
};
constexpr S kHtpasswdIssuer[] = {
    {"path", T::kString, true, "the htpasswd file (it must exist)"},
    {"user", T::kString, true, ""},
    {"check_path", T::kString, true,
     "a path on url behind basic auth: 200 means accepted, 401 rejected"},
};
constexpr S kEtcdSystem[] = {
    {"endpoints", T::kString, true, "one client URL: http://127.0.0.1:2379"},
    {"user", T::kString, false, "etcd user, when auth is enabled"},
    {"admin_secret", T::kSecretRef, false, "the user's password"},
    {"ca_file", T::kString, false, "CA certificate file for https"},
};
constexpr S kEtcdHolder[] = {{"key", T::kString, true, "the key (not a prefix)"}};
constexpr S kVaultSystem[] = {
    {"address", T::kString, true, "https://vault:8200"},
    {"mount", T::kString, false, "KV v2 mount (default secret)"},
    {"admin_secret", T::kSecretRef, true, "a Vault token"},
    {"namespace", T::kString, false, "Vault Enterprise / OpenBao namespace"},
    {"ca_file", T::kString, false, "CA certificate file for https"},
};
constexpr S kVaultHolder[] = {
    {"path", T::kString, true, "the secret's path inside the mount"},
    {"field", T::kString, true, "the field of the secret's data"},
};
constexpr S kGitlabSystem[] = {
    {"url", T::kString, true, "https://gitlab.example.com"},
    {"admin_secret", T::kSecretRef, true, "a token with api scope"},
    {"ca_file", T::kString, false, "CA certificate file for https"},
};
constexpr S kGitlabHolder[] = {
    {"project", T::kString, false, "project id or path (or group)"},
    {"group", T::kString, false, "group id or path (or project)"},
    {"variable", T::kString, true, "the variable's key"},
    {"environment_scope", T::kString, false, "default *"},
};
constexpr S kGithubSystem[] = {
    {"api_url", T::kString, false, "default https://api.github.com"},
    {"admin_secret", T::kSecretRef, true, "a token (secrets: write)"},
    {"ca_file", T::kString, false, "CA certificate file (GitHub Enterprise Server)"},
};
constexpr S kGithubHolder[] = {
    {"repo", T::kString, false, "owner/name (or org)"},
    {"org", T::kString, false, "organisation (or repo)"},
    {"environment", T::kString, false, ""},
    {"secret", T::kString, true, "secret name"},
};
constexpr S kKubernetesSystem[] = {
    {"api_server", T::kString, true, "https://host:6443"},
    {"admin_secret", T::kSecretRef, true, "a bearer token"},
    {"ca_file", T::kString, false, "the cluster's CA certificate file"},
};
constexpr S kKubernetesHolder[] = {
    {"namespace", T::kString, true, ""},
    {"secret", T::kString, true, "the Secret's name"},
    {"key", T::kString, true, "the key of its data"},
};

Capabilities PlainHolder(const Options&, const Options&) { return {}; }
Capabilities VersionedHolder(const Options&, const Options&) { return {.versioned = true}; }
Capabilities WriteOnlyHolder(const Options&, const Options&) { return {.write_only = true}; }

Capabilities ExecIssuer(const Options&, const Options& binding) {
  return {.two_values = binding.GetBool("overlap"),
          .sessions = binding.Has("end_sessions") ? Sessions::kEndable : Sessions::kUnendable,
          .can_disable = binding.Has("disable") && binding.Has("enable")};
}
Capabilities DatabaseIssuer(const Options&, const Options&) {
  return {.two_values = false, .sessions = Sessions::kEndable, .can_disable = true};
}
Capabilities RedisIssuer(const Options&, const Options&) {
  return {.two_values = true, .sessions = Sessions::kEndable, .can_disable = true};
}
Capabilities LdapIssuer(const Options& system, const Options&) {
  return {.two_values = false, .sessions = Sessions::kUnendable, .can_disable = system.Has("lock")};
}
Capabilities SshIssuer(const Options&, const Options& binding) {
  return {.two_values = true,
          .sessions = binding.Has("end_sessions") ? Sessions::kEndable : Sessions::kUnendable,
          .can_disable = false};
}
Capabilities HtpasswdIssuer(const Options&, const Options&) {
  return {.two_values = false, .sessions = Sessions::kNone, .can_disable = false};
}

const std::array<ConnectorType, 13> kTypes = {{
    {"file",
     "a value in a dotenv, json, yaml or raw file",
     false,
     true,
     kFileSystem,
     {},
     kFileHolder,
     PlainHolder,
     nullptr,
     file::MakeFileHolder,
     "real files"},
    {"exec",
     "commands you supply, for systems rekey has no connector for",
     true,
     false,
     {},
     kExecIssuer,
     {},
     ExecIssuer,
     exec::MakeExecIssuer,
     nullptr,
     "real processes"},
    {"postgres",
     "a PostgreSQL login role's password",
     true,
     false,
     kPostgresSystem,
     kPostgresIssuer,
     {},
     DatabaseIssuer,
     postgres::MakePostgresIssuer,
     nullptr,
     "real server (PostgreSQL 15)"},
    {"mariadb",
     "a MariaDB/MySQL account's password",
     true,
     false,
     kMariadbSystem,
     kMariadbIssuer,
     {},
     DatabaseIssuer,
     mariadb::MakeMariadbIssuer,
     nullptr,
     "real server (MariaDB 10.11)"},
    {"redis",
     "a Redis ACL user's passwords",
     true,
     false,
     kRedisSystem,
     kRedisIssuer,
     {},
     RedisIssuer,
     redis::MakeRedisIssuer,
     nullptr,
     "real server (Redis 7.0)"},
    {"ldap",
     "an LDAP entry's password (userPassword)",
     true,
     false,
     kLdapSystem,
     kLdapIssuer,
     {},
     LdapIssuer,
     ldap::MakeLdapIssuer,
     nullptr,
     "real server (OpenLDAP 2.5)"},
    {"ssh",
     "a public key in a user's authorized_keys",
     true,
     false,
     kSshSystem,
     kSshIssuer,
     {},
     SshIssuer,
     ssh::MakeSshIssuer,
     nullptr,
     "real server (OpenSSH 9.2)"},
    {"htpasswd",
     "a user's line in an htpasswd file (HTTP basic auth)",
     true,
     false,
     kHtpasswdSystem,
     kHtpasswdIssuer,
     {},
     HtpasswdIssuer,
     htpasswd::MakeHtpasswdIssuer,
     nullptr,
     "real server (nginx 1.22)"},
    {"etcd",
     "a key in etcd v3",
     false,
     true,
     kEtcdSystem,
     {},
     kEtcdHolder,
     PlainHolder,
     nullptr,
     etcd::MakeEtcdHolder,
     "real server (etcd 3.4)"},
    {"vault-kv2",
     "a field of a HashiCorp Vault KV v2 secret",
     false,
     true,
     kVaultSystem,
     {},
     kVaultHolder,
     VersionedHolder,
     nullptr,
     vault::MakeVaultKv2Holder,
     "documented API contract (fake in src/testing/fakes/vault_kv2_fake.cc)"},
    {"gitlab-ci",
     "a GitLab CI/CD variable",
     false,
     true,
     kGitlabSystem,
     {},
     kGitlabHolder,
     PlainHolder,
     nullptr,
     gitlab::MakeGitlabCiHolder,
     "documented API contract (fake in src/testing/fakes/gitlab_fake.cc)"},
    {"github-actions",
     "a GitHub Actions secret (write-only)",
     false,
     true,
     kGithubSystem,
     {},
     kGithubHolder,
     WriteOnlyHolder,
     nullptr,
     github::MakeGithubActionsHolder,
     "documented API contract (fake in src/testing/fakes/github_fake.cc)"},
    {"kubernetes-secret",
     "a key of a Kubernetes Secret",
     false,
     true,
     kKubernetesSystem,
     {},
     kKubernetesHolder,
     PlainHolder,
     nullptr,
     kubernetes::MakeKubernetesSecretHolder,
     "documented API contract (fake in src/testing/fakes/kubernetes_fake.cc)"},
}};

}  // namespace

std::span<const ConnectorType> ConnectorTypes() { return kTypes; }

const ConnectorType* FindConnectorType(std::string_view name) {
  for (const ConnectorType& t : kTypes) {
    if (t.name == name) {
      return &t;
    }
  }
  return nullptr;
}

}  // namespace rekey
