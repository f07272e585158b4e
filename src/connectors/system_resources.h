// SystemResources: what the connectors of one process share, per system: admin connection pools
// above all, so that every step of every identity of a run reuses one set of admin connections
// to a system instead of logging in for each step. Created once by whoever runs connectors (the
// CLI, a benchmark) and handed to every connector in its ConnectorContext.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <typeindex>

#include "base/check.h"

namespace rekey {

class SystemResources {
 public:
  // The object of type T kept under KEY (by convention "TYPE/SYSTEM", e.g. "redis/cache"),
  // made by MAKE on first use; later calls return the same object. Thread-safe; the object
  // lives as long as this SystemResources. REQUIRES: a KEY is only ever used with one T.
  template <typename T, typename Make>
  T& Get(const std::string& key, Make make) {
    std::lock_guard lock(mu_);
    Entry& e = objects_[key];
    if (e.object == nullptr) {
      std::shared_ptr<T> made = make();
      e.object = made;
      e.type = typeid(T);
    }
    REKEY_CHECK(e.type == typeid(T));
    return *static_cast<T*>(e.object.get());
  }

 private:
  struct Entry {
    std::shared_ptr<void> object;  // keeps T's own deleter
    std::type_index type = typeid(void);
  };
  std::mutex mu_;
  std::map<std::string, Entry> objects_;
};

}  // namespace rekey
