// reset_latency: one rotate of an identity accepted by PostgreSQL and Redis and held in three
// files, with full verification, through the real executor, store and audit log; beside it, in
// the same program and on the same servers, the bare operations that reset needs done directly
// (the same statements, logins and file writes, no journal). Prints both medians and the ratio.
// Then the same, in a second table, for an LDAP password (slapd, Password Modify as the admin),
// an SSH key (sshd, authorized_keys edited on this machine) and an HTTP basic auth user (nginx,
// an htpasswd line): three identities, since a password and an ssh_key are different kinds and
// one value rarely lives in both a directory and an htpasswd file, each with one issuer and no
// holder. Admin connections are
// kept across iterations on both sides (rekey's pool is per process).
// Run: build/release/bench/reset_latency [ITERATIONS [SSH_ITERATIONS]]   (starts its own servers)
// SSH_ITERATIONS defaults to ITERATIONS / 3, at least 3 (an iteration logs in to sshd 4 times).
#include <curl/curl.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <ldap.h>
#include <libssh/libssh.h>
#include <postgresql/libpq-fe.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <vector>

#include "audit/audit_log.h"
#include "connectors/htpasswd/bcrypt.h"
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

// Once the servers run: the shell command that stops them and deletes the bench's directory.
std::string g_cleanup;

void Fail(const std::string& what) {
  std::fprintf(stderr, "reset_latency: %s\n", what.c_str());
  if (!g_cleanup.empty()) {
    std::system(g_cleanup.c_str());
  }
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
  // Atomically (temporary file, fsync, rename, fsync of the directory), mode 0600, owned by
  // OWNER:GROUP when given.
  static void WriteFile(const std::string& path, const std::string& text, uid_t owner = -1,
                        gid_t group = -1) {
    std::string tmp = path + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ::fchown(fd, owner, group) != 0 ||
        ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()) ||
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

// An LDAP password: Password Modify as the admin (connection kept), then a simple bind with the
// new value on a new connection (accepted) and one with the old (49, invalid credentials).
struct BareLdap {
  LDAP* admin = nullptr;
  std::string url;
  std::string dn;

  static LDAP* Open(const std::string& url) {
    LDAP* ld = nullptr;
    int version = LDAP_VERSION3;
    if (ldap_initialize(&ld, url.c_str()) != LDAP_SUCCESS ||
        ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version) != LDAP_OPT_SUCCESS) {
      Fail("bare: ldap_initialize " + url);
    }
    return ld;
  }
  static int Bind(LDAP* ld, const std::string& dn, const std::string& password) {
    berval cred{password.size(), const_cast<char*>(password.data())};
    return ldap_sasl_bind_s(ld, dn.c_str(), LDAP_SASL_SIMPLE, &cred, nullptr, nullptr, nullptr);
  }
  bool Accepts(const std::string& password) const {
    LDAP* ld = Open(url);
    int rc = Bind(ld, dn, password);
    ldap_unbind_ext_s(ld, nullptr, nullptr);
    if (rc != LDAP_SUCCESS && rc != LDAP_INVALID_CREDENTIALS) {
      Fail(std::string("bare: ldap bind: ") + ldap_err2string(rc));
    }
    return rc == LDAP_SUCCESS;
  }
  void Rotate(const std::string& old_value, const std::string& new_value) {
    berval user{dn.size(), dn.data()};
    berval fresh{new_value.size(), const_cast<char*>(new_value.data())};
    berval generated{0, nullptr};
    int rc = ldap_passwd_s(admin, &user, nullptr, &fresh, &generated, nullptr, nullptr);
    ber_memfree(generated.bv_val);
    if (rc != LDAP_SUCCESS) {
      Fail(std::string("bare: ldap password modify: ") + ldap_err2string(rc));
    }
    if (!Accepts(new_value) || Accepts(old_value)) {
      Fail("bare: ldap: the new value is not the only one accepted");
    }
  }
};

// An SSH key: the new public key's line added to authorized_keys (atomic write), a public-key
// login with the new key (libssh, the key exchange and host key check rekey uses), the old
// key's line removed (atomic write), a login with the old key (denied).
struct BareSsh {
  std::string host;
  int port = 0;
  std::string user;
  std::string known_hosts;
  std::string authorized_keys;
  uid_t owner = -1;
  gid_t group = -1;

  // "ssh-ed25519 AAAA..." of the private key PEM.
  static std::string PublicKey(const std::string& pem) {
    ssh_key key = nullptr;
    char* base64 = nullptr;
    if (ssh_pki_import_privkey_base64(pem.c_str(), nullptr, nullptr, nullptr, &key) != SSH_OK ||
        ssh_pki_export_pubkey_base64(key, &base64) != SSH_OK) {
      Fail("bare: ssh: cannot read a private key");
    }
    std::string line = std::string(ssh_key_type_to_char(ssh_key_type(key))) + " " + base64;
    ssh_string_free_char(base64);
    ssh_key_free(key);
    return line;
  }
  bool Login(const std::string& pem) const {
    ssh_session s = ssh_new();
    int verbosity = SSH_LOG_NOLOG;
    bool process_config = false;
    long timeout = 10;
    ssh_options_set(s, SSH_OPTIONS_LOG_VERBOSITY, &verbosity);
    ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &process_config);
    ssh_options_set(s, SSH_OPTIONS_HOST, host.c_str());
    ssh_options_set(s, SSH_OPTIONS_PORT, &port);
    ssh_options_set(s, SSH_OPTIONS_USER, user.c_str());
    ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &timeout);
    ssh_options_set(s, SSH_OPTIONS_KEY_EXCHANGE, "curve25519-sha256,curve25519-sha256@libssh.org");
    ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, known_hosts.c_str());
    ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null");
    if (ssh_connect(s) != SSH_OK || ssh_session_is_known_server(s) != SSH_KNOWN_HOSTS_OK) {
      Fail(std::string("bare: ssh connect: ") + ssh_get_error(s));
    }
    ssh_key key = nullptr;
    if (ssh_pki_import_privkey_base64(pem.c_str(), nullptr, nullptr, nullptr, &key) != SSH_OK) {
      Fail("bare: ssh: cannot read a private key");
    }
    int rc = ssh_userauth_publickey(s, nullptr, key);
    ssh_key_free(key);
    if (rc != SSH_AUTH_SUCCESS && rc != SSH_AUTH_DENIED) {
      Fail(std::string("bare: ssh login: ") + ssh_get_error(s));
    }
    ssh_disconnect(s);
    ssh_free(s);
    return rc == SSH_AUTH_SUCCESS;
  }
  void Rotate(const std::string& old_key, const std::string& new_key) {
    Bare::WriteFile(authorized_keys, Read(authorized_keys) + PublicKey(new_key) + " bench-bare\n",
                    owner, group);
    if (!Login(new_key)) {
      Fail("bare: ssh: the new key is not accepted");
    }
    std::string old_line = PublicKey(old_key) + " ";
    std::stringstream in(Read(authorized_keys));
    std::string kept;
    for (std::string line; std::getline(in, line);) {
      if (line.rfind(old_line, 0) != 0) {
        kept += line + "\n";
      }
    }
    Bare::WriteFile(authorized_keys, kept, owner, group);
    if (Login(old_key)) {
      Fail("bare: ssh: the old key is still accepted");
    }
  }
};

// An htpasswd user: the file rewritten with the user's new bcrypt line (atomic write, the cost
// rekey uses by default), then a request to nginx with the new value (200) and one with the old
// (401), on one kept-alive connection.
struct BareHtpasswd {
  std::string path;
  std::string user;
  std::string url;
  CURL* curl = nullptr;

  static size_t Discard(char*, size_t size, size_t count, void*) { return size * count; }

  long Answer(const std::string& password) const {
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_USERNAME, user.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, password.c_str());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Discard);
    long status = 0;
    if (curl_easy_perform(curl) != CURLE_OK ||
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK) {
      Fail("bare: GET " + url);
    }
    return status;
  }
  void Rotate(const std::string& old_value, const std::string& new_value) const {
    auto hash = htpasswd::BcryptHash(SecretBytes(new_value), htpasswd::kDefaultCost);
    if (!hash.ok()) {
      Fail("bare: bcrypt");
    }
    Bare::WriteFile(path, user + ":" + *hash + "\n");
    if (Answer(new_value) != 200 || Answer(old_value) != 401) {
      Fail("bare: htpasswd: the new value is not the only one accepted");
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

std::string LdapInventoryText(const std::map<std::string, std::string>& v) {
  return "version: 1\nsystems:\n  dir: { type: ldap, url: \"" + v.at("REKEY_LDAP_URL") +
         "\", bind_dn: \"" + v.at("REKEY_LDAP_BIND_DN") +
         "\", admin_secret: { file: " + v.at("REKEY_LDAP_ADMIN_PASSWORD_FILE") +
         " } }\nidentities:\n  ldap-svc:\n    kind: password\n    issuers: [{ system: dir, dn: \"" +
         v.at("REKEY_LDAP_SERVICE_DN") + "\" }]\n";
}

std::string SshInventoryText(const std::map<std::string, std::string>& v) {
  return "version: 1\nsystems:\n  host: { type: ssh, local: true, port: " + v.at("REKEY_SSH_PORT") +
         ", known_hosts: " + v.at("REKEY_SSH_KNOWN_HOSTS") +
         " }\nidentities:\n  ssh-svc:\n    kind: ssh_key\n    issuers: [{ system: host, user: " +
         v.at("REKEY_SSH_USER") + ", authorized_keys: " + v.at("REKEY_SSH_AUTHORIZED_KEYS") +
         " }]\n";
}

std::string HtpasswdInventoryText(const BareHtpasswd& web, const std::string& server) {
  return "version: 1\nsystems:\n  web: { type: htpasswd, url: \"" + server +
         "\" }\nidentities:\n  web-svc:\n    kind: password\n    issuers: [{ system: web, path: " +
         web.path + ", user: " + web.user + ", check_path: " + web.url.substr(server.size()) +
         " }]\n";
}

// Rekey's side: one state directory for every identity of the bench.
struct Rekey {
  ExecutorDeps deps;
  const MasterKey* key = nullptr;

  void Adopt(const std::string& identity, const SecretBytes& value) const {
    if (!deps.store
             ->Adopt(identity, {Sealer(*key).Seal(value, SealingContext(identity)),
                                Fingerprinter(*key).Fingerprint(value), "", deps.env->Now()})
             .ok()) {
      Fail("adopt " + identity);
    }
  }
  SecretBytes Current(const std::string& identity) const {
    auto creds = deps.store->GetCredential(identity);
    if (!creds.ok() || !creds->current) {
      Fail("no current value of " + identity);
    }
    auto value = Sealer(*key).Open(creds->current->sealed, SealingContext(identity));
    if (!value.ok()) {
      Fail("cannot open the current value of " + identity);
    }
    return std::move(*value);
  }
};

struct Medians {
  int iterations = 0;
  double rekey = 0;
  double bare = 0;
};

// ITERATIONS rotates of the one identity of inventory TEXT, whose systems accept INITIAL now.
// Each iteration is a rekey run (timed: CreateRun to the end of ExecuteRun), then BARE(old, new)
// (timed) taking the systems from the value rekey left to NEXT(i) (made before the clock starts),
// then NEXT(i) adopted: each side starts from what the servers accept.
Medians TimeRotates(const Rekey& rekey, const std::string& text, const SecretBytes& initial,
                    int iterations, const std::function<SecretBytes(int)>& next,
                    const std::function<void(const SecretBytes&, const SecretBytes&)>& bare) {
  Diagnostics d("bench.yaml");
  auto inv = ParseInventory(text, "bench.yaml", &d);
  if (!inv.ok()) {
    Fail(d.Format());
  }
  const Identity& id = inv->identities[0];
  rekey.Adopt(id.name, initial);
  Plan plan = *MakePlan(*inv, id, Strategy::kRotate);
  Env* env = rekey.deps.env;
  Medians m{iterations};
  std::vector<double> rekey_ms, bare_ms;
  for (int i = 0; i < iterations; ++i) {
    RunRecord run;
    run.id = id.name + "-bench-" + std::to_string(i);
    run.identity = id.name;
    run.strategy = Strategy::kRotate;
    run.plan_json = PlanToJson(plan).dump();
    run.inventory_text = text;
    run.started_at = env->Now();
    std::vector<int> ids;
    for (const Step& s : plan.steps) {
      ids.push_back(s.id);
    }
    auto start = Clock::now();
    Status created = rekey.deps.store->CreateRun(run, ids);
    auto ended = ExecuteRun(rekey.deps, *inv, plan, run, {});
    rekey_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    if (!created.ok() || !ended.ok() || ended->state != RunState::kSucceeded) {
      Fail("rekey run " + run.id +
           " did not succeed: " + (ended.ok() ? ended->blocked_reason : ended.status().ToString()));
    }

    // The bare reset starts from what the servers accept now: rekey's new value.
    SecretBytes rekeys = rekey.Current(id.name);
    SecretBytes bare_new = next(i);
    start = Clock::now();
    bare(rekeys, bare_new);
    bare_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    // The next rekey run starts from what the server accepts now: the bare value.
    rekey.Adopt(id.name, bare_new);
  }
  m.rekey = Median(rekey_ms);
  m.bare = Median(bare_ms);
  return m;
}

SecretBytes NewSshKey() {
  auto key = GenerateSshPrivateKey("bench-bare");
  if (!key.ok()) {
    Fail("cannot generate an ssh key");
  }
  return std::move(*key);
}

int Main(int argc, char** argv) {
  int iterations = argc > 1 ? std::atoi(argv[1]) : 30;
  int ssh_iterations = argc > 2 ? std::atoi(argv[2]) : std::max(3, iterations / 3);
  if (iterations < 1 || ssh_iterations < 1) {
    Fail("usage: reset_latency [ITERATIONS [SSH_ITERATIONS]]");
  }
  std::string dir = "/tmp/rekey-reset-latency-" + std::to_string(::getpid());
  std::string services = dir + "/services";
  std::string script = std::string(REKEY_SOURCE_DIR) + "/scripts/test-services";
  (void)DefaultEnv()->CreateDirs(dir, 0711);
  ::chmod(dir.c_str(), 0711);
  g_cleanup = script + " --dir " + services + " stop >/dev/null; rm -rf " + dir;
  if (std::system(
          (script + " --dir " + services + " start postgres redis ldap sshd nginx >/dev/null")
              .c_str())) {
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

  BareLdap ldap;
  ldap.url = v.at("REKEY_LDAP_URL");
  ldap.dn = v.at("REKEY_LDAP_SERVICE_DN");
  ldap.admin = BareLdap::Open(ldap.url);
  if (BareLdap::Bind(ldap.admin, v.at("REKEY_LDAP_BIND_DN"),
                     Read(v.at("REKEY_LDAP_ADMIN_PASSWORD_FILE"))) != LDAP_SUCCESS) {
    Fail("cannot bind to slapd as admin");
  }

  BareSsh ssh;
  ssh.host = v.at("REKEY_SSH_HOST");
  ssh.port = std::atoi(v.at("REKEY_SSH_PORT").c_str());
  ssh.user = v.at("REKEY_SSH_USER");
  ssh.known_hosts = v.at("REKEY_SSH_KNOWN_HOSTS");
  ssh.authorized_keys = v.at("REKEY_SSH_AUTHORIZED_KEYS");
  struct stat dot_ssh {};
  if (::stat(ssh.authorized_keys.substr(0, ssh.authorized_keys.rfind('/')).c_str(), &dot_ssh)) {
    Fail("no " + ssh.authorized_keys);
  }
  ssh.owner = dot_ssh.st_uid;
  ssh.group = dot_ssh.st_gid;
  SecretBytes ssh_initial = NewSshKey();
  Bare::WriteFile(ssh.authorized_keys,
                  BareSsh::PublicKey(std::string(ssh_initial.Expose())) + " bench-initial\n",
                  ssh.owner, ssh.group);

  BareHtpasswd web;
  web.path = v.at("REKEY_NGINX_HTPASSWD_DIR") + "/bench";
  web.user = "bench-web";
  web.url = v.at("REKEY_NGINX_URL") + "/files/bench/";
  web.curl = curl_easy_init();
  std::string web_initial = "initial-web-value";
  auto initial_hash = htpasswd::BcryptHash(SecretBytes(web_initial), htpasswd::kDefaultCost);
  if (web.curl == nullptr || !initial_hash.ok()) {
    Fail("cannot set up the htpasswd user");
  }
  Bare::WriteFile(web.path, web.user + ":" + *initial_hash + "\n");

  // rekey: a state directory, each value adopted, then one run per iteration.
  Env* env = DefaultEnv();
  std::string state = dir + "/state";
  (void)env->CreateDirs(state, 0700);
  auto key = MasterKey::Create(env, state + "/master.key");
  auto store = OpenStore(env, state);
  auto audit = AuditLog::Open(state + "/audit.log");
  if (!key.ok() || !store.ok() || !audit.ok()) {
    Fail("cannot open the state directory");
  }
  Failpoints failpoints(env);
  SystemResources resources;
  Rekey rekey{{env, store->get(), audit->get(), &failpoints, &*key, &resources}, &*key};

  for (int i = 0; i < 3; ++i) {
    std::ofstream(dir + "/rekey-" + std::to_string(i) + ".env") << "PASSWORD=" << value << "\n";
  }
  std::vector<std::string> bare_files;
  for (int i = 0; i < 3; ++i) {
    bare_files.push_back(dir + "/bare-" + std::to_string(i) + ".env");
  }
  auto text = [](const SecretBytes& s) { return std::string(s.Expose()); };
  Medians pg = TimeRotates(
      rekey, InventoryText(v, dir), SecretBytes(value), iterations,
      [](int i) { return SecretBytes("bare-value-" + std::to_string(i) + "-Xq9"); },
      [&](const SecretBytes& old_value, const SecretBytes& new_value) {
        bare.Rotate(text(old_value), text(new_value), bare_files);
      });
  Medians dn = TimeRotates(
      rekey, LdapInventoryText(v), SecretBytes(Read(v.at("REKEY_LDAP_SERVICE_PASSWORD_FILE"))),
      iterations,
      [](int i) { return SecretBytes("bare-ldap-value-" + std::to_string(i) + "-Xq9"); },
      [&](const SecretBytes& old_value, const SecretBytes& new_value) {
        ldap.Rotate(text(old_value), text(new_value));
      });
  Medians key_pair = TimeRotates(
      rekey, SshInventoryText(v), ssh_initial, ssh_iterations, [](int) { return NewSshKey(); },
      [&](const SecretBytes& old_value, const SecretBytes& new_value) {
        ssh.Rotate(text(old_value), text(new_value));
      });

  Medians basic_auth = TimeRotates(
      rekey, HtpasswdInventoryText(web, v.at("REKEY_NGINX_URL")), SecretBytes(web_initial),
      iterations, [](int i) { return SecretBytes("bare-web-value-" + std::to_string(i) + "-Xq9"); },
      [&](const SecretBytes& old_value, const SecretBytes& new_value) {
        web.Rotate(text(old_value), text(new_value));
      });

  curl_easy_cleanup(web.curl);
  PQfinish(bare.pg);
  redisFree(bare.redis);
  ldap_unbind_ext_s(ldap.admin, nullptr, nullptr);
  std::system(g_cleanup.c_str());
  g_cleanup.clear();

  std::printf("reset of one identity: PostgreSQL + Redis issuers, 3 file holders, %d iterations\n",
              pg.iterations);
  std::printf("%-44s %10s\n", "", "median ms");
  std::printf("%-44s %10.1f\n", "rekey run (rotate, journaled, verified)", pg.rekey);
  std::printf("%-44s %10.1f\n", "bare operations (same statements and logins)", pg.bare);
  std::printf("%-44s %10.2f\n", "ratio rekey / bare", pg.rekey / pg.bare);

  std::printf(
      "\nreset of one identity each: one issuer, no holder; rekey run vs bare operations\n");
  std::printf("%-44s %10s %10s %10s %10s\n", "", "iterations", "rekey ms", "bare ms", "ratio");
  auto row = [](const char* what, const Medians& m) {
    std::printf("%-44s %10d %10.1f %10.1f %10.2f\n", what, m.iterations, m.rekey, m.bare,
                m.rekey / m.bare);
  };
  row("LDAP password (slapd, Password Modify)", dn);
  row("SSH key (sshd, local authorized_keys)", key_pair);
  row("htpasswd user (nginx basic auth, bcrypt 5)", basic_auth);
  return 0;
}

}  // namespace
}  // namespace rekey

int main(int argc, char** argv) { return rekey::Main(argc, argv); }
