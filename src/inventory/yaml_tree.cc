#include "inventory/yaml_tree.h"

#include <yaml.h>

namespace rekey {
namespace {

SourcePos PosOf(const yaml_mark_t& mark) {
  return {static_cast<int>(mark.line) + 1, static_cast<int>(mark.column) + 1};
}

// Owns a libyaml parser and the event most recently parsed.
class EventReader {
 public:
  explicit EventReader(std::string_view text) {
    yaml_parser_initialize(&parser_);
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()),
                                 text.size());
  }
  ~EventReader() {
    Clear();
    yaml_parser_delete(&parser_);
  }
  EventReader(const EventReader&) = delete;
  EventReader& operator=(const EventReader&) = delete;

  // Reads the next event; false on a syntax error (described by Error()).
  bool Next() {
    Clear();
    has_event_ = yaml_parser_parse(&parser_, &event_) == 1;
    return has_event_;
  }
  const yaml_event_t& event() const { return event_; }
  Diagnostic Error() const {
    std::string problem = parser_.problem ? parser_.problem : "malformed YAML";
    if (parser_.context) {
      problem = std::string(parser_.context) + ": " + problem;
    }
    return {PosOf(parser_.problem_mark), "YAML syntax: " + problem,
            "check indentation and quoting near this line"};
  }

 private:
  void Clear() {
    if (has_event_) {
      yaml_event_delete(&event_);
      has_event_ = false;
    }
  }
  yaml_parser_t parser_;
  yaml_event_t event_;
  bool has_event_ = false;
};

class TreeBuilder {
 public:
  TreeBuilder(std::string_view text, Diagnostics* diagnostics)
      : reader_(text), diagnostics_(diagnostics) {}

  std::optional<YamlNode> Document() {
    if (!Expect(YAML_STREAM_START_EVENT) || !reader_.Next()) {
      return Fail();
    }
    if (reader_.event().type == YAML_STREAM_END_EVENT) {
      return YamlNode{};  // empty file
    }
    if (reader_.event().type != YAML_DOCUMENT_START_EVENT || !reader_.Next()) {
      return Fail();
    }
    std::optional<YamlNode> root = Node();
    if (!root || !Expect(YAML_DOCUMENT_END_EVENT) || !reader_.Next()) {
      return Fail();
    }
    if (reader_.event().type != YAML_STREAM_END_EVENT) {
      diagnostics_->Error(PosOf(reader_.event().start_mark),
                          "an inventory is one YAML document; found another here",
                          "remove the \"---\" separator or split the file");
      return std::nullopt;
    }
    return root;
  }

 private:
  // Builds the node starting at the current event; leaves the reader on its last event.
  std::optional<YamlNode> Node() {
    const yaml_event_t& e = reader_.event();
    YamlNode node;
    node.pos = PosOf(e.start_mark);
    switch (e.type) {
      case YAML_SCALAR_EVENT:
        return Scalar(std::move(node));
      case YAML_SEQUENCE_START_EVENT:
        node.kind = YamlNode::Kind::kSequence;
        return Sequence(std::move(node));
      case YAML_MAPPING_START_EVENT:
        node.kind = YamlNode::Kind::kMap;
        return Map(std::move(node));
      case YAML_ALIAS_EVENT:
        diagnostics_->Error(node.pos, "YAML aliases are not supported in inventories",
                            "write the value out in full");
        return std::nullopt;
      default:
        return Fail();
    }
  }

  std::optional<YamlNode> Scalar(YamlNode node) {
    const auto& s = reader_.event().data.scalar;
    node.scalar.assign(reinterpret_cast<const char*>(s.value), s.length);
    node.quoted =
        s.style == YAML_SINGLE_QUOTED_SCALAR_STYLE || s.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    bool null =
        !node.quoted && (node.scalar.empty() || node.scalar == "~" || node.scalar == "null");
    node.kind = null ? YamlNode::Kind::kNull : YamlNode::Kind::kScalar;
    return node;
  }

  std::optional<YamlNode> Sequence(YamlNode node) {
    for (;;) {
      if (!reader_.Next()) {
        return Fail();
      }
      if (reader_.event().type == YAML_SEQUENCE_END_EVENT) {
        return node;
      }
      std::optional<YamlNode> item = Node();
      if (!item) {
        return std::nullopt;
      }
      node.items.push_back(std::move(*item));
    }
  }

  std::optional<YamlNode> Map(YamlNode node) {
    for (;;) {
      if (!reader_.Next()) {
        return Fail();
      }
      if (reader_.event().type == YAML_MAPPING_END_EVENT) {
        return node;
      }
      std::optional<YamlNode> key = Node();
      if (!key) {
        return std::nullopt;
      }
      if (!key->IsScalar()) {
        diagnostics_->Error(key->pos, "map keys must be plain names");
        return std::nullopt;
      }
      if (!reader_.Next()) {
        return Fail();
      }
      std::optional<YamlNode> value = Node();
      if (!value) {
        return std::nullopt;
      }
      node.entries.emplace_back(std::move(*key), std::move(*value));
    }
  }

  bool Expect(yaml_event_type_t type) { return reader_.Next() && reader_.event().type == type; }

  std::optional<YamlNode> Fail() {
    if (!failed_) {
      Diagnostic d = reader_.Error();
      diagnostics_->Error(d.pos, d.message, d.hint);
      failed_ = true;
    }
    return std::nullopt;
  }

  EventReader reader_;
  Diagnostics* diagnostics_;
  bool failed_ = false;
};

}  // namespace

const YamlNode* YamlNode::Find(std::string_view name) const {
  for (const auto& [key, value] : entries) {
    if (key.scalar == name) {
      return &value;
    }
  }
  return nullptr;
}

std::optional<YamlNode> ParseYaml(std::string_view text, Diagnostics* diagnostics) {
  return TreeBuilder(text, diagnostics).Document();
}

}  // namespace rekey
