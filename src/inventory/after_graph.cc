#include "inventory/after_graph.h"

#include <algorithm>
#include <map>

#include "inventory/suggest.h"

namespace rekey {
namespace {

struct GraphNode {
  const std::vector<std::string>* after;
  SourcePos pos;
  std::string kind;  // "holder" or "consumer"
};

class CycleFinder {
 public:
  explicit CycleFinder(const std::map<std::string, GraphNode, std::less<>>& nodes)
      : nodes_(nodes) {}

  // The first cycle reachable from NAME, as "a -> b -> a", or empty.
  std::string From(const std::string& name) {
    if (state_[name] == kDone) {
      return "";
    }
    if (state_[name] == kActive) {
      std::string cycle;
      for (auto it = std::find(path_.begin(), path_.end(), name); it != path_.end(); ++it) {
        cycle += *it + " -> ";
      }
      return cycle + name;
    }
    state_[name] = kActive;
    path_.push_back(name);
    for (const std::string& next : *nodes_.at(name).after) {
      if (nodes_.count(next) != 0) {
        if (std::string cycle = From(next); !cycle.empty()) {
          return cycle;
        }
      }
    }
    path_.pop_back();
    state_[name] = kDone;
    return "";
  }

 private:
  enum State { kNew, kActive, kDone };
  const std::map<std::string, GraphNode, std::less<>>& nodes_;
  std::map<std::string, State> state_;
  std::vector<std::string> path_;
};

}  // namespace

void CheckAfter(const Identity& identity, Diagnostics* d) {
  std::map<std::string, GraphNode, std::less<>> nodes;
  std::vector<std::string> order;
  for (const Binding& h : identity.holders) {
    nodes.emplace(h.name, GraphNode{&h.after, h.pos, "holder"});
    order.push_back(h.name);
  }
  for (const Consumer& c : identity.consumers) {
    nodes.emplace(c.name, GraphNode{&c.after, c.pos, "consumer"});
    order.push_back(c.name);
  }
  std::vector<std::string_view> names(order.begin(), order.end());
  bool all_known = true;
  for (const std::string& name : order) {
    const GraphNode& node = nodes.at(name);
    for (const std::string& target : *node.after) {
      auto it = nodes.find(target);
      if (it != nodes.end() && node.kind == "holder" && it->second.kind == "consumer") {
        all_known = false;
        d->Error(node.pos,
                 "holder \"" + name + "\" of identity \"" + identity.name +
                     "\" waits for consumer \"" + target + "\"",
                 "a holder may only wait for other holders: consumers run after the holders "
                 "they read from are written");
      }
      if (it == nodes.end()) {
        all_known = false;
        d->Error(node.pos,
                 node.kind + " \"" + name + "\" of identity \"" + identity.name +
                     "\" waits for unknown \"" + target + "\"",
                 "\"after\" names holders or consumers of the same identity; " +
                     SuggestHint(target, names));
      }
    }
  }
  if (!all_known) {
    return;
  }
  CycleFinder finder(nodes);
  for (const std::string& name : order) {
    if (std::string cycle = finder.From(name); !cycle.empty()) {
      std::string first = cycle.substr(0, cycle.find(' '));
      d->Error(nodes.at(first).pos,
               "cycle in \"after\" of identity \"" + identity.name + "\": " + cycle,
               "remove one of these dependencies");
      return;
    }
  }
}

}  // namespace rekey
