#include "plan/planner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "inventory/loader.h"

namespace rekey {
namespace {

constexpr char kInventory[] = R"(version: 1
systems:
  cache: { type: redis, address: "127.0.0.1:6380", admin_secret: { env: R } }
  db: { type: postgres, dsn: "host=127.0.0.1", admin_secret: { env: P } }
  dir: { type: ldap, url: "ldap://127.0.0.1", bind_dn: "cn=admin", admin_secret: { env: L },
         lock: ppolicy }
  vault: { type: vault-kv2, address: "http://127.0.0.1:8200", admin_secret: { env: V } }
  files: { type: file }
  gh: { type: github-actions, admin_secret: { env: G } }
identities:
  svc:
    kind: password
    issuers:
      - { system: cache, user: svc }
      - { system: db, role: svc }
      - { system: dir, dn: "uid=svc" }
    holders:
      - { name: vault-record, system: vault, path: svc, field: password }
      - { name: env-file, system: files, path: /tmp/app.env, format: dotenv, key: P,
          after: [vault-record] }
    consumers:
      - { name: agent, attest: { exec: [attest] }, reload: { exec: [r] }, confirm: { exec: [c] },
          after: [api] }
      - { name: api, reload: { exec: [r] }, confirm: { exec: [c] }, after: [vault-record] }
  overlap-only:
    kind: api_key
    issuers: [{ system: cache, user: bot }]
  ci-bot:
    kind: api_key
    issuers: [{ system: cache, user: ci }]
    holders: [{ name: gh-secret, system: gh, repo: o/r, secret: TOKEN }]
)";

class PlannerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Diagnostics d("inv.yaml");
    auto r = ParseInventory(kInventory, "inv.yaml", &d);
    ASSERT_TRUE(r.ok()) << d.Format();
    inv_ = std::move(*r);
  }

  Plan MakeFor(const std::string& identity, Strategy s) {
    auto plan = MakePlan(inv_, *inv_.FindIdentity(identity), s);
    EXPECT_TRUE(plan.ok()) << plan.status().ToString();
    return plan.ok() ? *plan : Plan{};
  }

  // Every step that must finish before step ID, directly or not.
  static std::set<int> Ancestors(const Plan& plan, int id) {
    std::set<int> out;
    std::vector<int> todo = plan.FindStep(id)->after;
    while (!todo.empty()) {
      int next = todo.back();
      todo.pop_back();
      if (out.insert(next).second) {
        for (int a : plan.FindStep(next)->after) {
          todo.push_back(a);
        }
      }
    }
    return out;
  }

  static std::vector<int> Ids(const Plan& plan, StepAction action, std::string binding = "") {
    std::vector<int> ids;
    for (const Step& s : plan.steps) {
      if (s.action == action && (binding.empty() || s.binding == binding)) {
        ids.push_back(s.id);
      }
    }
    return ids;
  }

  // True when every step in FIRST finishes before every step in THEN.
  static bool AllBefore(const Plan& plan, const std::vector<int>& first,
                        const std::vector<int>& then) {
    for (int t : then) {
      std::set<int> before = Ancestors(plan, t);
      for (int f : first) {
        if (before.count(f) == 0) {
          return false;
        }
      }
    }
    return true;
  }

  Inventory inv_;
};

TEST_F(PlannerTest, StepsAreTopologicallyOrdered) {
  for (Strategy s : {Strategy::kRotate, Strategy::kContain}) {
    Plan plan = MakeFor("svc", s);
    for (const Step& step : plan.steps) {
      for (int a : step.after) {
        EXPECT_LT(a, step.id) << StrategyName(s);
      }
    }
  }
}

TEST_F(PlannerTest, RotateRemovesTheOldValueOnlyAfterEveryHolderAndConsumer) {
  Plan plan = MakeFor("svc", Strategy::kRotate);
  std::vector<int> propagated = Ids(plan, StepAction::kWrite);
  for (int c : Ids(plan, StepAction::kConfirm)) {
    propagated.push_back(c);
  }
  ASSERT_EQ(propagated.size(), 4u);
  std::vector<int> removals = Ids(plan, StepAction::kRemoveOld);
  ASSERT_EQ(removals, Ids(plan, StepAction::kRemoveOld, "cache"));  // only the overlap issuer
  EXPECT_TRUE(AllBefore(plan, propagated, removals));
  EXPECT_TRUE(AllBefore(plan, propagated, Ids(plan, StepAction::kEndSessions)));
  // Where two values are accepted, the old one is checked only once it has been removed.
  EXPECT_TRUE(AllBefore(plan, propagated, Ids(plan, StepAction::kVerifyOldRejected, "cache")));
  // The new value is proven accepted before any holder or consumer gets it.
  EXPECT_TRUE(AllBefore(plan, Ids(plan, StepAction::kVerifyNewAccepted), propagated));
}

TEST_F(PlannerTest, RotateChecksAnOldValueASwapReplacedRightAfterTheInstall) {
  Plan plan = MakeFor("svc", Strategy::kRotate);
  for (const std::string issuer : {"db", "dir"}) {  // one password each: install replaces it
    std::vector<int> checks = Ids(plan, StepAction::kVerifyOldRejected, issuer);
    ASSERT_EQ(checks.size(), 1u) << issuer;
    EXPECT_EQ(plan.steps[checks[0] - 1].after, Ids(plan, StepAction::kInstall, issuer)) << issuer;
  }
  // Its sessions are still ended only once every holder and consumer has the new value.
  std::vector<int> propagated = Ids(plan, StepAction::kWrite);
  EXPECT_TRUE(AllBefore(plan, propagated, Ids(plan, StepAction::kEndSessions, "db")));
}

TEST_F(PlannerTest, RotateEndsWithOldRejectedEverywhereThenPromote) {
  Plan plan = MakeFor("svc", Strategy::kRotate);
  EXPECT_EQ(Ids(plan, StepAction::kVerifyOldRejected).size(), 3u);
  ASSERT_EQ(plan.steps.back().action, StepAction::kPromote);
  std::set<int> before = Ancestors(plan, plan.steps.back().id);
  EXPECT_EQ(before.size(), plan.steps.size() - 1);  // everything else
  EXPECT_TRUE(AllBefore(plan, Ids(plan, StepAction::kVerifyOldRejected),
                        Ids(plan, StepAction::kDestroyOldVersion, "vault-record")));
}

TEST_F(PlannerTest, ContainCutsAndVerifiesBeforeInstallingAnywhere) {
  Plan plan = MakeFor("svc", Strategy::kContain);
  std::vector<int> cut = Ids(plan, StepAction::kDisable);
  for (int r : Ids(plan, StepAction::kRemoveOld)) {
    cut.push_back(r);
  }
  EXPECT_EQ(Ids(plan, StepAction::kDisable).size(), 3u);  // redis, postgres, ldap with lock
  // Redis holds two values: disabling alone would let re-enabling revive the old one.
  ASSERT_EQ(Ids(plan, StepAction::kRemoveOld), Ids(plan, StepAction::kRemoveOld, "cache"));
  ASSERT_EQ(Ids(plan, StepAction::kRemoveOld).size(), 1u);
  EXPECT_TRUE(AllBefore(plan, Ids(plan, StepAction::kRemoveOld), Ids(plan, StepAction::kEnable)));
  std::vector<int> containment;
  for (const Step& s : plan.steps) {
    if (s.action == StepAction::kVerifyOldRejected && s.note == "containment point") {
      containment.push_back(s.id);
    }
  }
  ASSERT_EQ(containment.size(), 3u);
  std::vector<int> gets_new = Ids(plan, StepAction::kInstall);
  for (int w : Ids(plan, StepAction::kWrite)) {
    gets_new.push_back(w);
  }
  for (const char* issuer : {"cache", "db", "dir"}) {
    EXPECT_TRUE(AllBefore(plan, Ids(plan, StepAction::kDisable, issuer),
                          {Ids(plan, StepAction::kVerifyOldRejected, issuer)[0]}));
  }
  EXPECT_TRUE(AllBefore(plan, cut, gets_new));
  EXPECT_TRUE(AllBefore(plan, containment, gets_new));
  // Re-enabled only once every holder holds the new value; consumers only after that.
  EXPECT_TRUE(AllBefore(plan, Ids(plan, StepAction::kWrite), Ids(plan, StepAction::kEnable)));
  EXPECT_TRUE(AllBefore(plan, Ids(plan, StepAction::kEnable), Ids(plan, StepAction::kAttest)));
}

TEST_F(PlannerTest, AfterIsRespected) {
  for (Strategy s : {Strategy::kRotate, Strategy::kContain}) {
    Plan plan = MakeFor("svc", s);
    EXPECT_TRUE(AllBefore(plan, Ids(plan, StepAction::kWrite, "vault-record"),
                          Ids(plan, StepAction::kWrite, "env-file")));
    EXPECT_TRUE(AllBefore(plan, Ids(plan, StepAction::kWrite, "vault-record"),
                          Ids(plan, StepAction::kReload, "api")));
    EXPECT_TRUE(AllBefore(plan, Ids(plan, StepAction::kConfirm, "api"),
                          Ids(plan, StepAction::kAttest, "agent")));
    // The agent's chain is attest -> reload -> confirm.
    EXPECT_TRUE(AllBefore(plan, Ids(plan, StepAction::kAttest, "agent"),
                          Ids(plan, StepAction::kReload, "agent")));
    EXPECT_TRUE(AllBefore(plan, Ids(plan, StepAction::kReload, "agent"),
                          Ids(plan, StepAction::kConfirm, "agent")));
  }
}

TEST_F(PlannerTest, NotesSayWhereThePlanCannotOverlapOrEndSessions) {
  Plan plan = MakeFor("svc", Strategy::kRotate);
  ASSERT_EQ(plan.notes.size(), 2u);
  EXPECT_EQ(plan.notes[0],
            "brief swap: db, dir cannot accept two values at once; from its install until every "
            "holder and consumer has the new value, users of the old value fail");
  EXPECT_EQ(plan.notes[1],
            "sessions: dir (ldap) cannot end sessions opened with the old value; they stay usable "
            "until they close or the server's idle timeout ends them");
  EXPECT_TRUE(Ids(plan, StepAction::kEndSessions, "dir").empty());
  Plan overlap = MakeFor("overlap-only", Strategy::kRotate);
  EXPECT_EQ(overlap.notes[0],
            "overlap: every issuer accepts both values until the old one is removed, so no "
            "consumer sees a failure");
}

TEST_F(PlannerTest, OldVersionsAreDestroyedOnlyAfterTheOldValueIsRejectedEverywhere) {
  for (Strategy strategy : {Strategy::kRotate, Strategy::kContain}) {
    Plan plan = MakeFor("svc", strategy);
    std::vector<int> destroy = Ids(plan, StepAction::kDestroyOldVersion, "vault-record");
    ASSERT_EQ(destroy.size(), 1u);
    std::vector<int> rejected = Ids(plan, StepAction::kVerifyOldRejected);
    ASSERT_FALSE(rejected.empty());
    EXPECT_TRUE(AllBefore(plan, rejected, destroy));
    EXPECT_TRUE(AllBefore(plan, Ids(plan, StepAction::kWrite), destroy));
    EXPECT_TRUE(AllBefore(plan, destroy, Ids(plan, StepAction::kPromote)));
  }
}

TEST_F(PlannerTest, AWriteOnlyHolderIsPlannedAsVerifiedByItsApiNotReadBack) {
  for (Strategy strategy : {Strategy::kRotate, Strategy::kContain}) {
    Plan plan = MakeFor("ci-bot", strategy);
    std::vector<int> write = Ids(plan, StepAction::kWrite, "gh-secret");
    ASSERT_EQ(write.size(), 1u);
    EXPECT_EQ(plan.FindStep(write[0])->note,
              "write-only: verified by the API's answer, not read back");
    EXPECT_NE(std::find(plan.notes.begin(), plan.notes.end(),
                        "write-only: gh-secret cannot be read back; its write is verified by the "
                        "API's answer"),
              plan.notes.end());
  }
  Plan svc = MakeFor("svc", Strategy::kRotate);
  EXPECT_EQ(svc.FindStep(Ids(svc, StepAction::kWrite)[0])->note, "");  // readable holders
}

TEST(PlannerExecTest, ContainNeedsAWayToCutTheOldValue) {
  Diagnostics d("inv.yaml");
  auto inv = ParseInventory(R"(version: 1
systems: { legacy: { type: exec } }
identities:
  svc:
    kind: token
    issuers: [{ system: legacy, install: [set], accepts: [check] }]
)",
                            "inv.yaml", &d);
  ASSERT_TRUE(inv.ok()) << d.Format();
  EXPECT_TRUE(MakePlan(*inv, inv->identities[0], Strategy::kRotate).ok());
  auto contain = MakePlan(*inv, inv->identities[0], Strategy::kContain);
  ASSERT_FALSE(contain.ok());
  EXPECT_EQ(contain.status().message(),
            "issuer \"legacy\" can neither disable the identity nor remove a value, so it cannot "
            "be contained; give it \"disable\"/\"enable\" or \"remove\" commands");
}

// Use case 1 of the design, step for step: the directory account is locked at the cut and stays
// locked while the new password is installed and written to every holder; it is unlocked only
// then, proven to accept the new value (and not the old), and only after that are the consumers
// told to reload and confirm. No end_sessions step: slapd cannot end one DN's sessions.
TEST(PlannerLdapTest, ContainLocksUntilEveryHolderHasTheNewValueThenUnlocksThenConsumers) {
  Diagnostics d("inv.yaml");
  auto inv = ParseInventory(R"(version: 1
systems:
  dir: { type: ldap, url: "ldap://127.0.0.1", bind_dn: "cn=admin", admin_secret: { env: L },
         lock: ppolicy }
  files: { type: file }
identities:
  billing:
    kind: password
    issuers: [{ system: dir, dn: "uid=billing,ou=services,dc=example,dc=org" }]
    holders:
      - { name: app-env, system: files, path: /tmp/app.env, format: dotenv, key: P }
      - { name: app-json, system: files, path: /tmp/app.json, format: json, key: db.password }
    consumers:
      - { name: api, reload: { exec: [reload] }, confirm: { exec: [confirm] } }
)",
                            "inv.yaml", &d);
  ASSERT_TRUE(inv.ok()) << d.Format();
  auto plan = MakePlan(*inv, inv->identities[0], Strategy::kContain);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  std::vector<std::string> steps;
  for (const Step& s : plan->steps) {
    std::string after;
    for (int a : s.after) {
      after += (after.empty() ? "" : ",") + std::to_string(a);
    }
    steps.push_back(std::to_string(s.id) + " " + std::string(StepActionName(s.action)) + " " +
                    s.binding + " after [" + after + "]");
  }
  EXPECT_EQ(steps, (std::vector<std::string>{
                       "1 generate  after []",
                       "2 disable dir after [1]",
                       "3 verify_old_rejected dir after [2]",
                       "4 install dir after [3]",
                       "5 write app-env after [3]",
                       "6 write app-json after [3]",
                       "7 enable dir after [4,5,6]",
                       "8 verify_new_accepted dir after [7]",
                       "9 verify_old_rejected dir after [8]",
                       "10 reload api after [5,6,9]",
                       "11 confirm api after [10]",
                       "12 promote  after [5,6,9,11]",
                   }));
  EXPECT_EQ(plan->notes.back(),
            "sessions: dir (ldap) cannot end sessions opened with the old value; they stay usable "
            "until they close or the server's idle timeout ends them");
}

}  // namespace
}  // namespace rekey
