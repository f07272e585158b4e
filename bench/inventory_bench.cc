// Prints how long validating and planning a generated 10,000-identity inventory take, beside a
// baseline: parsing the same text with yaml-cpp alone (the library rekey does not use for
// inventories). Run: build/bench/inventory_bench [IDENTITIES]
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "inventory/loader.h"
#include "plan/plan_json.h"
#include "plan/planner.h"
#include "plan/render_text.h"

namespace rekey {
namespace {

std::string Generate(int identities) {
  std::string text = R"(version: 1
systems:
  db: { type: postgres, dsn: "host=127.0.0.1 port=5433 dbname=app user=rekey", admin_secret: { env: PG } }
  cache: { type: redis, address: "127.0.0.1:6380", admin_secret: { env: REDIS } }
  vault: { type: vault-kv2, address: "http://127.0.0.1:8200", admin_secret: { env: VAULT } }
  files: { type: file, root: /etc/apps }
identities:
)";
  for (int i = 0; i < identities; ++i) {
    std::string n = "svc-" + std::to_string(i);
    text +=
        "  " + n + ":\n    kind: password\n    labels: { tenant: t" + std::to_string(i % 50) +
        ", tier: critical }\n    rotate_every: 30d\n    issuers:\n      - { system: db, role: " +
        n + " }\n      - { system: cache, user: " + n +
        " }\n    holders:\n      - { name: vault-record, system: vault, path: apps/" + n +
        ", field: password }\n      - { name: env-file, system: files, path: /etc/apps/" + n +
        ".env, format: dotenv, key: DB_PASSWORD, after: [vault-record] }\n"
        "    consumers:\n      - { name: app, reload: { exec: [/usr/local/bin/reload, " +
        n + "] }, confirm: { exec: [/usr/local/bin/check, " + n + "] } }\n";
  }
  return text;
}

template <typename F>
double Millis(F f) {
  auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

int Main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 10000;
  std::string text = Generate(n);
  std::printf("inventory: %d identities, %zu lines, %.1f MB\n", n,
              static_cast<size_t>(std::count(text.begin(), text.end(), '\n')), text.size() / 1e6);
  Inventory inv;
  double validate = Millis([&] {
    Diagnostics d("bench.yaml");
    auto r = ParseInventory(text, "bench.yaml", &d);
    if (!r.ok()) {
      std::fprintf(stderr, "%s", d.Format().c_str());
      std::exit(1);
    }
    inv = std::move(*r);
  });
  std::vector<Plan> plans;
  double plan = Millis([&] {
    for (const Identity& id : inv.identities) {
      plans.push_back(*MakePlan(inv, id, Strategy::kRotate));
    }
  });
  size_t bytes = 0;
  double json = Millis([&] {
    for (const Plan& p : plans) {
      bytes += PlanToJson(p).dump().size();
    }
  });
  double text_ms = Millis([&] {
    for (const Plan& p : plans) {
      bytes += RenderPlanText(p, inv).size();
    }
  });
  double baseline = Millis([&] { YAML::Node node = YAML::Load(text); });
  std::printf("validate (parse + check):   %8.1f ms\n", validate);
  std::printf("plan --all (rotate):        %8.1f ms\n", plan);
  std::printf("render json:                %8.1f ms\n", json);
  std::printf("render text:                %8.1f ms\n", text_ms);
  std::printf("baseline yaml-cpp Load:     %8.1f ms   (parse only, no checks)\n", baseline);
  return 0;
}

}  // namespace
}  // namespace rekey

int main(int argc, char** argv) { return rekey::Main(argc, argv); }
