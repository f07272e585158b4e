#include "plan/selection.h"

#include "inventory/suggest.h"

namespace rekey {
namespace {

struct Label {
  std::string key;
  std::string value;
};

Result<std::vector<Label>> ParseSelectors(const std::vector<std::string>& selectors) {
  std::vector<Label> out;
  for (const std::string& s : selectors) {
    size_t eq = s.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument("bad selector \"" + s +
                                     "\": expected KEY=VALUE, e.g. tenant=acme");
    }
    out.push_back({s.substr(0, eq), s.substr(eq + 1)});
  }
  return out;
}

bool Matches(const Identity& id, const std::vector<Label>& labels) {
  for (const Label& l : labels) {
    auto it = id.labels.find(l.key);
    if (it == id.labels.end() || it->second != l.value) {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<std::vector<const Identity*>> SelectIdentities(const Inventory& inventory,
                                                      const Selection& selection) {
  int ways = (selection.identity ? 1 : 0) + (selection.all ? 1 : 0) +
             (selection.selectors.empty() ? 0 : 1);
  if (ways != 1) {
    return Status::InvalidArgument(
        "name the identities once: IDENTITY, --all, or --selector KEY=VALUE");
  }
  if (selection.identity) {
    if (const Identity* id = inventory.FindIdentity(*selection.identity)) {
      return std::vector<const Identity*>{id};
    }
    std::vector<std::string_view> names;
    for (const Identity& id : inventory.identities) {
      names.push_back(id.name);
    }
    std::string hint = ClosestMatch(*selection.identity, names);
    return Status::NotFound("no identity \"" + *selection.identity + "\" in " + inventory.path +
                            (hint.empty() ? "" : "; did you mean \"" + hint + "\"?"));
  }
  auto labels = ParseSelectors(selection.selectors);
  if (!labels.ok()) {
    return labels.status();
  }
  std::vector<const Identity*> out;
  for (const Identity& id : inventory.identities) {
    if (selection.all || Matches(id, *labels)) {
      out.push_back(&id);
    }
  }
  if (out.empty()) {
    return Status::NotFound("no identity in " + inventory.path + " matches the selection");
  }
  return out;
}

}  // namespace rekey
