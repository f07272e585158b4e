#include "inventory/loader.h"

#include <set>

#include "inventory/after_graph.h"
#include "inventory/connector_options.h"
#include "inventory/node_reader.h"
#include "inventory/suggest.h"
#include "inventory/yaml_tree.h"

namespace rekey {
namespace {

constexpr std::string_view kTopKeys[] = {"version", "systems", "identities"};
constexpr std::string_view kSystemKeys[] = {"type", "max_parallel", "retry", "timeout"};
constexpr std::string_view kRetryKeys[] = {"attempts", "initial", "max"};
constexpr std::string_view kIdentityKeys[] = {"kind",    "labels",  "generate", "rotate_every",
                                              "issuers", "holders", "consumers"};
constexpr std::string_view kGenerateKeys[] = {"length", "alphabet", "require"};
constexpr std::string_view kIssuerKeys[] = {"system", "name"};
constexpr std::string_view kHolderKeys[] = {"system", "name", "after"};
constexpr std::string_view kConsumerKeys[] = {"name", "attest", "reload", "confirm", "after"};
constexpr std::string_view kActionKeys[] = {"exec", "http"};
constexpr std::string_view kKinds[] = {"password", "api_key", "token", "ssh_key"};
constexpr std::string_view kAlphabets[] = {"alnum", "hex", "base64url", "ascii"};
constexpr std::string_view kClasses[] = {"lower", "upper", "digit", "symbol"};

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

template <typename E, size_t N>
E IndexOf(const std::string_view (&names)[N], std::string_view name) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) {
      return static_cast<E>(i);
    }
  }
  return static_cast<E>(0);
}

class InventoryParser {
 public:
  explicit InventoryParser(Diagnostics* d) : r_(d), d_(d) {}

  Inventory Parse(const YamlNode& root) {
    Inventory inv;
    if (!r_.CheckKeys(root, kTopKeys, "the inventory")) {
      return inv;
    }
    ParseVersion(root, &inv);
    if (const YamlNode* systems = root.Find("systems")) {
      ParseSystems(*systems, &inv);
    }
    inv.BuildIndex();
    if (const YamlNode* identities = root.Find("identities")) {
      ParseIdentities(*identities, inv);
    } else {
      d_->Error(root.pos, "the inventory has no \"identities\"", "add identities: { NAME: ... }");
    }
    inv.identities = std::move(identities_);
    inv.BuildIndex();
    return inv;
  }

 private:
  void ParseVersion(const YamlNode& root, Inventory* inv) {
    const YamlNode* v = root.Find("version");
    if (v == nullptr) {
      d_->Error(root.pos, "the inventory has no \"version\"", "add \"version: 1\" at the top");
    } else if (auto n = r_.Int(*v, "version", 0, 1000); n && *n != 1) {
      d_->Error(v->pos, "unsupported inventory version " + std::to_string(*n),
                "this rekey reads version 1");
    }
    inv->version = 1;
  }

  void ParseSystems(const YamlNode& systems, Inventory* inv) {
    if (!systems.IsMap()) {
      d_->Error(systems.pos, "\"systems\" must be a map of system names to settings");
      return;
    }
    std::set<std::string> seen;
    for (const auto& [key, value] : systems.entries) {
      if (!seen.insert(key.scalar).second) {
        d_->Error(key.pos, "duplicate system " + Quoted(key.scalar),
                  "first defined at " + d_->Where(FindKey(systems, key.scalar)));
        continue;
      }
      inv->systems.push_back(ParseSystem(key, value));
    }
  }

  System ParseSystem(const YamlNode& key, const YamlNode& value) {
    System s;
    s.name = key.scalar;
    s.pos = key.pos;
    std::string where = "system " + Quoted(s.name);
    const YamlNode* type = value.IsMap() ? value.Find("type") : nullptr;
    if (value.IsMap() && type == nullptr) {
      d_->Error(value.pos, where + " has no \"type\"",
                "add type: TYPE (rekey connectors lists them)");
    }
    const ConnectorType* ct = type ? Type(*type, where) : nullptr;
    if (ct == nullptr) {
      return s;  // its keys cannot be checked without a type; one error is enough
    }
    s.type = std::string(ct->name);
    s.options =
        ReadConnectorOptions(r_, value, kSystemKeys, ct->system_options, where, "type " + s.type);
    if (const YamlNode* n = value.Find("max_parallel")) {
      s.max_parallel = static_cast<int>(r_.Int(*n, "max_parallel", 1, 1024).value_or(1));
    }
    if (const YamlNode* n = value.Find("timeout")) {
      s.timeout = r_.Duration(*n, "timeout").value_or(s.timeout);
    }
    if (const YamlNode* n = value.Find("retry")) {
      ParseRetry(*n, where, &s.retry);
    }
    return s;
  }

  const ConnectorType* Type(const YamlNode& node, const std::string& where) {
    auto name = r_.String(node, "type");
    if (!name) {
      return nullptr;
    }
    if (const ConnectorType* ct = FindConnectorType(*name)) {
      return ct;
    }
    std::vector<std::string_view> names;
    for (const ConnectorType& t : ConnectorTypes()) {
      names.push_back(t.name);
    }
    d_->Error(node.pos, where + " has unknown type " + Quoted(*name),
              SuggestHint(*name, names) + " (rekey connectors lists the types)");
    return nullptr;
  }

  void ParseRetry(const YamlNode& node, const std::string& where, RetryPolicy* retry) {
    if (!r_.CheckKeys(node, kRetryKeys, "retry of " + where)) {
      return;
    }
    if (const YamlNode* n = node.Find("attempts")) {
      retry->attempts = static_cast<int>(r_.Int(*n, "retry attempts", 1, 100).value_or(1));
    }
    if (const YamlNode* n = node.Find("initial")) {
      retry->initial = r_.Duration(*n, "retry initial").value_or(retry->initial);
    }
    if (const YamlNode* n = node.Find("max")) {
      retry->max = r_.Duration(*n, "retry max").value_or(retry->max);
    }
  }

  void ParseIdentities(const YamlNode& identities, const Inventory& inv) {
    if (!identities.IsMap()) {
      d_->Error(identities.pos, "\"identities\" must be a map of identity names to settings");
      return;
    }
    std::set<std::string_view> seen;
    for (const auto& [key, value] : identities.entries) {
      if (!seen.insert(key.scalar).second) {
        d_->Error(key.pos, "duplicate identity " + Quoted(key.scalar),
                  "first defined at " + d_->Where(FindKey(identities, key.scalar)));
        continue;
      }
      identities_.push_back(ParseIdentity(key, value, inv));
    }
  }

  Identity ParseIdentity(const YamlNode& key, const YamlNode& value, const Inventory& inv) {
    Identity id;
    id.name = key.scalar;
    id.pos = key.pos;
    std::string where = "identity " + Quoted(id.name);
    if (!r_.CheckKeys(value, kIdentityKeys, where)) {
      return id;
    }
    if (const YamlNode* n = value.Find("kind")) {
      if (auto k = r_.Choice(*n, "kind", kKinds)) {
        id.kind = IndexOf<CredentialKind>(kKinds, *k);
      }
    } else {
      d_->Error(value.pos, where + " has no \"kind\"",
                "add kind: password (or api_key, token, ssh_key)");
    }
    if (const YamlNode* n = value.Find("labels")) {
      ParseLabels(*n, where, &id.labels);
    }
    if (const YamlNode* n = value.Find("generate")) {
      ParseGenerate(*n, id, &id.generate);
    }
    if (const YamlNode* n = value.Find("rotate_every")) {
      id.rotate_every = r_.Duration(*n, "rotate_every");
    }
    ParseBindings(value, inv, &id);
    CheckAfter(id, d_);
    return id;
  }

  void ParseLabels(const YamlNode& node, const std::string& where,
                   std::map<std::string, std::string>* labels) {
    if (!node.IsMap()) {
      d_->Error(node.pos, "labels of " + where + " must be a map of names to values");
      return;
    }
    for (const auto& [k, v] : node.entries) {
      if (auto text = r_.String(v, "label " + Quoted(k.scalar))) {
        (*labels)[k.scalar] = *text;
      }
    }
  }

  void ParseGenerate(const YamlNode& node, const Identity& id, GeneratePolicy* g) {
    if (!r_.CheckKeys(node, kGenerateKeys, "generate of identity " + Quoted(id.name))) {
      return;
    }
    if (id.kind == CredentialKind::kSshKey) {
      d_->Error(node.pos, "\"generate\" does not apply to kind ssh_key",
                "ssh_key identities get a new ed25519 key pair; remove \"generate\"");
    }
    if (const YamlNode* n = node.Find("length")) {
      g->length = static_cast<int>(r_.Int(*n, "length", 8, 4096).value_or(g->length));
    }
    if (const YamlNode* n = node.Find("alphabet")) {
      if (auto a = r_.Choice(*n, "alphabet", kAlphabets)) {
        g->alphabet = IndexOf<Alphabet>(kAlphabets, *a);
      }
    }
    if (const YamlNode* n = node.Find("require")) {
      for (const std::string& c : r_.Names(*n, "require").value_or(std::vector<std::string>{})) {
        YamlNode item = *n;
        item.scalar = c;
        item.kind = YamlNode::Kind::kScalar;
        if (auto ok = r_.Choice(item, "character class", kClasses)) {
          g->require.push_back(IndexOf<CharClass>(kClasses, *ok));
        }
      }
    }
  }

  void ParseBindings(const YamlNode& value, const Inventory& inv, Identity* id) {
    ForEachItem(value, "issuers", *id, [&](const YamlNode& item, size_t i) {
      if (auto b = ParseBinding(item, i, "issuer", inv, *id)) {
        id->issuers.push_back(std::move(*b));
      }
    });
    ForEachItem(value, "holders", *id, [&](const YamlNode& item, size_t i) {
      if (auto b = ParseBinding(item, i, "holder", inv, *id)) {
        id->holders.push_back(std::move(*b));
      }
    });
    ForEachItem(value, "consumers", *id, [&](const YamlNode& item, size_t i) {
      id->consumers.push_back(ParseConsumer(item, i, *id));
    });
    if (id->issuers.empty() && value.Find("issuers") == nullptr) {
      d_->Error(id->pos, "identity " + Quoted(id->name) + " has no issuers",
                "list the systems that accept it under \"issuers\": without one, rekey cannot "
                "make the old value stop working");
    }
    CheckUniqueNames(*id);
  }

  template <typename F>
  void ForEachItem(const YamlNode& value, std::string_view key, const Identity& id, F f) {
    const YamlNode* list = value.Find(key);
    if (list == nullptr) {
      return;
    }
    if (!list->IsSequence()) {
      d_->Error(list->pos, Quoted(key) + " of identity " + Quoted(id.name) + " must be a list",
                "write each entry on its own line starting with \"- \"");
      return;
    }
    for (size_t i = 0; i < list->items.size(); ++i) {
      f(list->items[i], i);
    }
  }

  std::optional<Binding> ParseBinding(const YamlNode& node, size_t index, std::string_view role,
                                      const Inventory& inv, const Identity& id) {
    Binding b;
    b.pos = node.pos;
    std::string where =
        std::string(role) + " " + std::to_string(index + 1) + " of identity " + Quoted(id.name);
    const YamlNode* system = node.IsMap() ? node.Find("system") : nullptr;
    if (system == nullptr) {
      d_->Error(node.pos, where + " has no \"system\"", "add system: NAME (a key of \"systems\")");
      return std::nullopt;
    }
    b.system = r_.String(*system, "system").value_or("");
    const YamlNode* name = node.Find("name");
    b.name = name ? r_.String(*name, "name").value_or("") : b.system;
    where = std::string(role) + " " + Quoted(b.name) + " of identity " + Quoted(id.name);
    const System* s = inv.FindSystem(b.system);
    if (s == nullptr) {
      std::vector<std::string_view> names;
      for (const System& sys : inv.systems) {
        names.push_back(sys.name);
      }
      d_->Error(system->pos, where + " refers to unknown system " + Quoted(b.system),
                SuggestHint(b.system, names));
      return std::nullopt;
    }
    const ConnectorType* ct = FindConnectorType(s->type);
    if (ct == nullptr) {
      return std::nullopt;  // the system's own error says why
    }
    bool is_issuer = role == "issuer";
    if (is_issuer ? !ct->issuer : !ct->holder) {
      d_->Error(system->pos,
                where + ": system " + Quoted(s->name) + " (type " + s->type + ") cannot be " +
                    (is_issuer ? "an issuer" : "a holder"),
                s->type + " systems can only be " + (ct->issuer ? "issuers" : "holders"));
      return std::nullopt;
    }
    std::string role_label = "a " + s->type + " " + std::string(role);
    b.options = ReadConnectorOptions(r_, node,
                                     is_issuer ? std::span<const std::string_view>(kIssuerKeys)
                                               : std::span<const std::string_view>(kHolderKeys),
                                     is_issuer ? ct->issuer_options : ct->holder_options, where,
                                     role_label);
    if (const YamlNode* after = node.Find("after")) {
      b.after = r_.Names(*after, "after").value_or(std::vector<std::string>{});
    }
    return b;
  }

  Consumer ParseConsumer(const YamlNode& node, size_t index, const Identity& id) {
    Consumer c;
    c.pos = node.pos;
    std::string where = "consumer " + std::to_string(index + 1) + " of identity " + Quoted(id.name);
    if (!r_.CheckKeys(node, kConsumerKeys, where)) {
      return c;
    }
    if (const YamlNode* name = node.Find("name")) {
      c.name = r_.String(*name, "name").value_or("");
    } else {
      d_->Error(node.pos, where + " has no \"name\"", "add name: NAME");
    }
    c.attest = ParseAction(node, "attest");
    c.reload = ParseAction(node, "reload");
    c.confirm = ParseAction(node, "confirm");
    if (!node.Find("attest") && !node.Find("reload") && !node.Find("confirm")) {
      d_->Error(node.pos, where + " has no attest, reload or confirm",
                "give it at least one action, e.g. confirm: { exec: [/usr/local/bin/check-app] }");
    }
    if (const YamlNode* after = node.Find("after")) {
      c.after = r_.Names(*after, "after").value_or(std::vector<std::string>{});
    }
    return c;
  }

  std::optional<Action> ParseAction(const YamlNode& consumer, std::string_view verb) {
    const YamlNode* node = consumer.Find(verb);
    if (node == nullptr || !r_.CheckKeys(*node, kActionKeys, std::string(verb))) {
      return std::nullopt;
    }
    const YamlNode* exec = node->Find("exec");
    const YamlNode* http = node->Find("http");
    if ((exec == nullptr) == (http == nullptr)) {
      d_->Error(node->pos, Quoted(verb) + " must have exactly one of exec or http",
                "e.g. " + std::string(verb) + ": { exec: [/usr/local/bin/" + std::string(verb) +
                    "-app] }");
      return std::nullopt;
    }
    Action a;
    if (exec) {
      a.exec = r_.StringList(*exec, "exec").value_or(std::vector<std::string>{});
    } else {
      a.http = r_.String(*http, "http").value_or("");
    }
    return a;
  }

  void CheckUniqueNames(const Identity& id) {
    std::map<std::string, SourcePos> seen;
    auto check = [&](const std::string& name, SourcePos pos, std::string_view role) {
      if (name.empty()) {
        return;
      }
      auto [it, fresh] = seen.emplace(name, pos);
      if (!fresh) {
        d_->Error(pos,
                  "duplicate name " + Quoted(name) + " in identity " + Quoted(id.name) + " (" +
                      std::string(role) + ")",
                  "first used at " + d_->Where(it->second) + "; give each binding its own name");
      }
    };
    for (const Binding& b : id.issuers) {
      check(b.name, b.pos, "issuer");
    }
    for (const Binding& b : id.holders) {
      check(b.name, b.pos, "holder");
    }
    for (const Consumer& c : id.consumers) {
      check(c.name, c.pos, "consumer");
    }
  }

  static SourcePos FindKey(const YamlNode& map, const std::string& name) {
    for (const auto& [k, v] : map.entries) {
      if (k.scalar == name) {
        return k.pos;
      }
    }
    return {};
  }

  NodeReader r_;
  Diagnostics* d_;
  std::vector<Identity> identities_;
};

}  // namespace

Result<Inventory> ParseInventory(std::string_view text, const std::string& path,
                                 Diagnostics* diagnostics) {
  std::optional<YamlNode> root = ParseYaml(text, diagnostics);
  Inventory inv;
  if (root) {
    inv = InventoryParser(diagnostics).Parse(*root);
  }
  if (!diagnostics->empty()) {
    size_t n = diagnostics->size();
    return Status::InvalidArgument(std::to_string(n) + (n == 1 ? " error" : " errors") + " in " +
                                   path);
  }
  inv.path = path;
  return inv;
}

Result<Inventory> LoadInventory(Env* env, const std::string& path, Diagnostics* diagnostics,
                                std::string* text) {
  Result<std::string> read = env->ReadFile(path);
  if (!read.ok()) {
    diagnostics->Error({0, 0}, "cannot read the inventory: " + read.status().message(),
                       "pass the inventory file with --inventory FILE");
    return Status::InvalidArgument("cannot read " + path);
  }
  Result<Inventory> inventory = ParseInventory(*read, path, diagnostics);
  if (text != nullptr) {
    *text = std::move(*read);
  }
  return inventory;
}

}  // namespace rekey
