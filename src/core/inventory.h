// The inventory model: systems, identities and the bindings between them, as read from YAML.
// Plain data with no I/O; src/inventory builds and validates it.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/options.h"

namespace rekey {

using Millis = std::chrono::milliseconds;

// Where something was written, for error messages. 1-based; 0 when unknown.
struct SourcePos {
  int line = 0;
  int column = 0;
};

enum class CredentialKind { kPassword, kApiKey, kToken, kSshKey };
enum class Alphabet { kAlnum, kHex, kBase64Url, kAscii };
enum class CharClass { kLower, kUpper, kDigit, kSymbol };

struct GeneratePolicy {
  int length = 32;
  Alphabet alphabet = Alphabet::kAlnum;
  std::vector<CharClass> require;  // each class appears at least once
};

struct RetryPolicy {
  int attempts = 5;  // total tries of one step, the first included
  Millis initial{200};
  Millis max{10000};
};

struct System {
  std::string name;
  std::string type;  // a connector type name from the registry
  Options options;   // the type's own keys
  int max_parallel = 4;
  RetryPolicy retry;
  Millis timeout{30000};  // deadline of one attempt of one step
  SourcePos pos;
};

// Where an identity meets an issuer or a holder.
struct Binding {
  std::string name;  // holders: given; issuers: defaults to the system's name
  std::string system;
  Options options;
  std::vector<std::string> after;  // names of holders/consumers that must be done first
  SourcePos pos;
};

// A consumer action: a command (argv) or an HTTP URL.
struct Action {
  std::vector<std::string> exec;
  std::string http;
};

struct Consumer {
  std::string name;
  std::optional<Action> attest;   // before it is given the new value
  std::optional<Action> reload;   // make it pick the new value up
  std::optional<Action> confirm;  // it proves it uses the new value
  std::vector<std::string> after;
  SourcePos pos;
};

struct Identity {
  std::string name;
  CredentialKind kind = CredentialKind::kPassword;
  std::map<std::string, std::string> labels;
  GeneratePolicy generate;
  std::optional<Millis> rotate_every;
  std::vector<Binding> issuers;
  std::vector<Binding> holders;
  std::vector<Consumer> consumers;
  SourcePos pos;
};

struct Inventory {
  int version = 1;
  std::string path;  // the file it was read from
  std::vector<System> systems;
  std::vector<Identity> identities;

  // Null when absent. O(log n): the indexes are built by BuildIndex().
  const System* FindSystem(std::string_view name) const;
  const Identity* FindIdentity(std::string_view name) const;
  void BuildIndex();

 private:
  std::map<std::string, size_t, std::less<>> system_index_;
  std::map<std::string, size_t, std::less<>> identity_index_;
};

std::string_view KindName(CredentialKind kind);
std::string_view AlphabetName(Alphabet alphabet);
std::string_view CharClassName(CharClass c);

}  // namespace rekey
