// reset_latency: one rotate of an identity accepted by PostgreSQL and Redis and held in three
// files, with full verification, through the real executor, store and audit log; beside it, in
// the same program and on the same servers, the bare operations that reset needs done directly
// (the same statements, logins and file writes, no journal). Prints both medians and the ratio.
// Admin connections are kept across iterations on both sides (rekey's pool is per process).
// Run: build/release/bench/reset_latency [ITERATIONS]   (starts its own servers)
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <postgresql/libpq-fe.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "audit/audit_log.h"
#include "inventory/loader.h"
#include "plan/plan_json.h"
#include "plan/planner.h"
#include "run/executor.h"
#include "run/step_action.h"
#include "secret/fingerprint.h"
#include "secret/generator.h"
#include "secret/sealer.h"
#include "store/store.h"

namespace rekey {
namespace {

using Clock = std::chrono::steady_clock;

void Fail(const std::string& what) {
  std::fprintf(stderr, "reset_latency: %s\n", what.c_str());
  std::exit(1);
}

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::map<std::string, std::string> Vars(const std::string& dir) {
  std::map<std::string, std::string> vars;
  std::stringstream in(Read(dir + "/env"));
  for (std::string line; std::getline(in, line);) {
    vars[line.substr(0, line.find('='))] = line.substr(line.find('=') + 1);
  }
  return vars;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// --- the bare operations ---------------------------------------------------------------------

struct Bare {
  PGconn* pg = nullptr;
  redisContext* redis = nullptr;
  std::string pg_port;
  std::string redis_host;
  int redis_port = 0;

  void Pg(const std::string& sql) {
    PGresult* r = PQexec(pg, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
      Fail("bare: " + sql + ": " + PQerrorMessage(pg));
    }
    PQclear(r);
  }
  bool PgLogin(const std::string& password) {
    const char* keys[] = {"host", "port", "dbname", "user", "password", nullptr};
    const char* values[] = {"127.0.0.1", pg_port.c_str(),  "postgres",
                            "bench_app", password.c_str(), nullptr};
    PGconn* c = PQconnectdbParams(keys, values, 0);
    bool ok = PQstatus(c) == CONNECTION_OK;
    PQfinish(c);
    return ok;
  }
  void Redis(const std::vector<std::string>& argv) {
    std::vector<const char*> a;
    std::vector<size_t> l;
    for (const std::string& s : argv) {
      a.push_back(s.data());
      l.push_back(s.size());
    }
    auto* r = static_cast<redisReply*>(
        redisCommandArgv(redis, static_cast<int>(a.size()), a.data(), l.data()));
    if (r == nullptr || r->type == REDIS_REPLY_ERROR) {
      Fail("bare: redis " + argv[0]);
    }
    freeReplyObject(r);
  }
  bool RedisAuth(const std::string& password) {
    redisContext* c = redisConnect(redis_host.c_str(), redis_port);
    auto* r = static_cast<redisReply*>(redisCommand(c, "AUTH bench-app %s", password.c_str()));
    bool ok = r != nullptr && r->type != REDIS_REPLY_ERROR;
    freeReplyObject(r);
    redisFree(c);
    return ok;
  }
  static void WriteFile(const std::string& path, const std::string& text) {
    std::string tmp = path + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()) ||
        ::fsync(fd) != 0 || ::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
      Fail("bare: write " + path);
    }
    int dir = ::open(path.substr(0, path.rfind('/')).c_str(), O_RDONLY);
    ::fsync(dir);
    ::close(dir);
    if (Read(path) != text) {
      Fail("bare: read back " + path);
    }
  }

  // What a rotate does: install, verify new, write the holders, end sessions, remove the old,
  // verify old rejected; on both servers.
  void Rotate(const std::string& old_value, const std::string& new_value,
              const std::vector<std::string>& files) {
    char* verifier = PQencryptPasswordConn(pg, new_value.c_str(), "bench_app", "scram-sha-256");
    Pg("ALTER ROLE bench_app PASSWORD '" + std::string(verifier) + "'");
    PQfreemem(verifier);
    Redis({"ACL", "SETUSER", "bench-app", ">" + new_value});
    if (!PgLogin(new_value) || !RedisAuth(new_value)) {
      Fail("bare: new value not accepted");
    }
    for (const std::string& f : files) {
      WriteFile(f, "PASSWORD=" + new_value + "\n");
    }
    Pg("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'bench_app'");
    Redis({"ACL", "SETUSER", "bench-app", "<" + old_value});
    Redis({"CLIENT", "KILL", "USER", "bench-app"});
    if (PgLogin(old_value) || RedisAuth(old_value)) {
      Fail("bare: old value still accepted");
    }
  }
};

// --- rekey --------------------------------------------------------------------------------------

std::string InventoryText(const std::map<std::string, std::string>& v, const std::string& dir) {
  std::string text =
      "version: 1\nsystems:\n"
      "  db: { type: postgres, dsn: \"" +
      v.at("REKEY_PG_DSN") + "\", admin_secret: { file: " + v.at("REKEY_PG_ADMIN_PASSWORD_FILE") +
      " } }\n"
      "  cache: { type: redis, address: \"" +
      v.at("REKEY_REDIS_ADDRESS") + "\", admin_user: rekey-admin, admin_secret: { file: " +
      v.at("REKEY_REDIS_ADMIN_PASSWORD_FILE") +
      " } }\n"
      "  files: { type: file }\n"
      "identities:\n  svc:\n    kind: password\n"
      "    issuers: [{ system: db, role: bench_app }, "
      "{ system: cache, user: bench-app }]\n    holders:\n";
  for (int i = 0; i < 3; ++i) {
    text += "      - { name: f" + std::to_string(i) + ", system: files, path: " + dir + "/rekey-" +
            std::to_string(i) + ".env, format: dotenv, key: PASSWORD }\n";
  }
  return text;
}

int Main(int argc, char** argv) {
  int iterations = argc > 1 ? std::atoi(argv[1]) : 30;
  std::string dir = "/tmp/rekey-reset-latency-" + std::to_string(::getpid());
  std::string services = dir + "/services";
  std::string script = std::string(REKEY_SOURCE_DIR) + "/scripts/test-services";
  (void)DefaultEnv()->CreateDirs(dir, 0711);
  ::chmod(dir.c_str(), 0711);
  if (std::system((script + " --dir " + services + " start postgres redis >/dev/null").c_str())) {
    Fail("cannot start the servers");
  }
  auto v = Vars(services);
  std::string pg_admin = Read(v.at("REKEY_PG_ADMIN_PASSWORD_FILE"));
  std::string redis_admin = Read(v.at("REKEY_REDIS_ADMIN_PASSWORD_FILE"));

  Bare bare;
  bare.pg_port = v.at("REKEY_PG_PORT");
  bare.redis_host = v.at("REKEY_REDIS_HOST");
  bare.redis_port = std::atoi(v.at("REKEY_REDIS_PORT").c_str());
  bare.pg = PQconnectdb((v.at("REKEY_PG_DSN") + " password=" + pg_admin).c_str());
  bare.redis = redisConnect(bare.redis_host.c_str(), bare.redis_port);
  if (PQstatus(bare.pg) != CONNECTION_OK || bare.redis == nullptr || bare.redis->err) {
    Fail("cannot connect as admin");
  }
  bare.Redis({"AUTH", "rekey-admin", redis_admin});
  std::string value = "initial-bench-value";
  bare.Pg("CREATE ROLE bench_app LOGIN PASSWORD '" + value + "'");
  bare.Redis({"ACL", "SETUSER", "bench-app", "on", ">" + value, "~*", "+@all"});

  // rekey: a state directory, the value adopted, then one run per iteration.
  Env* env = DefaultEnv();
  std::string state = dir + "/state";
  (void)env->CreateDirs(state, 0700);
  auto key = MasterKey::Create(env, state + "/master.key");
  auto store = OpenStore(env, state);
  auto audit = AuditLog::Open(state + "/audit.log");
  if (!key.ok() || !store.ok() || !audit.ok()) {
    Fail("cannot open the state directory");
  }
  std::string text = InventoryText(v, dir);
  Diagnostics d("bench.yaml");
  auto inv = ParseInventory(text, "bench.yaml", &d);
  if (!inv.ok()) {
    Fail(d.Format());
  }
  const Identity& id = inv->identities[0];
  SecretBytes adopted(value);
  if (!(*store)
           ->Adopt("svc", {Sealer(*key).Seal(adopted, SealingContext("svc")),
                           Fingerprinter(*key).Fingerprint(adopted), "", env->Now()})
           .ok()) {
    Fail("adopt");
  }
  Plan plan = *MakePlan(*inv, id, Strategy::kRotate);
  Failpoints failpoints(env);
  SystemResources resources;
  for (int i = 0; i < 3; ++i) {
    std::ofstream(dir + "/rekey-" + std::to_string(i) + ".env") << "PASSWORD=" << value << "\n";
  }
  std::vector<std::string> bare_files;
  for (int i = 0; i < 3; ++i) {
    bare_files.push_back(dir + "/bare-" + std::to_string(i) + ".env");
  }

  std::vector<double> rekey_ms, bare_ms;
  for (int i = 0; i < iterations; ++i) {
    RunRecord run;
    run.id = "bench-" + std::to_string(i);
    run.identity = "svc";
    run.strategy = Strategy::kRotate;
    run.plan_json = PlanToJson(plan).dump();
    run.inventory_text = text;
    run.started_at = env->Now();
    std::vector<int> ids;
    for (const Step& s : plan.steps) {
      ids.push_back(s.id);
    }
    auto start = Clock::now();
    Status created = (*store)->CreateRun(run, ids);
    auto ended = ExecuteRun({env, store->get(), audit->get(), &failpoints, &*key, &resources}, *inv,
                            plan, run, {});
    rekey_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    if (!created.ok() || !ended.ok() || ended->state != RunState::kSucceeded) {
      Fail("rekey run " + run.id +
           " did not succeed: " + (ended.ok() ? ended->blocked_reason : ended.status().ToString()));
    }

    // The bare reset starts from what the servers accept now: rekey's new value.
    std::string held = Read(dir + "/rekey-0.env");
    std::string rekeys = held.substr(held.find('=') + 1, held.find('\n') - held.find('=') - 1);
    std::string bare_new = "bare-value-" + std::to_string(i) + "-Xq9";
    start = Clock::now();
    bare.Rotate(rekeys, bare_new, bare_files);
    bare_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    // The next rekey run starts from what the server accepts now: the bare value.
    SecretBytes current(bare_new);
    (void)(*store)->Adopt("svc", {Sealer(*key).Seal(current, SealingContext("svc")),
                                  Fingerprinter(*key).Fingerprint(current), "", env->Now()});
  }
  PQfinish(bare.pg);
  redisFree(bare.redis);
  std::system((script + " --dir " + services + " stop >/dev/null").c_str());
  std::system(("rm -rf " + dir).c_str());

  double r = Median(rekey_ms), b = Median(bare_ms);
  std::printf("reset of one identity: PostgreSQL + Redis issuers, 3 file holders, %d iterations\n",
              iterations);
  std::printf("%-44s %10s\n", "", "median ms");
  std::printf("%-44s %10.1f\n", "rekey run (rotate, journaled, verified)", r);
  std::printf("%-44s %10.1f\n", "bare operations (same statements and logins)", b);
  std::printf("%-44s %10.2f\n", "ratio rekey / bare", r / b);
  return 0;
}

}  // namespace
}  // namespace rekey

int main(int argc, char** argv) { return rekey::Main(argc, argv); }
