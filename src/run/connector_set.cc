#include "run/connector_set.h"

#include "base/check.h"
#include "connectors/registry.h"

namespace rekey {
namespace {

const Binding* Find(const std::vector<Binding>& bindings, const std::string& name) {
  for (const Binding& b : bindings) {
    if (b.name == name) {
      return &b;
    }
  }
  return nullptr;
}

}  // namespace

Result<ConnectorContext> ConnectorSet::ContextFor(const Binding& binding) {
  const System* system = inventory_.FindSystem(binding.system);
  if (system == nullptr) {
    return Status::NotFound("no system \"" + binding.system + "\"");
  }
  return ConnectorContext{env_, system, &identity_, &binding, resources_};
}

Result<ConnectorSet::Resolved> ConnectorSet::Resolve(const std::vector<Binding>& bindings,
                                                     const char* role, const std::string& name) {
  const Binding* b = Find(bindings, name);
  if (b == nullptr) {
    return Status::NotFound("identity \"" + identity_.name + "\" has no " + role + " \"" + name +
                            "\"");
  }
  auto context = ContextFor(*b);
  if (!context.ok()) {
    return context.status();
  }
  const ConnectorType* type = FindConnectorType(context->system->type);
  if (type == nullptr) {
    return Status::Internal("no connector type \"" + context->system->type + "\"");
  }
  return Resolved{*context, type};
}

Result<Capabilities> ConnectorSet::HolderCapabilities(const std::string& name) {
  auto r = Resolve(identity_.holders, "holder", name);
  if (!r.ok()) {
    return r.status();
  }
  return r->type->capabilities(r->context.system->options, r->context.binding->options);
}

template <typename T>
Result<T*> ConnectorSet::Made(std::map<std::string, std::unique_ptr<T>>& made,
                              const std::vector<Binding>& bindings, const char* role,
                              const std::string& name, Factory<T> ConnectorType::*make) {
  std::lock_guard lock(mu_);
  if (auto it = made.find(name); it != made.end()) {
    return it->second.get();
  }
  auto r = Resolve(bindings, role, name);
  if (!r.ok()) {
    return r.status();
  }
  Factory<T> factory = r->type->*make;
  REKEY_CHECK(factory != nullptr);  // validation checked the type plays the role
  auto connector = factory(r->context);
  if (!connector.ok()) {
    return connector.status();
  }
  return (made[name] = std::move(*connector)).get();
}

Result<Issuer*> ConnectorSet::IssuerFor(const std::string& name) {
  return Made(issuers_, identity_.issuers, "issuer", name, &ConnectorType::make_issuer);
}

Result<Holder*> ConnectorSet::HolderFor(const std::string& name) {
  return Made(holders_, identity_.holders, "holder", name, &ConnectorType::make_holder);
}

Status ConnectorSet::CheckImplemented(const Identity& identity) {
  for (const Consumer& c : identity.consumers) {
    for (const std::optional<Action>* a : {&c.reload, &c.confirm, &c.attest}) {
      if (a->has_value() && !(*a)->http.empty()) {
        return Status::InvalidArgument("identity \"" + identity.name + "\": consumer \"" + c.name +
                                       "\" has an http action, which validates and plans but "
                                       "cannot run yet: use { exec: [curl, ...] } for now");
      }
    }
  }
  return Status::Ok();
}

}  // namespace rekey
