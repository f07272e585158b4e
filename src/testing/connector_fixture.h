// ConnectorFixture: an issuer or a holder made from an inventory text as the executor makes one,
// for the connector tests, each of which writes an inventory around its server or fake.
// Header-only; the test links what MAKE needs.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <string>
#include <type_traits>

#include "base/env.h"
#include "connectors/connector.h"
#include "inventory/loader.h"

namespace rekey {

class ConnectorFixture {
 public:
  template <typename T>
  using Factory = Result<std::unique_ptr<T>> (*)(const ConnectorContext&);

  // The first issuer (T = Issuer) or holder (T = Holder) of TEXT's first identity, on SYSTEM,
  // made by MAKE with the current SystemResources; null (and a test failure) when TEXT or the
  // connector is refused. Every inventory made is kept, so earlier connectors stay valid.
  template <typename T>
  std::unique_ptr<T> Make(const std::string& text, const std::string& system, Factory<T> make) {
    Diagnostics d("inv.yaml");
    auto inv = ParseInventory(text, "inv.yaml", &d);
    EXPECT_EQ(d.Format(), "");
    if (!inv.ok()) {
      return nullptr;
    }
    const Inventory& kept = inventories_.emplace_back(std::move(*inv));
    const Identity& id = kept.identities[0];
    const Binding* binding = std::is_same_v<T, Issuer> ? &id.issuers[0] : &id.holders[0];
    ConnectorContext context{DefaultEnv(), kept.FindSystem(system), &id, binding,
                             &resources_.back()};
    auto made = make(context);
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    return made.ok() ? std::move(*made) : nullptr;
  }

  // Later connectors get fresh SystemResources (pools, tokens): as if made by another process.
  void NewResources() { resources_.emplace_back(); }

 private:
  std::deque<SystemResources> resources_ = std::deque<SystemResources>(1);  // back(): in use
  std::deque<Inventory> inventories_;
};

}  // namespace rekey
