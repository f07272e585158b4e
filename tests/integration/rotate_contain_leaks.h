// The canary check every real-server end-to-end test makes: a rotate and then a contain of the
// sandbox's identity, and a search of what rekey left (its state directory, its output) for any
// form of the three values that passed through it.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "canary.h"
#include "harness.h"

namespace rekey::it {

struct RotateContainLeaks {
  bool ran = false;  // both runs succeeded with two distinct values (else a test failure said why)
  // {"adopted", ADOPTED}, {"rotated", ...}, {"contained", ...}: the new values as the dotenv
  // holder received them. Search a server's own log for them too.
  std::vector<std::pair<std::string, std::string>> values;
  std::vector<Leak> leaks;  // found in the state directory and rekey's output
};

// Runs `rotate` then `contain` in BOX, whose identity's current value is ADOPTED.
RotateContainLeaks RotateContainAndSearch(const Sandbox& box, const std::string& adopted);

}  // namespace rekey::it
