// The `gitlab-ci` holder: a GitLab CI/CD variable of a project or a group, through the REST API
// (v4). See doc/connectors/gitlab-ci.md.
#pragma once

#include <memory>

#include "base/result.h"
#include "connectors/connector.h"

namespace rekey::gitlab {

// A holder for CONTEXT's binding: `project` or `group` (an id or a full path), `variable`,
// `environment_scope` (default *). System options: `url`, `admin_secret` (a token with api
// scope, sent as PRIVATE-TOKEN), `ca_file`.
//
// Write reads the variable (filtered by its environment scope); when it holds the value,
// nothing more (idempotent); when it is absent it is created (masked, not protected, in the
// scope); otherwise only its value is updated: masked, protected, scope and the rest stay as
// they are. Read: not_found when absent; a hidden variable (GitLab never returns its value) is
// invalid_argument, since it cannot be verified. GitLab has no conditional update: a writer
// between the read and the update is not detected. Errors name the system, the variable and
// its owner, and the HTTP status. Thread-safe.
Result<std::unique_ptr<Holder>> MakeGitlabCiHolder(const ConnectorContext& context);

}  // namespace rekey::gitlab
