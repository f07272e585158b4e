// The real servers a test needs, as scripts/test-services started them: CTest starts them once
// per test run (the fixture "services", see CMakeLists.txt) in this build tree's own directory,
// and the tests read the addresses and admin password files from its `env` file.
#pragma once

#include <map>
#include <string>

namespace rekey::testing_services {

// REKEY_SERVICES_DIR if set, else this build tree's directory.
std::string Dir();

// The KEY=VALUE lines of Dir()/env. A test that needs a server it does not list fails (ADD_FAILURE)
// with how to start it, and gets "".
std::string Get(const std::string& key);

// For a test that stops a server mid-run on a private instance (scripts/test-services --dir
// DIR), so that the shared ones are never stopped: from UsePrivate(DIR) until UseShared(),
// Setting(KEY) reads DIR/env ("" for a key it lacks) instead of the shared settings. CTest runs
// each test in a process of its own.
void UsePrivate(const std::string& dir);
void UseShared();
std::string Setting(const std::string& key);

// The content of the file named by KEY (an admin password file), or "" (and a failure).
std::string ReadFileNamedBy(const std::string& key);

}  // namespace rekey::testing_services
