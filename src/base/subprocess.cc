#include "base/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>

#include "base/file_descriptor.h"

namespace rekey {
namespace {

struct Pipe {
  FileDescriptor read;
  FileDescriptor write;
};

Result<Pipe> MakePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return Status::Unavailable(std::string("pipe: ") + std::strerror(errno));
  }
  return Pipe{FileDescriptor(fds[0]), FileDescriptor(fds[1])};
}

// The child's environment: a short allowlist of ours, then the spec's own entries.
std::vector<std::string> ChildEnvironment(const ProcessSpec& spec) {
  std::vector<std::string> env;
  for (const char* name : {"PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR"}) {
    if (const char* v = std::getenv(name)) {
      env.push_back(std::string(name) + "=" + v);
    }
  }
  env.insert(env.end(), spec.env.begin(), spec.env.end());
  return env;
}

// In the child, between fork and exec: only async-signal-safe calls.
[[noreturn]] void ExecChild(char* const* argv, char* const* envp, int in, int out, int err, int fd3,
                            int report, pid_t parent) {
  ::setpgid(0, 0);
  // If rekey dies (a crash, SIGKILL), so does the command: resume re-checks the system and
  // repeats the step, and must not race a leftover install from the dead run.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) {
    ::_exit(128 + SIGKILL);
  }
  ::signal(SIGPIPE, SIG_DFL);
  // Move the descriptors out of the 0..3 range first so the dup2 calls cannot clobber each other.
  int moved[4] = {::fcntl(in, F_DUPFD_CLOEXEC, 10), ::fcntl(out, F_DUPFD_CLOEXEC, 10),
                  ::fcntl(err, F_DUPFD_CLOEXEC, 10),
                  fd3 >= 0 ? ::fcntl(fd3, F_DUPFD_CLOEXEC, 10) : -1};
  for (int target = 0; target < 4; ++target) {
    if (moved[target] >= 0) {
      ::dup2(moved[target], target);  // dup2 clears FD_CLOEXEC on the target
    }
  }
  if (moved[3] < 0) {
    ::close(3);
  }
  ::execvpe(argv[0], argv, envp);
  int e = errno;
  ssize_t ignored = ::write(report, &e, sizeof e);
  (void)ignored;
  ::_exit(127);
}

// Writes as much of DATA as the pipe takes without blocking; closes FD when all is written.
void Feed(FileDescriptor& fd, std::string_view& data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd.get(), data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      if (errno == EAGAIN) {
        return;
      }
      data = {};  // EPIPE: the child does not read; stop feeding
      break;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  fd.Reset();
}

void Drain(FileDescriptor& fd, std::string& out) {
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n > 0) {
      out.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0 && errno == EAGAIN) {
      return;
    }
    fd.Reset();  // EOF or error
    return;
  }
}

int DecodeWaitStatus(int status) {
  if (WIFEXITED(status)) {
    return WEXITSTATUS(status);
  }
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

}  // namespace

Result<ProcessResult> RunProcess(const ProcessSpec& spec) {
  static std::once_flag ignore_sigpipe;
  std::call_once(ignore_sigpipe, [] { ::signal(SIGPIPE, SIG_IGN); });
  if (spec.argv.empty()) {
    return Status::InvalidArgument("empty command");
  }
  std::vector<char*> argv;
  for (const std::string& a : spec.argv) {
    argv.push_back(const_cast<char*>(a.c_str()));
  }
  argv.push_back(nullptr);
  std::vector<std::string> env_strings = ChildEnvironment(spec);
  std::vector<char*> envp;
  for (std::string& e : env_strings) {
    envp.push_back(e.data());
  }
  envp.push_back(nullptr);

  auto in = MakePipe(), out = MakePipe(), err = MakePipe(), report = MakePipe();
  Result<Pipe> fd3 = spec.fd3_data ? MakePipe() : Result<Pipe>(Pipe{});
  for (const auto* p : {&in, &out, &err, &report, &fd3}) {
    if (!p->ok()) {
      return p->status();
    }
  }
  // The values go into the pipes before the child exists, so a child never starts with only
  // part of its input because we were killed between fork and write (a value fits the pipe
  // buffer; only a larger one is fed, after the fork, by the loop below).
  for (FileDescriptor* fd : {&in->write, &fd3->write}) {
    if (fd->valid()) {
      ::fcntl(fd->get(), F_SETFL, O_NONBLOCK);
    }
  }
  std::string_view stdin_left = spec.stdin_data;
  std::string_view fd3_left = spec.fd3_data.value_or(std::string_view());
  Feed(in->write, stdin_left);
  if (fd3->write.valid()) {
    Feed(fd3->write, fd3_left);
  }
  auto deadline = std::chrono::steady_clock::now() + spec.timeout;
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    return Status::Unavailable(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ExecChild(argv.data(), envp.data(), in->read.get(), out->write.get(), err->write.get(),
              spec.fd3_data ? fd3->read.get() : -1, report->write.get(), parent);
  }
  ::setpgid(pid, pid);  // also done in the child: whichever runs first wins the race
  in->read.Reset();
  out->write.Reset();
  err->write.Reset();
  report->write.Reset();
  fd3->read.Reset();

  int exec_errno = 0;
  if (::read(report->read.get(), &exec_errno, sizeof exec_errno) == sizeof exec_errno) {
    ::waitpid(pid, nullptr, 0);
    return Status::Unavailable("cannot run " + spec.argv[0] + ": " + std::strerror(exec_errno));
  }

  for (FileDescriptor* fd : {&out->read, &err->read}) {
    ::fcntl(fd->get(), F_SETFL, O_NONBLOCK);
  }
  ProcessResult result;
  // Runs until the child has exited and its output is drained, or the deadline. A background
  // process that keeps the pipes open does not hold us past a short grace after the child exits.
  int status = 0;
  bool exited = false;
  std::optional<std::chrono::steady_clock::time_point> drain_until;
  for (;;) {
    if (!exited && ::waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      drain_until = std::chrono::steady_clock::now() + Millis(100);
    }
    bool open = out->read.valid() || err->read.valid();
    auto now = std::chrono::steady_clock::now();
    if (exited && (!open || now >= *drain_until)) {
      break;
    }
    if (now >= deadline) {
      result.timed_out = true;
      break;
    }
    std::vector<pollfd> fds;
    for (FileDescriptor* fd : {&out->read, &err->read}) {
      if (fd->valid()) {
        fds.push_back({fd->get(), POLLIN, 0});
      }
    }
    for (FileDescriptor* fd : {&in->write, &fd3->write}) {
      if (fd->valid()) {
        fds.push_back({fd->get(), POLLOUT, 0});
      }
    }
    // Short waits while the child runs: its exit is noticed by polling waitpid, not a signal.
    ::poll(fds.data(), fds.size(), 10);
    if (in->write.valid()) {
      Feed(in->write, stdin_left);
    }
    if (fd3->write.valid()) {
      Feed(fd3->write, fd3_left);
    }
    if (out->read.valid()) {
      Drain(out->read, result.stdout_data);
    }
    if (err->read.valid()) {
      Drain(err->read, result.stderr_data);
    }
  }
  if (result.timed_out) {
    ::kill(-pid, SIGKILL);  // the whole group: a child's own children must not outlive it
  }
  if (!exited) {
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  result.exit_code = DecodeWaitStatus(status);
  return result;
}

}  // namespace rekey
