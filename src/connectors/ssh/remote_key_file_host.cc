// An edit is one command on the host, in one channel, that holds the directory's lock for the
// whole exchange: it prints the file (after a header "MODE UID:GID SIZE"), then reads what to do
// on stdin ("keep", or "write", "MODE UID:GID" and the new text) and, for a write, replaces the
// file atomically and prints "written". Only public keys cross this channel.
#include <charconv>

#include "connectors/ssh/key_file_host.h"

namespace rekey::ssh {
namespace {

// $1: the path ("" for ~$2/.ssh/authorized_keys), $2: the user. Exit 3: bad path; 75: busy.
constexpr std::string_view kEditScript = R"sh(set -eu
f=$1
if [ -z "$f" ]; then
  h=$(getent passwd "$2" | cut -d: -f6) || h=
  [ -n "$h" ] || { echo "no user \"$2\" on the host" >&2; exit 3; }
  f=$h/.ssh/authorized_keys
fi
case $f in /*) ;; *) echo "$f is not an absolute path" >&2; exit 3 ;; esac
g=$(readlink -f -- "$f") || { echo "the directory of $f does not exist" >&2; exit 3; }
d=${g%/*}
[ -n "$d" ] || d=/
[ -d "$d" ] || { echo "$d does not exist" >&2; exit 3; }
exec 8<"$d"
flock -w 10 8 || { echo "another edit holds the lock on $d" >&2; exit 75; }
if [ -e "$g" ]; then stat -c '%a %u:%g %s' -- "$g"; cat -- "$g"; else stat -c '600 %u:%g 0' -- "$d"; fi
IFS= read -r verb || verb=
[ "$verb" = write ] || exit 0
IFS= read -r attrs
t=$g.rekey-tmp.$$
trap 'rm -f -- "$t"' EXIT
(umask 077 && cat >"$t")
chmod "${attrs% *}" -- "$t"
chown "${attrs#* }" -- "$t"
sync -- "$t" 2>/dev/null || sync
mv -f -- "$t" "$g"
trap - EXIT
sync -- "$d" 2>/dev/null || true
echo written
)sh";

// The first line of TEXT, at most 200 bytes.
std::string FirstLine(const std::string& text) {
  return text.substr(0, text.find('\n')).substr(0, 200);
}

Status ExitStatus(int status, const std::string& what, const std::string& err) {
  if (status == 0) {
    return Status::Ok();
  }
  std::string message =
      what + " exited " + std::to_string(status) + (err.empty() ? "" : ": " + FirstLine(err));
  if (status == 75) {
    return Status::Unavailable(message);
  }
  if (status == 3) {
    return Status::NotFound(message);
  }
  return Status::Internal(message);
}

struct Header {
  std::string attributes;  // "MODE UID:GID"
  size_t size = 0;
  size_t length = 0;  // of the header line, with its newline
};

Result<Header> ParseHeader(const std::string& out) {
  size_t newline = out.find('\n');
  size_t space = out.rfind(' ', newline);
  Header h;
  if (newline == std::string::npos || space == std::string::npos ||
      std::from_chars(out.data() + space + 1, out.data() + newline, h.size).ec != std::errc()) {
    return Status::Internal("the remote edit printed no valid header");
  }
  h.attributes = out.substr(0, space);
  h.length = newline + 1;
  return h;
}

class RemoteKeyFileHost final : public KeyFileHost {
 public:
  explicit RemoteKeyFileHost(SessionPool* pool) : pool_(pool) {}

  Status EditFile(const KeyFile& file, const Edit& edit, Deadline deadline) override {
    std::string command = "sh -c " + ShellQuote(kEditScript) + " rekey-edit " +
                          ShellQuote(file.path) + " " + ShellQuote(file.user);
    return WithSession(deadline, [&](SshSession& session) -> Status {
      auto channel = session.Exec(command, deadline);
      if (!channel.ok()) {
        return channel.status();
      }
      SshChannel& c = **channel;
      REKEY_RETURN_IF_ERROR(c.ReadUntil(1, deadline));
      while (c.out().find('\n') == std::string::npos) {
        size_t had = c.out().size();
        REKEY_RETURN_IF_ERROR(c.ReadUntil(had + 1, deadline));
        if (c.out().size() == had) {
          break;  // the command ended
        }
      }
      Result<Header> header = ParseHeader(c.out());
      if (!header.ok()) {
        Result<int> status = c.Wait(deadline);
        REKEY_RETURN_IF_ERROR(ExitStatus(status.value_or(-1), "remote edit", c.err()));
        return header.status();
      }
      REKEY_RETURN_IF_ERROR(c.ReadUntil(header->length + header->size, deadline));
      std::optional<std::string> updated = edit(c.out().substr(header->length, header->size));
      REKEY_RETURN_IF_ERROR(
          c.Write(updated ? "write\n" + header->attributes + "\n" + *updated : "keep\n"));
      REKEY_RETURN_IF_ERROR(c.CloseStdin());
      Result<int> status = c.Wait(deadline);
      if (!status.ok()) {
        return status.status();
      }
      REKEY_RETURN_IF_ERROR(ExitStatus(*status, "remote edit", c.err()));
      if (updated && c.out().substr(header->length + header->size) != "written\n") {
        return Status(StatusCode::kUnknownOutcome, "the remote edit did not confirm its write");
      }
      return Status::Ok();
    });
  }

  Status Run(const std::vector<std::string>& argv, Deadline deadline) override {
    std::string command;
    for (const std::string& word : argv) {
      command += (command.empty() ? "" : " ") + ShellQuote(word);
    }
    return WithSession(deadline, [&](SshSession& session) -> Status {
      auto channel = session.Exec(command, deadline);
      if (!channel.ok()) {
        return channel.status();
      }
      REKEY_RETURN_IF_ERROR((*channel)->CloseStdin());
      Result<int> status = (*channel)->Wait(deadline);
      if (!status.ok()) {
        return status.status();
      }
      // Exit 1: nothing matched (pkill), so nothing to end.
      return ExitStatus(*status == 1 ? 0 : *status, "end_sessions command", (*channel)->err());
    });
  }

 private:
  // DO on a pooled admin session; a session that failed is discarded.
  Status WithSession(Deadline deadline, const std::function<Status(SshSession&)>& work) {
    auto lease = pool_->Acquire(deadline);
    if (!lease.ok()) {
      return lease.status();
    }
    Status s = work(**lease);
    if ((*lease)->broken() || !s.ok()) {
      lease->Discard();
    }
    return s;
  }

  SessionPool* pool_;
};

}  // namespace

std::unique_ptr<KeyFileHost> MakeRemoteKeyFileHost(SessionPool* pool) {
  return std::make_unique<RemoteKeyFileHost>(pool);
}

}  // namespace rekey::ssh
