// Independent clients for the htpasswd issuer's tests, sharing no code with rekey: curl asks the
// nginx that scripts/test-services started what it answers, and Apache's htpasswd -v says whether
// a file's line verifies. Passwords go on the clients' stdin, never in their argv.
#pragma once

#include <string>
#include <string_view>

namespace rekey::testing_services {

// The HTTP status nginx answers at PATH (on REKEY_NGINX_URL) for USER:PASSWORD; -1 (and a test
// failure) when curl cannot ask.
int BasicAuthAnswer(const std::string& path, const std::string& user, std::string_view password);

// Whether `htpasswd -v` verifies PASSWORD for USER in FILE.
bool ApacheVerifies(const std::string& file, const std::string& user, std::string_view password);

// The "user:hash" line `htpasswd -n -B -C 4` makes for USER and PASSWORD, as an operator would
// have written it (without its newline); "" (and a test failure) when it fails.
std::string ApacheLine(const std::string& user, std::string_view password);

}  // namespace rekey::testing_services
