// HolderFixture: a holder made from an inventory text as the executor makes one, for the tests
// of the holders behind an API, each of which writes an inventory around its fake or server.
// Header-only; the test links what MAKE needs.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <string>

#include "base/env.h"
#include "connectors/connector.h"
#include "inventory/loader.h"

namespace rekey {

class HolderFixture {
 public:
  using Factory = Result<std::unique_ptr<Holder>> (*)(const ConnectorContext&);

  // The first holder of TEXT's first identity, on SYSTEM, made by MAKE with the current
  // SystemResources; null (and a test failure) when TEXT or the holder is refused. Every
  // inventory made is kept, so earlier holders stay valid.
  std::unique_ptr<Holder> Make(const std::string& text, const std::string& system, Factory make) {
    Diagnostics d("inv.yaml");
    auto inv = ParseInventory(text, "inv.yaml", &d);
    EXPECT_EQ(d.Format(), "");
    if (!inv.ok()) {
      return nullptr;
    }
    const Inventory& kept = inventories_.emplace_back(std::move(*inv));
    const Identity& id = kept.identities[0];
    ConnectorContext context{DefaultEnv(), kept.FindSystem(system), &id, &id.holders[0],
                             &resources_.back()};
    auto holder = make(context);
    EXPECT_TRUE(holder.ok()) << holder.status().ToString();
    return holder.ok() ? std::move(*holder) : nullptr;
  }

  // Later holders get fresh SystemResources (pools, tokens): as if made by another process.
  void NewResources() { resources_.emplace_back(); }

 private:
  std::deque<SystemResources> resources_ = std::deque<SystemResources>(1);  // back(): in use
  std::deque<Inventory> inventories_;
};

}  // namespace rekey
