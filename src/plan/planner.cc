#include "plan/planner.h"

#include <algorithm>
#include <map>
#include <set>

#include "connectors/registry.h"

namespace rekey {
namespace {

using Sessions = Capabilities::Sessions;

struct IssuerInfo {
  const Binding* binding;
  Capabilities caps;
};

// Appends steps in a topological order: every step only waits for steps added before it.
class StepList {
 public:
  explicit StepList(Plan* plan) : plan_(plan) {}

  int Add(StepAction action, Role role, const Binding* b, std::vector<int> after,
          std::string note = "") {
    Step s;
    s.id = static_cast<int>(plan_->steps.size()) + 1;
    s.action = action;
    s.role = role;
    if (b != nullptr) {
      s.binding = b->name;
      s.system = b->system;
    }
    std::set<int> unique(after.begin(), after.end());
    unique.erase(0);
    s.after.assign(unique.begin(), unique.end());
    s.note = std::move(note);
    plan_->steps.push_back(std::move(s));
    return plan_->steps.back().id;
  }
  int AddConsumer(StepAction action, const Consumer& c, std::vector<int> after) {
    Binding named;
    named.name = c.name;
    return Add(action, Role::kConsumer, &named, std::move(after));
  }

 private:
  Plan* plan_;
};

std::vector<int> Join(std::vector<int> a, const std::vector<int>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

class Planner {
 public:
  Planner(const Inventory& inv, const Identity& id, Plan* plan)
      : inv_(inv), id_(id), plan_(plan), steps_(plan) {
    for (const Binding& b : id.issuers) {
      issuers_.push_back({&b, BindingCapabilities(inv, b)});
    }
  }

  Status Rotate() {
    int gen = steps_.Add(StepAction::kGenerate, Role::kNone, nullptr, {});
    std::vector<int> verified_new;
    std::vector<int> ended;  // what promote waits for: every issuer's last step
    for (const IssuerInfo& i : issuers_) {
      std::string note = i.caps.two_values ? "added beside the old value (overlap)"
                                           : "replaces the old value (brief swap)";
      int install = steps_.Add(StepAction::kInstall, Role::kIssuer, i.binding, {gen}, note);
      verified_new.push_back(
          steps_.Add(StepAction::kVerifyNewAccepted, Role::kIssuer, i.binding, {install}));
      if (!i.caps.two_values) {
        // The install replaced the old value: that it is refused can be checked at once, beside
        // the new one, rather than after every holder (a login saved from the critical path).
        ended.push_back(
            steps_.Add(StepAction::kVerifyOldRejected, Role::kIssuer, i.binding, {install}));
      }
    }
    std::vector<int> propagated = Propagate(verified_new);
    for (const IssuerInfo& i : issuers_) {
      if (i.caps.two_values && !CanRemove(i)) {
        return Status::InvalidArgument("issuer \"" + i.binding->name +
                                       "\" declares overlap but has no \"remove\" command");
      }
      // Also the issuer's own checks: with no holders or consumers, PROPAGATED is empty.
      std::vector<int> after = Join(verified_new, propagated);
      if (!i.caps.two_values) {
        ended = Join(ended, EndSessions(i, after));
        continue;
      }
      after = EndSessions(i, {steps_.Add(StepAction::kRemoveOld, Role::kIssuer, i.binding, after)});
      ended.push_back(steps_.Add(StepAction::kVerifyOldRejected, Role::kIssuer, i.binding, after));
    }
    Finish(ended);
    NoteRotate();
    return Status::Ok();
  }

  Status Contain() {
    int gen = steps_.Add(StepAction::kGenerate, Role::kNone, nullptr, {});
    std::vector<int> contained;
    for (const IssuerInfo& i : issuers_) {
      int cut = 0;
      if (i.caps.can_disable) {
        cut = steps_.Add(StepAction::kDisable, Role::kIssuer, i.binding, {gen});
        if (i.caps.two_values) {
          // Installing adds beside the old value here: remove it, or re-enabling revives it.
          cut = steps_.Add(StepAction::kRemoveOld, Role::kIssuer, i.binding, {cut});
        }
      } else if (CanRemove(i)) {
        cut = steps_.Add(StepAction::kRemoveOld, Role::kIssuer, i.binding, {gen});
      } else {
        return Status::InvalidArgument(
            "issuer \"" + i.binding->name +
            "\" can neither disable the identity nor remove a value, so it cannot be contained; "
            "give it \"disable\"/\"enable\" or \"remove\" commands");
      }
      std::vector<int> after = EndSessions(i, {cut});
      contained.push_back(steps_.Add(StepAction::kVerifyOldRejected, Role::kIssuer, i.binding,
                                     after, "containment point"));
    }
    std::vector<int> installed;
    for (const IssuerInfo& i : issuers_) {
      installed.push_back(steps_.Add(StepAction::kInstall, Role::kIssuer, i.binding, contained,
                                     i.caps.can_disable ? "the identity stays disabled" : ""));
    }
    std::vector<int> written = WriteHolders(contained);
    std::vector<int> accepted;
    for (size_t n = 0; n < issuers_.size(); ++n) {
      const IssuerInfo& i = issuers_[n];
      int ready = installed[n];
      if (i.caps.can_disable) {
        ready = steps_.Add(StepAction::kEnable, Role::kIssuer, i.binding,
                           Join({installed[n]}, written), "after every holder has the new value");
      }
      int ok = steps_.Add(StepAction::kVerifyNewAccepted, Role::kIssuer, i.binding, {ready});
      accepted.push_back(steps_.Add(StepAction::kVerifyOldRejected, Role::kIssuer, i.binding, {ok},
                                    "still rejected after re-enabling"));
    }
    std::vector<int> confirmed = Consumers(accepted, written);
    Finish(Join(Join(accepted, confirmed), written));
    NoteContain();
    return Status::Ok();
  }

 private:
  // Holders, then consumers, each in "after" order. Returns the final step of each.
  std::vector<int> Propagate(const std::vector<int>& after) {
    std::vector<int> written = WriteHolders(after);
    return Join(written, Consumers(after, written));
  }

  // Holders only wait for other holders (validation), so one pass in "after" order suffices.
  std::vector<int> WriteHolders(const std::vector<int>& after) {
    std::vector<int> written;
    for (const Binding* h : InAfterOrder(id_.holders)) {
      bool write_only = BindingCapabilities(inv_, *h).write_only;
      int id =
          steps_.Add(StepAction::kWrite, Role::kHolder, h, Join(after, Deps(h->after)),
                     write_only ? "write-only: verified by the API's answer, not read back" : "");
      done_[h->name] = id;
      written.push_back(id);
    }
    return written;
  }

  // Each consumer's attest -> reload -> confirm chain waits for AFTER and for the holders it
  // names in "after" (every holder when it names none) and the consumers it names.
  std::vector<int> Consumers(const std::vector<int>& after, const std::vector<int>& written) {
    std::vector<int> last;
    for (const Consumer* c : InAfterOrder(id_.consumers)) {
      std::vector<int> wait = Join(after, c->after.empty() ? written : Deps(c->after));
      int step = 0;
      for (auto [action, present] : {std::pair{StepAction::kAttest, c->attest.has_value()},
                                     std::pair{StepAction::kReload, c->reload.has_value()},
                                     std::pair{StepAction::kConfirm, c->confirm.has_value()}}) {
        if (present) {
          step = steps_.AddConsumer(action, *c, step ? std::vector<int>{step} : wait);
        }
      }
      done_[c->name] = step;
      last.push_back(step);
    }
    return last;
  }

  std::vector<int> EndSessions(const IssuerInfo& i, std::vector<int> after) {
    if (i.caps.sessions != Sessions::kEndable) {
      return after;
    }
    return {steps_.Add(StepAction::kEndSessions, Role::kIssuer, i.binding, std::move(after))};
  }

  void Finish(const std::vector<int>& after) {
    std::vector<int> destroyed;
    for (const Binding& h : id_.holders) {
      if (BindingCapabilities(inv_, h).versioned) {
        destroyed.push_back(steps_.Add(StepAction::kDestroyOldVersion, Role::kHolder, &h, after));
      }
    }
    steps_.Add(StepAction::kPromote, Role::kNone, nullptr, Join(after, destroyed));
  }

  std::vector<int> Deps(const std::vector<std::string>& names) {
    std::vector<int> ids;
    for (const std::string& n : names) {
      ids.push_back(done_[n]);
    }
    return ids;
  }

  // ITEMS (holders or consumers) ordered so that each comes after those of them its "after"
  // names. Names of the other kind are already planned; validation has excluded cycles.
  template <typename T>
  std::vector<const T*> InAfterOrder(const std::vector<T>& items) {
    std::vector<const T*> out;
    std::set<std::string> placed;
    auto is_item = [&](const std::string& name) {
      return std::any_of(items.begin(), items.end(), [&](const T& i) { return i.name == name; });
    };
    while (out.size() < items.size()) {
      size_t before = out.size();
      for (const T& item : items) {
        bool ready = placed.count(item.name) == 0;
        for (const std::string& dep : item.after) {
          ready = ready && (!is_item(dep) || placed.count(dep) != 0);
        }
        if (ready) {
          out.push_back(&item);
          placed.insert(item.name);
        }
      }
      REKEY_CHECK(out.size() > before);
    }
    return out;
  }

  bool CanRemove(const IssuerInfo& i) const {
    return FindType(*i.binding) != "exec" || i.binding->options.Has("remove");
  }

  std::string_view FindType(const Binding& b) const {
    const System* s = inv_.FindSystem(b.system);
    return s ? std::string_view(s->type) : std::string_view();
  }

  void NoteSessions() {
    for (const IssuerInfo& i : issuers_) {
      if (i.caps.sessions == Sessions::kUnendable) {
        plan_->notes.push_back("sessions: " + i.binding->name + " (" +
                               std::string(FindType(*i.binding)) +
                               ") cannot end sessions opened with the old value; they stay usable "
                               "until they close or the server's idle timeout ends them");
      }
    }
    for (const Binding& h : id_.holders) {
      if (BindingCapabilities(inv_, h).write_only) {
        plan_->notes.push_back("write-only: " + h.name +
                               " cannot be read back; its write is verified by the API's answer");
      }
    }
  }

  void NoteRotate() {
    std::string swapped;
    for (const IssuerInfo& i : issuers_) {
      if (!i.caps.two_values) {
        swapped += (swapped.empty() ? "" : ", ") + i.binding->name;
      }
    }
    if (!swapped.empty()) {
      plan_->notes.push_back("brief swap: " + swapped +
                             " cannot accept two values at once; from its install until every "
                             "holder and consumer has the new value, users of the old value fail");
    } else if (!issuers_.empty()) {
      plan_->notes.push_back(
          "overlap: every issuer accepts both values until the old one is "
          "removed, so no consumer sees a failure");
    }
    NoteSessions();
  }

  void NoteContain() {
    plan_->notes.push_back(
        "containment: the old value is cut and observed rejected at every "
        "issuer before the new one is installed anywhere; dependents fail "
        "closed until they have the new value");
    NoteSessions();
  }

  const Inventory& inv_;
  const Identity& id_;
  Plan* plan_;
  StepList steps_;
  std::vector<IssuerInfo> issuers_;
  std::map<std::string, int> done_;  // binding name -> its final step
};

}  // namespace

Capabilities BindingCapabilities(const Inventory& inventory, const Binding& binding) {
  const System* s = inventory.FindSystem(binding.system);
  REKEY_CHECK(s != nullptr);
  const ConnectorType* t = FindConnectorType(s->type);
  REKEY_CHECK(t != nullptr);
  return t->capabilities(s->options, binding.options);
}

Result<Plan> MakePlan(const Inventory& inventory, const Identity& identity, Strategy strategy) {
  Plan plan;
  plan.identity = identity.name;
  plan.strategy = strategy;
  Planner planner(inventory, identity, &plan);
  Status s = strategy == Strategy::kRotate ? planner.Rotate() : planner.Contain();
  if (!s.ok()) {
    return s;
  }
  return plan;
}

}  // namespace rekey
