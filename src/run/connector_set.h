// ConnectorSet: the issuer and holder connectors of one identity's bindings, built from the
// registry on first use and kept for the run. Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "connectors/connector.h"
#include "connectors/registry.h"

namespace rekey {

class ConnectorSet {
 public:
  // RESOURCES (admin connection pools) are shared with the other sets of the process; null
  // gives this set its own.
  ConnectorSet(Env* env, SystemResources* resources, const Inventory& inventory,
               const Identity& identity)
      : env_(env),
        resources_(resources != nullptr ? resources : &own_resources_),
        inventory_(inventory),
        identity_(identity) {}

  // The connector of the issuer / holder binding NAME; not_found for an unknown name, or the
  // factory's error. The pointer lives as long as this set.
  Result<Issuer*> IssuerFor(const std::string& name);
  Result<Holder*> HolderFor(const std::string& name);
  // The capabilities of the holder binding NAME (write_only: it cannot be read back);
  // not_found for an unknown name.
  Result<Capabilities> HolderCapabilities(const std::string& name);

  // invalid_argument naming the first consumer with an http action (not implemented yet), so a
  // run refuses to start rather than block halfway.
  static Status CheckImplemented(const Identity& identity);

 private:
  Result<ConnectorContext> ContextFor(const Binding& binding);
  // The binding NAME among BINDINGS (a ROLE: "issuer" or "holder"), its context and its type.
  struct Resolved {
    ConnectorContext context;
    const ConnectorType* type;
  };
  Result<Resolved> Resolve(const std::vector<Binding>& bindings, const char* role,
                           const std::string& name);
  // What IssuerFor and HolderFor share: the connector kept in MADE under NAME, else made by the
  // type's factory MAKE (a ConnectorType member) and kept.
  template <typename T>
  using Factory = Result<std::unique_ptr<T>> (*)(const ConnectorContext&);
  template <typename T>
  Result<T*> Made(std::map<std::string, std::unique_ptr<T>>& made,
                  const std::vector<Binding>& bindings, const char* role, const std::string& name,
                  Factory<T> ConnectorType::*make);

  Env* env_;
  SystemResources own_resources_;
  SystemResources* resources_;
  const Inventory& inventory_;
  const Identity& identity_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Issuer>> issuers_;
  std::map<std::string, std::unique_ptr<Holder>> holders_;
};

}  // namespace rekey
