#include "run/connector_set.h"

#include <gtest/gtest.h>

#include "inventory/loader.h"

namespace rekey {
namespace {

// An identity with a file holder and an exec issuer, and the given extra lines.
Result<Inventory> Parse(const std::string& systems, const std::string& identity) {
  std::string text =
      "version: 1\nsystems:\n  files: { type: file }\n"
      "  idp: { type: exec }\n" +
      systems + "identities:\n  svc:\n    kind: password\n" + identity;
  Diagnostics d("inv.yaml");
  Result<Inventory> inv = ParseInventory(text, "inv.yaml", &d);
  EXPECT_EQ(d.Format(), "");
  return inv;
}

Status Check(const std::string& systems, const std::string& identity) {
  Result<Inventory> inv = Parse(systems, identity);
  if (!inv.ok()) {
    return inv.status();
  }
  return ConnectorSet::CheckImplemented(*inv->FindIdentity("svc"));
}

// An exec issuer and a file holder, then EXTRA_HOLDER if given.
std::string Bindings(const std::string& extra_holder = "") {
  return "    issuers: [{ system: idp, install: [\"true\"], remove: [\"true\"],"
         " accepts: [\"true\"] }]\n"
         "    holders:\n"
         "      - { name: env, system: files, path: /tmp/x.env, format: dotenv, key: K }\n" +
         extra_holder;
}

TEST(ConnectorSetTest, ImplementedConnectorsAndExecActionsRun) {
  EXPECT_TRUE(
      Check("", Bindings() + "    consumers: [{ name: api, reload: { exec: [true] } }]\n").ok());
}

TEST(ConnectorSetTest, HolderCapabilitiesTellAWriteOnlyHolderFromAReadableOne) {
  Result<Inventory> inv =
      Parse("  gh: { type: github-actions, admin_secret: { env: GT } }\n",
            Bindings("      - { name: ci, system: gh, repo: o/r, secret: TOKEN }\n"));
  ASSERT_TRUE(inv.ok());
  ConnectorSet set(DefaultEnv(), nullptr, *inv, *inv->FindIdentity("svc"));
  EXPECT_TRUE(set.HolderCapabilities("ci").value_or({}).write_only);
  auto env = set.HolderCapabilities("env");
  ASSERT_TRUE(env.ok());
  EXPECT_FALSE(env->write_only);
  EXPECT_EQ(set.HolderCapabilities("nope").status().code(), StatusCode::kNotFound);
}

TEST(ConnectorSetTest, AnHttpConsumerActionIsRefusedBeforeTheRun) {
  EXPECT_EQ(
      Check("", Bindings() + "    consumers: [{ name: api, confirm: { http: \"http://h/c\" } }]\n")
          .ToString(),
      "invalid_argument: identity \"svc\": consumer \"api\" has an http action, which "
      "validates and plans but cannot run yet: use { exec: [curl, ...] } for now");
}

}  // namespace
}  // namespace rekey
