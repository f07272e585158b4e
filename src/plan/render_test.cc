#include <gtest/gtest.h>

#include "inventory/loader.h"
#include "plan/plan_json.h"
#include "plan/planner.h"
#include "plan/render_text.h"

namespace rekey {
namespace {

constexpr char kInventory[] = R"(version: 1
systems:
  db: { type: postgres, dsn: "host=127.0.0.1", admin_secret: { env: P } }
  files: { type: file }
identities:
  svc:
    kind: password
    issuers: [{ system: db, role: svc }]
    holders: [{ name: env-file, system: files, path: /tmp/app.env, format: dotenv, key: P }]
    consumers: [{ name: api, confirm: { exec: [check] } }]
)";

class RenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Diagnostics d("inv.yaml");
    auto r = ParseInventory(kInventory, "inv.yaml", &d);
    ASSERT_TRUE(r.ok()) << d.Format();
    inv_ = std::move(*r);
    auto p = MakePlan(inv_, inv_.identities[0], Strategy::kRotate);
    ASSERT_TRUE(p.ok());
    plan_ = *p;
  }
  Inventory inv_;
  Plan plan_;
};

TEST_F(RenderTest, TextShowsGroupsWaitsAndVerifications) {
  EXPECT_EQ(
      RenderPlanText(plan_, inv_),
      "Plan: rotate svc (password; 1 issuer, 1 holder, 1 consumer)\n"
      "\n"
      "  group 1\n"
      "     1  generate             generate the new value; seal it and journal it as pending\n"
      "                            verifies: pending value durable before any system sees it\n"
      "\n"
      "  group 2\n"
      "     2  install              install the new value at db [postgres]\n"
      "                            after 1 · replaces the old value (brief swap)\n"
      "\n"
      "  group 3\n"
      "     3  verify_new_accepted  check that db accepts the new value [postgres]\n"
      "                            after 2 · verifies: new value accepted by db\n"
      "     4  verify_old_rejected  check that db rejects the old value [postgres]\n"
      "                            after 2 · verifies: old value rejected by db\n"
      "\n"
      "  group 4\n"
      "     5  write                write the new value to env-file [files: file]\n"
      "                            after 3 · verifies: read back: env-file holds the new "
      "value's fingerprint\n"
      "\n"
      "  group 5\n"
      "     6  confirm              have api confirm it uses the new value\n"
      "                            after 3, 5 · verifies: api reports the new value\n"
      "\n"
      "  group 6\n"
      "     7  end_sessions         end sessions opened with the old value at db [postgres]\n"
      "                            after 3, 5, 6 · verifies: no session of the old value left\n"
      "\n"
      "  group 7\n"
      "     8  promote              promote: pending becomes current, current becomes "
      "previous\n"
      "                            after 4, 7\n"
      "\n"
      "  notes\n"
      "    - brief swap: db cannot accept two values at once; from its install until every "
      "holder and consumer has the new value, users of the old value fail\n"
      "\n"
      "  8 steps in 7 groups.\n");
}

TEST_F(RenderTest, JsonRoundTrips) {
  nlohmann::json j = PlanToJson(plan_);
  EXPECT_EQ(j["steps"][1]["action"], "install");
  EXPECT_EQ(j["steps"][1]["system"], "db");
  EXPECT_EQ(j["steps"][1]["after"], nlohmann::json::array({1}));
  auto back = PlanFromJson(j);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(PlanToJson(*back), j);
  j["steps"][0]["action"] = "explode";
  EXPECT_EQ(PlanFromJson(j).status().ToString(), "corruption: stored plan has an unknown action");
}

}  // namespace
}  // namespace rekey
