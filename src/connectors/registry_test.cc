#include "connectors/registry.h"

#include <gtest/gtest.h>

#include <set>

namespace rekey {
namespace {

TEST(RegistryTest, DeclaresEveryTypeOfTheDesignOnce) {
  std::set<std::string_view> names;
  for (const ConnectorType& t : ConnectorTypes()) {
    EXPECT_TRUE(names.insert(t.name).second) << t.name;
    EXPECT_TRUE(t.issuer || t.holder) << t.name;
    EXPECT_NE(t.capabilities, nullptr) << t.name;
    EXPECT_EQ(t.issuer, t.make_issuer != nullptr) << t.name;
    EXPECT_EQ(t.holder, t.make_holder != nullptr) << t.name;
  }
  EXPECT_EQ(names, (std::set<std::string_view>{
                       "file", "exec", "postgres", "mariadb", "redis", "ldap", "ssh", "htpasswd",
                       "etcd", "vault-kv2", "gitlab-ci", "github-actions", "kubernetes-secret"}));
}

TEST(RegistryTest, CapabilitiesFollowOptions) {
  const ConnectorType* exec = FindConnectorType("exec");
  ASSERT_NE(exec, nullptr);
  Options none, overlap;
  overlap.Set("overlap", std::string("true"));
  overlap.Set("disable", std::vector<std::string>{"lock"});
  overlap.Set("enable", std::vector<std::string>{"unlock"});
  EXPECT_FALSE(exec->capabilities(none, none).two_values);
  EXPECT_FALSE(exec->capabilities(none, none).can_disable);
  EXPECT_TRUE(exec->capabilities(none, overlap).two_values);
  EXPECT_TRUE(exec->capabilities(none, overlap).can_disable);
  EXPECT_EQ(FindConnectorType("ldap")->capabilities(none, none).sessions,
            Capabilities::Sessions::kUnendable);
  EXPECT_TRUE(FindConnectorType("vault-kv2")->capabilities(none, none).versioned);
  EXPECT_EQ(FindConnectorType("nope"), nullptr);
}

}  // namespace
}  // namespace rekey
