#include "plan/render_text.h"

#include <algorithm>
#include <cstdio>

#include "plan/describe.h"
#include "plan/groups.h"

namespace rekey {
namespace {

std::string Plural(size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string JoinIds(const std::vector<int>& ids) {
  std::string out;
  for (int id : ids) {
    out += (out.empty() ? "" : ", ") + std::to_string(id);
  }
  return out;
}

std::string StepLines(const Step& s, const Inventory& inv) {
  char head[64];
  std::snprintf(head, sizeof head, "  %4d  %-20s ", s.id,
                std::string(StepActionName(s.action)).c_str());
  std::string out = head + StepSummary(s);
  if (const System* sys = s.system.empty() ? nullptr : inv.FindSystem(s.system)) {
    out += " [" + (s.binding == sys->name ? "" : sys->name + ": ") + sys->type + "]";
  }
  out += "\n";
  std::string detail;
  if (!s.after.empty()) {
    detail = "after " + JoinIds(s.after);
  }
  std::string verification = StepVerification(s);
  for (const std::string& part :
       {verification.empty() ? "" : "verifies: " + verification, s.note}) {
    if (!part.empty()) {
      detail += (detail.empty() ? "" : " · ") + part;
    }
  }
  if (!detail.empty()) {
    out += std::string(28, ' ') + detail + "\n";
  }
  return out;
}

}  // namespace

std::string RenderPlanText(const Plan& plan, const Inventory& inventory) {
  const Identity* id = inventory.FindIdentity(plan.identity);
  std::string out = "Plan: " + std::string(StrategyName(plan.strategy)) + " " + plan.identity;
  if (id != nullptr) {
    out += " (" + std::string(KindName(id->kind)) + "; " + Plural(id->issuers.size(), "issuer") +
           ", " + Plural(id->holders.size(), "holder") + ", " +
           Plural(id->consumers.size(), "consumer") + ")";
  }
  out += "\n";
  std::vector<int> groups = StepGroups(plan);
  int last = groups.empty() ? 0 : *std::max_element(groups.begin(), groups.end());
  for (int g = 1; g <= last; ++g) {
    out += "\n  group " + std::to_string(g) + "\n";
    for (size_t i = 0; i < plan.steps.size(); ++i) {
      if (groups[i] == g) {
        out += StepLines(plan.steps[i], inventory);
      }
    }
  }
  if (!plan.notes.empty()) {
    out += "\n  notes\n";
    for (const std::string& n : plan.notes) {
      out += "    - " + n + "\n";
    }
  }
  out += "\n  " + Plural(plan.steps.size(), "step") + " in " + Plural(last, "group") + ".\n";
  return out;
}

}  // namespace rekey
